//! PostgreSQL: the main production target.

mod driver;
mod inspect;
mod scratch;

pub(crate) use driver::SSL_MODES;
pub use driver::{PostgresDriver, client_url};
pub(crate) use inspect::{SeqRow, identity_options, index_keys, parse_check, type_max, type_min};
pub use scratch::ScratchDatabase;
