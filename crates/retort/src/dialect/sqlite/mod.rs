//! SQLite: the embedded default.

mod driver;
mod inspect;

pub use driver::SqliteDriver;
