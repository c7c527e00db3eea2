//! PostgreSQL: the main production target.

mod driver;
mod inspect;
mod scratch;

pub use driver::{PostgresDriver, client_url};
pub(crate) use inspect::{index_keys, parse_check, type_max};
pub use scratch::ScratchDatabase;
