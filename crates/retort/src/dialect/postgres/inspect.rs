//! PostgreSQL inspection (being written).

use retort_schema::{Dialect, Schema};

use super::PostgresDriver;
use crate::inspect::{InspectError, InspectOptions};

/// Reads a PostgreSQL database into the model.
pub fn inspect(driver: &mut PostgresDriver, options: &InspectOptions) -> Result<Schema, InspectError> {
    let _ = (driver, options);
    Ok(Schema { dialect: Dialect::Postgres, ..Schema::default() })
}
