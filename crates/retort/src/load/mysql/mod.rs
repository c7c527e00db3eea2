//! The fast path for loading a MariaDB desired schema: `CREATE TABLE` and `CREATE INDEX` are
//! parsed with sqlparser and built into the model as the server would store them (types with
//! their display widths, `PRIMARY KEY` implying `NOT NULL`, defaults printed as
//! `information_schema` prints them, keys named by the server's own rules, the index InnoDB adds
//! for a foreign key and drops again when a later index covers it), with the database's own
//! collation and storage engine. Anything else (views, triggers, routines, checks, generated
//! columns, a character set on a column, `timestamp`, enum, a `SET` other than `SET NAMES`...)
//! makes it decline; the caller then loads through a scratch database, which stays the oracle:
//! the tests compare both paths.
//!
//! MySQL itself is declined as a whole: it prints types without display widths and defaults
//! differently, and no MySQL server here holds a parser for it to the scratch database.

mod build;
mod types;

use retort_schema::Schema;

use super::{Decline, SourceFile};
use crate::inspect::InspectOptions;

/// What the parser needs to know of the server the schema is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// MariaDB rather than MySQL.
    pub mariadb: bool,
    /// The target database's default collation (a scratch database takes it too).
    pub collation: String,
    /// The target database's default character set.
    pub charset: String,
    /// `@@default_storage_engine`.
    pub engine: String,
    /// The version as executable comments number it (10.11.19 is 101119).
    pub version: u64,
    /// Each character set's default collation (`information_schema.CHARACTER_SETS`); empty when
    /// the server overrides them (`@@character_set_collations`, MariaDB 11.2), which the parser
    /// then leaves to the scratch database.
    pub default_collations: Vec<(String, String)>,
}

impl Server {
    /// The collation a character set alone gives.
    pub fn default_collation(&self, charset: &str) -> Option<String> {
        self.default_collations.iter().find(|(cs, _)| cs == charset).map(|(_, co)| co.clone())
    }

    /// A character set's name as the server stores it: `utf8` is `utf8mb3` from MariaDB 10.6 on.
    pub fn charset_name(&self, name: &str) -> String {
        let name = name.trim_matches('`').to_ascii_lowercase();
        if name == "utf8" && self.version >= 100600 { "utf8mb3".into() } else { name }
    }

    /// A collation's name as the server stores it (`utf8_general_ci` is `utf8mb3_general_ci`).
    pub fn collation_name(&self, name: &str) -> String {
        let name = name.trim_matches('`').to_ascii_lowercase();
        match name.strip_prefix("utf8_") {
            Some(rest) if self.version >= 100600 => format!("utf8mb3_{rest}"),
            _ => name,
        }
    }
}

impl Server {
    /// Reads the facts from a connection to the target database.
    pub fn read(driver: &mut crate::dialect::mysql::MysqlDriver) -> Result<Server, crate::driver::DbError> {
        use crate::driver::Driver;
        let mariadb = driver.is_mariadb()?;
        let (charset, collation) = crate::dialect::mysql::database_defaults(driver)?;
        let rows = driver.query("SELECT @@default_storage_engine, VERSION()")?;
        let row = rows.into_iter().next().unwrap_or_default();
        let engine = row.first().cloned().flatten().unwrap_or_default();
        let version = row.get(1).cloned().flatten().map_or(0, |v| comment_version(&v));
        let overridden = driver
            .query("SELECT @@character_set_collations")
            .ok()
            .and_then(|rows| rows.into_iter().next()?.into_iter().next().flatten())
            .is_some_and(|v| !v.is_empty());
        let default_collations = if overridden {
            Vec::new()
        } else {
            let rows = driver
                .query("SELECT CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS")?;
            rows.into_iter()
                .filter_map(|r| Some((r.first().cloned().flatten()?, r.get(1).cloned().flatten()?)))
                .collect()
        };
        Ok(Server { mariadb, collation, charset, engine, version, default_collations })
    }
}

/// `10.11.19-MariaDB-0+deb12u1` as `101119`.
fn comment_version(version: &str) -> u64 {
    let numbers: Vec<u64> =
        version.split(|c: char| !c.is_ascii_digit()).take(3).map(|n| n.parse().unwrap_or(0)).collect();
    numbers.iter().zip([10_000, 100, 1]).map(|(n, w)| n * w).sum()
}

/// Loads the sources into the model by parsing them, for a database on `server`.
pub fn load(sources: &[SourceFile], options: &InspectOptions, server: &Server) -> Result<Schema, Decline> {
    if !server.mariadb {
        return Err(Decline::new(None, "the parser knows MariaDB's spellings, not MySQL's"));
    }
    let mut builder = build::Builder::new(server);
    sources.iter().try_for_each(|source| builder.source(source))?;
    let mut schema = builder.finish()?;
    schema.tables.retain(|t| !options.excluded(&t.name.name));
    schema.normalize();
    Ok(schema)
}
