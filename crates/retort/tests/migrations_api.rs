//! The library's front door, `retort::Migrations`, as an application uses it: a folder read once,
//! then upgrade, pending, current, history, check_applied and downgrade against SQLite,
//! PostgreSQL and MariaDB, through the same executor as the CLI.

mod common;

use common::TempDb;
use retort::Migrations;
use retort::migrations::Error;

fn write(dir: &std::path::Path, id: &str, parent: &str, up: &str, down: &str) {
    let text = format!(
        "-- {id}\n--\n-- Revision: {id}\n-- Revises: {parent}\n-- Create Date: 2026-12-02 08:00:00+00:00\n\n-- migrate:upgrade\n{up}\n\n-- migrate:downgrade\n{down}\n"
    );
    std::fs::write(dir.join(format!("{id}.sql")), text).unwrap_or_else(|e| panic!("{e}"));
}

fn walk(url: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a1", "", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);", "DROP TABLE users;");
    write(dir.path(), "b2", "a1", "INSERT INTO users (id, name) VALUES (1, 'ada');", "DELETE FROM users;");
    let migrations = Migrations::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(migrations.pending(url).unwrap_or_else(|e| panic!("{e}")), vec!["a1", "b2"]);
    let report = migrations.upgrade(url, "head").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((report.before.len(), report.after.clone(), report.steps.len()), (0, vec!["b2".to_string()], 2));
    assert!(report.to_string().starts_with("<base> -> b2: 2 steps in "), "{report}");
    // A second start is a no-op.
    let again = migrations.upgrade(url, "head").unwrap_or_else(|e| panic!("{e}"));
    assert!(again.steps.is_empty() && again.to_string() == "nothing to do: the database is at b2", "{again}");
    assert!(migrations.pending(url).unwrap_or_else(|e| panic!("{e}")).is_empty());
    assert_eq!(migrations.current(url).unwrap_or_else(|e| panic!("{e}")), vec!["b2"]);
    assert_eq!(migrations.history(url).unwrap_or_else(|e| panic!("{e}")).len(), 2);
    assert!(migrations.check_applied(url).unwrap_or_else(|e| panic!("{e}")).is_empty());
    // A file edited after it ran is reported by name.
    write(dir.path(), "a1", "", "CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT);", "DROP TABLE users;");
    let edited = Migrations::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let drift = edited.check_applied(url).unwrap_or_else(|e| panic!("{e}"));
    assert!(drift.len() == 1 && drift[0].file.ends_with("/a1.sql"), "{drift:?}");
    // Typed errors: a bad target, then a failing statement with its file and line.
    assert!(matches!(edited.upgrade(url, "nope"), Err(Error::Target(_))));
    write(dir.path(), "c3", "b2", "INSERT INTO nowhere VALUES (1);", "SELECT 1;");
    let failing = Migrations::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    match failing.upgrade(url, "head") {
        Err(Error::Run(retort::executor::ApplyError::Step(f))) => {
            assert!(f.file.ends_with("/c3.sql") && f.line == 8 && f.revision == "c3", "{f:?}");
        }
        other => panic!("expected a step failure, got {other:?}"),
    }
    let down = failing.downgrade(url, "base").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((down.after.len(), down.steps.len()), (0, 2));
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    walk(&format!("sqlite:{}", dir.path().join("app.db").display()));
}

#[test]
fn postgres() {
    let Some(db) = TempDb::new() else { return };
    walk(&db.url());
}

#[test]
fn a_broken_folder_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a1", "zz", "SELECT 1;", "SELECT 1;");
    let err = Migrations::from_dir(dir.path()).map(|_| ()).map_err(|e| e.to_string());
    assert!(err.as_ref().is_err_and(|e| e.contains("a1.sql") && e.contains("zz")), "{err:?}");
    let missing = Migrations::from_dir(dir.path().join("nope")).map(|_| ()).map_err(|e| e.to_string());
    assert!(missing.is_err(), "{missing:?}");
}

#[test]
fn mariadb() {
    use mysql::prelude::Queryable;
    let admin = std::env::var("RETORT_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_string());
    let opts = mysql::Opts::from_url(&admin).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = match mysql::Conn::new(mysql::OptsBuilder::from_opts(opts).prefer_socket(false)) {
        Ok(c) => c,
        Err(e) if std::env::var_os("CI").is_some() => panic!("MariaDB unreachable and CI is set: {e}"),
        Err(_) => return,
    };
    let name = format!("retort_i_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    conn.query_drop(format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("{e}"));
    let result = std::panic::catch_unwind(|| walk(&format!("{admin}/{name}")));
    let _ = conn.query_drop(format!("DROP DATABASE {name}"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// An async application runs the blocking API on tokio's blocking pool, as the crate docs show;
/// nothing in it needs a runtime of its own or panics inside one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_an_async_application() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut urls = vec![format!("sqlite:{}", dir.path().join("app.db").display())];
    // The test's own PostgreSQL client blocks too, so it also runs on the blocking pool.
    let pg = tokio::task::spawn_blocking(TempDb::new).await.unwrap_or_else(|e| panic!("{e}"));
    if let Some(db) = &pg {
        urls.push(db.url());
    }
    for url in urls {
        let migrations_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(migrations_dir.path(), "a1", "", "CREATE TABLE t (id INTEGER);", "DROP TABLE t;");
        let migrations = Migrations::from_dir(migrations_dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let report = tokio::task::spawn_blocking(move || migrations.upgrade(&url, "head"))
            .await
            .unwrap_or_else(|e| panic!("the blocking task panicked: {e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.after, vec!["a1"]);
    }
    tokio::task::spawn_blocking(move || drop(pg)).await.unwrap_or_else(|e| panic!("{e}"));
}
