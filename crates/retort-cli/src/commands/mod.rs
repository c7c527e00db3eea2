//! One module per command (or family of commands); `run` dispatches.

mod compare;
mod current;
mod fleet;
mod import;
mod init;
mod inspect;
mod lint;
mod listing;
mod migrate;
mod pictures;
mod revision;
mod verify;

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::cli::{Cli, Command};
use crate::context::Context;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let ctx = Context { cwd, config: cli.config, url: cli.url, json: cli.json };
    match cli.command {
        Command::Init { dir } => init::run(&ctx, dir),
        Command::Revision(args) => revision::revision(&ctx, args),
        Command::Merge { revisions, message, branch_label, rev_id } => {
            revision::merge(&ctx, &revisions, &message, &branch_label, rev_id.as_deref())
        }
        Command::Upgrade(args) => migrate::upgrade(&ctx, args),
        Command::Downgrade(args) => migrate::downgrade(&ctx, args),
        Command::Stamp { revisions, purge, sql, fleet } => migrate::stamp(&ctx, &revisions, purge, sql, &fleet),
        Command::Current(args) => current::run(&ctx, args),
        Command::History(args) => listing::history(&ctx, args),
        Command::Heads(args) => listing::heads(&ctx, args),
        Command::Branches(args) => listing::branches(&ctx, args),
        Command::Show { rev } => listing::show(&ctx, &rev, ctx.json),
        Command::Check { fleet } if fleet.fleet => fleet::check(&ctx, &fleet),
        Command::Check { .. } => compare::check(&ctx, ctx.json),
        Command::Verify { dev_url, data } => verify::run(&ctx, ctx.json, dev_url.as_deref(), data),
        Command::Lint { revisions, fail_on } => lint::run(&ctx, revisions.as_deref(), ctx.json, fail_on),
        Command::Restore { path } => migrate::restore(&ctx, &path),
        Command::Import(crate::cli::ImportSource::Alembic { path, python, models }) => {
            import::alembic(&ctx, &path, python, models)
        }
        Command::Rehash => {
            let path = ctx.project_unchecked()?.rehash()?;
            if ctx.json {
                crate::output::print_json(&serde_json::json!({"written": display_path(&ctx, &path)}))?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("Wrote {}", display_path(&ctx, &path));
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { from, to, no_renames, format } => compare::diff(&ctx, &from, &to, !no_renames, format),
        Command::Inspect { format, tables, schemas, all_schemas, desired } => {
            let format = if ctx.json { crate::cli::SchemaFormat::Json } else { format };
            inspect::run(&ctx, inspect::Args { format, tables, schemas, all_schemas, desired })
        }
        Command::Graph { format, output, indicate_current } => {
            pictures::graph(&ctx, format, output.as_deref(), indicate_current)
        }
        Command::Completions { shell } => pictures::completions(shell),
        Command::Man => pictures::man(),
    }
}

/// A mistake in how a command was called (exit code 2, as for clap's own errors), as opposed to
/// a failure while doing what was asked (exit code 1).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Returns early with a [`UsageError`].
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err($crate::commands::UsageError(format!($($arg)*)).into())
    };
}
pub(crate) use usage;

/// Whether an error means the command line was wrong: a [`UsageError`], or a target that does
/// not parse.
pub fn is_usage_error(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<UsageError>().is_some()
            || matches!(
                cause.downcast_ref::<retort::target::TargetError>(),
                Some(retort::target::TargetError::Syntax { .. })
            )
    })
}

/// A path for display: relative to the working directory when it lies below it.
pub fn display_path(ctx: &Context, path: &std::path::Path) -> String {
    path.strip_prefix(&ctx.cwd).unwrap_or(path).display().to_string()
}
