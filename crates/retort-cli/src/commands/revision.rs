//! `retort revision` and `retort merge`: new migration files.

use std::process::ExitCode;

use anyhow::Result;
use retort::autogen::compare;
use retort::revision::{NewRevision, create, merge as write_merge};
use retort::script::Script;

use crate::cli::RevisionArgs;
use crate::context::Context;

fn report(ctx: &Context, script: &Script) {
    let parents = if script.parents.is_empty() { "<base>".to_string() } else { script.parents.join(", ") };
    println!("Created {} (revision {}, revises {parents})", super::display_path(ctx, &script.path), script.revision);
}

/// `--json`: the file written and, for autogenerate, what it does.
fn report_json(
    ctx: &Context,
    script: Option<&Script>,
    generated: Option<&retort::autogen::Generated>,
) -> Result<ExitCode> {
    let list = |items: Vec<String>| serde_json::Value::from(items);
    let value = serde_json::json!({
        "created": script.map(|s| super::display_path(ctx, &s.path)),
        "revision": script.map(|s| s.revision.clone()),
        "parents": script.map(|s| s.parents.clone()),
        "changes": generated.map(|g| list(g.summary().iter().map(|c| c.summary()).collect())),
        "destructive": generated.map(|g| list(g.destructive())),
        "downgrade_fills": generated.map(|g| list(g.downgrade_fills())),
        "cautions": generated.map(|g| list(g.cautions())),
    });
    crate::output::print_json(&value)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a new, empty migration for the user to fill in.
pub fn revision(ctx: &Context, args: RevisionArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let mut new = NewRevision {
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
    if args.autogenerate {
        let url = ctx.database_url(&project)?;
        let comparison = compare(&project, &url, !args.no_renames, true)?;
        let generated = comparison.generated;
        if generated.is_empty() && !args.allow_empty {
            if ctx.json {
                return report_json(ctx, None, Some(&generated));
            }
            println!(
                "No changes in schema detected: the database matches the desired schema; nothing was written (--allow-empty writes an empty revision)."
            );
            return Ok(ExitCode::SUCCESS);
        }
        new.upgrade = generated.upgrade_sql.clone();
        new.downgrade = generated.downgrade_sql.clone();
        let script = create(&project, &new)?;
        if ctx.json {
            return report_json(ctx, Some(&script), Some(&generated));
        }
        report(ctx, &script);
        for change in generated.summary() {
            anstream::println!("  {}", crate::output::change_line(&change.summary()));
        }
        let destructive = generated.destructive();
        if !destructive.is_empty() {
            println!("Destructive steps (marked WARNING in the file): review before applying:");
            for d in destructive {
                println!("  ! {d}");
            }
        }
        let undone = generated.downgrade_fills();
        if !undone.is_empty() {
            println!("The downgrade cannot restore everything (marked WARNING in the file):");
            for d in undone {
                println!("  ! {d}");
            }
        }
        let cautions = generated.cautions();
        if !cautions.is_empty() {
            println!("Steps that fail on some data (marked CAUTION in the file): check the rows first:");
            for c in cautions {
                println!("  ! {c}");
            }
        }
        println!("Review the file, then run `retort upgrade head`.");
        return Ok(ExitCode::SUCCESS);
    }
    let script = create(&project, &new)?;
    if ctx.json {
        return report_json(ctx, Some(&script), None);
    }
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
    if ctx.json {
        return report_json(ctx, Some(&script), None);
    }
    report(ctx, &script);
    Ok(ExitCode::SUCCESS)
}
