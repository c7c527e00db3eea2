//! `retort lint`: findings on the migrations about to run (or the ones named).

use std::process::ExitCode;

use anyhow::Result;
use retort::driver::Access;
use retort::executor::Migrator;
use retort::graph::Rev;
use retort::lint::{Finding, Severity, lint_in_order, lint_in_order_live, weigh};
use retort::plan::{Direction, plan};
use retort::project::Project;
use retort::target::{Operation, Resolver, Target, parse_range};
use retort::text::count;

use crate::cli::FailOn;
use crate::context::Context;
use crate::output::print_json;

/// The revisions to lint: a range, one revision, or those not yet applied.
fn selected(ctx: &Context, project: &Project, text: Option<&str>) -> Result<Vec<Rev>> {
    let graph = &project.graph;
    let none = vec![false; graph.len()];
    let resolver = Resolver::new(graph, &[], &none);
    Ok(match text {
        Some(t) if t.contains(':') => {
            let (from, to) = parse_range(t)?;
            // `base:` (or nothing before the colon) is the start of the graph: no lower bound.
            let lower = match from {
                Some(f) if f.anchor != retort::target::Anchor::Base || f.offset != 0 => {
                    Some(graph.descendants_closure(&resolver.points(&f)?))
                }
                _ => None,
            };
            let upper = match to {
                Some(t) => graph.ancestors_closure(&resolver.points(&t)?),
                None => vec![true; graph.len()],
            };
            graph.topological().iter().copied().filter(|&r| upper[r] && lower.as_ref().is_none_or(|l| l[r])).collect()
        }
        Some(t) => resolver.points(&Target::parse(t)?)?,
        None => {
            let (url, driver) = ctx.connect(project, Access::ReadOnly)?;
            let mut migrator = Migrator::new(graph, driver, project.tables(url.dialect()), project.run_options(false));
            let (current, _) = migrator.state()?;
            plan(graph, &current, &Operation::Upgrade(graph.heads()))
                .into_iter()
                .filter(|s| s.direction == Direction::Upgrade)
                .map(|s| s.rev)
                .collect()
        }
    })
}

/// The findings on the given revisions, weighed by table sizes when the database is reachable.
pub fn findings(ctx: &Context, project: &Project, revs: &[Rev]) -> Result<Vec<Finding>> {
    let url = ctx.database_url(project)?;
    let scripts: Vec<&retort::script::Script> = revs.iter().map(|&r| project.graph.script(r)).collect();
    // With a database: its tables' sizes, and on MySQL its flavor and version (online DDL rules)
    // and the live columns a MODIFY changes.
    let mut driver = ctx.connect(project, Access::ReadOnly).ok().map(|(_, d)| d);
    let mut found: Vec<Finding> = match driver.as_mut() {
        Some(d) => lint_in_order_live(&scripts, url.dialect(), d.as_mut()),
        None => lint_in_order(&scripts, url.dialect()),
    };
    if !found.is_empty()
        && let Some(driver) = driver.as_mut()
    {
        weigh(&mut found, driver.as_mut());
    }
    Ok(found)
}

/// Prints findings, one block each.
pub fn print(found: &[Finding]) {
    for f in found {
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let size = f.size.as_ref().map(|s| format!(" [{}: {s}]", f.table.as_deref().unwrap_or(""))).unwrap_or_default();
        println!("{}:{}: {severity} {} {}{size}", f.file, f.line, f.code, f.rule);
        println!("    {}", f.message);
        println!("    fix: {}", f.fix);
    }
}

/// `retort lint [REV|RANGE] [--json]`
pub fn run(ctx: &Context, revisions: Option<&str>, json: bool, fail_on: FailOn) -> Result<ExitCode> {
    let project = ctx.project_read_only()?;
    let revs = selected(ctx, &project, revisions)?;
    let found = findings(ctx, &project, &revs)?;
    if json {
        print_json(&found)?;
    } else if found.is_empty() {
        println!("No findings in {}.", count(revs.len(), "migration"));
    } else {
        print(&found);
        let errors = found.iter().filter(|f| f.severity == Severity::Error).count();
        println!(
            "{} in {}, {}.",
            count(found.len(), "finding"),
            count(revs.len(), "migration"),
            count(errors, "error")
        );
    }
    let failed = found.iter().any(|f| match fail_on {
        FailOn::Error => f.severity == Severity::Error,
        FailOn::Warning => f.severity != Severity::Info,
    });
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
