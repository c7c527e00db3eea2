//! PostgreSQL: the main production target.

mod driver;
mod inspect;
mod scratch;

pub(crate) use driver::SSL_MODES;
pub use driver::{ConnectionParts, PostgresDriver, client_url, connection_parts};
pub(crate) use inspect::{SeqRow, identity_options, index_keys, parse_check, type_max, type_min};
pub use scratch::ScratchDatabase;

/// The extensions a DDL text creates (`CREATE EXTENSION [IF NOT EXISTS] name`) that the server
/// cannot install (absent from `pg_available_extensions`): why such a text cannot be applied
/// there, said before trying (a server built without OpenSSL has no `pgcrypto`, for example).
pub fn unavailable_extensions(
    driver: &mut dyn crate::driver::Driver,
    ddl: &str,
) -> Result<Vec<String>, crate::driver::DbError> {
    let mut named: Vec<String> = Vec::new();
    for line in ddl.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words
            .windows(2)
            .position(|w| w[0].eq_ignore_ascii_case("CREATE") && w[1].eq_ignore_ascii_case("EXTENSION"))
        else {
            continue;
        };
        let rest: Vec<&str> = words[at + 2..]
            .iter()
            .copied()
            .skip_while(|w| ["IF", "NOT", "EXISTS"].iter().any(|k| w.eq_ignore_ascii_case(k)))
            .collect();
        if let Some(name) = rest.first() {
            let name = name.trim_end_matches(';').trim_matches('"').to_string();
            if !named.contains(&name) {
                named.push(name);
            }
        }
    }
    let mut missing = Vec::new();
    for name in named {
        let sql = format!(
            "SELECT count(*) FROM pg_catalog.pg_available_extensions WHERE name = {}",
            crate::dialect::Dialect::Postgres.literal(&name)
        );
        let rows = driver.query(&sql)?;
        if rows.first().and_then(|r| r.first()).cloned().flatten().as_deref() == Some("0") {
            missing.push(name);
        }
    }
    Ok(missing)
}

/// Of the named schemas, those the database does not have, and the user schemas it has.
pub fn missing_schemas(
    driver: &mut dyn crate::driver::Driver,
    schemas: &[String],
) -> Result<(Vec<String>, Vec<String>), crate::driver::DbError> {
    let first = |rows: Vec<Vec<Option<String>>>| -> Vec<String> {
        rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect()
    };
    let list = schemas.iter().map(|s| crate::dialect::Dialect::Postgres.literal(s)).collect::<Vec<_>>().join(", ");
    let missing = first(driver.query(&format!(
        "SELECT s FROM unnest(ARRAY[{list}]::text[]) AS s WHERE s NOT IN (SELECT nspname FROM pg_catalog.pg_namespace)"
    ))?);
    let have = first(driver.query(
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' ORDER BY 1",
    )?);
    Ok((missing, have))
}
