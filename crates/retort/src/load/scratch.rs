//! The exact path: the DDL applied to a scratch database of the target's dialect (an in-memory
//! SQLite database; a temporary PostgreSQL database on the target's server, always dropped) and
//! read back with the same inspector as the live database.

use std::time::Duration;

use retort_schema::Schema;

use super::{DDL_WORDS, LoadError, SourceFile};
use crate::dialect::Dialect;
use crate::driver::{Access, DbError, Driver};
use crate::inspect::InspectOptions;
use crate::script::Section;
use crate::statements::split;
use crate::url::{DatabaseUrl, SqliteLocation};

/// Builds the desired schema: applies the sources to a scratch database of `target`'s dialect and
/// inspects it with `options`.
pub fn load(sources: &[SourceFile], target: &DatabaseUrl, options: &InspectOptions) -> Result<Schema, LoadError> {
    match target {
        DatabaseUrl::Sqlite(_) => {
            let mut driver = crate::dialect::sqlite::SqliteDriver::open(
                &SqliteLocation::Memory,
                Access::ReadWrite,
                Duration::from_secs(5),
            )
            .map_err(|e| LoadError::Scratch(Box::new(e)))?;
            apply(&mut driver, sources, Dialect::Sqlite)?;
            Ok(driver.inspect(options)?)
        }
        DatabaseUrl::Postgres(url) => {
            let mut scratch =
                crate::dialect::postgres::ScratchDatabase::create(url).map_err(|e| LoadError::Scratch(Box::new(e)))?;
            let driver = connection(scratch.driver.as_mut())?;
            apply(driver, sources, Dialect::Postgres)?;
            unmanaged_schemas(driver, options)?;
            Ok(driver.inspect(options)?)
        }
        DatabaseUrl::Mysql(url) => {
            let mut scratch =
                crate::dialect::mysql::ScratchDatabase::create(url).map_err(|e| LoadError::Scratch(Box::new(e)))?;
            let driver = connection(scratch.driver.as_mut())?;
            apply(driver, sources, Dialect::Mysql)?;
            Ok(driver.inspect(options)?)
        }
    }
}

/// The scratch database's connection (held until the database is dropped).
fn connection<D: Driver>(driver: Option<&mut D>) -> Result<&mut D, LoadError> {
    driver.ok_or_else(|| LoadError::Scratch(Box::new(DbError::msg("the scratch database has no connection"))))
}

/// The scratch database started empty, so every schema in it besides `public` was created by the
/// files: an error when one of them is not managed (what it holds would silently be left out).
fn unmanaged_schemas(driver: &mut dyn Driver, options: &InspectOptions) -> Result<(), LoadError> {
    if options.schemas.is_empty() {
        return Ok(());
    }
    let managed = options.schemas.iter().map(|s| Dialect::Postgres.literal(s)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname NOT IN ({managed}) AND n.nspname <> 'public'
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND e.objid = n.oid AND e.deptype = 'e')
         ORDER BY 1"
    );
    let rows = driver.query(&sql).map_err(|e| LoadError::Scratch(Box::new(e)))?;
    let schemas: Vec<String> = rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect();
    if schemas.is_empty() {
        return Ok(());
    }
    Err(LoadError::Unmanaged { schemas, managed: options.schemas.clone() })
}

/// Runs every statement of every source, naming the file, line and column of the one that fails.
fn apply(driver: &mut dyn Driver, sources: &[SourceFile], dialect: Dialect) -> Result<(), LoadError> {
    for source in sources {
        let section = Section { sql: source.text.clone(), first_line: 1 };
        let statements = split(&section, dialect).map_err(|e| LoadError::Syntax {
            file: source.name.clone(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        for statement in statements {
            // A MySQL executable comment (`/*!40014 SET FOREIGN_KEY_CHECKS=0 */`) is its content.
            let expanded = super::expand_executable(&statement.sql, u64::MAX);
            let head = expanded.trim_start();
            let word = head.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_uppercase();
            if !DDL_WORDS.contains(&word.as_str()) {
                return Err(LoadError::NotDdl { file: source.name.clone(), line: statement.line, word });
            }
            if let Err(error) = driver.execute(&statement.sql) {
                let (line, column) = match error.position {
                    Some(pos) => {
                        let before: String = statement.sql.chars().take(pos.saturating_sub(1)).collect();
                        let line = statement.line + before.matches('\n').count();
                        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                        (line, column)
                    }
                    None => (statement.line, 1),
                };
                let shown: String = statement.sql.chars().take(300).collect();
                return Err(LoadError::Apply {
                    file: source.name.clone(),
                    line,
                    column,
                    statement: shown,
                    error: Box::new(error),
                });
            }
        }
    }
    Ok(())
}
