//! `--fleet` on `upgrade`, `downgrade` and `current`: the command on every database of
//! `[fleet]`, several at a time (`retort::fleet::run`), a line per target as it finishes, then
//! the failures again and a summary; exit 1 when any target failed.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use retort::driver::{Access, connect};
use retort::executor::{Migrator, Silent};
use retort::fleet::{Outcome, default_parallel, run, select};
use retort::plan::Direction;
use retort::project::Project;
use retort::target::Target;
use retort::text::{count, duration};
use retort::url::DatabaseUrl;
use serde::Serialize;

use crate::cli::FleetArgs;
use crate::context::Context;

/// What a migration did to one target.
#[derive(Serialize)]
struct Moved {
    from: Vec<String>,
    to: Vec<String>,
    steps: usize,
}

#[derive(Serialize)]
struct TargetJson<'a, T: Serialize> {
    target: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    ms: f64,
}

/// The fleet's targets, narrowed by `--only`/`--exclude`, and how many run at once.
fn targets(project: &Project, args: &FleetArgs) -> Result<(Vec<DatabaseUrl>, usize)> {
    let all = retort::fleet::targets(&project.config)?;
    if all.is_empty() {
        bail!(
            "--fleet: [fleet] in {} lists no database: set urls, urls_file, urls_glob or databases_query",
            project.config.path.as_ref().map_or_else(|| "retort.toml".to_string(), |p| p.display().to_string())
        );
    }
    let mut chosen = select(all, &args.only, &args.exclude)?;
    if let Some(shard) = &args.shard {
        chosen.retain(|u| shard.holds(u));
    }
    let parallel = args.parallel.or(project.config.file.fleet.parallel).unwrap_or_else(default_parallel);
    Ok((chosen, parallel.max(1)))
}

fn at(rows: &[String]) -> String {
    if rows.is_empty() { "<base>".to_string() } else { rows.join(", ") }
}

/// Prints the outcomes as JSON, or the failures again and a one-line summary; the exit code.
fn finish<T: Serialize>(
    ctx: &Context,
    outcomes: &[Outcome<T>],
    started: Instant,
    fail_fast_left: usize,
) -> Result<ExitCode> {
    let failed: Vec<&Outcome<T>> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    if ctx.json {
        let targets: Vec<TargetJson<'_, T>> = outcomes
            .iter()
            .map(|o| TargetJson {
                target: &o.target,
                status: if o.result.is_ok() { "ok" } else { "failed" },
                result: o.result.as_ref().ok(),
                error: o.result.as_ref().err().map(String::as_str),
                ms: o.elapsed.as_secs_f64() * 1000.0,
            })
            .collect();
        crate::output::print_json(&serde_json::json!({
            "targets": targets,
            "ok": outcomes.len() - failed.len(),
            "failed": failed.len(),
            "not_run": fail_fast_left,
        }))?;
    } else {
        if !failed.is_empty() {
            println!("Failed:");
            for o in &failed {
                println!("  {}: {}", o.target, o.result.as_ref().err().map_or("", String::as_str));
            }
        }
        let not_run =
            if fail_fast_left > 0 { format!(", {} not run (--fail-fast)", fail_fast_left) } else { String::new() };
        println!(
            "Fleet: {} in {}: {} ok, {} failed{not_run}",
            count(outcomes.len() + fail_fast_left, "target"),
            duration(started.elapsed()),
            outcomes.len() - failed.len(),
            failed.len()
        );
    }
    Ok(if failed.is_empty() && fail_fast_left == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The first line of an error with its causes, as one line.
fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `upgrade --fleet` / `downgrade --fleet`.
pub fn migrate(
    ctx: &Context,
    project: &Project,
    args: &FleetArgs,
    target: &Target,
    direction: Direction,
    strict: bool,
) -> Result<ExitCode> {
    let (urls, parallel) = targets(project, args)?;
    let started = Instant::now();
    let job = |url: &DatabaseUrl| -> Result<Moved, String> {
        let driver = connect(url, Access::ReadWrite, project.lock_timeout()).map_err(one_line)?;
        let mut migrator =
            Migrator::new(&project.graph, driver, project.tables(url.dialect()), project.run_options(strict));
        let from = migrator.version_rows().map_err(one_line)?;
        let report = match direction {
            Direction::Upgrade => migrator.upgrade(target, &mut Silent),
            Direction::Downgrade => migrator.downgrade(target, &mut Silent),
        }
        .map_err(one_line)?;
        let to = migrator.version_rows().map_err(one_line)?;
        Ok(Moved { from, to, steps: report.steps.len() })
    };
    let json = ctx.json;
    let show = |o: &Outcome<Moved>| {
        if json {
            return;
        }
        let time = duration(o.elapsed);
        match &o.result {
            Ok(m) if m.steps == 0 => println!("ok      {}  at {} (nothing to do, {time})", o.target, at(&m.to)),
            Ok(m) => {
                println!("ok      {}  {} -> {} ({}, {time})", o.target, at(&m.from), at(&m.to), count(m.steps, "step"))
            }
            Err(e) => println!("FAILED  {}  {e}", o.target),
        }
    };
    // Canaries first: one failing stops everything.
    let canaries = args.canary.unwrap_or(0).min(urls.len());
    let mut outcomes = run(&urls[..canaries], parallel, true, job, show);
    if outcomes.iter().any(|o| o.result.is_err()) {
        if !json {
            println!("A canary failed: the other {} were not run.", count(urls.len() - outcomes.len(), "target"));
        }
    } else {
        outcomes.extend(run(&urls[canaries..], parallel, args.fail_fast, job, show));
    }
    let left = urls.len() - outcomes.len();
    finish(ctx, &outcomes, started, left)
}

/// `current --fleet`: how many targets are at each revision, and which are behind.
pub fn current(ctx: &Context, args: &FleetArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let (urls, parallel) = targets(&project, args)?;
    let started = Instant::now();
    let job = |url: &DatabaseUrl| -> Result<Vec<String>, String> {
        let driver = connect(url, Access::ReadOnly, project.lock_timeout()).map_err(one_line)?;
        let mut migrator =
            Migrator::new(&project.graph, driver, project.tables(url.dialect()), project.run_options(false));
        migrator.version_rows().map_err(one_line)
    };
    let outcomes = run(&urls, parallel, false, job, |_| {});
    if ctx.json {
        return finish(ctx, &outcomes, started, 0);
    }
    let heads: Vec<String> = project.graph.heads().iter().map(|&h| project.graph.id(h).to_string()).collect();
    let mut by_revision: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for o in &outcomes {
        if let Ok(rows) = &o.result {
            by_revision.entry(at(rows)).or_default().push(&o.target);
        }
    }
    // The head first, then the others by how many targets are there.
    let mut groups: Vec<(String, Vec<&str>)> = by_revision.into_iter().collect();
    groups.sort_by_key(|(rev, targets)| (*rev != heads.join(", "), std::cmp::Reverse(targets.len())));
    for (rev, targets) in &groups {
        let is_head = *rev == heads.join(", ");
        let mark = if is_head { " (head)" } else { "" };
        if is_head {
            println!("{rev}{mark}: {}", count(targets.len(), "target"));
        } else {
            let shown: Vec<&str> = targets.iter().take(5).copied().collect();
            let more = if targets.len() > 5 { format!(" and {} more", targets.len() - 5) } else { String::new() };
            println!("{rev}: {} behind: {}{more}", count(targets.len(), "target"), shown.join(", "));
        }
    }
    finish(ctx, &outcomes, started, 0)
}
