//! The SQLite driver (rusqlite, bundled SQLite). Its lock is SQLite's own write lock: every step
//! runs in `BEGIN IMMEDIATE`, and waiting writers queue on the busy timeout.

use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use retort_schema::Schema;

use crate::dialect::Dialect;
use crate::driver::{Access, DbError, Driver};
use crate::inspect::{InspectError, InspectOptions};
use crate::url::SqliteLocation;

/// A connection to a SQLite database file (or memory).
pub struct SqliteDriver {
    conn: Connection,
}

pub(super) fn db_error(e: rusqlite::Error) -> DbError {
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(format!("{:?}", f.code)),
        _ => None,
    };
    DbError { message: e.to_string(), code, position: None, detail: None, hint: None }
}

impl SqliteDriver {
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
        Ok(SqliteDriver { conn })
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn lock(&mut self, _key: &str, _timeout: Duration, _waiting: &mut dyn FnMut(&str)) -> Result<bool, DbError> {
        Ok(false)
    }

    fn unlock(&mut self) -> Result<(), DbError> {
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

    fn table_exists(&mut self, name: &str) -> Result<bool, DbError> {
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
