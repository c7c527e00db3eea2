//! Backups before a run (`upgrade --backup`), and restoring a SQLite backup (`retort restore`).
//! SQLite uses its online backup API (a consistent copy even while others write); PostgreSQL uses
//! `pg_dump --format=custom`, restored with `pg_restore`; MySQL and MariaDB use `mariadb-dump`
//! (or `mysqldump`) with `--single-transaction`, restored with the `mariadb`/`mysql` client.

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
    /// Neither `mariadb-dump` nor `mysqldump` is installed.
    #[error(
        "neither mariadb-dump nor mysqldump was found on PATH; install the client tools (e.g. apt install mariadb-client) or run without --backup"
    )]
    NoMysqldump,
    /// The backup tool or API failed.
    #[error("backing up {url} to {path} failed: {message}")]
    Failed {
        /// The database, with the password masked.
        url: String,
        /// The backup file.
        path: String,
        /// What the tool or API reported, with any password masked.
        message: String,
    },
    /// Restore of a MySQL dump is the client's job.
    #[error(
        "restore a MySQL/MariaDB backup with the client; it drops and recreates the tables the dump holds, and tables created after the backup stay (drop them first, or restore into a fresh database):\n  {command}"
    )]
    MysqlRestore {
        /// The `mariadb` command that restores the dump (it asks for the password, never shows it).
        command: String,
    },
    /// Restore is only built in for SQLite.
    #[error("restore a PostgreSQL backup with pg_restore (it replaces what the backup holds):\n  {command}")]
    PostgresRestore {
        /// The `pg_restore` command that restores the backup, with the password masked.
        command: String,
    },
    /// The backup file does not exist or is not a SQLite database.
    #[error("cannot restore from {path}: {message}")]
    Restore {
        /// The backup file.
        path: String,
        /// Why it cannot be restored.
        message: String,
    },
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
        DatabaseUrl::Mysql(raw) => {
            let db = crate::dialect::mysql::MysqlUrl::parse(raw).map_or_else(|_| "database".into(), |u| u.database);
            Ok(cwd.join(format!("{db}-{stamp}.sql")))
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
            let client = ClientArgs::of(raw).map_err(failed)?;
            let mut cmd = Command::new("pg_dump");
            cmd.arg("--format=custom").arg("--file").arg(path).args(&client.args);
            if let Some(pw) = client.password {
                cmd.env("PGPASSWORD", pw);
            }
            let out = cmd.output().map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound { BackupError::NoPgDump } else { failed(e.to_string()) }
            })?;
            if !out.status.success() {
                let mut message = String::from_utf8_lossy(&out.stderr).trim().to_string();
                if message.contains("server version mismatch") {
                    message.push_str(
                        "; pg_dump must be as new as the server: install the PostgreSQL client of the server's version (or newer) and put it first on PATH",
                    );
                }
                return Err(failed(message));
            }
            Ok(())
        }
        DatabaseUrl::Mysql(raw) => {
            let url = crate::dialect::mysql::MysqlUrl::parse(raw).map_err(failed)?;
            // The password goes in an option file readable only by this user, never on the
            // command line (where `ps` shows it) and never in the environment of other tools.
            let options = mysql_option_file(&url).map_err(|e| failed(e.to_string()))?;
            let mut last_missing = true;
            for tool in ["mariadb-dump", "mysqldump"] {
                let mut cmd = Command::new(tool);
                cmd.arg(format!("--defaults-extra-file={}", options.path().display()))
                    .args(["--single-transaction", "--routines", "--triggers", "--events", "--hex-blob"])
                    .arg(format!("--result-file={}", path.display()))
                    .args(mysql_client_args(&url, tool.starts_with("mariadb")))
                    .arg(&url.database);
                match cmd.output() {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(failed(e.to_string())),
                    Ok(out) if !out.status.success() => {
                        return Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_string()));
                    }
                    Ok(_) => {
                        last_missing = false;
                        break;
                    }
                }
            }
            if last_missing { Err(BackupError::NoMysqldump) } else { Ok(()) }
        }
    }
}

/// A temporary `[client]` option file holding the password (mode 0600).
fn mysql_option_file(url: &crate::dialect::mysql::MysqlUrl) -> std::io::Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let mut file = tempfile::Builder::new().prefix("retort-my-").suffix(".cnf").tempfile()?;
    writeln!(file, "[client]")?;
    if let Some(password) = &url.password {
        let escaped = password.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        writeln!(file, "password=\"{escaped}\"")?;
    }
    file.flush()?;
    Ok(file)
}

/// How the MySQL command-line tools reach a URL's server (the database name apart). MariaDB's
/// tools (`mariadb`, `mariadb-dump`) spell TLS `--skip-ssl`/`--ssl-verify-server-cert`, MySQL's
/// `--ssl-mode`.
fn mysql_client_args(url: &crate::dialect::mysql::MysqlUrl, mariadb_tool: bool) -> Vec<String> {
    use crate::dialect::mysql::SslMode;
    let mut args = vec![format!("--user={}", url.user.as_deref().unwrap_or("root"))];
    match &url.socket {
        Some(socket) => args.push(format!("--socket={socket}")),
        None => args.extend([format!("--host={}", url.host), format!("--port={}", url.port), "--protocol=TCP".into()]),
    }
    let tls = match (url.ssl_mode, mariadb_tool) {
        (SslMode::Disabled, true) => Some("--skip-ssl"),
        (SslMode::VerifyCa | SslMode::VerifyIdentity, true) => Some("--ssl-verify-server-cert"),
        (SslMode::Required, true) => Some("--ssl"),
        (SslMode::Preferred, _) => None,
        (SslMode::Disabled, false) => Some("--ssl-mode=DISABLED"),
        (SslMode::Required, false) => Some("--ssl-mode=REQUIRED"),
        (SslMode::VerifyCa, false) => Some("--ssl-mode=VERIFY_CA"),
        (SslMode::VerifyIdentity, false) => Some("--ssl-mode=VERIFY_IDENTITY"),
    };
    args.extend(tls.map(String::from));
    if let Some(ca) = &url.ssl_ca {
        args.push(format!("--ssl-ca={ca}"));
    }
    args
}

/// How libpq's command-line tools reach a PostgreSQL URL's database: `--host`, `--port`,
/// `--username`, `--dbname`, and the password apart (for `PGPASSWORD`, never an argument).
struct ClientArgs {
    args: Vec<String>,
    password: Option<String>,
}

impl ClientArgs {
    fn of(raw: &str) -> Result<ClientArgs, String> {
        let config: postgres::Config =
            crate::dialect::postgres::client_url(raw).parse().map_err(|e: postgres::Error| e.to_string())?;
        let mut args = Vec::new();
        if let Some(host) = config.get_hosts().first() {
            let host = match host {
                postgres::config::Host::Tcp(h) => h.clone(),
                postgres::config::Host::Unix(p) => p.display().to_string(),
            };
            args.extend(["--host".to_string(), host]);
        }
        if let Some(port) = config.get_ports().first() {
            args.extend(["--port".to_string(), port.to_string()]);
        }
        if let Some(user) = config.get_user() {
            args.extend(["--username".to_string(), user.to_string()]);
        }
        if let Some(db) = config.get_dbname() {
            args.extend(["--dbname".to_string(), db.to_string()]);
        }
        let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
        Ok(ClientArgs { args, password })
    }
}

/// A word for a shell command line, quoted when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    if plain && !word.is_empty() { word.to_string() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// Restores a SQLite backup over the configured database (PostgreSQL: the `pg_restore` command
/// to run, with the password masked).
pub fn restore(url: &DatabaseUrl, path: &Path) -> Result<(), BackupError> {
    let err = |message: String| BackupError::Restore { path: path.display().to_string(), message };
    match url {
        DatabaseUrl::Postgres(raw) => {
            let client = ClientArgs::of(raw).map_err(err)?;
            let mut words: Vec<String> = Vec::new();
            if client.password.is_some() {
                words.push("PGPASSWORD=***".into());
            }
            words.extend(["pg_restore", "--clean", "--if-exists"].map(String::from));
            words.extend(client.args.iter().map(|a| shell_word(a)));
            words.push(shell_word(&path.display().to_string()));
            Err(BackupError::PostgresRestore { command: words.join(" ") })
        }
        DatabaseUrl::Mysql(raw) => {
            let url = crate::dialect::mysql::MysqlUrl::parse(raw).map_err(err)?;
            let mut words: Vec<String> = vec!["mariadb".into()];
            if url.password.is_some() {
                words.push("--password".into()); // asks for it: never on the command line
            }
            words.extend(mysql_client_args(&url, true).iter().map(|a| shell_word(a)));
            words.push(shell_word(&url.database));
            words.push("<".into());
            words.push(shell_word(&path.display().to_string()));
            Err(BackupError::MysqlRestore { command: words.join(" ") })
        }
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
