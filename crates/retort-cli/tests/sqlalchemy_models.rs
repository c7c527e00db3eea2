//! `[schema] sqlalchemy`: the team's SQLAlchemy models as the desired schema, judged against
//! SQLAlchemy itself. A database built by the models' own `metadata.create_all()` must check
//! clean, and `revision --autogenerate` + `upgrade` from the previous version must reach exactly
//! that database (migra on PostgreSQL; SQLite's PRAGMAs through `sqlite3`).

mod common;

use std::path::{Path, PathBuf};

use common::{Db, Kind, retort_cmd};

fn python_ready() -> bool {
    common::python_with("sqlalchemy, psycopg2, pymysql")
}

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sqlalchemy")
}

fn sqlalchemy_url(db: &Db) -> String {
    match db.kind {
        Kind::Mariadb => db.url.replacen("mysql://", "mysql+pymysql://", 1),
        Kind::Sqlite => format!("sqlite:///{}", db.url.trim_start_matches("sqlite:")),
        Kind::Postgres => db.url.replacen("postgres://", "postgresql+psycopg2://", 1),
    }
}

/// Builds `db` with SQLAlchemy's own `metadata.create_all()` from `module` (in the fixtures).
fn create_all(db: &Db, module: &str) {
    let program = format!(
        "import sys; sys.path.insert(0, {dir:?}); import {module} as m; from sqlalchemy import create_engine; m.metadata.create_all(create_engine({url:?}))",
        dir = models_dir().display().to_string(),
        url = sqlalchemy_url(db),
    );
    let out = std::process::Command::new("python3").args(["-c", &program]).output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "create_all({module}) failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A project on `db` whose desired schema is `module:metadata`.
struct ModelsProject {
    dir: tempfile::TempDir,
}

impl ModelsProject {
    fn new(db: &Db, module: &str) -> ModelsProject {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = retort_cmd(dir.path()).args(["init", "--url", &db.url]).output().unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let p = ModelsProject { dir };
        p.use_models(module);
        p
    }

    /// Edits retort.toml as a person would: the models in place of `paths`.
    fn use_models(&self, module: &str) {
        let path = self.dir.path().join("retort.toml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with("paths =") && !l.starts_with("sqlalchemy =") && !l.starts_with("pythonpath ="))
            .map(str::to_string)
            .collect();
        let at = lines.iter().position(|l| l == "[schema]").unwrap_or_else(|| panic!("no [schema] in {text}"));
        lines.insert(at + 1, format!("sqlalchemy = \"{module}:metadata\""));
        lines.insert(at + 2, format!("pythonpath = [{:?}]", models_dir().display().to_string()));
        std::fs::write(&path, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        common::retort_in(self.dir.path(), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::retort_ok(self.dir.path(), args)
    }
}

/// SQLite's own description of a database (`sqlite3`'s PRAGMAs), without retort's tables.
fn sqlite_pragmas(db: &Db) -> String {
    let tables = db.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'retort%' ORDER BY name",
    );
    let mut out = String::new();
    for t in tables {
        for sql in [
            format!("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{t}') ORDER BY name"),
            format!("SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{t}') ORDER BY 1, 2"),
            format!(
                "SELECT l.name, l.\"unique\", group_concat(i.name) FROM pragma_index_list('{t}') l, pragma_index_info(l.name) i GROUP BY l.name ORDER BY 1"
            ),
        ] {
            out.push_str(&format!("{t}: {}\n", db.query(&sql).join("; ")));
        }
    }
    out
}

/// The crewai models at both versions, and models with PostgreSQL's richer objects: a database
/// SQLAlchemy built from them checks clean against the same models.
#[test]
fn create_all_checks_clean() {
    if !python_ready() {
        return;
    }
    let cases = [
        (Kind::Sqlite, "models"),
        (Kind::Sqlite, "models_v2"),
        (Kind::Postgres, "models"),
        (Kind::Postgres, "models_v2"),
        (Kind::Postgres, "rich"),
        (Kind::Mariadb, "models"),
        (Kind::Mariadb, "models_v2"),
    ];
    for (kind, module) in cases {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let Some(db) = Db::new(kind, dir.path()) else { return };
        create_all(&db, module);
        let p = ModelsProject::new(&db, module);
        // No migrations yet: the database is at base, which is the head, so check compares.
        let out = p.run(&["check"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("No differences"),
            "{kind:?} {module}: check is not clean:\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Edit the model, autogenerate, review, upgrade (the seed guide's loop): v1 from nothing, then v2
/// from v1; the result equals SQLAlchemy's own create_all of v2, and `downgrade -1` equals v1's.
#[test]
fn autogenerate_from_the_models_reaches_create_all() {
    if !python_ready() {
        return;
    }
    for kind in [Kind::Sqlite, Kind::Postgres, Kind::Mariadb] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let Some(ours) = Db::new(kind, dir.path()) else { return };
        let p = ModelsProject::new(&ours, "models");
        p.ok(&["revision", "--autogenerate", "-m", "initial schema", "--rev-id", "v1"]);
        p.ok(&["upgrade", "head"]);
        p.use_models("models_v2");
        let out = p.ok(&["revision", "--autogenerate", "-m", "workspaces and users", "--rev-id", "v2"]);
        assert!(out.contains("Created migrations/v2_workspaces_and_users.sql"), "{out}");
        p.ok(&["upgrade", "head"]);
        assert!(p.ok(&["check"]).contains("No differences"));

        let dirs: Vec<tempfile::TempDir> =
            (0..2).map(|_| tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))).collect();
        let Some(v2) = Db::new(kind, dirs[0].path()) else { return };
        let Some(v1) = Db::new(kind, dirs[1].path()) else { return };
        create_all(&v2, "models_v2");
        create_all(&v1, "models");
        match kind {
            Kind::Mariadb => assert_eq!(
                common::mysql_definitions(&ours),
                common::mysql_definitions(&v2),
                "upgrade reaches create_all(v2)"
            ),
            Kind::Sqlite => assert_eq!(sqlite_pragmas(&ours), sqlite_pragmas(&v2), "upgrade reaches create_all(v2)"),
            Kind::Postgres => assert_eq!(common::migra(&v2, &ours), ""),
        }
        p.ok(&["downgrade", "-1"]);
        match kind {
            Kind::Mariadb => assert_eq!(
                common::mysql_definitions(&ours),
                common::mysql_definitions(&v1),
                "downgrade reaches create_all(v1)"
            ),
            Kind::Sqlite => assert_eq!(sqlite_pragmas(&ours), sqlite_pragmas(&v1), "downgrade reaches create_all(v1)"),
            Kind::Postgres => assert_eq!(common::migra(&v1, &ours), ""),
        }
    }
    // The rich models from an empty database (PostgreSQL).
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ours) = Db::new(Kind::Postgres, dir.path()) else { return };
    let p = ModelsProject::new(&ours, "rich");
    p.ok(&["revision", "--autogenerate", "-m", "rich", "--rev-id", "r1"]);
    p.ok(&["upgrade", "head"]);
    let other = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(theirs) = Db::new(Kind::Postgres, other.path()) else { return };
    create_all(&theirs, "rich");
    assert_eq!(common::migra(&theirs, &ours), "");
}

/// Clear errors for the mistakes people make.
#[test]
fn model_errors_say_what_to_do() {
    if !python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(db) = Db::new(Kind::Sqlite, dir.path()) else { return };
    let p = ModelsProject::new(&db, "no_such_module");
    let err = String::from_utf8_lossy(&p.run(&["check"]).stderr).into_owned();
    assert!(err.contains("cannot import no_such_module") && err.contains("ModuleNotFoundError"), "{err}");
    p.use_models("models");
    let config = std::fs::read_to_string(p.dir.path().join("retort.toml")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(p.dir.path().join("retort.toml"), config.replace("models:metadata", "models:assoc"))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&p.run(&["check"]).stderr).into_owned();
    assert!(err.contains("is a function, not a MetaData or a declarative base"), "{err}");
    // paths and sqlalchemy together are a configuration error.
    let config = std::fs::read_to_string(p.dir.path().join("retort.toml")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        p.dir.path().join("retort.toml"),
        config.replace("[schema]\n", "[schema]\npaths = [\"schema/*.sql\"]\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = p.run(&["check"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("[schema] sets paths and sqlalchemy; they are alternatives"), "{err}");
    let config = std::fs::read_to_string(p.dir.path().join("retort.toml")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        p.dir.path().join("retort.toml"),
        config
            .replace("paths = [\"schema/*.sql\"]\n", "python = \"/nonexistent/python3\"\n")
            .replace("models:assoc", "models:metadata"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&p.run(&["check"]).stderr).into_owned();
    assert!(err.contains("cannot run Python '/nonexistent/python3'"), "{err}");
}

/// A Python without SQLAlchemy (a bare virtualenv): the models loader and the Alembic import say
/// which Python lacks what, and how to install it.
#[test]
fn a_python_without_the_packages_is_named() {
    if !python_ready() {
        return;
    }
    let venv = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let made = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(venv.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(made.status.success(), "python3 -m venv: {}", String::from_utf8_lossy(&made.stderr));
    let bare = venv.path().join("bin/python");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(db) = Db::new(Kind::Sqlite, dir.path()) else { return };
    let p = ModelsProject::new(&db, "models");
    let config = p.dir.path().join("retort.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &config,
        text.replace("[schema]\n", &format!("[schema]\npython = {:?}\n", bare.display().to_string())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&p.run(&["check"]).stderr).into_owned();
    assert!(err.contains("SQLAlchemy is not installed in") && err.contains("pip install sqlalchemy"), "{err}");
    let versions = p.dir.path().join("versions");
    std::fs::create_dir_all(&versions).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(versions.join("a1.py"), "revision = 'a1'\ndown_revision = None\n").unwrap_or_else(|e| panic!("{e}"));
    let out = p.run(&["import", "alembic", "versions"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("No module named") && err.contains("pip install alembic sqlalchemy"), "{err}");
}
