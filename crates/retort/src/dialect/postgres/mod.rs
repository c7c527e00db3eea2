//! PostgreSQL: the main production target.

mod driver;
mod inspect;
mod scratch;

pub use driver::{PostgresDriver, client_url};
pub use scratch::ScratchDatabase;
