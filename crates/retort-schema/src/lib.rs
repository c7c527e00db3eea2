//! The schema model shared by the inspectors (a live database) and the loader (desired DDL), and
//! its rendering as canonical DDL. Pure data: no database crate, no I/O.
//!
//! Both sides store what the server itself would print (type names as `format_type` prints them,
//! expressions as `pg_get_expr` prints them, ...), so equal schemas compare equal with `==`.

#![warn(missing_docs)]

pub mod change;
pub mod diagram;
pub mod diff;
pub mod model;
pub mod order;
pub mod render;
pub mod sample;

pub use model::*;
