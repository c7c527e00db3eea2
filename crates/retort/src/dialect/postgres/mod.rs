//! PostgreSQL: the main production target.

mod driver;

pub use driver::PostgresDriver;
