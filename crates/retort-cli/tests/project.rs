//! End-to-end tests of project handling: init, config discovery, URLs, writing revisions, and
//! the errors a user meets with broken files or unreachable databases.

mod common;

use common::{Kind, Project};

fn sqlite_project() -> Project {
    Project::new(Kind::Sqlite).unwrap_or_else(|| unreachable!("SQLite is always available"))
}

#[test]
fn init_writes_a_project_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| common::retort_in(dir.path(), args);
    let out = run(&["init", "proj"]);
    assert!(out.status.success());
    assert!(dir.path().join("proj/retort.toml").is_file() && dir.path().join("proj/migrations").is_dir());
    let again = run(&["init", "proj"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; nothing was changed"));
    // The default project runs on SQLite with zero setup, from a subfolder.
    std::fs::create_dir_all(dir.path().join("proj/src/deep")).unwrap_or_else(|e| panic!("{e}"));
    let deep = dir.path().join("proj/src/deep");
    let cmd = |args: &[&str]| common::retort_in(&deep, args);
    let out = cmd(&["revision", "-m", "first", "--rev-id", "f1"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created ../../migrations/f1_first.sql"), "{out:?}");
    assert!(cmd(&["upgrade", "head"]).status.success());
    assert!(dir.path().join("proj/app.db").is_file(), "sqlite:app.db is relative to retort.toml");
    assert_eq!(String::from_utf8_lossy(&cmd(&["current"]).stdout), "f1 (head)\n");
}

#[test]
fn revision_writes_parseable_files() {
    let p = sqlite_project();
    let out = p.ok(&["revision", "-m", "사용자 테이블 추가", "--rev-id", "k1"]);
    // A Korean message is transliterated for the file name (the header keeps it as written).
    assert!(out.contains("Created migrations/k1_sayongja_teibeul_cuga.sql (revision k1, revises <base>)"), "{out}");
    let text = std::fs::read_to_string(p.path().join("migrations/k1_sayongja_teibeul_cuga.sql")).unwrap_or_default();
    assert!(text.starts_with("-- 사용자 테이블 추가\n--\n-- Revision: k1\n-- Revises: \n-- Create Date: "), "{text}");
    let out = p.ok(&["revision", "-m", "Add e-mail to users!"]);
    let name = out.split_whitespace().nth(1).unwrap_or_default().to_string();
    assert!(name.starts_with("migrations/") && name.ends_with("_add_e_mail_to_users.sql"), "{out}");
    let id = name.trim_start_matches("migrations/")[..12].to_string();
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert_eq!(p.ok(&["heads"]), format!("{id} (head)\n"));

    // A new root with a label, then a second head: revision needs --head now.
    p.ok(&["revision", "-m", "auth", "--head", "base", "--branch-label", "auth", "--rev-id", "a1"]);
    let err = p.fails(&["revision", "-m", "next"]);
    assert!(err.contains("Multiple heads are present") && err.contains("--head"), "{err}");
    p.ok(&["revision", "-m", "tokens", "--head", "auth@head", "--rev-id", "a2", "--depends-on", "k1"]);
    let err = p.fails(&["revision", "-m", "x", "--head", "a1"]);
    assert!(err.contains("Revision a1 is not a head revision; pass --splice"), "{err}");
    p.ok(&["revision", "-m", "side", "--head", "a1", "--splice", "--rev-id", "a3"]);
    let show = p.ok(&["show", "a2"]);
    assert!(show.contains("Parent: a1") && show.contains("Also depends on: k1"), "{show}");
    let err = p.fails(&["revision", "-m", "x", "--head", "a2", "--rev-id", "a1"]);
    assert!(err.contains("exists already"), "{err}");
    let json = p.ok(&["heads", "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(parsed.as_array().map(Vec::len), Some(3), "{json}");
    let err = p.fails(&["revision", "-m", "Revision: drop legacy columns", "--head", "a3"]);
    assert!(err.contains("would not read back as written"), "{err}");
    let err = p.fails(&["revision", "-m", "x", "--head", "a3", "--branch-label", "auth"]);
    assert!(err.contains("branch label 'auth' is already used"), "{err}");
    let err = p.fails(&["merge", "a2", "a3", "--branch-label", "a b"]);
    assert!(err.contains("'a b' contains ' '"), "{err}");
    let sql_files = std::fs::read_dir(p.path().join("migrations"))
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "sql")).count())
        .unwrap_or(0);
    assert_eq!(sql_files, 5, "nothing was written");
    let nt = p.ok(&["revision", "-m", "concurrently", "--head", "a3", "--no-transaction", "--rev-id", "c1"]);
    assert!(nt.contains("c1_concurrently.sql"));
    let text = std::fs::read_to_string(p.path().join("migrations/c1_concurrently.sql")).unwrap_or_default();
    assert!(text.contains("-- Transaction: false\n"), "{text}");
}

#[test]
fn history_ranges_and_verbose() {
    let p = sqlite_project();
    p.chain(5);
    let all = p.ok(&["history"]);
    assert_eq!(all.lines().count(), 5);
    assert!(
        all.starts_with("r4 -> r5 (head), migration r5\n") && all.ends_with("<base> -> r1, migration r1\n"),
        "{all}"
    );
    let range = p.ok(&["history", "-r", "r2:r4"]);
    assert_eq!(range, "r3 -> r4, migration r4\nr2 -> r3, migration r3\nr1 -> r2, migration r2\n");
    p.ok(&["upgrade", "r3"]);
    let ahead = p.ok(&["history", "-r", "current:"]);
    assert_eq!(ahead.lines().count(), 3, "{ahead}");
    let verbose = p.ok(&["history", "-v", "-r", "r5:"]);
    assert!(verbose.contains("Rev: r5 (head)\nParent: r4\nPath: migrations/r5.sql"), "{verbose}");
    let json = p.ok(&["history", "--json", "-i"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(parsed[2]["is_current"], serde_json::Value::Bool(true), "{json}");
    let current = p.ok(&["current", "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&current).unwrap_or_default();
    assert_eq!(parsed["current"][0], "r3", "{current}");
}

#[test]
fn commands_that_need_no_database_open_none() {
    let p = sqlite_project();
    p.chain(2);
    p.write("retort.toml", "[database]\nurl = \"postgres://nobody:pw@127.0.0.1:1/none\"\n");
    for args in [&["heads"][..], &["history"], &["branches"], &["show", "r1"], &["upgrade", "head", "--sql"]] {
        p.ok(args);
    }
}

#[test]
fn current_works_with_only_a_url() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("x.db");
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("CREATE TABLE retort_version (version_num VARCHAR(32) PRIMARY KEY); INSERT INTO retort_version VALUES ('abc123');")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .args(["current", "--url", "sqlite:x.db"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "abc123\n", "{out:?}");
    // DATABASE_URL works the same; a missing file reads as an empty database and is not created.
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .env("DATABASE_URL", "sqlite:missing.db")
        .args(["current"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{out:?}");
    assert!(!dir.path().join("missing.db").exists());
    // Without any URL or config the error says what to do.
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["current"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `retort init`"), "{out:?}");
}

#[test]
fn urls_and_config_errors_are_clear() {
    let p = sqlite_project();
    p.chain(1);
    let err = p.fails(&["upgrade", "--url", "mysql://root:hunter2@127.0.0.1:1/db"]);
    assert!(err.contains("cannot connect to mysql://root:***@127.0.0.1:1/db") && !err.contains("hunter2"), "{err}");
    assert!(err.contains("is the server running"), "{err}");
    let err = p.fails(&["upgrade", "--url", "postgres://bob:hunter2@127.0.0.1:1/db"]);
    assert!(err.contains("cannot connect to postgres://bob:***@127.0.0.1:1/db"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    p.write("retort.toml", "[database]\nurl = \"${RETORT_TEST_UNSET_VAR}\"\n");
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("environment variable RETORT_TEST_UNSET_VAR is not set"), "{err}");
    let db = p.db.url.clone();
    p.write("retort.toml", "[database]\nurl = \"${RETORT_TEST_URL}\"\n");
    let out = p.cmd().env("RETORT_TEST_URL", &db).args(["upgrade"]).output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{out:?}");
    p.write("retort.toml", "[migrations]\nversion_tabel = \"x\"\n");
    let err = p.fails(&["heads"]);
    assert!(err.contains("retort.toml") && err.contains("version_tabel"), "{err}");
    let out = p.run(&["heads", "--bogus"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn broken_migration_files_get_clear_errors() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("no_rev.sql", b"-- hello\n-- migrate:upgrade\n-- migrate:downgrade\n", "no_rev.sql:1: no 'Revision:' line"),
        (
            "bad_id.sql",
            b"-- Revision: a-b\n-- migrate:upgrade\n-- migrate:downgrade\n",
            "bad_id.sql:1: 'a-b' contains '-'",
        ),
        (
            "sql_first.sql",
            b"-- Revision: x1\nDROP TABLE a;\n-- migrate:upgrade\n-- migrate:downgrade\n",
            "sql_first.sql:2: SQL before",
        ),
        ("no_down.sql", b"-- Revision: x1\n-- migrate:upgrade\nSELECT 1;\n", "no '-- migrate:downgrade' line"),
        (
            "latin1.sql",
            b"-- Revision: x1\n-- caf\xe9\n-- migrate:upgrade\n-- migrate:downgrade\n",
            "latin1.sql:2: the file is not valid UTF-8",
        ),
        (
            "orphan.sql",
            b"-- Revision: x1\n-- Revises: nothere\n-- migrate:upgrade\n-- migrate:downgrade\n",
            "orphan.sql:2: revision 'x1' revises 'nothere'",
        ),
    ];
    for (name, bytes, want) in cases {
        let p = sqlite_project();
        std::fs::write(p.path().join("migrations").join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
        let err = p.fails(&["upgrade", "head"]);
        assert!(err.contains(want), "{name}: {err}");
        assert!(!p.path().join("test.db").exists(), "{name}: nothing touched the database");
    }
    let p = sqlite_project();
    p.migration("a1", &[], "SELECT 1;", "SELECT 1;");
    p.write("migrations/copy.sql", &std::fs::read_to_string(p.path().join("migrations/a1.sql")).unwrap_or_default());
    let err = p.fails(&["heads"]);
    assert!(err.contains("revision 'a1' is declared twice"), "{err}");
    let p = sqlite_project();
    p.migration("a1", &["c1"], "SELECT 1;", "SELECT 1;");
    p.migration("b1", &["a1"], "SELECT 1;", "SELECT 1;");
    p.migration("c1", &["b1"], "SELECT 1;", "SELECT 1;");
    p.migration("d1", &["c1"], "SELECT 1;", "SELECT 1;");
    let err = p.fails(&["heads"]);
    assert!(err.contains("cycle") && err.contains("(migrations/a1.sql:4)"), "{err}");
    assert!(!err.contains("d1"), "only the cycle's members are named: {err}");
    let p = sqlite_project();
    p.migration("a1", &[], "SELECT 'unterminated;", "SELECT 1;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("migrations/a1.sql:line 8"), "{err}");
    assert!(p.db.versions().is_empty());
}

#[test]
fn postgres_errors_point_at_the_line_and_mask_passwords() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.migration("a1", &[], "CREATE TABLE a (\n  id int,\n  name txet\n);", "DROP TABLE a;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(
        err.contains("migrations/a1.sql:10: upgrade of revision a1 failed: ERROR: type \"txet\" does not exist"),
        "{err}"
    );
    let url = p.db.url.replace("postgres://postgres@", "postgres://postgres:hunter2@");
    let missing = format!("{}_missing", url);
    let err = p.fails(&["upgrade", "--url", &missing]);
    assert!(err.contains("postgres:***@") && !err.contains("hunter2") && err.contains("does not exist"), "{err}");
}

#[test]
fn postgres_bookkeeping_ignores_search_path_changes() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.migration(
        "a1",
        &[],
        "CREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE x (id int);",
        "DROP SCHEMA app CASCADE;",
    );
    p.migration("b1", &["a1"], "CREATE TABLE app.y (id int);", "DROP TABLE app.y;");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.query("SELECT version_num FROM public.retort_version"), vec!["b1".to_string()]);
    assert_eq!(p.db.query("SELECT count(*) FROM public.retort_history"), vec!["2".to_string()]);
    p.ok(&["downgrade", "base"]);
    assert!(p.db.query("SELECT version_num FROM public.retort_version").is_empty());
}

#[test]
fn postgres_runs_scripts_outside_a_transaction() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.migration("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;");
    p.migration("b1", &["a1"], "CREATE INDEX CONCURRENTLY a_id ON a (id);", "DROP INDEX CONCURRENTLY a_id;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("lint found 1 error in"), "lint catches it before the database does: {err}");
    let err = p.fails(&["upgrade", "head", "--force"]);
    assert!(err.contains("cannot run inside a transaction block"), "{err}");
    p.migration_with(
        "b1",
        &["a1"],
        "-- Transaction: false",
        "CREATE INDEX CONCURRENTLY a_id ON a (id);",
        "DROP INDEX CONCURRENTLY a_id;",
    );
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'a'"), vec!["a_id".to_string()]);
    p.ok(&["downgrade", "a1"]);
    assert!(p.db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'a'").is_empty());
    let sql = p.ok(&["upgrade", "a1:head", "--sql"]);
    let concurrently = sql.find("CREATE INDEX CONCURRENTLY").unwrap_or(0);
    assert!(
        sql[..concurrently].trim_end().ends_with("COMMIT;") || sql[..concurrently].contains("COMMIT;\n\n-- Running"),
        "{sql}"
    );
}

#[test]
fn postgres_tls_modes_follow_libpq() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    // Only meaningful where the server offers TLS (Debian's default, with its snakeoil certificate).
    if p.db.query("SHOW ssl") != vec!["on".to_string()] {
        return;
    }
    p.migration("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;");
    let with = |mode: &str| format!("{}?sslmode={mode}", p.db.url);
    p.ok(&["upgrade", "--url", &with("require")]);
    assert_eq!(p.ok(&["current", "--url", &with("require")]), "a1 (head)\n");
    let err = p.fails(&["current", "--url", &with("verify-full")]);
    assert!(err.contains("invalid peer certificate"), "an unverifiable certificate is refused: {err}");
    let snakeoil = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    if std::path::Path::new(snakeoil).exists() {
        let url = format!("{}&sslrootcert={snakeoil}", with("verify-ca"));
        assert_eq!(p.ok(&["current", "--url", &url]), "a1 (head)\n");
    }
}

#[test]
fn sqlite_backup_and_restore() {
    let p = sqlite_project();
    p.chain(2);
    p.ok(&["upgrade", "r1"]);
    p.db.exec("INSERT INTO t1 (id) VALUES (42)");
    let out = p.ok(&["upgrade", "head", "--backup"]);
    let line = out.lines().next().unwrap_or_default().to_string();
    assert!(line.starts_with("Backup written to test.db.backup-"), "{out}");
    let backup = line.trim_start_matches("Backup written to ").to_string();
    assert_eq!(p.db.versions(), vec!["r2".to_string()]);
    p.ok(&["restore", &backup]);
    assert_eq!(p.db.versions(), vec!["r1".to_string()], "the backup was taken before the upgrade");
    assert_eq!(p.db.query("SELECT id FROM t1"), vec!["42".to_string()]);
    let err = p.fails(&["restore", "no-such-file.db"]);
    assert!(err.contains("cannot restore from") && err.contains("no such file"), "{err}");
}

#[test]
fn postgres_backup_uses_pg_dump() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.chain(1);
    let out = p.ok(&["upgrade", "head", "--backup", "before.dump"]);
    assert!(out.starts_with("Backup written to before.dump"), "{out}");
    let size = std::fs::metadata(p.path().join("before.dump")).map(|m| m.len()).unwrap_or(0);
    assert!(size > 0);
    let err = p.fails(&["restore", "before.dump"]);
    let name = p.db.url.rsplit('/').next().unwrap_or_default();
    let port = common::pg_admin_url().rsplit(':').next().unwrap_or_default().to_string();
    assert!(
        err.contains(&format!(
            "pg_restore --clean --if-exists --host 127.0.0.1 --port {port} --username postgres --dbname {name} "
        )) && err.trim_end().ends_with("before.dump"),
        "{err}"
    );
}

#[test]
fn the_sum_file_records_the_graph_not_the_contents() {
    let p = sqlite_project();
    p.ok(&["revision", "-m", "first", "--rev-id", "a1"]);
    p.ok(&["revision", "-m", "second", "--rev-id", "b1"]);
    let sum = std::fs::read_to_string(p.path().join("migrations/retort.sum")).unwrap_or_default();
    assert_eq!(sum.lines().skip(1).collect::<Vec<_>>(), ["a1_first.sql a1 -", "b1_second.sql b1 a1"], "{sum}");
    p.ok(&["upgrade", "head"]);
    // Editing a file's SQL is the workflow, not a problem: no warning, no refusal.
    let text = std::fs::read_to_string(p.path().join("migrations/b1_second.sql")).unwrap_or_default();
    p.write(
        "migrations/b1_second.sql",
        &text.replace("-- migrate:downgrade", "SELECT 1;\n-- migrate:downgrade\nSELECT 2;"),
    );
    let out = p.run(&["heads"]);
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    // ... but an edit after it was applied to this database is named by the history table.
    let out = p.run(&["downgrade", "-1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("b1_second.sql").count(), 1, "warned once: {err}");
    // A file added by hand (not through `retort revision`) is named, once, and refused.
    p.migration("c1", &["b1"], "SELECT 1;", "SELECT 1;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("c1.sql is not in retort.sum"), "{err}");
    assert_eq!(err.matches("c1.sql is not in").count(), 1, "printed once: {err}");
    assert!(!err.contains("warning:"), "{err}");
    assert!(p.ok(&["rehash"]).contains("Wrote migrations/retort.sum"));
    p.ok(&["upgrade", "head"]);
    // Re-parenting by hand is named.
    let text = std::fs::read_to_string(p.path().join("migrations/c1.sql")).unwrap_or_default();
    p.write("migrations/c1.sql", &text.replace("-- Revises: b1", "-- Revises: a1"));
    let err = p.fails(&["downgrade", "-1"]);
    assert!(err.contains("c1.sql: its Revises changed from b1 to a1"), "{err}");
}

#[test]
fn a_sum_file_written_before_the_graph_form_keeps_working() {
    let p = sqlite_project();
    p.migration("a1", &[], "CREATE TABLE t (id INTEGER);", "DROP TABLE t;");
    // The content form: each file's content hash, and a hash of those lines first.
    let body = "a1.sql h1:Zm9vYmFy";
    let head = {
        use base64::Engine as _;
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(format!("{body}\n").as_bytes());
        base64::engine::general_purpose::STANDARD.encode(h.finalize())
    };
    p.write("migrations/retort.sum", &format!("h1:{head}\n{body}\n"));
    let out = p.run(&["upgrade", "head"]);
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    // The next revision writes the graph form.
    p.ok(&["revision", "-m", "next", "--rev-id", "b1"]);
    let sum = std::fs::read_to_string(p.path().join("migrations/retort.sum")).unwrap_or_default();
    assert!(sum.starts_with("h2:") && sum.contains("a1.sql a1 -\n"), "{sum}");
}

#[test]
fn two_branches_adding_a_revision_on_one_parent_conflict_in_git() {
    let p = sqlite_project();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(p.path())
            .output()
            .unwrap_or_else(|e| panic!("git: {e}"));
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    assert!(git(&["init", "-q"]).0);
    p.ok(&["revision", "-m", "base", "--rev-id", "a1"]);
    assert!(git(&["add", "-A"]).0 && git(&["commit", "-qm", "a1"]).0);
    assert!(git(&["checkout", "-qb", "feature"]).0);
    p.ok(&["revision", "-m", "feature work", "--rev-id", "f1"]);
    assert!(git(&["add", "-A"]).0 && git(&["commit", "-qm", "f1"]).0);
    assert!(git(&["checkout", "-q", "main"]).0);
    p.ok(&["revision", "-m", "main work", "--rev-id", "m1"]);
    assert!(git(&["add", "-A"]).0 && git(&["commit", "-qm", "m1"]).0);
    let (merged, _) = git(&["merge", "-q", "feature"]);
    assert!(!merged, "the merge must stop on a conflict");
    let (_, status) = git(&["status", "--porcelain"]);
    assert!(status.lines().any(|l| l.starts_with("UU") && l.ends_with("migrations/retort.sum")), "{status}");
    // The way out: a merge revision joining the two heads, which rewrites the sum file.
    p.ok(&["merge", "heads", "-m", "join"]);
    let sum = std::fs::read_to_string(p.path().join("migrations/retort.sum")).unwrap_or_default();
    assert!(!sum.contains("<<<<<<<") && sum.lines().count() == 5, "{sum}");
    assert_eq!(p.ok(&["heads"]).lines().count(), 1);
    p.ok(&["upgrade", "head"]);
}
