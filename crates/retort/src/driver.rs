//! The driver trait: the few things the executor needs from a database. One implementation per
//! dialect (see `dialect/`); inspection for autogenerate joins here later.

use std::time::Duration;

use retort_schema::Schema;

use crate::dialect::Dialect;
use crate::inspect::{InspectError, InspectOptions};
use crate::url::{DatabaseUrl, SqliteLocation, mask_password};

/// An error reported by the database, with what the server said.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}{}{}", detail.as_ref().map(|d| format!("\nDETAIL: {d}")).unwrap_or_default(), hint.as_ref().map(|h| format!("\nHINT: {h}")).unwrap_or_default())]
pub struct DbError {
    /// The primary message.
    pub message: String,
    /// The SQLSTATE or SQLite error code, when known.
    pub code: Option<String>,
    /// 1-based character position of the error in the statement, when the server reports it.
    pub position: Option<usize>,
    /// The server's DETAIL line.
    pub detail: Option<String>,
    /// The server's HINT line.
    pub hint: Option<String>,
}

impl DbError {
    /// An error with only a message.
    pub fn msg(message: impl Into<String>) -> Self {
        DbError { message: message.into(), code: None, position: None, detail: None, hint: None }
    }
}

/// A transaction asked for with [`Driver::begin`] and not sent yet: it travels with the next
/// statement (one round trip less per step), and a commit or rollback of a transaction in which
/// nothing ran sends nothing.
#[derive(Debug, Default)]
pub(crate) struct DeferredBegin(bool);

impl DeferredBegin {
    /// Records a `begin`; an error when one is already pending.
    pub(crate) fn open(&mut self) -> Result<(), DbError> {
        if self.0 {
            return Err(DbError::msg("a transaction is already open"));
        }
        self.0 = true;
        Ok(())
    }

    /// Whether a `begin` is pending, clearing it: the caller sends it now, or drops the empty
    /// transaction.
    pub(crate) fn take(&mut self) -> bool {
        std::mem::take(&mut self.0)
    }
}

/// A connection a driver opened itself, or one the application lent it for the run (see
/// [`crate::migrations::Database`]).
pub(crate) enum Held<'c, T> {
    /// Opened by the driver, closed with it.
    Owned(T),
    /// The application's own, given back when the driver is dropped.
    Lent(&'c mut T),
}

impl<T> std::ops::Deref for Held<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Held::Owned(t) => t,
            Held::Lent(t) => t,
        }
    }
}

impl<T> std::ops::DerefMut for Held<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match self {
            Held::Owned(t) => t,
            Held::Lent(t) => t,
        }
    }
}

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server refused the credentials.
    #[error(
        "authentication failed connecting to {url}: {message}; check the user and password in the URL (or PGPASSWORD / MYSQL_PWD)"
    )]
    Auth {
        /// The database, with the password masked.
        url: String,
        /// What the server said, with any password masked.
        message: String,
    },
    /// The server could not be reached or the database could not be opened.
    #[error("cannot connect to {url}: {message}{hint}")]
    Unreachable {
        /// The database, with the password masked.
        url: String,
        /// What the driver reported, with any password masked.
        message: String,
        /// What to check next, starting with `; `, or empty.
        hint: String,
    },
    /// The schema a target names (a tenant's) cannot be used.
    #[error("{url}: schema {schema:?}: {message}")]
    Schema {
        /// The database, with the password masked.
        url: String,
        /// The schema.
        schema: String,
        /// What is wrong and what to do.
        message: String,
    },
}

/// How a command will use the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads: a missing SQLite file reads as an empty database and is not created.
    ReadOnly,
    /// Reads and writes.
    ReadWrite,
}

/// What the executor needs from a database connection.
pub trait Driver {
    /// The dialect of this connection.
    fn dialect(&self) -> Dialect;

    /// Takes the migration lock for the whole run, waiting up to `timeout`; `waiting` is called
    /// once if the lock is held by someone else. Drivers whose lock is the write transaction
    /// itself (SQLite) return `false`: the executor then re-reads the version rows in every step.
    fn lock(&mut self, key: &str, timeout: Duration, waiting: &mut dyn FnMut(&str)) -> Result<bool, DbError>;

    /// Releases the lock taken by [`Driver::lock`].
    fn unlock(&mut self) -> Result<(), DbError>;

    /// Starts a write transaction (SQLite takes its write lock here, waiting up to the busy timeout).
    fn begin(&mut self) -> Result<(), DbError>;

    /// Commits the transaction.
    fn commit(&mut self) -> Result<(), DbError>;

    /// Rolls the transaction back.
    fn rollback(&mut self) -> Result<(), DbError>;

    /// Runs SQL that returns no rows the caller needs (one statement, or several for retort's own).
    fn execute(&mut self, sql: &str) -> Result<(), DbError>;

    /// Runs a query and returns each row's columns as text.
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError>;

    /// Whether a table exists, in `schema` or else where unqualified names resolve.
    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError>;

    /// The schema unqualified names are created in right now (`None` where there are no schemas).
    fn default_schema(&mut self) -> Option<String> {
        None
    }

    /// Bounds how long a statement of a migration waits for a lock another session holds
    /// (`[database] ddl_lock_wait`): MySQL's `lock_wait_timeout` (60 s when unset), PostgreSQL's
    /// `lock_timeout` (only when set). SQLite waits on its busy timeout instead.
    fn set_ddl_lock_wait(&mut self, _wait: Option<Duration>) -> Result<(), DbError> {
        Ok(())
    }

    /// Reads the live schema into the model.
    fn inspect(&mut self, options: &InspectOptions) -> Result<Schema, InspectError>;
}

/// Connects as [`connect`] does and, given a schema (PostgreSQL, a schema per tenant), sets the
/// session's `search_path` to that schema alone: the migrations' unqualified names go there, and
/// retort's version and history tables live there (the executor takes `current_schema()`).
pub fn connect_in(
    url: &DatabaseUrl,
    schema: Option<&str>,
    access: Access,
    busy_timeout: Duration,
) -> Result<Box<dyn Driver>, ConnectError> {
    let mut driver = connect(url, access, busy_timeout)?;
    if let Some(schema) = schema {
        enter_schema(driver.as_mut(), url, schema)?;
    }
    Ok(driver)
}

/// Sets the connection's `search_path` to `schema` alone (PostgreSQL), refusing a schema that
/// does not exist (the executor would find no schema for its own tables).
pub fn enter_schema(driver: &mut dyn Driver, url: &DatabaseUrl, schema: &str) -> Result<(), ConnectError> {
    let failed = |message: String| ConnectError::Schema { url: url.to_string(), schema: schema.to_string(), message };
    if url.dialect() != Dialect::Postgres {
        return Err(failed(
            "a schema per tenant is a PostgreSQL layout (on MySQL a schema is a database: list the databases instead)"
                .into(),
        ));
    }
    let pg = Dialect::Postgres;
    driver.execute(&format!("SET search_path TO {}", pg.quote_ident(schema))).map_err(|e| failed(e.to_string()))?;
    // A search_path naming a missing schema is accepted, and would put retort's tables nowhere.
    if driver.default_schema().as_deref() != Some(schema) {
        return Err(failed("it does not exist: create it (CREATE SCHEMA) or leave it out of the fleet".into()));
    }
    Ok(())
}

/// Opens a PostgreSQL connection, its errors said as [`connect`] says them.
pub fn connect_postgres(
    url: &DatabaseUrl,
    raw: &str,
) -> Result<crate::dialect::postgres::PostgresDriver<'static>, ConnectError> {
    crate::dialect::postgres::PostgresDriver::connect(raw).map_err(|e| {
        let message = mask_password(&e.message);
        if matches!(e.code.as_deref(), Some("28P01" | "28000")) {
            ConnectError::Auth { url: url.to_string(), message }
        } else {
            let hint = if message.contains("refused") || message.contains("error connecting") {
                "; is the server running and accepting TCP connections on that host and port?".to_string()
            } else if e.code.as_deref() == Some("3D000") {
                "; create it first (createdb) or fix the database name in the URL".to_string()
            } else {
                String::new()
            };
            ConnectError::Unreachable { url: url.to_string(), message, hint }
        }
    })
}

/// Opens a connection to `url`. `busy_timeout` bounds SQLite's wait for its write lock.
pub fn connect(url: &DatabaseUrl, access: Access, busy_timeout: Duration) -> Result<Box<dyn Driver>, ConnectError> {
    match url {
        DatabaseUrl::Sqlite(location) => {
            let driver = crate::dialect::sqlite::SqliteDriver::open(location, access, busy_timeout).map_err(|e| {
                let hint = match location {
                    SqliteLocation::File(p) if p.parent().is_some_and(|d| !d.as_os_str().is_empty() && !d.exists()) => {
                        format!(
                            "; the folder {} does not exist",
                            p.parent().map(|d| d.display().to_string()).unwrap_or_default()
                        )
                    }
                    _ => String::new(),
                };
                ConnectError::Unreachable { url: url.to_string(), message: e.message, hint }
            })?;
            Ok(Box::new(driver))
        }
        DatabaseUrl::Postgres(raw) => Ok(Box::new(connect_postgres(url, raw)?)),
        DatabaseUrl::Mysql(raw) => {
            let driver = crate::dialect::mysql::MysqlDriver::connect(raw).map_err(|e| {
                let message = mask_password(&e.message);
                match e.code.as_deref() {
                    Some("1045" | "1698") => ConnectError::Auth { url: url.to_string(), message },
                    code => {
                        let hint = if code == Some("1049") {
                            "; create it first (CREATE DATABASE) or fix the database name in the URL".to_string()
                        } else if message.contains("refused") || message.contains("Could not connect") {
                            "; is the server running and accepting TCP connections on that host and port?".to_string()
                        } else {
                            e.hint.map(|h| format!("; {h}")).unwrap_or_default()
                        };
                        ConnectError::Unreachable { url: url.to_string(), message, hint }
                    }
                }
            })?;
            Ok(Box::new(driver))
        }
    }
}
