//! MySQL and MariaDB: one driver for both servers (the differences are settings read from the
//! server, not separate code paths).

mod driver;
mod inspect;
mod scratch;

pub use driver::{MysqlDriver, MysqlUrl, SslMode};
pub(crate) use inspect::database_defaults;
pub use scratch::ScratchDatabase;

/// `[database] ddl_lock_wait` when unset: seconds a DDL statement waits for a metadata lock
/// (the session's `lock_wait_timeout`, a year by default on MySQL and a day on MariaDB).
pub const DEFAULT_DDL_LOCK_WAIT: u64 = 60;
