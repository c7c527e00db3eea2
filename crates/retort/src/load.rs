//! Loading the desired schema (the "models"): SQL DDL files named by `[schema] paths`, or the
//! output of `[schema] command`, materialized in a scratch database of the same dialect (an
//! in-memory SQLite database; a temporary PostgreSQL database on the target's server) and read back
//! with the same inspector as the live database. Both sides of a diff are therefore normalized by
//! the server itself, exactly alike: `load(DDL) == inspect(apply(DDL))` holds by construction,
//! with no guessing about how the server would print a type, default or expression.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use retort_schema::Schema;

use crate::config::Config;
use crate::dialect::Dialect;
use crate::driver::{Access, DbError, Driver};
use crate::inspect::{InspectError, InspectOptions};
use crate::script::Section;
use crate::statements::split;
use crate::url::{DatabaseUrl, SqliteLocation};

/// Why the desired schema could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Neither `paths` nor `command` is set.
    #[error("no desired schema: set [schema] paths = [\"schema/*.sql\"] (or [schema] command) in retort.toml")]
    NotConfigured,
    /// A glob is malformed.
    #[error("[schema] paths: '{pattern}' is not a valid glob: {message}")]
    Glob { pattern: String, message: String },
    /// The globs match no file.
    #[error("[schema] paths {patterns:?} match no file (relative to {root}); write the schema there or fix the globs")]
    NoFiles { patterns: Vec<String>, root: String },
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    /// The schema command failed.
    #[error("[schema] command {command:?} failed ({status}):\n{stderr}")]
    Command { command: Vec<String>, status: String, stderr: String },
    /// A statement that is not DDL.
    #[error(
        "{file}:{line}: '{word}' statements do not belong in a schema file, which holds DDL only (CREATE, ALTER, COMMENT ON, ...)"
    )]
    NotDdl { file: String, line: usize, word: String },
    /// A statement the tokenizer cannot read.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax { file: String, line: usize, column: usize, message: String },
    /// A statement the database rejected.
    #[error("{file}:{line}:{column}: {error}\n  statement: {statement}")]
    Apply { file: String, line: usize, column: usize, statement: String, error: Box<DbError> },
    /// The scratch database could not be created.
    #[error("{0}")]
    Scratch(Box<DbError>),
    /// The scratch database could not be inspected.
    #[error(transparent)]
    Inspect(#[from] InspectError),
}

/// One file of desired DDL.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Where it came from, for messages (`schema/tables.sql`, or the command).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Reads the desired schema's DDL as configured: the files matching `[schema] paths` (each glob
/// sorted, globs in order, each file once), or the standard output of `[schema] command`.
pub fn read_sources(config: &Config) -> Result<Vec<SourceFile>, LoadError> {
    let schema = &config.file.schema;
    if !schema.command.is_empty() {
        return run_command(&schema.command, &config.root);
    }
    if schema.paths.is_empty() {
        return Err(LoadError::NotConfigured);
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for pattern in &schema.paths {
        let full = config.root.join(pattern);
        let matches = glob::glob(&full.to_string_lossy())
            .map_err(|e| LoadError::Glob { pattern: pattern.clone(), message: e.to_string() })?;
        let mut found: Vec<PathBuf> = matches.filter_map(Result::ok).filter(|p| p.is_file()).collect();
        found.sort();
        for f in found {
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    if files.is_empty() {
        return Err(LoadError::NoFiles { patterns: schema.paths.clone(), root: config.root.display().to_string() });
    }
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| LoadError::Read { path: p.display().to_string(), message: e.to_string() })?;
            Ok(SourceFile { name: p.display().to_string(), text })
        })
        .collect()
}

fn run_command(command: &[String], root: &Path) -> Result<Vec<SourceFile>, LoadError> {
    let fail = |status: String, stderr: String| LoadError::Command { command: command.to_vec(), status, stderr };
    let output = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(if root.as_os_str().is_empty() { Path::new(".") } else { root })
        .output()
        .map_err(|e| fail("could not start".into(), e.to_string()))?;
    if !output.status.success() {
        return Err(fail(output.status.to_string(), String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    let text =
        String::from_utf8(output.stdout).map_err(|_| fail("printed text that is not UTF-8".into(), String::new()))?;
    Ok(vec![SourceFile { name: format!("[schema] command {}", command.join(" ")), text }])
}

/// First words of the statements a schema file may hold. `DROP ... IF EXISTS` preambles and
/// privileges are common in real schema files and harmless in the scratch database; privileges are
/// not part of the schema model.
const DDL_WORDS: [&str; 8] = ["CREATE", "ALTER", "COMMENT", "SET", "SELECT", "GRANT", "REVOKE", "DROP"];

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
            let Some(driver) = scratch.driver.as_mut() else {
                return Err(LoadError::Scratch(Box::new(DbError::msg("the scratch database has no connection"))));
            };
            apply(driver, sources, Dialect::Postgres)?;
            Ok(driver.inspect(options)?)
        }
    }
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
            let word =
                statement.sql.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_uppercase();
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
