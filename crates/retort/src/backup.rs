//! Backups before a run (`upgrade --backup`), and restoring a SQLite backup (`retort restore`).
//! SQLite uses its online backup API (a consistent copy even while others write); PostgreSQL uses
//! `pg_dump --format=custom`, restored with `pg_restore`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::url::{DatabaseUrl, SqliteLocation, mask_password};

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is in memory: nothing to back up.
    #[error("an in-memory SQLite database cannot be backed up")]
    Memory,
    /// `pg_dump` is not installed.
    #[error(
        "pg_dump was not found on PATH; install the PostgreSQL client tools (e.g. apt install postgresql-client) or run without --backup"
    )]
    NoPgDump,
    /// The backup tool or API failed.
    #[error("backing up {url} to {path} failed: {message}")]
    Failed { url: String, path: String, message: String },
    /// Restore is only built in for SQLite.
    #[error("restore a PostgreSQL backup with: pg_restore --clean --if-exists --dbname <url> {path}")]
    PostgresRestore { path: String },
    /// The backup file does not exist or is not a SQLite database.
    #[error("cannot restore from {path}: {message}")]
    Restore { path: String, message: String },
}

/// The default backup file: beside a SQLite database, in the working directory for PostgreSQL,
/// named with the time so that backups never overwrite each other.
pub fn default_path(url: &DatabaseUrl, cwd: &Path) -> Result<PathBuf, BackupError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    match url {
        DatabaseUrl::Sqlite(SqliteLocation::Memory) => Err(BackupError::Memory),
        DatabaseUrl::Sqlite(SqliteLocation::File(p)) => {
            let mut name = p.file_name().map(|n| n.to_os_string()).unwrap_or_default();
            name.push(format!(".backup-{stamp}"));
            Ok(p.with_file_name(name))
        }
        DatabaseUrl::Postgres(raw) => {
            let db = raw
                .parse::<postgres::Config>()
                .ok()
                .and_then(|c| c.get_dbname().map(str::to_string))
                .unwrap_or_else(|| "database".into());
            Ok(cwd.join(format!("{db}-{stamp}.dump")))
        }
    }
}

/// Backs the database up to `path`.
pub fn backup(url: &DatabaseUrl, path: &Path) -> Result<(), BackupError> {
    let failed = |message: String| BackupError::Failed {
        url: url.to_string(),
        path: path.display().to_string(),
        message: mask_password(&message),
    };
    match url {
        DatabaseUrl::Sqlite(SqliteLocation::Memory) => Err(BackupError::Memory),
        DatabaseUrl::Sqlite(SqliteLocation::File(db)) => {
            let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| failed(e.to_string()))?;
            conn.backup(rusqlite::MAIN_DB, path, None::<fn(rusqlite::backup::Progress)>)
                .map_err(|e| failed(e.to_string()))
        }
        DatabaseUrl::Postgres(raw) => {
            // The password goes through the environment, never the command line.
            let mut config: postgres::Config = crate::dialect::postgres::client_url(raw)
                .parse()
                .map_err(|e: postgres::Error| failed(e.to_string()))?;
            let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
            config.password("");
            let mut cmd = Command::new("pg_dump");
            cmd.arg("--format=custom").arg("--file").arg(path);
            if let Some(host) = config.get_hosts().first() {
                match host {
                    postgres::config::Host::Tcp(h) => cmd.arg("--host").arg(h),
                    postgres::config::Host::Unix(p) => cmd.arg("--host").arg(p),
                };
            }
            if let Some(port) = config.get_ports().first() {
                cmd.arg("--port").arg(port.to_string());
            }
            if let Some(user) = config.get_user() {
                cmd.arg("--username").arg(user);
            }
            if let Some(db) = config.get_dbname() {
                cmd.arg("--dbname").arg(db);
            }
            if let Some(pw) = password {
                cmd.env("PGPASSWORD", pw);
            }
            let out = cmd.output().map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound { BackupError::NoPgDump } else { failed(e.to_string()) }
            })?;
            if !out.status.success() {
                return Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_string()));
            }
            Ok(())
        }
    }
}

/// Restores a SQLite backup over the configured database (PostgreSQL: the `pg_restore` command).
pub fn restore(url: &DatabaseUrl, path: &Path) -> Result<(), BackupError> {
    let err = |message: String| BackupError::Restore { path: path.display().to_string(), message };
    match url {
        DatabaseUrl::Postgres(_) => Err(BackupError::PostgresRestore { path: path.display().to_string() }),
        DatabaseUrl::Sqlite(SqliteLocation::Memory) => Err(BackupError::Memory),
        DatabaseUrl::Sqlite(SqliteLocation::File(db)) => {
            if !path.is_file() {
                return Err(err("no such file".into()));
            }
            // Check it is a database before overwriting anything.
            let source = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| err(e.to_string()))?;
            source
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                .map_err(|e| err(format!("not a SQLite database ({e})")))?;
            drop(source);
            let mut target = rusqlite::Connection::open(db).map_err(|e| err(e.to_string()))?;
            target
                .restore(rusqlite::MAIN_DB, path, None::<fn(rusqlite::backup::Progress)>)
                .map_err(|e| err(e.to_string()))
        }
    }
}
