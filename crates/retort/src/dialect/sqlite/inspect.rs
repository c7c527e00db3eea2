//! SQLite inspection (being written).

use retort_schema::{Dialect, Schema};
use rusqlite::Connection;

use crate::inspect::{InspectError, InspectOptions};

/// Reads a SQLite database into the model.
pub fn inspect(conn: &Connection, options: &InspectOptions) -> Result<Schema, InspectError> {
    let _ = (conn, options);
    Ok(Schema { dialect: Dialect::Sqlite, ..Schema::default() })
}
