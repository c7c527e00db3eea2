//! The example application as a user runs it: its binary, with the crewai migrations compiled
//! in, brings a fresh database to head, does nothing the second time, applies each step once
//! when two copies start at the same moment, and reports an applied file that differs from the
//! embedded one. On SQLite and PostgreSQL.

use std::path::Path;
use std::process::{Command, Output};

static MIGRATIONS: retort::Embedded = retort::embed_migrations!("../crewai/migrations");

const HEAD: &str = "3f2a9c1b7d4e";

fn app(bin: &str, url: &str) -> Output {
    Command::new(bin).arg(url).output().unwrap_or_else(|e| panic!("{bin}: {e}"))
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A throwaway PostgreSQL database, dropped on drop; `None` outside CI when no server answers.
struct PgDb {
    admin: String,
    name: String,
}

impl PgDb {
    fn new() -> Option<PgDb> {
        let admin = std::env::var("RETORT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let name = format!(
            "retort_embed_{}_{}",
            std::process::id(),
            std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.subsec_nanos())
        );
        match postgres::Client::connect(&format!("{admin}/postgres"), postgres::NoTls) {
            Ok(mut c) => {
                c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("{e}"));
                Some(PgDb { admin, name })
            }
            Err(e) if std::env::var_os("CI").is_some() => panic!("PostgreSQL unreachable and CI is set: {e}"),
            Err(_) => None,
        }
    }

    fn url(&self) -> String {
        format!("{}/{}", self.admin, self.name)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&format!("{}/postgres", self.admin), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn starts_fresh_then_does_nothing(url: &str) {
    let first = stdout(&app(env!("CARGO_BIN_EXE_crewai-app"), url));
    assert!(first.starts_with(&format!("migrations: <base> -> {HEAD}: 2 steps in")), "{first}");
    let second = stdout(&app(env!("CARGO_BIN_EXE_crewai-app"), url));
    assert_eq!(second, format!("migrations: nothing to do: the database is at {HEAD}\n"));
    // The async application, through spawn_blocking, on the same database.
    let again = stdout(&app(env!("CARGO_BIN_EXE_crewai-app-async"), url));
    assert_eq!(again, second);
    assert_eq!(MIGRATIONS.current(url).unwrap_or_else(|e| panic!("{e}")), vec![HEAD.to_string()]);
    assert!(MIGRATIONS.pending(url).unwrap_or_else(|e| panic!("{e}")).is_empty());
}

fn two_starts_at_once_apply_each_step_once(url: &str) -> usize {
    let spawn = || Command::new(env!("CARGO_BIN_EXE_crewai-app")).arg(url).output();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join(), b.join())
    });
    let outputs: Vec<Output> =
        [a, b].into_iter().map(|r| r.unwrap_or_else(|_| panic!("thread")).unwrap_or_else(|e| panic!("{e}"))).collect();
    let texts: Vec<String> = outputs.iter().map(stdout).collect();
    assert_eq!(texts.iter().filter(|t| t.contains("2 steps")).count(), 1, "{texts:?}");
    assert_eq!(texts.iter().filter(|t| t.contains("nothing to do")).count(), 1, "{texts:?}");
    let history = MIGRATIONS.history(url).unwrap_or_else(|e| panic!("{e}"));
    history.len()
}

fn an_edited_applied_file_is_reported(url: &str) {
    // The database was migrated from a copy of the folder where the second file said more.
    let copy = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in MIGRATIONS.files() {
        let text = if name.starts_with(HEAD) {
            text.replace("-- migrate:downgrade", "SELECT 1;\n-- migrate:downgrade")
        } else {
            text.to_string()
        };
        std::fs::write(copy.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let edited = retort::Migrations::from_dir(copy.path()).unwrap_or_else(|e| panic!("{e}"));
    edited.upgrade(url, "head").unwrap_or_else(|e| panic!("{e}"));
    let drift = MIGRATIONS.check_applied(url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0].revision, HEAD);
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite:{}", dir.join(name).display())
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    starts_fresh_then_does_nothing(&sqlite_url(dir.path(), "app.db"));
    assert_eq!(two_starts_at_once_apply_each_step_once(&sqlite_url(dir.path(), "race.db")), 2);
    let rows: i64 = rusqlite::Connection::open(dir.path().join("race.db"))
        .and_then(|c| c.query_row("SELECT count(*) FROM retort_history WHERE direction = 'upgrade'", [], |r| r.get(0)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows, 2, "each step once");
    an_edited_applied_file_is_reported(&sqlite_url(dir.path(), "edited.db"));
}

#[test]
fn postgres() {
    for check in [starts_fresh_then_does_nothing as fn(&str), an_edited_applied_file_is_reported] {
        let Some(db) = PgDb::new() else { return };
        check(&db.url());
    }
    let Some(db) = PgDb::new() else { return };
    assert_eq!(two_starts_at_once_apply_each_step_once(&db.url()), 2, "each step once");
}

/// The application's own connection, lent for the call: migrated, then still the
/// application's, with its settings as they were.
#[test]
fn lent_connections() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut conn = rusqlite::Connection::open(dir.path().join("lent.db")).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap_or_else(|e| panic!("{e}"));
    let report = MIGRATIONS.upgrade(&mut conn, "head").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.after, vec![HEAD.to_string()]);
    assert_eq!(MIGRATIONS.upgrade(&mut conn, "head").map(|r| r.steps.len()).unwrap_or(9), 0, "a second run is a no-op");
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fk, 1, "the application's foreign_keys setting is put back");
    let agents: i64 = conn.query_row("SELECT count(*) FROM agents", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(agents, 0);

    let Some(db) = PgDb::new() else { return };
    let mut client = postgres::Client::connect(&db.url(), postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    MIGRATIONS.upgrade(&mut client, "head").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(MIGRATIONS.current(&mut client).unwrap_or_else(|e| panic!("{e}")), vec![HEAD.to_string()]);
    MIGRATIONS.downgrade(&mut client, "-1").unwrap_or_else(|e| panic!("{e}"));
    let rows = client.query("SELECT version_num FROM retort_version", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].get::<_, String>(0), HEAD, "the client is still the application's");
}

/// A lent MySQL/MariaDB connection, with the MariaDB example's migrations.
#[test]
fn lent_mysql_connection() {
    use mysql::prelude::Queryable;
    let admin = std::env::var("RETORT_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    let mut server = match mysql::Conn::new(mysql::Opts::from_url(&admin).unwrap_or_else(|e| panic!("{e}"))) {
        Ok(c) => c,
        Err(e) if std::env::var_os("CI").is_some() => panic!("MariaDB unreachable and CI is set: {e}"),
        Err(_) => return,
    };
    let name = format!("retort_lent_{}", std::process::id());
    server.query_drop(format!("CREATE DATABASE `{name}`")).unwrap_or_else(|e| panic!("{e}"));
    let opts = mysql::Opts::from_url(&format!("{admin}/{name}")).unwrap_or_else(|e| panic!("{e}"));
    let result = std::panic::catch_unwind(|| {
        let mut conn = mysql::Conn::new(opts).unwrap_or_else(|e| panic!("{e}"));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crewai-mariadb/migrations");
        let migrations = retort::Migrations::from_dir(dir).unwrap_or_else(|e| panic!("{e}"));
        let report = migrations.upgrade(&mut conn, "head").unwrap_or_else(|e| panic!("{e}"));
        assert!(!report.steps.is_empty());
        assert!(migrations.pending(&mut conn).unwrap_or_else(|e| panic!("{e}")).is_empty());
        let tables: Vec<String> = conn.query("SHOW TABLES").unwrap_or_else(|e| panic!("{e}"));
        assert!(tables.iter().any(|t| t == "agents"), "{tables:?}");
    });
    let _ = server.query_drop(format!("DROP DATABASE `{name}`"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
