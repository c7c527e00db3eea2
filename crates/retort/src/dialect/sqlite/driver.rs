//! The SQLite driver (rusqlite, bundled SQLite). A run is serialized by an advisory lock on a
//! `<database>.retort-lock` file beside the database (so that even `Transaction: false` steps are
//! never run twice), and every step takes SQLite's write lock with `BEGIN IMMEDIATE`, waiting on
//! the busy timeout. Foreign-key enforcement is off, as in the `sqlite3` shell and in Alembic, so
//! online runs and `--sql` scripts behave alike and table rebuilds do not cascade.

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use retort_schema::Schema;

use crate::dialect::Dialect;
use crate::driver::{Access, DbError, Driver, Held};
use crate::inspect::{InspectError, InspectOptions};
use crate::url::SqliteLocation;

/// A connection to a SQLite database file (or memory).
pub struct SqliteDriver<'c> {
    conn: Held<'c, Connection>,
    /// A lent connection's `foreign_keys` setting, put back when the driver is dropped.
    restore_foreign_keys: Option<bool>,
    lock_path: Option<PathBuf>,
    lock: Option<File>,
}

pub(super) fn db_error(e: rusqlite::Error) -> DbError {
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(format!("{:?}", f.code)),
        _ => None,
    };
    // A syntax error's text repeats the whole statement ("... in <sql> at offset N"); the
    // executor prints the statement itself, so keep only the message.
    let message = match &e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        _ => e.to_string(),
    };
    DbError { message, code, position: None, detail: None, hint: None }
}

impl SqliteDriver<'_> {
    /// Opens the database; a read-only open of a missing file gives an empty in-memory database
    /// (which is what SQLite would create) rather than creating the file.
    pub fn open(location: &SqliteLocation, access: Access, busy_timeout: Duration) -> Result<Self, DbError> {
        let conn = match (location, access) {
            (SqliteLocation::Memory, _) => Connection::open_in_memory(),
            (SqliteLocation::File(path), Access::ReadOnly) if !path.exists() => Connection::open_in_memory(),
            (SqliteLocation::File(path), Access::ReadOnly) => Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            ),
            (SqliteLocation::File(path), Access::ReadWrite) => Connection::open(path),
        }
        .map_err(db_error)?;
        conn.busy_timeout(busy_timeout).map_err(db_error)?;
        conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(db_error)?;
        let lock_path = match location {
            SqliteLocation::File(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(".retort-lock");
                Some(PathBuf::from(name))
            }
            SqliteLocation::Memory => None,
        };
        Ok(SqliteDriver { conn: Held::Owned(conn), restore_foreign_keys: None, lock_path, lock: None })
    }
}

impl<'c> SqliteDriver<'c> {
    /// Runs on the application's own connection (its busy timeout is kept; its `foreign_keys`
    /// setting is turned off for the run, as table rebuilds need, and put back afterwards).
    pub fn lent(conn: &'c mut Connection) -> Result<Self, DbError> {
        let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).map_err(db_error)?;
        conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(db_error)?;
        let lock_path = conn.path().filter(|p| !p.is_empty()).map(|p| PathBuf::from(format!("{p}.retort-lock")));
        Ok(SqliteDriver { conn: Held::Lent(conn), restore_foreign_keys: Some(foreign_keys), lock_path, lock: None })
    }
}

impl Drop for SqliteDriver<'_> {
    fn drop(&mut self) {
        if self.restore_foreign_keys == Some(true) {
            let _ = self.conn.execute_batch("PRAGMA foreign_keys = ON");
        }
    }
}

impl Driver for SqliteDriver<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn lock(&mut self, _key: &str, timeout: Duration, waiting: &mut dyn FnMut(&str)) -> Result<bool, DbError> {
        let Some(path) = &self.lock_path else { return Ok(true) }; // a private in-memory database
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| DbError::msg(format!("cannot open the lock file {}: {e}", path.display())))?;
        let started = Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    self.lock = Some(file);
                    return Ok(true);
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !told {
                        waiting(&format!("another retort process (lock file {})", path.display()));
                        told = true;
                    }
                    if started.elapsed() >= timeout {
                        return Err(DbError {
                            hint: Some("another retort run holds the migration lock; wait for it to finish, or raise [database] lock_timeout".into()),
                            ..DbError::msg(format!("timed out after {} s waiting for the migration lock {}", timeout.as_secs(), path.display()))
                        });
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(DbError::msg(format!("cannot lock {}: {e}", path.display())));
                }
            }
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        if let Some(file) = self.lock.take() {
            file.unlock().map_err(|e| DbError::msg(format!("cannot release the migration lock: {e}")))?;
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| {
            let mut err = db_error(e);
            if err.code.as_deref() == Some("DatabaseBusy") {
                err.hint = Some(
                    "another process holds the database's write lock; raise [database] lock_timeout or retry".into(),
                );
            }
            err
        })
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("COMMIT").map_err(db_error)
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn.execute_batch("ROLLBACK").map_err(db_error)
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(db_error)
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(db_error)?;
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                (0..columns)
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => None,
                            rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
                            rusqlite::types::ValueRef::Real(f) => Some(f.to_string()),
                            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                                Some(String::from_utf8_lossy(t).into_owned())
                            }
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn table_exists(&mut self, _schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n > 0)
            .map_err(db_error)
    }

    fn inspect(&mut self, options: &InspectOptions) -> Result<Schema, InspectError> {
        super::inspect::inspect(&self.conn, options)
    }
}
