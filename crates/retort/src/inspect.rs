//! Inspection: reading a live database into the schema model (`retort-schema`), through the
//! driver of its dialect. This module holds what the dialects share: options and errors.

use crate::driver::DbError;

/// What to inspect.
#[derive(Debug, Clone, Default)]
pub struct InspectOptions {
    /// PostgreSQL schemas to read; empty means every user schema.
    pub schemas: Vec<String>,
    /// Tables to leave out (retort's own version and history tables).
    pub exclude_tables: Vec<String>,
}

/// Why a database could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// A catalog query failed.
    #[error("inspecting the database: {0}")]
    Db(#[from] DbError),
    /// An object the model cannot represent yet: never skipped silently.
    #[error("{object}: {what} is not supported by retort yet; remove it from the inspected schemas or file an issue")]
    Unsupported { object: String, what: String },
    /// Catalog output that could not be understood.
    #[error("{object}: cannot read its definition: {message}")]
    Malformed { object: String, message: String },
}
