//! PostgreSQL: the main production target.

mod driver;
mod inspect;

pub use driver::PostgresDriver;
