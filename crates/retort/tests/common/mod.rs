//! What the library's database tests share.

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
