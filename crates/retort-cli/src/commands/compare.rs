//! `retort check` and `retort diff`: the database against the desired schema.

use std::process::ExitCode;

use anyhow::Result;
use retort::autogen::{AutogenError, Side, compare, generate, read_side};
use retort::project::Project;
use retort::text::count;
use retort::url::DatabaseUrl;
use serde::Serialize;

use crate::context::Context;
use crate::output::print_json;

#[derive(Default, Serialize)]
struct CheckJson {
    matches: bool,
    /// Revisions not yet applied (the schemas are compared only when there are none).
    pending: Vec<String>,
    changes: Vec<String>,
    /// The same changes as fields (action, kind, object, table, column, from, to).
    details: Vec<retort_schema::change::ChangeFacts>,
    destructive: Vec<String>,
    cautions: Vec<String>,
}

/// Exits 1 when the database is not at head (naming the pending revisions, as `alembic check`
/// does), or when it differs from the desired schema.
pub fn check(ctx: &Context, json: bool) -> Result<ExitCode> {
    let project = ctx.project()?;
    let url = ctx.database_url(&project)?;
    let generated = match compare(&project, &url, true, true) {
        Ok(comparison) => comparison.generated,
        Err(AutogenError::NotUpToDate { current, pending, .. }) => {
            if json {
                print_json(&CheckJson { matches: false, pending, ..CheckJson::default() })?;
            } else {
                println!(
                    "The database is not at head (it is at {current}; {} pending: {}).",
                    count(pending.len(), "revision"),
                    pending.join(", ")
                );
                println!("Run `retort upgrade head`, then check again.");
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let changes: Vec<String> = generated.summary().iter().map(|c| c.summary()).collect();
    if json {
        print_json(&CheckJson {
            matches: changes.is_empty(),
            pending: Vec::new(),
            changes: changes.clone(),
            details: generated.summary().iter().map(|c| c.facts()).collect(),
            destructive: generated.destructive(),
            cautions: generated.cautions(),
        })?;
    } else if changes.is_empty() {
        println!("No differences: the database matches the desired schema.");
    } else {
        println!("The database differs from the desired schema ({} needed):", count(changes.len(), "change"));
        for c in &changes {
            anstream::println!("  {}", crate::output::change_line(c));
        }
        println!("Run `retort revision --autogenerate -m \"...\"` to write the migration.");
    }
    Ok(if changes.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn side(ctx: &Context, project: &Project, text: &str) -> Result<Side> {
    Ok(match text {
        "database" => Side::Database(ctx.database_url(project)?),
        "schema" => Side::Desired,
        url => Side::Database(DatabaseUrl::parse(url, &ctx.cwd)?),
    })
}

/// Prints the SQL turning `from` into `to`. Two URLs need no project (like `current` and
/// `inspect`); the two sides are read at the same time.
pub fn diff(
    ctx: &Context,
    from: &str,
    to: &str,
    detect_renames: bool,
    format: crate::cli::DiffFormat,
) -> Result<ExitCode> {
    let is_url = |side: &str| side.contains(':');
    let project = if is_url(from) && is_url(to) { ctx.config_or_nothing()? } else { ctx.config_only()? };
    let (from_side, to_side) = (side(ctx, &project, from)?, side(ctx, &project, to)?);
    // The desired schema is built on the server of whichever side is a database.
    let url = match (&from_side, &to_side) {
        (Side::Database(u), _) | (_, Side::Database(u)) => u.clone(),
        _ => ctx.database_url(&project)?,
    };
    let (a, b) = std::thread::scope(|scope| {
        let reading = scope.spawn(|| read_side(&project, &from_side, &url));
        let b = read_side(&project, &to_side, &url);
        (reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), b)
    });
    let ((a, hints_a), (b, hints_b)) = (a?, b?);
    if format == crate::cli::DiffFormat::Mermaid {
        if ctx.json {
            super::usage!("--format mermaid prints a diagram; --json prints the SQL and the changes");
        }
        print!("{}", retort_schema::diagram::mermaid_diff(&a, &b));
        return Ok(ExitCode::SUCCESS);
    }
    let hints = if hints_b.tables.is_empty() && hints_b.columns.is_empty() { hints_a } else { hints_b };
    let generated = generate(&a, &b, &hints, detect_renames);
    if ctx.json {
        let changes: Vec<String> = generated.summary().iter().map(|c| c.summary()).collect();
        crate::output::print_json(&serde_json::json!({"sql": generated.upgrade_sql, "changes": changes}))?;
        return Ok(ExitCode::SUCCESS);
    }
    if generated.is_empty() {
        eprintln!("No differences.");
    } else {
        print!("{}", generated.upgrade_sql);
    }
    Ok(ExitCode::SUCCESS)
}
