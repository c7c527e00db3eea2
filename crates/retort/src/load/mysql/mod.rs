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
}

impl Server {
    /// Reads the facts from a connection to the target database.
    pub fn read(driver: &mut crate::dialect::mysql::MysqlDriver) -> Result<Server, crate::driver::DbError> {
        use crate::driver::Driver;
        let mariadb = driver.is_mariadb()?;
        let (charset, collation) = crate::dialect::mysql::database_defaults(driver)?;
        let rows = driver.query("SELECT @@default_storage_engine")?;
        let engine = rows.into_iter().next().and_then(|r| r.into_iter().next().flatten()).unwrap_or_default();
        Ok(Server { mariadb, collation, charset, engine })
    }
}

/// Loads the sources into the model by parsing them, for a database on `server`.
pub fn load(sources: &[SourceFile], options: &InspectOptions, server: &Server) -> Result<Schema, Decline> {
    if !server.mariadb {
        return Err(Decline::new(None, "the parser knows MariaDB's spellings, not MySQL's"));
    }
    let mut builder = build::Builder::new(server);
    sources.iter().try_for_each(|source| builder.source(source))?;
    let mut schema = builder.finish();
    schema.tables.retain(|t| !options.excluded(&t.name.name));
    schema.normalize();
    Ok(schema)
}
