//! SQLite: the embedded default.

mod driver;

pub use driver::SqliteDriver;
