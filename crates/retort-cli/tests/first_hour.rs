//! The first hour of a new user, driven through the binary exactly as a person works: `retort
//! init`, `retort revision`, the file edited (several times) with ordinary writes, `upgrade`,
//! `downgrade -1`, `upgrade` again; the same after `revision --autogenerate` and a reviewer's edit;
//! and the places where newcomers trip (a dbmate folder, a malformed file, `check` with pending
//! migrations).

mod common;

use std::path::{Path, PathBuf};

use common::{Db, Kind};

/// A folder `retort init` made, and the commands run in it.
struct Walk {
    dir: tempfile::TempDir,
    _db: Option<Db>,
}

impl Walk {
    /// `retort init` on SQLite's default, or with `--url` for a fresh PostgreSQL database.
    fn init(kind: Kind) -> Option<Walk> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = match kind {
            Kind::Sqlite => None,
            Kind::Postgres | Kind::Mariadb => Some(Db::new(kind, dir.path())?),
        };
        let walk = Walk { dir, _db: None };
        let out = match &db {
            None => walk.ok(&["init"]),
            Some(db) => walk.ok(&["init", "--url", &db.url]),
        };
        assert!(out.contains("Created retort.toml, migrations/, schema/schema.sql"), "{out}");
        Some(Walk { _db: db, ..walk })
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        common::retort_in(self.dir.path(), args)
    }

    /// Runs retort; requires success and an empty stderr (no warning in a clean walk).
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "retort {args:?}: {stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn code(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), text)
    }

    /// The file `retort revision` just wrote, from its `Created <path> (...)` line.
    fn created(&self, out: &str) -> PathBuf {
        let rel = out
            .lines()
            .find_map(|l| l.strip_prefix("Created ").and_then(|r| r.split(' ').next()))
            .unwrap_or_else(|| panic!("no `Created` line in {out}"));
        self.dir.path().join(rel)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

/// Fills a section of a migration file, as an editor would: the text after its marker line.
fn fill(path: &Path, marker: &str, sql: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let text = text.replacen(&format!("{marker}\n"), &format!("{marker}\n{sql}\n"), 1);
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn write_edit_upgrade_downgrade(kind: Kind) {
    let Some(w) = Walk::init(kind) else { return };
    // Right after init, check works: the schema folder exists, and nothing is pending.
    assert!(w.ok(&["check"]).contains("No differences"));
    let ignored = std::fs::read_to_string(w.path(".gitignore")).unwrap_or_default();
    assert!(ignored.lines().any(|l| l == "*.retort-lock"), "{ignored}");
    assert_eq!(ignored.lines().any(|l| l == "/app.db"), kind == Kind::Sqlite, "{ignored}");
    // A schema that is not there is an error, not an empty dump (SQLite has none to name).
    let (code, out) = w.code(&["inspect", "--schema", "nosuch"]);
    assert_eq!(code, if kind == Kind::Sqlite { 2 } else { 1 }, "{out}");
    let file = w.created(&w.ok(&["revision", "-m", "create users"]));
    fill(&file, "-- migrate:upgrade", "CREATE TABLE users (id INTEGER PRIMARY KEY);");
    fill(&file, "-- migrate:downgrade", "DROP TABLE users;");
    // A second edit before applying: still no extra command.
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    std::fs::write(&file, text.replace("(id INTEGER PRIMARY KEY)", "(id INTEGER PRIMARY KEY, name TEXT)"))
        .unwrap_or_else(|e| panic!("{e}"));
    // check with a migration pending says so, and fails.
    let (code, out) = w.code(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not at head") && out.contains("retort upgrade head"), "{out}");
    assert!(w.ok(&["upgrade", "head"]).contains("(1 step, "));
    // show prints the revision's SQL; stamp takes its flags after the revisions, as --help shows.
    let show = w.ok(&["show", "head"]);
    assert!(
        show.contains("Revision: ") && show.contains("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"),
        "{show}"
    );
    assert!(w.ok(&["stamp", "head", "--sql"]).contains("INSERT INTO"));
    assert!(w.ok(&["stamp", "head", "--purge"]).starts_with("Stamped "));
    assert!(w.ok(&["downgrade", "-1"]).contains("Downgraded to <base> (1 step, "));
    w.ok(&["upgrade", "head"]);
    // An edit after it was applied is named once, as a warning (an error with --strict).
    let applied = std::fs::read_to_string(&file).unwrap_or_default();
    std::fs::write(&file, applied.replace("name TEXT", "name TEXT, email TEXT")).unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = w.code(&["current"]);
    assert_eq!((code, out.matches("was changed after it was applied").count()), (0, 1), "{out}");
    let (code, out) = w.code(&["current", "--strict"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: --strict: 1 migration file changed after it was applied"), "{out}");
    std::fs::write(&file, &applied).unwrap_or_else(|e| panic!("{e}"));

    // Autogenerate, then a reviewer's edit, then upgrade / downgrade / upgrade.
    std::fs::write(w.path("schema/schema.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = w.ok(&["revision", "--autogenerate", "-m", "create notes"]);
    assert!(out.contains("+ table") && out.contains("notes"), "{out}");
    let generated = w.created(&out);
    fill(&generated, "-- migrate:upgrade", "-- reviewed: notes are kept forever");
    w.ok(&["upgrade", "head"]);
    assert!(w.ok(&["check"]).contains("No differences"));
    w.ok(&["downgrade", "-1"]);
    w.ok(&["upgrade", "head"]);
    assert!(w.ok(&["check"]).contains("No differences"));
    assert_eq!(w.ok(&["heads"]).lines().count(), 1);
}

fn dbmate_folders_and_broken_files(kind: Kind) {
    let Some(w) = Walk::init(kind) else { return };
    std::fs::write(
        w.path("migrations/20260101000000_create_a.sql"),
        "-- migrate:up\nCREATE TABLE a (id INTEGER);\n\n-- migrate:down\nDROP TABLE a;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        w.path("migrations/20260102000000_create_b.sql"),
        "-- migrate:up\nCREATE TABLE b (id INTEGER);\n\n-- migrate:down\nDROP TABLE b;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(w.ok(&["upgrade", "head"]).contains("Upgraded to 20260102000000 (2 steps"));
    assert!(w.ok(&["history"]).contains("20260101000000 -> 20260102000000 (head), create b"));
    // One malformed file: read-only commands name it and go on; upgrade refuses.
    std::fs::write(w.path("migrations/zz_broken.sql"), "-- broken\nCREATE TABLE c (id INTEGER);\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = w.code(&["history"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("zz_broken.sql") && out.contains("create b"), "{out}");
    let (code, out) = w.code(&["upgrade", "head"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("zz_broken.sql:2: SQL before '-- migrate:upgrade'") && out.contains("migrate:up"), "{out}");
}

/// A typo in a migration: lint stops the upgrade before the database sees it; forced, the
/// database's error shows the statement once, and nothing was applied.
fn a_typo_is_caught_and_shown_once(kind: Kind) {
    let Some(w) = Walk::init(kind) else { return };
    let file = w.created(&w.ok(&["revision", "-m", "typo"]));
    fill(&file, "-- migrate:upgrade", "CREATE TABLE a (id INTEGER);\nSELEC 1;");
    fill(&file, "-- migrate:downgrade", "DROP TABLE a;");
    let (code, out) = w.code(&["upgrade", "head"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("RT001") && out.contains("did you mean SELECT?"), "{out}");
    let (code, out) = w.code(&["upgrade", "head", "--force"]);
    assert_eq!(code, 1, "{out}");
    // (MariaDB's own message quotes the text near the error too.)
    let shown = out.matches("SELEC 1").count() - usize::from(out.contains("near 'SELEC 1'"));
    assert_eq!(shown, 1, "{out}");
    if kind == Kind::Mariadb {
        // DDL commits as it runs: the error says what took effect, and how to go on.
        assert!(out.contains("1 statement(s) of this step took effect and stay") && out.contains("--resume"), "{out}");
    }
    let (_, out) = w.code(&["current"]);
    assert!(out.contains("the database is at <base>"), "the version table claims nothing: {out}");
}

on_all!(dbmate_folders_and_broken_files, a_typo_is_caught_and_shown_once);

mod with_a_desired_schema {
    use super::*;
    on_both!(write_edit_upgrade_downgrade);
}
