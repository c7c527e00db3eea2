//! What the library's database tests share.

#![allow(dead_code)]

use retort::inspect::InspectOptions;
use retort::load::{LoadError, Loader, SourceFile, load_with};
use retort::url::DatabaseUrl;

/// The test server's `postgres` database (`RETORT_TEST_PG` overrides the server); `None` when it
/// is unreachable outside CI, a panic in CI.
pub fn postgres_url() -> Option<DatabaseUrl> {
    let base = std::env::var("RETORT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    let url = format!("{base}/postgres");
    match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(_) => Some(DatabaseUrl::Postgres(url)),
        Err(e) if std::env::var_os("CI").is_some() => panic!("PostgreSQL unreachable and CI is set: {e}"),
        Err(_) => None,
    }
}

/// The extensions `ddl` creates that the test server cannot install (a server built without
/// OpenSSL has no `pgcrypto`): a fixture needing them is skipped, saying so.
fn unavailable_extensions(url: &DatabaseUrl, ddl: &str) -> Vec<String> {
    let mut driver = retort::driver::connect(url, retort::driver::Access::ReadOnly, std::time::Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("connect: {e}"));
    retort::dialect::postgres::unavailable_extensions(driver.as_mut(), ddl).unwrap_or_else(|e| panic!("{e}"))
}

/// True (and says why on stderr) when `ddl` needs extensions the test server lacks.
pub fn skip_for_extensions(url: &DatabaseUrl, what: &str, ddl: &str) -> bool {
    let missing = unavailable_extensions(url, ddl);
    if !missing.is_empty() {
        eprintln!("skipping {what}: the test server has no extension {}", missing.join(", "));
    }
    !missing.is_empty()
}

/// The MySQL test server without a database (`RETORT_TEST_MYSQL` overrides it).
pub fn mysql_admin_url() -> String {
    std::env::var("RETORT_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_string())
}

/// A new, empty database on the MySQL test server (the caller drops it); `None` when the
/// server is unreachable outside CI, a panic in CI.
pub fn mysql_database() -> Option<String> {
    let name = format!("retort_s_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    let opts = mysql::Opts::from_url(&mysql_admin_url()).unwrap_or_else(|e| panic!("{e}"));
    match mysql::Conn::new(opts) {
        Ok(mut c) => {
            mysql::prelude::Queryable::query_drop(&mut c, format!("CREATE DATABASE `{name}`"))
                .unwrap_or_else(|e| panic!("{e}"));
            Some(name)
        }
        Err(e) if std::env::var_os("CI").is_some() => panic!("MariaDB unreachable and CI is set: {e}"),
        Err(_) => None,
    }
}

pub fn admin_url() -> String {
    std::env::var("RETORT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A throwaway database, dropped on drop.
pub struct TempDb {
    pub name: String,
}

impl TempDb {
    pub fn new() -> Option<TempDb> {
        let name = format!("retort_i_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
        match postgres::Client::connect(&format!("{}/postgres", admin_url()), postgres::NoTls) {
            Ok(mut c) => {
                c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("create {name}: {e}"));
                Some(TempDb { name })
            }
            Err(e) if std::env::var_os("CI").is_some() => panic!("PostgreSQL unreachable and CI is set: {e}"),
            Err(e) => {
                eprintln!("skipping: PostgreSQL unreachable: {e}");
                None
            }
        }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", admin_url(), self.name)
    }

    pub fn execute(&self, sql: &str) -> Result<(), postgres::Error> {
        let mut c = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
        c.batch_execute(sql)
    }

    pub fn inspect(&self) -> retort_schema::Schema {
        let url = DatabaseUrl::Postgres(self.url());
        let mut driver =
            retort::driver::connect(&url, retort::driver::Access::ReadOnly, std::time::Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("connect: {e}"));
        driver.inspect(&retort::inspect::InspectOptions::default()).unwrap_or_else(|e| panic!("inspect: {e}"))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&format!("{}/postgres", admin_url()), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// A parser against its oracle: `true` when the parser's model (`Loader::Parse`) is exactly the
/// scratch database's (`Loader::Scratch`), `false` when the parser declined (the reason is
/// printed). A difference panics with the lines that differ.
pub fn compare(url: &DatabaseUrl, name: &str, ddl: &str) -> bool {
    let sources = vec![SourceFile { name: name.to_string(), text: ddl.to_string() }];
    let options = InspectOptions::default();
    let parsed = match load_with(&sources, url, &options, Loader::Parse) {
        Ok(schema) => schema,
        Err(LoadError::Declined(reason)) => {
            eprintln!("{name}: parser declined: {reason}");
            return false;
        }
        Err(e) => panic!("{name}: {e}"),
    };
    let oracle = load_with(&sources, url, &options, Loader::Scratch).unwrap_or_else(|e| panic!("{name}: scratch: {e}"));
    let (p, o) = (
        serde_json::to_string_pretty(&parsed).unwrap_or_default(),
        serde_json::to_string_pretty(&oracle).unwrap_or_default(),
    );
    if p != o {
        let diff: Vec<String> = p
            .lines()
            .zip(o.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(12)
            .map(|(i, (a, b))| format!("line {i}: parsed {a} | server {b}"))
            .collect();
        panic!("{name}: the parser's model differs from the server's:\n{}", diff.join("\n"));
    }
    true
}

/// A deterministic xorshift generator from a seed (not zero): each call gives a number below `n`.
pub fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}
