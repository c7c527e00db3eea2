//! `retort revision` and `retort merge`: new migration files.

use std::process::ExitCode;

use anyhow::Result;
use retort::revision::{NewRevision, create, merge as write_merge};
use retort::script::Script;

use crate::cli::RevisionArgs;
use crate::context::Context;

fn report(ctx: &Context, script: &Script) {
    let parents = if script.parents.is_empty() { "<base>".to_string() } else { script.parents.join(", ") };
    println!("Created {} (revision {}, revises {parents})", super::display_path(ctx, &script.path), script.revision);
}

/// Writes a new, empty migration for the user to fill in.
pub fn revision(ctx: &Context, args: RevisionArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let new = NewRevision {
        message: args.message,
        head: args.head,
        splice: args.splice,
        branch_labels: args.branch_label,
        depends_on: args.depends_on,
        rev_id: args.rev_id,
        upgrade: String::new(),
        downgrade: String::new(),
        non_transactional: args.no_transaction,
    };
    let script = create(&project, &new)?;
    report(ctx, &script);
    Ok(ExitCode::SUCCESS)
}

/// Writes a merge revision.
pub fn merge(
    ctx: &Context,
    revisions: &[String],
    message: &str,
    labels: &[String],
    rev_id: Option<&str>,
) -> Result<ExitCode> {
    let project = ctx.project()?;
    let script = write_merge(&project, revisions, message, labels, rev_id)?;
    report(ctx, &script);
    Ok(ExitCode::SUCCESS)
}
