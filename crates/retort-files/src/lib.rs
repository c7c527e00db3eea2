//! retort's migration files, apart from everything that talks to a database: a file's header and
//! sections ([`script`]), the revision graph they form ([`graph`]), the sum file that records its
//! shape ([`sum`]), a whole folder read and checked at once ([`folder`]), and the build-script
//! helper that keeps `retort::embed_migrations!` fresh ([`build`]).
//!
//! `retort` re-exports all of it; the `embed_migrations!` macro (crate `retort-macros`) runs it
//! at compile time, so a broken folder fails the build with the message `retort upgrade` would
//! print.

#![warn(missing_docs)]

pub mod build;
pub mod folder;
pub mod graph;
pub mod script;
pub mod sum;
