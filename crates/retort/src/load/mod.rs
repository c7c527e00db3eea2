//! Loading the desired schema (the "models"): SQL DDL files named by `[schema] paths`, or the
//! output of `[schema] command`, into the schema model, normalized exactly as the inspector
//! normalizes a live database (`load(DDL) == inspect(apply(DDL))`).
//!
//! Two ways, one answer:
//! - PostgreSQL DDL is parsed with sqlparser and built into the model directly, with the server
//!   printing the expressions in one rolled-back round trip ([`postgres`]): fast (1,000 tables in
//!   a few tens of milliseconds).
//! - Anything the parser does not handle exactly, and all SQLite DDL (an in-memory database is
//!   already fast), is applied to a scratch database of the same dialect and read back with the
//!   same inspector ([`scratch`]). That path is exact by construction, and it is the oracle the
//!   tests compare the parser with.

use std::path::{Path, PathBuf};
use std::process::Command;

use retort_schema::Schema;

use crate::config::Config;
use crate::dialect::Dialect;
use crate::driver::DbError;
use crate::inspect::{InspectError, InspectOptions};
use crate::url::DatabaseUrl;

pub mod mysql;
pub mod postgres;
pub mod scratch;
pub mod sqlalchemy;

/// Why the desired schema could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Neither `paths` nor `command` is set.
    #[error(
        "no desired schema: set [schema] paths = [\"schema/*.sql\"] (or [schema] sqlalchemy = \"package.models:Base\", or [schema] command) in retort.toml"
    )]
    NotConfigured,
    /// A glob is malformed.
    #[error("[schema] paths: '{pattern}' is not a valid glob: {message}")]
    Glob {
        /// The glob, as written in `[schema] paths`.
        pattern: String,
        /// The glob parser's message.
        message: String,
    },
    /// The globs match no file.
    #[error("[schema] paths {patterns:?} match no file (relative to {root}); write the schema there or fix the globs")]
    NoFiles {
        /// The globs of `[schema] paths`.
        patterns: Vec<String>,
        /// The folder they are relative to (`.` for the working directory).
        root: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The schema file.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// The SQLAlchemy models could not be rendered.
    #[error("{0}")]
    Python(Box<crate::python::PythonError>),
    /// The schema command failed.
    #[error("[schema] command {command:?} failed ({status}):\n{stderr}")]
    Command {
        /// The command and its arguments.
        command: Vec<String>,
        /// How it exited (`could not start` when it did not run).
        status: String,
        /// What it printed on stderr (or why it could not start).
        stderr: String,
    },
    /// A statement that is not DDL.
    #[error(
        "{file}:{line}: '{word}' statements do not belong in a schema file, which holds DDL only (CREATE, ALTER, COMMENT ON, ...)"
    )]
    NotDdl {
        /// The schema file.
        file: String,
        /// The 1-based line in the file where the statement starts.
        line: usize,
        /// The statement's first word, in upper case.
        word: String,
    },
    /// A statement the tokenizer cannot read.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The schema file.
        file: String,
        /// The 1-based line of the problem in the file.
        line: usize,
        /// The column of the problem.
        column: usize,
        /// The tokenizer's message.
        message: String,
    },
    /// A statement the database rejected.
    #[error("{file}:{line}:{column}: {error}\n  statement: {statement}")]
    Apply {
        /// The schema file.
        file: String,
        /// The 1-based line of the error in the file (where the statement starts, when the server gives no position).
        line: usize,
        /// The 1-based column of the error (1 when the server gives no position).
        column: usize,
        /// The statement's text (its first 300 characters).
        statement: String,
        /// What the database said.
        error: Box<DbError>,
    },
    /// The scratch database could not be created.
    #[error("{0}")]
    Scratch(Box<DbError>),
    /// The files create objects in schemas retort does not manage.
    #[error(
        "the desired schema files create objects in {}, which [schema] schemas does not list ({}); add {} to [schema] schemas in retort.toml, or a migration written from these files would leave {} out",
        quoted(schemas), managed.join(", "), if schemas.len() == 1 { "it" } else { "them" }, if schemas.len() == 1 { "it" } else { "them" }
    )]
    Unmanaged {
        /// The schemas the files create that `[schema] schemas` does not list.
        schemas: Vec<String>,
        /// The schemas `[schema] schemas` lists.
        managed: Vec<String>,
    },
    /// The scratch database could not be inspected.
    #[error(transparent)]
    Inspect(#[from] InspectError),
    /// `RETORT_LOADER=parse` and the parser declined.
    #[error("the DDL parser declined ({0}); unset RETORT_LOADER to load through a scratch database")]
    Declined(Decline),
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
/// sorted, globs in order, each file once), the standard output of `[schema] command`, or the
/// DDL of the `[schema] sqlalchemy` models for `dialect`.
pub fn read_sources(config: &Config, dialect: Dialect) -> Result<Vec<SourceFile>, LoadError> {
    let schema = &config.file.schema;
    if let Some(target) = &schema.sqlalchemy {
        return sqlalchemy::read(config, target, dialect);
    }
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
        return Err(LoadError::NoFiles {
            patterns: schema.paths.clone(),
            root: match config.root.display().to_string() {
                root if root.is_empty() => ".".to_string(),
                root => root,
            },
        });
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

/// `schema "a"`, `schemas "a", "b"`.
fn quoted(schemas: &[String]) -> String {
    let list = schemas.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    format!("{} {list}", if schemas.len() == 1 { "schema" } else { "schemas" })
}

/// First words of the statements a schema file may hold. `DROP ... IF EXISTS` preambles and
/// privileges are common in real schema files and harmless in the scratch database; privileges are
/// not part of the schema model.
pub(crate) const DDL_WORDS: [&str; 8] = ["CREATE", "ALTER", "COMMENT", "SET", "SELECT", "GRANT", "REVOKE", "DROP"];

/// Why a parser fast path did not load the schema; the scratch database takes over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    /// Where (`file:line`), when a statement is the cause.
    pub at: Option<String>,
    /// What it could not settle.
    pub reason: String,
}

impl Decline {
    pub(crate) fn new(at: Option<String>, reason: impl Into<String>) -> Decline {
        Decline { at, reason: reason.into() }
    }
}

impl std::fmt::Display for Decline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{at}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// The statement with every executable comment the server runs (`/*!40101 ... */`, MariaDB's
/// `/*M!100100 ... */`, numbered up to the server's version) replaced by its content, and the
/// others dropped, as the server reads it.
pub(crate) fn expand_executable(sql: &str, version: u64) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    let mut quote: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if quote.is_none() && (rest.starts_with("/*!") || rest.starts_with("/*M!")) {
            let body = rest.trim_start_matches("/*").trim_start_matches('M').trim_start_matches('!');
            let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
            let Some(end) = body.find("*/") else { break };
            let number: u64 = digits.parse().unwrap_or(0);
            if number <= version {
                out.push(' ');
                out.push_str(&body[digits.len()..end]);
                out.push(' ');
            }
            rest = &body[end + 2..];
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Which way to load (the environment variable `RETORT_LOADER`, for tests and profiling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loader {
    /// The parser where it can, else the scratch database (the default).
    Auto,
    /// The parser only: a decline is an error.
    Parse,
    /// The scratch database only.
    Scratch,
}

impl Loader {
    /// `RETORT_LOADER=parse|scratch`, else [`Loader::Auto`].
    pub fn from_env() -> Loader {
        match std::env::var("RETORT_LOADER").as_deref() {
            Ok("parse") => Loader::Parse,
            Ok("scratch") => Loader::Scratch,
            _ => Loader::Auto,
        }
    }
}

/// Builds the desired schema for a database like `target` (the way [`Loader::from_env`] says).
pub fn load(sources: &[SourceFile], target: &DatabaseUrl, options: &InspectOptions) -> Result<Schema, LoadError> {
    load_with(sources, target, options, Loader::from_env())
}

/// Builds the desired schema for a database like `target`, the given way. PostgreSQL's parser
/// path uses a connection to `target`'s database, where it leaves nothing behind.
pub fn load_with(
    sources: &[SourceFile],
    target: &DatabaseUrl,
    options: &InspectOptions,
    loader: Loader,
) -> Result<Schema, LoadError> {
    let parsed = match (target, loader) {
        (_, Loader::Scratch) | (DatabaseUrl::Sqlite(_), _) => None,
        (DatabaseUrl::Postgres(url), _) => Some(match crate::dialect::postgres::PostgresDriver::connect(url) {
            Ok(mut server) => postgres::load(sources, options, &mut server),
            Err(e) => Err(Decline::new(None, format!("no connection for the expressions: {e}"))),
        }),
        (DatabaseUrl::Mysql(url), _) => Some(
            crate::dialect::mysql::MysqlDriver::connect(url)
                .and_then(|mut server| mysql::Server::read(&mut server))
                .map_err(|e| Decline::new(None, format!("the server's defaults could not be read: {e}")))
                .and_then(|server| mysql::load(sources, options, &server)),
        ),
    };
    match parsed {
        Some(Ok(schema)) => return Ok(schema),
        Some(Err(decline)) if loader == Loader::Parse => return Err(LoadError::Declined(decline)),
        // RETORT_TRACE_LOAD=1 says why the scratch database was needed (for profiling).
        Some(Err(decline)) if std::env::var_os("RETORT_TRACE_LOAD").is_some() => {
            eprintln!("load: parser declined, using a scratch database: {decline}")
        }
        Some(Err(_)) | None => {}
    }
    scratch::load(sources, target, options)
}

#[cfg(test)]
mod tests {
    use super::expand_executable;

    #[test]
    fn executable_comments_are_read_as_the_server_reads_them() {
        let view = "/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`u`@`h` SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 */";
        assert!(expand_executable(view, u64::MAX).trim_start().starts_with("CREATE ALGORITHM=UNDEFINED"));
        assert_eq!(expand_executable("/*!40101 SET NAMES utf8 */", 101119).trim(), "SET NAMES utf8");
        assert_eq!(
            expand_executable("/*!110000 SET x = 1 */", 101119).trim(),
            "",
            "a newer server's comment is a comment"
        );
        assert_eq!(expand_executable("SELECT '/*!1 no */'", 101119), "SELECT '/*!1 no */'", "not inside a string");
        let inline = expand_executable("CREATE TABLE t (a int) /*!40000 ENGINE=INNODB */", 101119);
        assert_eq!(inline.split_whitespace().collect::<Vec<_>>().join(" "), "CREATE TABLE t (a int) ENGINE=INNODB");
    }
}
