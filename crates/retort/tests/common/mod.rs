//! What the library's database tests share.

#![allow(dead_code)]

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
