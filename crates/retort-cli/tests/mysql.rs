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

#[test]
fn a_held_lock_names_its_holder_and_times_out() {
    let p = project!(Kind::Mariadb);
    p.chain(1);
    p.database_keys("lock_timeout = 1");
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
    p.database_keys("ddl_lock_wait = 1");
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
            "CREATE TRIGGER never_negative BEFORE UPDATE ON counter FOR EACH ROW\nBEGIN\n  IF NEW.n < 0 THEN\n    SET NEW.n = 0;\n  END IF;\nEND;\nCREATE TRIGGER no_null BEFORE INSERT ON counter FOR EACH ROW IF NEW.n IS NULL THEN SET NEW.n = 0; END IF;\nCALL bump(3);",
            "DROP TRIGGER no_null;\nDROP TRIGGER never_negative;",
        );
    }
    online.ok(&["upgrade", "head"]);
    assert_eq!(online.db.query("SELECT n FROM counter"), strings(&["3"]));
    online.db.exec("UPDATE counter SET n = -5");
    assert_eq!(online.db.query("SELECT n FROM counter"), strings(&["0"]), "the trigger runs");
    online.db.exec("INSERT INTO counter VALUES (NULL)");
    assert_eq!(
        online.db.query("SELECT count(*) FROM counter WHERE n = 0"),
        strings(&["2"]),
        "the one without BEGIN too"
    );
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
    // `current` says the step is part-way, as the next upgrade would.
    let out = p.run(&["current", "-v"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && stdout.contains("r1"), "{stdout}");
    assert!(
        stderr.contains("warning: migrations/r2.sql: revision r2 (upgrade) stopped at statement 2 of 2 (line 9)"),
        "{stderr}"
    );
    assert!(stdout.contains("failed after 1 statement(s)"), "{stdout}");
    p.ok(&["stamp", "r2"]);
    let out = p.run(&["current"]);
    assert!(String::from_utf8_lossy(&out.stderr).is_empty(), "the stamp resolved it: {out:?}");
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

/// A private MariaDB server with TLS (a throwaway CA and server certificate), stopped when dropped.
struct TlsServer {
    dir: tempfile::TempDir,
    port: u16,
    child: std::process::Child,
}

impl TlsServer {
    /// `None` where no MariaDB server binary is installed or retort's tests do not run as root
    /// (the server runs as the `mysql` user); with `CI` set that is a failure.
    fn start() -> Option<TlsServer> {
        let unavailable = |why: &str| {
            assert!(std::env::var_os("CI").is_none(), "cannot start a TLS MariaDB server and CI is set: {why}");
            eprintln!("skipping: {why}");
        };
        let root =
            std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
        if !root || !std::path::Path::new("/usr/sbin/mariadbd").exists() {
            unavailable("needs root and /usr/sbin/mariadbd");
            return None;
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path().display().to_string();
        let script = format!(
            "set -e; cd {d}; chmod 755 .; mkdir data
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=retort test CA' 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=localhost' 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
chown -R mysql .
mariadb-install-db --user=mysql --datadir={d}/data --auth-root-authentication-method=normal >/dev/null 2>&1"
        );
        let made = std::process::Command::new("bash").args(["-c", &script]).status();
        assert!(made.is_ok_and(|s| s.success()), "preparing the TLS server in {d}");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let child = std::process::Command::new("runuser")
            .args(["-u", "mysql", "--", "/usr/sbin/mariadbd", "--no-defaults"])
            .arg(format!("--datadir={d}/data"))
            .arg(format!("--port={port}"))
            .args(["--bind-address=0.0.0.0", "--skip-name-resolve"])
            .arg(format!("--socket={d}/sock"))
            .arg(format!("--ssl-ca={d}/ca.pem"))
            .arg(format!("--ssl-cert={d}/server.pem"))
            .arg(format!("--ssl-key={d}/server.key"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting mariadbd: {e}"));
        let server = TlsServer { dir, port, child };
        let started = Instant::now();
        while server.admin("SELECT 1").is_err() {
            assert!(started.elapsed() < Duration::from_secs(60), "the TLS server did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(server)
    }

    fn admin(&self, sql: &str) -> Result<(), mysql::Error> {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(self.port)
            .user(Some("root"))
            .prefer_socket(false);
        mysql::Conn::new(opts)?.query_drop(sql)
    }

    fn ca(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.admin("SHUTDOWN");
        if self.child.wait_timeout_secs(10).is_none() {
            let _ = std::process::Command::new("pkill").args(["-f", &self.dir.path().display().to_string()]).status();
        }
    }
}

trait WaitTimeout {
    fn wait_timeout_secs(&mut self, secs: u64) -> Option<std::process::ExitStatus>;
}

impl WaitTimeout for std::process::Child {
    fn wait_timeout_secs(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(secs) {
            if let Ok(Some(status)) = self.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

/// Every `ssl-mode` against a server with TLS, as a user who must use it (`REQUIRE SSL`).
#[test]
fn tls_modes_against_a_tls_server() {
    let Some(server) = TlsServer::start() else { return };
    server
        .admin("CREATE DATABASE app; CREATE USER tls@'%' REQUIRE SSL; GRANT ALL ON app.* TO tls@'%'")
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (port, ca) = (server.port, server.ca());
    let url = |host: &str, mode: &str| format!("mysql://tls@{host}:{port}/app?ssl-mode={mode}&ssl-ca={ca}");
    let connects = |url: &str| retort_in(dir.path(), &["current", "--url", url]);
    for mode in ["PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] {
        let out = connects(&url("127.0.0.1", mode));
        assert!(out.status.success(), "{mode}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Without TLS this user is refused; an unknown CA and a wrong host name are refused by retort.
    let err = retort_fails(dir.path(), &["current", "--url", &url("127.0.0.1", "DISABLED")]);
    assert!(err.contains("authentication failed") && err.contains("Access denied"), "{err}");
    let no_ca = format!("mysql://tls@127.0.0.1:{port}/app?ssl-mode=VERIFY_CA");
    let err = retort_fails(dir.path(), &["current", "--url", &no_ca]);
    assert!(err.contains("UnknownIssuer"), "{err}");
    let err = retort_fails(dir.path(), &["current", "--url", &url("127.0.0.2", "VERIFY_IDENTITY")]);
    assert!(err.contains("NotValidForName") || err.contains("not valid for"), "{err}");
    assert!(connects(&url("127.0.0.2", "VERIFY_CA")).status.success(), "VERIFY_CA does not check the name");
    // And a real run over TLS.
    let p = Project::new(Kind::Sqlite).unwrap_or_else(|| unreachable!());
    p.chain(2);
    p.ok(&["upgrade", "head", "--url", &url("localhost", "VERIFY_IDENTITY")]);
    assert_eq!(p.ok(&["current", "--url", &url("127.0.0.1", "REQUIRED")]), "r2 (head)\n");
}

/// A user with a password: `MYSQL_PWD` fills it in, and `--backup` hands it to the dump tool in an
/// option file, never as an argument (a stand-in `mariadb-dump` records what it was given).
#[test]
fn passwords_come_from_mysql_pwd_and_stay_off_command_lines() {
    let p = project!(Kind::Mariadb);
    let user = format!("u{}", &p.db.name()[9..]);
    p.db.exec(&format!(
        "CREATE USER '{user}'@'%' IDENTIFIED BY 'pw-s3cret'; GRANT ALL ON {}.* TO '{user}'@'%'",
        p.db.name()
    ));
    p.chain(1);
    let bare = format!("mysql://{user}@127.0.0.1:3306/{}", p.db.name());
    let err = p.fails(&["current", "--url", &bare]);
    assert!(err.contains("authentication failed"), "{err}");
    let out = p.cmd().args(["upgrade", "head", "--url", &bare]).env("MYSQL_PWD", "pw-s3cret").output();
    let out = out.unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let tools = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = tools.path().join("args.txt");
    let fake = tools.path().join("mariadb-dump");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > {log}\nfor a in \"$@\"; do case \"$a\" in --defaults-extra-file=*) cat \"${{a#*=}}\" >> {log}.cnf;; --result-file=*) echo '-- dump' > \"${{a#*=}}\";; esac; done\n",
        log = log.display()
    );
    std::fs::write(&fake, script).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let with_pw = format!("mysql://{user}:pw-s3cret@127.0.0.1:3306/{}", p.db.name());
    let path = format!("{}:{}", tools.path().display(), std::env::var("PATH").unwrap_or_default());
    let out = p.cmd().args(["upgrade", "head", "--backup", "b.sql", "--url", &with_pw]).env("PATH", path).output();
    let out = out.unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("Backup written to b.sql") && !stdout.contains("s3cret"),
        "{stdout}"
    );
    let args = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!args.contains("s3cret"), "the password is not an argument: {args}");
    assert!(args.contains("--single-transaction") && args.contains(&format!("--user={user}")), "{args}");
    let option_file = std::fs::read_to_string(format!("{}.cnf", log.display())).unwrap_or_default();
    assert!(option_file.contains("[client]") && option_file.contains("password=\"pw-s3cret\""), "{option_file}");
    p.db.exec(&format!("DROP USER '{user}'@'%'"));
}

/// A resumed step runs on a new connection: the session settings its applied statements made
/// are made again, so later statements see them.
#[test]
fn resume_repeats_session_settings() {
    let p = project!(Kind::Mariadb);
    let body = "SET @n = 5;\nCREATE TABLE a (id INT);\nINSERT INTO nowhere VALUES (1);\nINSERT INTO a VALUES (@n);";
    p.migration("r1", &[], body, "DROP TABLE a;");
    p.fails(&["upgrade", "head"]);
    p.migration(
        "r1",
        &[],
        &body.replace("INSERT INTO nowhere VALUES (1)", "INSERT INTO a VALUES (@n + 1)"),
        "DROP TABLE a;",
    );
    let out = p.run(&["upgrade", "head", "--resume"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("migrations/r1.sql:8: repeated for the resumed step: SET @n = 5")
    );
    assert_eq!(p.db.query("SELECT id FROM a ORDER BY id"), strings(&["5", "6"]));
}

/// A downgrade that failed undid nothing: edits to the file it left applied are still reported.
#[test]
fn a_failed_downgrade_keeps_the_drift_check() {
    let p = project!(Kind::Mariadb);
    p.migration("r1", &[], "CREATE TABLE a (id INT);", "DROP TABLE nowhere;");
    p.ok(&["upgrade", "head"]);
    p.fails(&["downgrade", "base"]);
    p.migration("r1", &[], "CREATE TABLE a (id BIGINT);", "DROP TABLE a;");
    let err = p.fails(&["current", "--strict"]);
    assert!(err.contains("migrations/r1.sql (revision r1) was changed after it was applied"), "{err}");
}

/// The library's driver tells the two servers apart (this one is MariaDB).
#[test]
fn the_driver_knows_its_server() {
    let p = project!(Kind::Mariadb);
    let mut driver = retort::dialect::mysql::MysqlDriver::connect(&p.db.url).unwrap_or_else(|e| panic!("{e}"));
    assert!(driver.is_mariadb().unwrap_or_else(|e| panic!("{e}")));
}
