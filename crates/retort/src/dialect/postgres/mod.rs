//! PostgreSQL: the main production target.

mod driver;
mod inspect;
mod scratch;

pub use driver::PostgresDriver;
pub use scratch::ScratchDatabase;
