//! `retort current`: where the database is.

use std::process::ExitCode;

use anyhow::Result;
use retort::driver::Access;
use retort::executor::Migrator;
use serde::Serialize;

use crate::cli::CurrentArgs;
use crate::context::Context;
use crate::output::{RevisionJson, current_line, json, print_json, verbose};

#[derive(Serialize)]
struct CurrentJson {
    database: String,
    current: Vec<String>,
    revisions: Vec<RevisionJson>,
    history: Vec<retort::executor::HistoryRow>,
    changed_files: Vec<retort::executor::Drift>,
    /// A step an earlier run left part-way, said as the next `upgrade` would.
    #[serde(skip_serializing_if = "Option::is_none")]
    part_way: Option<String>,
}

/// Prints the database's current revision(s); `-v` adds recent history and changed files.
pub fn run(ctx: &Context, args: CurrentArgs) -> Result<ExitCode> {
    if args.fleet.fleet {
        return super::fleet::current(ctx, &args.fleet);
    }
    let (project, url, driver) = ctx.project_and_connection(Access::ReadOnly)?;
    let tables = project.tables(url.dialect());
    let mut migrator = Migrator::new(&project.graph, driver, tables, project.run_options(args.strict));
    let rows = migrator.version_rows()?;
    let graph = &project.graph;
    // Without migration files (--url only) the rows are shown as they are.
    let (current, applied) = if project.config.path.is_none() { (Vec::new(), Vec::new()) } else { migrator.state()? };
    let history = if args.verbose || ctx.json { migrator.history(Some(10))? } else { Vec::new() };
    let drift = if applied.is_empty() { Vec::new() } else { migrator.drift(&applied)? };
    // A step left part-way is said by every command that shows where the database is.
    let part_way = if project.config.path.is_none() { None } else { migrator.part_way()?.map(|p| p.to_string()) };

    if ctx.json {
        print_json(&CurrentJson {
            database: url.to_string(),
            current: rows.clone(),
            revisions: current.iter().map(|&r| json(graph, r, Some(&current))).collect(),
            history,
            changed_files: drift.clone(),
            part_way,
        })?;
    } else {
        if args.verbose {
            println!("Current revision(s) for {url}:");
        }
        if rows.is_empty() {
            eprintln!("(no revision applied: the database is at <base>)");
        }
        if current.is_empty() {
            rows.iter().for_each(|r| println!("{r}"));
        }
        for &rev in &current {
            if args.verbose {
                println!("{}", verbose(graph, rev, &current));
            } else {
                println!("{}", current_line(graph, rev));
            }
        }
        if args.verbose && !history.is_empty() {
            println!("Recent steps (history table {}):", project.config.file.migrations.history_table);
            for h in &history {
                println!(
                    "  {}  {:<9}  {}  {} ms  by {}{}",
                    h.started_at.as_deref().unwrap_or("?"),
                    h.direction,
                    h.revision,
                    h.duration_ms.map_or("?".to_string(), |d| d.to_string()),
                    h.executed_by.as_deref().unwrap_or("?"),
                    h.db_user.as_deref().map(|u| format!(" (db user {u})")).unwrap_or_default(),
                );
                if let Some(status) = h.status.as_deref().filter(|s| *s != "done") {
                    println!("      {status} after {} statement(s)", h.statements_done.unwrap_or(0));
                }
            }
        }
        if !args.strict {
            for d in &drift {
                eprintln!("warning: {d}");
            }
        }
        if let Some(p) = &part_way {
            eprintln!("warning: {p}");
        }
    }
    if args.strict && !drift.is_empty() {
        let files: Vec<String> = drift.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "--strict: {} changed after {} applied:\n  {}\nRestore the applied text (e.g. from git), or write the change as a new revision",
            retort::text::count(drift.len(), "migration file"),
            if drift.len() == 1 { "it was" } else { "they were" },
            files.join("\n  ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
