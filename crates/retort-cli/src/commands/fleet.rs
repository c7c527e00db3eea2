//! `--fleet` on `upgrade`, `downgrade`, `stamp`, `current` and `check`: the command on every
//! database or tenant schema of `[fleet]`, several at a time (`retort::fleet::run`). The report is
//! a table with a row per target as it finishes (on a terminal, under one progress bar across the
//! fleet), then the failures again and a summary; exit 1 when any target failed.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use retort::dialect::Dialect;
use retort::driver::Access;
use retort::executor::{Migrator, Silent};
use retort::fleet::{Outcome, Session, Target as FleetTarget, connection_budget, default_parallel, run, select};
use retort::graph::Rev;
use retort::plan::{Direction, plan};
use retort::project::Project;
use retort::target::{Resolver, Target};
use retort::text::{count, duration};
use serde::Serialize;

use crate::cli::FleetArgs;
use crate::context::Context;

/// What a command did to one target's version table.
#[derive(Serialize)]
struct Moved {
    from: Vec<String>,
    to: Vec<String>,
    steps: usize,
}

/// How one target compares with the desired schema.
#[derive(Serialize)]
struct Checked {
    at: Vec<String>,
    /// Revisions an upgrade to the heads would apply (the schema was not compared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pending: Vec<String>,
    /// The changes that would make it match.
    changes: Vec<String>,
}

impl Checked {
    /// Why the target does not pass `check`, when it does not.
    fn problem(&self) -> Option<String> {
        if !self.pending.is_empty() {
            return Some(format!(
                "not at head ({} pending: {})",
                count(self.pending.len(), "revision"),
                self.pending.join(", ")
            ));
        }
        if self.changes.is_empty() {
            return None;
        }
        let shown: Vec<&str> = self.changes.iter().take(3).map(String::as_str).collect();
        let more =
            if self.changes.len() > 3 { format!(", and {} more", self.changes.len() - 3) } else { String::new() };
        Some(format!("differs: {} ({}{more})", count(self.changes.len(), "change"), shown.join(", ")))
    }
}

#[derive(Serialize)]
struct TargetJson<'a, T: Serialize> {
    target: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    ms: f64,
}

/// The fleet's targets, narrowed by `--only`, `--exclude` and `--shard`, and how many run at once
/// (capped by the servers' connection budget, with a warning).
fn targets(project: &Project, args: &FleetArgs) -> Result<(Vec<FleetTarget>, usize)> {
    let all = retort::fleet::targets(&project.config)?;
    if all.is_empty() {
        bail!(
            "--fleet: [fleet] in {} lists no target: set urls, urls_file, urls_glob, databases_query or schemas_query (a glob or query that matches nothing gives none)",
            project.config.path.as_ref().map_or_else(|| "retort.toml".to_string(), |p| p.display().to_string())
        );
    }
    let mut chosen = select(all, &args.only, &args.exclude)?;
    if let Some(shard) = &args.shard {
        chosen.retain(|t| shard.holds(t));
    }
    let asked = args.parallel.or(project.config.file.fleet.parallel).unwrap_or_else(default_parallel).max(1);
    let mut parallel = asked;
    let wanted = asked.min(chosen.len());
    for budget in connection_budget(&chosen, project.lock_timeout()) {
        if wanted > budget.free {
            let run = budget.free.max(1);
            eprintln!(
                "warning: {wanted} at a time would open {wanted} connections on {}, which has room for {} ({}): running {run} at a time",
                budget.server, budget.free, budget.limit
            );
            parallel = parallel.min(run);
        }
    }
    Ok((chosen, parallel))
}

fn at(rows: &[String]) -> String {
    if rows.is_empty() { "<base>".to_string() } else { rows.join(", ") }
}

/// The first line of an error with its causes, as one line.
fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The report while the fleet runs: a header, then a row per target as it finishes, its columns
/// as wide as the fleet's longest target and the project's longest revision id.
struct Report {
    widths: Vec<usize>,
    bar: Option<ProgressBar>,
    json: bool,
    failed: usize,
}

impl Report {
    fn new(ctx: &Context, project: &Project, targets: &[FleetTarget], headers: &[&str]) -> Report {
        let target = targets.iter().map(|t| t.to_string().len()).max().unwrap_or(0).max(6);
        let revision = (0..project.graph.len()).map(|r| project.graph.id(r).len()).max().unwrap_or(0).max(6);
        let widths: Vec<usize> = headers
            .iter()
            .map(|h| match *h {
                "target" => target,
                "from" | "to" | "at" => revision,
                "time" => 8,
                other => other.len().max(5),
            })
            .collect();
        let bar = (!ctx.json && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(targets.len() as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} targets, {msg} {elapsed}, about {eta} left")
            {
                bar.set_style(style);
            }
            bar.set_message("0 failed,");
            bar
        });
        let report = Report { widths, bar, json: ctx.json, failed: 0 };
        if !ctx.json {
            let mut cells: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
            cells.push("status".into());
            report.line(&report.cells(&cells));
        }
        report
    }

    fn cells(&self, cells: &[String]) -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            match self.widths.get(i) {
                Some(w) => line.push_str(&format!("{cell:<w$}  ")),
                None => line.push_str(cell),
            }
        }
        line.trim_end().to_string()
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| println!("{text}")),
            None => println!("{text}"),
        }
    }

    /// One target's row: its cells, then its status (`FAILED: ...` for an error).
    fn row(&mut self, target: &str, cells: Vec<String>, status: Result<String, &str>) {
        if status.is_err() {
            self.failed += 1;
        }
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} failed,", self.failed));
            bar.inc(1);
        }
        if self.json {
            return;
        }
        let mut all = vec![target.to_string()];
        all.extend(cells);
        all.push(match status {
            Ok(s) => s,
            Err(e) => format!("FAILED: {e}"),
        });
        self.line(&self.cells(&all));
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Prints the outcomes as JSON, or the failures again and a one-line summary; the exit code.
/// `problem` says why a target that ran still fails the command (a `check` that found changes).
fn finish<T: Serialize>(
    ctx: &Context,
    outcomes: &[Outcome<T>],
    started: Instant,
    not_run: usize,
    problem: impl Fn(&T) -> Option<String>,
) -> Result<ExitCode> {
    let failures: Vec<(&Outcome<T>, String)> = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Ok(value) => problem(value).map(|p| (o, p)),
            Err(e) => Some((o, e.clone())),
        })
        .collect();
    if ctx.json {
        let targets: Vec<TargetJson<'_, T>> = outcomes
            .iter()
            .map(|o| {
                let problem = o.result.as_ref().ok().and_then(&problem);
                TargetJson {
                    target: &o.target,
                    status: match (&o.result, &problem) {
                        (Err(_), _) | (Ok(_), Some(_)) => "failed",
                        (Ok(_), None) => "ok",
                    },
                    result: o.result.as_ref().ok(),
                    error: o.result.as_ref().err().cloned().or(problem),
                    ms: o.elapsed.as_secs_f64() * 1000.0,
                }
            })
            .collect();
        crate::output::print_json(&serde_json::json!({
            "targets": targets,
            "ok": outcomes.len() - failures.len(),
            "failed": failures.len(),
            "not_run": not_run,
        }))?;
    } else {
        if !failures.is_empty() {
            println!("Failed:");
            for (o, why) in &failures {
                println!("  {}: {why}", o.target);
            }
        }
        let left = if not_run > 0 { format!(", {not_run} not run") } else { String::new() };
        println!(
            "Fleet: {} in {}: {} ok, {} failed{left}",
            count(outcomes.len() + not_run, "target"),
            duration(started.elapsed()),
            outcomes.len() - failures.len(),
            failures.len()
        );
    }
    Ok(if failures.is_empty() && not_run == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Runs `job` on the canaries (`--canary N`, the first N targets), then, when none failed, on
/// the rest; the outcomes and how many targets did not run.
fn with_canaries<T: Send>(
    targets: &[FleetTarget],
    parallel: usize,
    args: &FleetArgs,
    json: bool,
    job: impl Fn(&mut Session, &FleetTarget) -> Result<T, String> + Sync,
    mut show: impl FnMut(&Outcome<T>),
) -> (Vec<Outcome<T>>, usize) {
    let canaries = args.canary.unwrap_or(0).min(targets.len());
    let mut outcomes = run(&targets[..canaries], parallel, true, &job, &mut show);
    if outcomes.iter().any(|o| o.result.is_err()) {
        if !json {
            println!("A canary failed: the other {} were not run.", count(targets.len() - outcomes.len(), "target"));
        }
    } else {
        outcomes.extend(run(&targets[canaries..], parallel, args.fail_fast, &job, &mut show));
    }
    let left = targets.len() - outcomes.len();
    (outcomes, left)
}

/// The lint errors of one revision's upgrade, each as `file:line: CODE message`, found once per
/// fleet run and shared by its targets.
struct LintCache {
    found: Mutex<HashMap<Rev, Vec<String>>>,
}

impl LintCache {
    /// The errors in the steps an upgrade of this target would run: they stop it, as they stop
    /// `upgrade` on one database (`--force` runs anyway).
    fn refuse(
        &self,
        project: &Project,
        migrator: &mut Migrator<'_>,
        target: &Target,
        dialect: Dialect,
    ) -> Result<(), String> {
        let (current, applied) = migrator.state().map_err(one_line)?;
        let op = Resolver::new(&project.graph, &current, &applied).upgrade(target).map_err(one_line)?;
        let mut errors = Vec::new();
        for step in plan(&project.graph, &current, &op) {
            let mut found = self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let lines = found.entry(step.rev).or_insert_with(|| {
                retort::lint::lint_script(project.graph.script(step.rev), dialect)
                    .into_iter()
                    .filter(|f| f.severity == retort::lint::Severity::Error)
                    .map(|f| format!("{}:{}: {} {}", f.file, f.line, f.code, f.message))
                    .collect()
            });
            errors.extend(lines.iter().cloned());
        }
        if errors.is_empty() {
            return Ok(());
        }
        Err(format!(
            "lint found {} in the migrations about to run ({}); fix them, or run with --force",
            count(errors.len(), "error"),
            errors.join("; ")
        ))
    }
}

/// `upgrade --fleet` / `downgrade --fleet`; with `lint`, a target whose pending migrations have
/// lint errors is not migrated (it fails with them).
pub fn migrate(
    ctx: &Context,
    project: &Project,
    args: &FleetArgs,
    target: &Target,
    direction: Direction,
    strict: bool,
    lint: bool,
) -> Result<ExitCode> {
    let (targets, parallel) = targets(project, args)?;
    let started = Instant::now();
    let linted = LintCache { found: Mutex::new(HashMap::new()) };
    let job = |session: &mut Session, t: &FleetTarget| -> Result<Moved, String> {
        let driver = session.connect(t, Access::ReadWrite, project.lock_timeout()).map_err(one_line)?;
        let mut migrator =
            Migrator::new(&project.graph, driver, project.tables(t.url.dialect()), project.run_options(strict));
        if lint {
            linted.refuse(project, &mut migrator, target, t.url.dialect())?;
        }
        let from = migrator.version_rows().map_err(one_line)?;
        let report = match direction {
            Direction::Upgrade => migrator.upgrade(target, &mut Silent),
            Direction::Downgrade => migrator.downgrade(target, &mut Silent),
        }
        .map_err(one_line)?;
        let to = migrator.version_rows().map_err(one_line)?;
        Ok(Moved { from, to, steps: report.steps.len() })
    };
    let mut report = Report::new(ctx, project, &targets, &["target", "from", "to", "steps", "time"]);
    let show = |o: &Outcome<Moved>| match &o.result {
        Ok(m) => {
            let status = if m.steps == 0 { "up to date" } else { "ok" };
            let cells = vec![at(&m.from), at(&m.to), m.steps.to_string(), duration(o.elapsed)];
            report.row(&o.target, cells, Ok(status.into()))
        }
        Err(e) => report.row(&o.target, vec![String::new(), String::new(), String::new(), duration(o.elapsed)], Err(e)),
    };
    let (outcomes, left) = with_canaries(&targets, parallel, args, ctx.json, job, show);
    report.done();
    finish(ctx, &outcomes, started, left, |_| None)
}

/// `stamp --fleet`: the version table of every target set to the revisions.
pub fn stamp(
    ctx: &Context,
    project: &Project,
    args: &FleetArgs,
    revisions: &[Target],
    purge: bool,
) -> Result<ExitCode> {
    let (targets, parallel) = targets(project, args)?;
    let started = Instant::now();
    let job = |session: &mut Session, t: &FleetTarget| -> Result<Moved, String> {
        let driver = session.connect(t, Access::ReadWrite, project.lock_timeout()).map_err(one_line)?;
        let mut migrator =
            Migrator::new(&project.graph, driver, project.tables(t.url.dialect()), project.run_options(false));
        let from = migrator.version_rows().map_err(one_line)?;
        migrator.stamp(revisions, purge, &mut Silent).map_err(one_line)?;
        let to = migrator.version_rows().map_err(one_line)?;
        Ok(Moved { from, to, steps: 0 })
    };
    let mut report = Report::new(ctx, project, &targets, &["target", "from", "to", "time"]);
    let show = |o: &Outcome<Moved>| match &o.result {
        Ok(m) => report.row(&o.target, vec![at(&m.from), at(&m.to), duration(o.elapsed)], Ok("stamped".into())),
        Err(e) => report.row(&o.target, vec![String::new(), String::new(), duration(o.elapsed)], Err(e)),
    };
    let (outcomes, left) = with_canaries(&targets, parallel, args, ctx.json, job, show);
    report.done();
    finish(ctx, &outcomes, started, left, |_| None)
}

/// `check --fleet`: every target compared with the desired schema (a tenant schema with the
/// desired schema loaded into that schema); exit 1 when one differs, is behind, or fails.
pub fn check(ctx: &Context, args: &FleetArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let (targets, parallel) = targets(&project, args)?;
    let started = Instant::now();
    let job = |_: &mut Session, t: &FleetTarget| -> Result<Checked, String> {
        match retort::autogen::compare_in(&project, &t.url, t.schema.as_deref(), true, true) {
            Ok(c) => {
                let changes = c.generated.summary().iter().map(|c| c.summary()).collect();
                let at = project.graph.heads().iter().map(|&h| project.graph.id(h).to_string()).collect();
                Ok(Checked { at, pending: Vec::new(), changes })
            }
            Err(retort::autogen::AutogenError::NotUpToDate { current, pending, .. }) => {
                let at = if current == "<base>" { Vec::new() } else { vec![current] };
                Ok(Checked { at, pending, changes: Vec::new() })
            }
            Err(e) => Err(one_line(e)),
        }
    };
    let mut report = Report::new(ctx, &project, &targets, &["target", "at", "changes", "time"]);
    let show = |o: &Outcome<Checked>| match &o.result {
        Ok(c) => {
            let cells = vec![at(&c.at), c.changes.len().to_string(), duration(o.elapsed)];
            report.row(&o.target, cells, Ok(c.problem().unwrap_or_else(|| "matches".into())))
        }
        Err(e) => report.row(&o.target, vec![String::new(), String::new(), duration(o.elapsed)], Err(e)),
    };
    let (outcomes, left) = with_canaries(&targets, parallel, args, ctx.json, job, show);
    report.done();
    finish(ctx, &outcomes, started, left, Checked::problem)
}

/// `current --fleet`: how many targets are at each revision, and which are behind.
pub fn current(ctx: &Context, args: &FleetArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let (targets, parallel) = targets(&project, args)?;
    let started = Instant::now();
    let job = |session: &mut Session, t: &FleetTarget| -> Result<Vec<String>, String> {
        let driver = session.connect(t, Access::ReadOnly, project.lock_timeout()).map_err(one_line)?;
        let mut migrator =
            Migrator::new(&project.graph, driver, project.tables(t.url.dialect()), project.run_options(false));
        migrator.version_rows().map_err(one_line)
    };
    let outcomes = run(&targets, parallel, false, job, |_| {});
    if ctx.json {
        return finish(ctx, &outcomes, started, 0, |_| None);
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
        if *rev == heads.join(", ") {
            println!("{rev} (head): {}", count(targets.len(), "target"));
        } else {
            let shown: Vec<&str> = targets.iter().take(5).copied().collect();
            let more = if targets.len() > 5 { format!(" and {} more", targets.len() - 5) } else { String::new() };
            println!("{rev}: {} behind: {}{more}", count(targets.len(), "target"), shown.join(", "));
        }
    }
    finish(ctx, &outcomes, started, 0, |_| None)
}
