//! Test support: a throwaway project folder and a throwaway database (a SQLite file, or a fresh
//! PostgreSQL or MariaDB database, dropped afterwards), and a way to run the `retort` binary in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
    Mariadb,
}

/// The MariaDB (or MySQL) server for tests, without a database (root, empty password here).
pub fn mysql_admin_url() -> String {
    std::env::var("RETORT_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_string())
}

/// A connection to the MySQL test server, to database `db` (or none).
pub fn mysql_conn(db: Option<&str>) -> Result<mysql::Conn, mysql::Error> {
    let url = match db {
        Some(db) => format!("{}/{db}", mysql_admin_url()),
        None => mysql_admin_url(),
    };
    let opts = mysql::Opts::from_url(&url)?;
    mysql::Conn::new(mysql::OptsBuilder::from_opts(opts).prefer_socket(false))
}

/// Rows of a MySQL query, each row's columns as text joined by `|`.
fn mysql_rows(conn: &mut mysql::Conn, sql: &str) -> Vec<String> {
    use mysql::prelude::Queryable;
    let rows: Vec<mysql::Row> = conn.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .map(|row| {
            (0..row.len())
                .map(|i| match row.as_ref(i) {
                    None | Some(mysql::Value::NULL) => "NULL".to_string(),
                    Some(mysql::Value::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
                    Some(other) => other.as_sql(true).trim_matches('\'').to_string(),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

/// Every table of a MySQL database but retort's own, as the server prints it (`SHOW CREATE
/// TABLE`): an independent judge of two databases, written apart from retort's inspector. The
/// `AUTO_INCREMENT=` counter is data; secondary keys are compared as a set (their order is the
/// order they were created in); NO ACTION is InnoDB's RESTRICT, the default; a foreign key name
/// the server made up (`t_ibfk_2`, numbered by declaration order) is not compared.
pub fn mysql_definitions(db: &Db) -> String {
    let mut conn = mysql_conn(Some(&db.name())).unwrap_or_else(|e| panic!("{e}"));
    let tables = mysql_rows(
        &mut conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE 'retort%' ORDER BY 1",
    );
    let mut out = String::new();
    for t in tables {
        let text = mysql_rows(&mut conn, &format!("SHOW CREATE TABLE `{t}`")).join("\n");
        let mut lines: Vec<String> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for line in text.lines() {
            let line = match line.split_once("_ibfk_") {
                Some((head, tail)) if head.trim_start().starts_with("CONSTRAINT `") => {
                    let digits = tail.chars().take_while(char::is_ascii_digit).count();
                    let rest = &tail[digits..];
                    match (digits, rest.strip_prefix('`'), head.rsplit_once('`')) {
                        (1.., Some(rest), Some((before, _))) => format!("{before}<made up>{rest}"),
                        _ => line.to_string(),
                    }
                }
                _ => line.to_string(),
            };
            let line = line
                .trim_end_matches(',')
                .replace(" ON DELETE NO ACTION", "")
                .replace(" ON UPDATE NO ACTION", "")
                .split(' ')
                .filter(|w| !w.starts_with("AUTO_INCREMENT="))
                .collect::<Vec<_>>()
                .join(" ");
            let start = line.trim_start();
            let unordered = ["KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY ", "CONSTRAINT "]
                .iter()
                .any(|k| start.starts_with(k));
            if unordered { keys.push(line) } else { lines.push(line) }
        }
        keys.sort();
        out.push_str(&format!("{}\n{}\n\n", lines.join("\n"), keys.join("\n")));
    }
    out
}

/// The PostgreSQL server for tests (trust auth on this machine).
pub fn pg_admin_url() -> String {
    std::env::var("RETORT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// The extensions `ddl` creates that the PostgreSQL test server cannot install; a test needing
/// them is skipped, saying so (a server built without OpenSSL has no `pgcrypto`).
pub fn pg_unavailable_extensions(ddl: &str) -> Vec<String> {
    let url = retort::url::DatabaseUrl::parse(&format!("{}/postgres", pg_admin_url()), Path::new("."))
        .unwrap_or_else(|e| panic!("{e}"));
    let Ok(mut driver) =
        retort::driver::connect(&url, retort::driver::Access::ReadOnly, std::time::Duration::from_secs(10))
    else {
        return Vec::new(); // unreachable: the test's own connection says so
    };
    retort::dialect::postgres::unavailable_extensions(driver.as_mut(), ddl).unwrap_or_else(|e| panic!("{e}"))
}

/// A database for one test.
pub struct Db {
    pub kind: Kind,
    pub url: String,
    pg_name: Option<String>,
    my_name: Option<String>,
    sqlite_path: Option<PathBuf>,
}

impl Db {
    /// A fresh database; `None` when PostgreSQL is unreachable outside CI (in CI that panics).
    pub fn new(kind: Kind, dir: &Path) -> Option<Db> {
        match kind {
            Kind::Sqlite => {
                let path = dir.join("test.db");
                Some(Db {
                    kind,
                    url: format!("sqlite:{}", path.display()),
                    pg_name: None,
                    my_name: None,
                    sqlite_path: Some(path),
                })
            }
            Kind::Postgres => {
                let name = format!("retort_t_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
                let admin = format!("{}/postgres", pg_admin_url());
                match postgres::Client::connect(&admin, postgres::NoTls) {
                    Ok(mut c) => {
                        if let Err(e) = c.batch_execute(&format!("CREATE DATABASE {name}")) {
                            panic!("creating test database {name}: {e}");
                        }
                    }
                    Err(e) => {
                        if std::env::var_os("CI").is_some() {
                            panic!("PostgreSQL at {admin} is unreachable and CI is set: {e}");
                        }
                        eprintln!("skipping: PostgreSQL at {admin} is unreachable: {e}");
                        return None;
                    }
                }
                Some(Db {
                    kind,
                    url: format!("{}/{name}", pg_admin_url()),
                    pg_name: Some(name),
                    my_name: None,
                    sqlite_path: None,
                })
            }
            Kind::Mariadb => {
                use mysql::prelude::Queryable;
                let name = format!("retort_t_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
                match mysql_conn(None) {
                    Ok(mut c) => c
                        .query_drop(format!("CREATE DATABASE {name}"))
                        .unwrap_or_else(|e| panic!("creating test database {name}: {e}")),
                    Err(e) => {
                        if std::env::var_os("CI").is_some() {
                            panic!("MariaDB at {} is unreachable and CI is set: {e}", mysql_admin_url());
                        }
                        eprintln!("skipping: MariaDB at {} is unreachable: {e}", mysql_admin_url());
                        return None;
                    }
                }
                Some(Db {
                    kind,
                    url: format!("{}/{name}", mysql_admin_url()),
                    pg_name: None,
                    my_name: Some(name),
                    sqlite_path: None,
                })
            }
        }
    }

    /// An identifier quoted for this database (backticks on MySQL).
    pub fn q(&self, ident: &str) -> String {
        match self.kind {
            Kind::Mariadb => format!("`{ident}`"),
            _ => format!("\"{ident}\""),
        }
    }

    /// The database name (PostgreSQL and MySQL).
    pub fn name(&self) -> String {
        self.pg_name.clone().or_else(|| self.my_name.clone()).unwrap_or_default()
    }

    /// Runs SQL and returns the rows' columns as text joined by `|`.
    pub fn query(&self, sql: &str) -> Vec<String> {
        match self.kind {
            Kind::Sqlite => {
                let path = self.sqlite_path.as_ref().unwrap_or_else(|| unreachable!());
                let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
                let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let n = stmt.column_count();
                let rows = stmt
                    .query_map([], |row| {
                        Ok((0..n)
                            .map(|i| match row.get_ref(i) {
                                Ok(rusqlite::types::ValueRef::Null) => "NULL".to_string(),
                                Ok(rusqlite::types::ValueRef::Integer(v)) => v.to_string(),
                                Ok(rusqlite::types::ValueRef::Real(v)) => v.to_string(),
                                Ok(rusqlite::types::ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                                Ok(rusqlite::types::ValueRef::Blob(_)) => "<blob>".to_string(),
                                Err(e) => format!("<{e}>"),
                            })
                            .collect::<Vec<_>>()
                            .join("|"))
                    })
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
            }
            Kind::Postgres => {
                let mut c =
                    postgres::Client::connect(&self.url, postgres::NoTls).unwrap_or_else(|e| panic!("connect: {e}"));
                let msgs = c.simple_query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                msgs.into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(r) => Some(
                            (0..r.len()).map(|i| r.get(i).unwrap_or("NULL").to_string()).collect::<Vec<_>>().join("|"),
                        ),
                        _ => None,
                    })
                    .collect()
            }
            Kind::Mariadb => {
                let mut c = mysql_conn(self.my_name.as_deref()).unwrap_or_else(|e| panic!("connect: {e}"));
                mysql_rows(&mut c, sql)
            }
        }
    }

    /// Runs SQL for its effect.
    pub fn exec(&self, sql: &str) {
        match self.kind {
            Kind::Sqlite => {
                let path = self.sqlite_path.as_ref().unwrap_or_else(|| unreachable!());
                let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("open: {e}"));
                conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            Kind::Postgres => {
                let mut c =
                    postgres::Client::connect(&self.url, postgres::NoTls).unwrap_or_else(|e| panic!("connect: {e}"));
                c.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            Kind::Mariadb => {
                use mysql::prelude::Queryable;
                let mut c = mysql_conn(self.my_name.as_deref()).unwrap_or_else(|e| panic!("connect: {e}"));
                // Every result set is read: an error in a later statement is not dropped.
                let mut result = c.query_iter(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                while let Some(set) = result.iter() {
                    for row in set {
                        row.unwrap_or_else(|e| panic!("{sql}: {e}"));
                    }
                }
            }
        }
    }

    /// The user tables (not retort's), sorted.
    pub fn tables(&self) -> Vec<String> {
        let sql = match self.kind {
            Kind::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'retort_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Kind::Postgres => {
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'retort_%' ORDER BY tablename"
            }
            Kind::Mariadb => {
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE 'retort\\_%' ORDER BY TABLE_NAME"
            }
        };
        self.query(sql)
    }

    /// The columns of a table, in order.
    pub fn columns(&self, table: &str) -> Vec<String> {
        let sql = match self.kind {
            Kind::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            Kind::Postgres => format!(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
            ),
            Kind::Mariadb => format!(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' ORDER BY ORDINAL_POSITION"
            ),
        };
        self.query(&sql)
    }

    /// The version rows, sorted.
    pub fn versions(&self) -> Vec<String> {
        self.versions_in("retort_version")
    }

    /// The rows of a version table with another name, sorted (none when it does not exist yet).
    pub fn versions_in(&self, table: &str) -> Vec<String> {
        let exists = match self.kind {
            Kind::Sqlite => format!("SELECT count(*) FROM sqlite_master WHERE name = '{table}'"),
            Kind::Postgres => format!("SELECT count(*) FROM pg_tables WHERE tablename = '{table}'"),
            Kind::Mariadb => format!(
                "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
            ),
        };
        if self.query(&exists) == vec!["0".to_string()] {
            return Vec::new();
        }
        self.query(&format!("SELECT version_num FROM {table} ORDER BY version_num"))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name
            && let Ok(mut c) = postgres::Client::connect(&format!("{}/postgres", pg_admin_url()), postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
        if let Some(name) = &self.my_name
            && let Ok(mut c) = mysql_conn(None)
        {
            use mysql::prelude::Queryable;
            let _ = c.query_drop(format!("DROP DATABASE IF EXISTS {name}"));
        }
    }
}

/// A project folder with `retort.toml`, its migrations and a database.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub db: Db,
    /// `retort.toml` as the project was created.
    pub config: String,
}

/// A command for the retort binary run in `dir`, with no URL or config from the environment.
pub fn retort_cmd(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("retort").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(dir);
    cmd.env_remove("DATABASE_URL").env_remove("RETORT_CONFIG");
    cmd
}

/// Runs retort in `dir` (no project needed) and returns its output.
pub fn retort_in(dir: &Path, args: &[&str]) -> Output {
    retort_cmd(dir).args(args).output().unwrap_or_else(|e| panic!("running retort: {e}"))
}

/// Runs retort in `dir`, requires success, returns stdout.
pub fn retort_ok(dir: &Path, args: &[&str]) -> String {
    let out = retort_in(dir, args);
    assert!(
        out.status.success(),
        "retort {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs retort in `dir`, requires exit code 1, returns stderr.
pub fn retort_fails(dir: &Path, args: &[&str]) -> String {
    let out = retort_in(dir, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "retort {args:?} should fail:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// True when `python3` imports `modules` (scripts/test.sh installs Alembic, SQLAlchemy and
/// psycopg2); in CI their absence is a failure, elsewhere the test is skipped, saying so.
pub fn python_with(modules: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "python3 cannot import {modules} and CI is set");
        eprintln!("skipping: python3 cannot import {modules}");
    }
    ok
}

impl Project {
    /// A new project on `kind`; `None` when that database is unavailable outside CI.
    pub fn new(kind: Kind) -> Option<Project> {
        Project::with_config(kind, "")
    }

    /// A new project with extra `[migrations]` keys.
    pub fn with_config(kind: Kind, migrations_extra: &str) -> Option<Project> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let db = Db::new(kind, dir.path())?;
        let config = format!(
            "[database]\nurl = \"{}\"\nlock_timeout = 120\n\n[migrations]\ndir = \"migrations\"\n{migrations_extra}\n",
            db.url
        );
        std::fs::write(dir.path().join("retort.toml"), &config).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("migrations")).unwrap_or_else(|e| panic!("{e}"));
        Some(Project { dir, db, config })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a migration file `migrations/<id>.sql`.
    pub fn migration(&self, id: &str, parents: &[&str], up: &str, down: &str) {
        self.migration_with(id, parents, "", up, down);
    }

    /// Writes a migration file with extra header lines.
    pub fn migration_with(&self, id: &str, parents: &[&str], extra_header: &str, up: &str, down: &str) {
        let text = format!(
            "-- migration {id}\n--\n-- Revision: {id}\n-- Revises: {}\n-- Create Date: 2026-11-24 08:00:00+00:00\n{extra_header}\n-- migrate:upgrade\n{up}\n\n-- migrate:downgrade\n{down}\n",
            parents.join(", ")
        );
        self.write(&format!("migrations/{id}.sql"), &text);
    }

    /// Rewrites `retort.toml` with extra `[database]` keys (`lock_timeout = 1`).
    pub fn database_keys(&self, keys: &str) {
        self.write(
            "retort.toml",
            &format!("[database]\nurl = \"{}\"\n{keys}\n\n[migrations]\ndir = \"migrations\"\n", self.db.url),
        );
    }

    /// Writes a file relative to the project.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// A linear chain of migrations creating tables t1..tn.
    pub fn chain(&self, n: usize) {
        for i in 1..=n {
            let parents: Vec<String> = if i == 1 { vec![] } else { vec![format!("r{}", i - 1)] };
            let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
            self.migration(
                &format!("r{i}"),
                &parents,
                &format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY);"),
                &format!("DROP TABLE t{i};"),
            );
        }
    }

    /// A command for the retort binary, run in the project folder.
    pub fn cmd(&self) -> Command {
        retort_cmd(self.path())
    }

    /// Rewrites `retort.toml` as created, plus a `[schema]` section reading `schema/*.sql` and
    /// the given extra keys (such as `schemas = ["public"]`).
    pub fn use_schema_files(&self, extra: &str) {
        self.write("retort.toml", &format!("{}\n[schema]\npaths = [\"schema/*.sql\"]\n{extra}\n", self.config));
    }

    /// Runs retort with `args` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap_or_else(|e| panic!("running retort: {e}"))
    }

    /// Runs retort, requires success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        retort_ok(self.path(), args)
    }

    /// Runs retort, requires exit code 1, returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        retort_fails(self.path(), args)
    }
}

impl Project {
    /// Runs retort, requires exit code 2 (a usage error), returns stderr.
    pub fn usage(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "retort {args:?} should be a usage error:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// A project on `kind`, or return from the test when that database is unavailable outside CI;
/// with a second argument, extra `[migrations]` keys.
#[macro_export]
macro_rules! project {
    ($kind:expr) => {
        match $crate::common::Project::new($kind) {
            Some(p) => p,
            None => return,
        }
    };
    ($kind:expr, $extra:expr) => {
        match $crate::common::Project::with_config($kind, $extra) {
            Some(p) => p,
            None => return,
        }
    };
}

/// Defines one test per backend for each listed function taking a `Kind`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::common::Kind::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(super::common::Kind::Postgres) } )*
        }
    };
}

/// Defines one test per backend, MariaDB included, for each listed function taking a `Kind`.
#[macro_export]
macro_rules! on_all {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::common::Kind::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(super::common::Kind::Postgres) } )*
        }
        mod mariadb {
            $( #[test] fn $name() { super::$name(super::common::Kind::Mariadb) } )*
        }
    };
}

/// migra's statements turning `from` into `to`, less those about retort's own tables (the one
/// expected difference; migra's output is one statement per paragraph).
pub fn migra(from: &Db, to: &Db) -> String {
    let sqla = |db: &Db| db.url.replacen("postgres://", "postgresql://", 1);
    let out = std::process::Command::new("migra")
        .args(["--unsafe", &sqla(from), &sqla(to)])
        .output()
        .unwrap_or_else(|e| panic!("migra is not runnable (scripts/test.sh installs it): {e}"));
    assert!(matches!(out.status.code(), Some(0 | 2)), "migra failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split("\n\n")
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.contains("retort_history") && !s.contains("retort_version"))
        .collect::<Vec<_>>()
        .join("\n\n")
}
