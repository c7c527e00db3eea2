//! retort: database schema migrations with Alembic's revision graph, for SQLite, PostgreSQL and
//! MySQL/MariaDB.
//!
//! The pieces, in the order a command uses them: [`config`] finds `retort.toml`; [`script`] reads
//! migration files; [`graph`] builds the revision graph; [`target`] resolves what the user asked
//! for; [`plan`] orders the steps; [`executor`] runs them through a [`driver::Driver`], or renders
//! them as SQL for `--sql`; [`inspect`] reads a live schema into the `retort-schema` model and [`load`] builds the desired
//! one from DDL files. [`project`] ties config and files together, [`revision`] writes new files.
//!
//! An application runs its migrations through [`Migrations`]: read a folder once, then
//! `upgrade`, `downgrade`, `current`, `pending`, `history` and `check_applied` against a database
//! URL or a connection it holds ([`migrations::Database`]), with the CLI's executor (run lock,
//! per-step transactions, history table):
//!
//! ```no_run
//! let migrations = retort::Migrations::from_dir("migrations")?;
//! let report = migrations.upgrade("sqlite:app.db", "head")?;
//! println!("{report}");
//! # Ok::<(), retort::migrations::Error>(())
//! ```
//!
//! Or it carries them in its binary: [`embed_migrations!`] checks the folder when the
//! application compiles and gives an [`Embedded`] with the same API (the crate's `build.rs`
//! calls [`build::watch`] so a new file is picked up; `examples/embedded` in the repository is a
//! whole application doing this):
//!
//! ```ignore
//! static MIGRATIONS: retort::Embedded = retort::embed_migrations!("migrations");
//!
//! fn main() -> Result<(), retort::migrations::Error> {
//!     println!("{}", MIGRATIONS.upgrade("sqlite:app.db", "head")?);
//!     Ok(())
//! }
//! ```

#![warn(missing_docs)]

pub mod autogen;
pub mod backup;
pub mod config;
pub mod diagram;
pub mod dialect;
pub mod driver;
pub mod executor;
pub mod fleet;
pub mod import;
pub mod inspect;
pub mod lint;
pub mod load;
pub mod migrations;
pub mod plan;
pub mod project;
pub mod python;
pub mod revision;
pub mod statements;
pub mod target;
pub mod text;
pub mod url;
pub mod verify;

pub use migrations::{Embedded, Migrations, Report};
pub use retort_files::{build, folder, graph, script, sum};
/// Embeds a migrations folder in the binary: `static MIGRATIONS: retort::Embedded =
/// retort::embed_migrations!("migrations");` (the folder relative to `Cargo.toml`; the crate's
/// `build.rs` calls [`build::watch`] for it). A broken folder fails the build with retort's own
/// message, file and line.
pub use retort_macros::embed_migrations;
