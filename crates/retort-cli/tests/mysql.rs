//! What only MySQL and MariaDB have: the GET_LOCK run lock, metadata-lock waits, stored programs
//! with `DELIMITER`, implicit commits, `mariadb-dump` backups and their URLs. Run on MariaDB
//! 10.11 here (the `mysql` crate speaks to MySQL 8 the same way; where the two servers differ,
//! the unit tests in `dialect/mysql` cover both spellings).

mod common;

use std::time::{Duration, Instant};

use common::{Kind, Project, mysql_conn, retort_fails, retort_in};
use mysql::prelude::Queryable;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The project's `retort.toml` with extra `[database]` keys.
fn with_database_keys(p: &Project, keys: &str) {
    p.write(
        "retort.toml",
        &format!("[database]\nurl = \"{}\"\n{keys}\n\n[migrations]\ndir = \"migrations\"\n", p.db.url),
    );
}

#[test]
fn a_held_lock_names_its_holder_and_times_out() {
    let p = project!(Kind::Mariadb);
    p.chain(1);
    with_database_keys(&p, "lock_timeout = 1");
    let mut holder = mysql_conn(Some(&p.db.name())).unwrap_or_else(|e| panic!("{e}"));
    let got: Option<i64> = holder
        .query_first(format!("SELECT GET_LOCK('retort:{}:retort_version', 0)", p.db.name()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got, Some(1));
    let started = Instant::now();
    let out = p.run(&["upgrade", "head"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("timed out after 1 s waiting for the migration lock"), "{err}");
    assert!(err.contains(&format!("connection {}", holder.connection_id())), "the holder is named: {err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(p.db.versions().is_empty() && p.db.tables().is_empty());
    holder
        .query_drop("DO RELEASE_LOCK(CONCAT('retort:', DATABASE(), ':retort_version'))")
        .unwrap_or_else(|e| panic!("{e}"));
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.versions(), strings(&["r1"]));
}

#[test]
fn a_metadata_lock_wait_is_bounded_and_explained() {
    let p = project!(Kind::Mariadb);
    p.chain(1);
    p.ok(&["upgrade", "head"]);
    p.migration("r2", &["r1"], "ALTER TABLE t1 ADD COLUMN note VARCHAR(20);", "ALTER TABLE t1 DROP COLUMN note;");
    with_database_keys(&p, "ddl_lock_wait = 1");
    // An open transaction that read t1 holds a metadata lock the ALTER must wait for.
    let mut reader = mysql_conn(Some(&p.db.name())).unwrap_or_else(|e| panic!("{e}"));
    reader.query_drop("START TRANSACTION").unwrap_or_else(|e| panic!("{e}"));
    reader.query_drop("SELECT * FROM t1").unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let err = p.fails(&["upgrade", "head"]);
    assert!(started.elapsed() < Duration::from_secs(15), "bounded by ddl_lock_wait: {:?}", started.elapsed());
    assert!(err.contains("migrations/r2.sql:8: upgrade of revision r2 failed: ERROR 1205"), "{err}");
    assert!(err.contains("waited 1 s for a lock on table t1 that another session holds"), "{err}");
    assert!(err.contains("No statement of this step took effect"), "{err}");
    reader.query_drop("COMMIT").unwrap_or_else(|e| panic!("{e}"));
    // Nothing took effect, so the next run simply runs the step.
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.columns("t1"), strings(&["id", "note"]));
}

#[test]
fn stored_programs_with_and_without_delimiter_lines() {
    let online = project!(Kind::Mariadb);
    let offline = project!(Kind::Mariadb);
    for p in [&online, &offline] {
        p.migration(
            "a1",
            &[],
            "CREATE TABLE counter (n INT NOT NULL);\nINSERT INTO counter VALUES (0);\nDELIMITER $$\nCREATE PROCEDURE bump(IN k INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < k DO\n    UPDATE counter SET n = n + 1;\n    SET i = i + 1;\n  END WHILE;\n  IF (SELECT n FROM counter) > 100 THEN\n    UPDATE counter SET n = 0;\n  END IF;\nEND$$\nDELIMITER ;",
            "DROP PROCEDURE bump;\nDROP TABLE counter;",
        );
        p.migration(
            "b2",
            &["a1"],
            "CREATE TRIGGER never_negative BEFORE UPDATE ON counter FOR EACH ROW\nBEGIN\n  IF NEW.n < 0 THEN\n    SET NEW.n = 0;\n  END IF;\nEND;\nCALL bump(3);",
            "DROP TRIGGER never_negative;",
        );
    }
    online.ok(&["upgrade", "head"]);
    assert_eq!(online.db.query("SELECT n FROM counter"), strings(&["3"]));
    online.db.exec("UPDATE counter SET n = -5");
    assert_eq!(online.db.query("SELECT n FROM counter"), strings(&["0"]), "the trigger runs");
    online.ok(&["downgrade", "base"]);
    assert!(online.db.tables().is_empty());
    assert!(
        online
            .db
            .query("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()")
            .is_empty()
    );

    // --sql gives the mariadb client the DELIMITER lines it needs.
    let script = offline.ok(&["upgrade", "head", "--sql"]);
    assert!(script.contains("DELIMITER $$\nCREATE PROCEDURE bump(IN k INT)"), "{script}");
    assert!(script.contains("END$$\nDELIMITER ;"), "{script}");
    let mut child = std::process::Command::new("mariadb")
        .args(["--protocol=TCP", "-h", "127.0.0.1", "-u", "root", "--batch", &offline.db.name()])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the mariadb client: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(script.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(child.wait().unwrap_or_else(|e| panic!("{e}")).success(), "the client ran:\n{script}");
    assert_eq!(offline.db.query("SELECT n FROM counter"), strings(&["3"]));
    assert_eq!(offline.ok(&["current"]), "b2 (head)\n");
}

#[test]
fn resume_refuses_edited_statements_that_took_effect() {
    let p = project!(Kind::Mariadb);
    let body = "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\nINSERT INTO nowhere VALUES (1);";
    p.migration("r1", &[], body, "DROP TABLE b;\nDROP TABLE a;");
    p.fails(&["upgrade", "head"]);
    assert_eq!(p.db.tables(), strings(&["a", "b"]));
    // Editing a statement that ran is refused; spacing alone is not an edit.
    p.migration("r1", &[], &body.replace("TABLE b (id INT)", "TABLE b (id BIGINT)"), "DROP TABLE b;\nDROP TABLE a;");
    let err = p.fails(&["upgrade", "head", "--resume"]);
    assert!(err.contains("its first 2 statement(s) (lines 8-9) took effect in the last run, but their text"), "{err}");
    assert!(err.contains("only the statements from line 10 on may change"), "{err}");
    let fixed = body.replace("CREATE TABLE b (id INT)", "CREATE  TABLE b\n  (id INT)").replace("nowhere", "a");
    p.migration("r1", &[], &fixed, "DROP TABLE b;\nDROP TABLE a;");
    p.ok(&["upgrade", "head", "--resume"]);
    assert_eq!(p.db.versions(), strings(&["r1"]));
    assert_eq!(p.db.query("SELECT count(*) FROM a"), strings(&["1"]));
    let history = p.db.query("SELECT direction, status, statements_done FROM retort_history ORDER BY id");
    assert_eq!(history, strings(&["upgrade|done|3"]), "one history row per step");
}

#[test]
fn stamp_records_a_state_fixed_by_hand() {
    let p = project!(Kind::Mariadb);
    p.chain(1);
    p.migration("r2", &["r1"], "CREATE TABLE a (id INT);\nCREATE TABLE a (id INT);", "DROP TABLE a;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("ERROR 1050") && err.contains("line 8: CREATE TABLE a"), "{err}");
    p.ok(&["stamp", "r2"]);
    assert_eq!(p.db.versions(), strings(&["r2"]));
    assert_eq!(p.ok(&["current"]), "r2 (head)\n");
    p.ok(&["downgrade", "base"]);
    assert!(p.db.tables().is_empty());
}

#[test]
fn backslashes_and_quotes_reach_the_history_table_unchanged() {
    let p = project!(Kind::Mariadb);
    p.write(
        "migrations/r1.sql",
        "-- it's C:\\temp\\new\n--\n-- Revision: r1\n-- Revises:\n\n-- migrate:upgrade\nCREATE TABLE t (v VARCHAR(20));\nINSERT INTO t VALUES ('a\\\\b');\n\n-- migrate:downgrade\nDROP TABLE t;\n",
    );
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.query("SELECT message FROM retort_history"), strings(&["it's C:\\temp\\new"]));
    assert_eq!(p.db.query("SELECT v FROM t"), strings(&["a\\b"]), "the server's own escaping rules apply to the SQL");
}

#[test]
fn backup_uses_the_dump_tool_and_keeps_the_password_off_the_command_line() {
    let p = project!(Kind::Mariadb);
    p.chain(1);
    p.ok(&["upgrade", "head"]);
    p.chain(2);
    let out = p.ok(&["upgrade", "head", "--backup", "before.sql"]);
    assert!(out.contains("Backup written to before.sql"), "{out}");
    let dump = std::fs::read_to_string(p.path().join("before.sql")).unwrap_or_default();
    assert!(dump.contains("CREATE TABLE `t1`") && !dump.contains("CREATE TABLE `t2`"), "taken before the run");
    let err = p.fails(&["restore", "before.sql"]);
    let command = err.lines().last().unwrap_or_default().trim().to_string();
    assert!(command.starts_with("mariadb ") && command.ends_with("/before.sql"), "{err}");
    // The printed command restores the dump.
    let restored = std::process::Command::new("bash").args(["-c", &command]).status();
    assert!(restored.is_ok_and(|s| s.success()), "{command}");
    assert_eq!(p.db.versions(), strings(&["r1"]));
    assert!(err.contains("tables created after the backup stay"), "the message says what a dump does not undo: {err}");
}

#[test]
fn urls_are_checked_and_passwords_never_printed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let err = retort_fails(dir.path(), &["current", "--url", "mysql://root:s3cret@127.0.0.1:3306"]);
    assert!(err.contains("names no database") && !err.contains("s3cret"), "{err}");
    let err = retort_fails(dir.path(), &["current", "--url", "mysql://root@127.0.0.1:3306/db?ssl-mode=sometimes"]);
    assert!(err.contains("ssl-mode=sometimes is not one of DISABLED, PREFERRED"), "{err}");
    let err = retort_fails(dir.path(), &["current", "--url", "mysql://nobody:s3cret@127.0.0.1:3306/test"]);
    assert!(err.contains("authentication failed") && err.contains("nobody:***@") && !err.contains("s3cret"), "{err}");
    let err = retort_fails(dir.path(), &["current", "--url", "mariadb://root@127.0.0.1:3306/retort_no_such_db"]);
    assert!(err.contains("Unknown database") && err.contains("CREATE DATABASE"), "{err}");
    let err = retort_fails(dir.path(), &["current", "--url", "mysql://root@127.0.0.1:3306/test?ssl-mode=REQUIRED"]);
    assert!(err.contains("needs TLS, which the server does not offer") || err.starts_with("error: "), "{err}");
    let ok = retort_in(dir.path(), &["current", "--url", "mysql://root@127.0.0.1:3306/test?ssl-mode=DISABLED"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn a_unix_socket_url_connects() {
    let socket = "/run/mysqld/mysqld.sock";
    if !std::path::Path::new(socket).exists() {
        assert!(std::env::var_os("CI").is_none(), "{socket} is missing and CI is set");
        return;
    }
    let p = project!(Kind::Mariadb);
    p.chain(1);
    let url = format!("mysql://root@localhost/{}?socket={socket}", p.db.name());
    p.ok(&["upgrade", "head", "--url", &url]);
    assert_eq!(p.db.versions(), strings(&["r1"]));
}
