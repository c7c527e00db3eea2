//! SQLite DDL (being written).

use crate::model::Schema;

/// The schema as SQLite DDL.
pub fn ddl(schema: &Schema) -> String {
    let _ = schema;
    String::new()
}
