//! `retort history`, `heads`, `branches` and `show`: reading the graph (the database only when
//! a command needs the current revision).

use std::process::ExitCode;

use anyhow::Result;
use retort::driver::Access;
use retort::executor::Migrator;
use retort::graph::Rev;
use retort::project::Project;
use retort::target::{Anchor, Resolver, Target, parse_range};

use crate::cli::{HistoryArgs, ListArgs};
use crate::context::Context;
use crate::output::{head_only, json, log_line, markers, print_json, verbose};

/// Reads the current revisions and applied set from the database.
pub(super) fn current_state(ctx: &Context, project: &Project) -> Result<(Vec<Rev>, Vec<bool>)> {
    let (url, driver) = ctx.connect(project, Access::ReadOnly)?;
    let mut migrator = Migrator::new(&project.graph, driver, project.tables(url.dialect()), project.run_options(false));
    Ok(migrator.state()?)
}

/// True when resolving `target` needs the database's current revision.
fn needs_database(target: &Option<Target>) -> bool {
    target.as_ref().is_some_and(|t| t.anchor == Anchor::Current)
}

fn parse_endpoint(text: &str) -> Result<Option<Target>> {
    Ok(match text {
        "" => None,
        // `current` as a range end is the database's revision.
        "current" => Some(Target { branch: None, anchor: Anchor::Current, offset: 0, text: "current".into() }),
        t => Some(Target::parse(t)?),
    })
}

/// `retort history [-r A:B] [-v] [-i] [--json]`
pub fn history(ctx: &Context, args: HistoryArgs) -> Result<ExitCode> {
    let project = ctx.project_read_only()?;
    let graph = &project.graph;
    let (from, to) = match &args.range {
        Some(r) if r.contains(':') => {
            let (a, b) = r.split_once(':').unwrap_or((r, ""));
            (parse_endpoint(a)?, parse_endpoint(b)?)
        }
        Some(r) => {
            let (_, to) = parse_range(r)?;
            (None, to)
        }
        None => (None, None),
    };
    let (current, applied) = if args.indicate_current || needs_database(&from) || needs_database(&to) {
        current_state(ctx, &project)?
    } else {
        (Vec::new(), vec![false; graph.len()])
    };
    let resolver = Resolver::new(graph, &current, &applied);
    let points = |t: &Option<Target>| -> Result<Option<Vec<Rev>>> {
        Ok(match t {
            None => None,
            Some(t) if t.anchor == Anchor::Current && t.offset == 0 => Some(current.clone()),
            Some(t) => Some(resolver.points(t)?),
        })
    };
    let lower = points(&from)?.map(|p| graph.descendants_closure(&p));
    let upper = points(&to)?.map(|p| graph.ancestors_closure(&p));
    let revs: Vec<Rev> = graph
        .topological()
        .iter()
        .rev()
        .copied()
        .filter(|&r| lower.as_ref().is_none_or(|l| l[r]) && upper.as_ref().is_none_or(|u| u[r]))
        .collect();
    let marks: &[Rev] = if args.indicate_current { &current } else { &[] };
    if ctx.json {
        let cur = args.indicate_current.then_some(current.as_slice());
        print_json(&revs.iter().map(|&r| json(graph, r, cur)).collect::<Vec<_>>())?;
    } else if args.graph {
        for l in retort::diagram::lanes(graph, &revs) {
            match l.rev {
                Some(r) => {
                    // The lanes are never cut: the text gets what is left of 100 columns (at least 24).
                    let room = 100usize.saturating_sub(l.lanes.chars().count() + 1).max(24);
                    println!("{} {}", l.lanes, fit(&log_line(graph, r, marks), graph.script(r), room));
                }
                None => println!("{}", l.lanes),
            }
        }
    } else {
        for &r in &revs {
            if args.verbose {
                println!("{}", verbose(graph, r, marks));
            } else {
                println!("{}", log_line(graph, r, marks));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `retort heads [-v] [--json]`
pub fn heads(ctx: &Context, args: ListArgs) -> Result<ExitCode> {
    let project = ctx.project_read_only()?;
    let graph = &project.graph;
    let heads = graph.heads();
    if ctx.json {
        print_json(&heads.iter().map(|&r| json(graph, r, None)).collect::<Vec<_>>())?;
    } else {
        for &h in &heads {
            println!("{}", if args.verbose { verbose(graph, h, &[]) } else { head_only(graph, h) });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `retort branches [-v] [--json]`
pub fn branches(ctx: &Context, args: ListArgs) -> Result<ExitCode> {
    let project = ctx.project_read_only()?;
    let graph = &project.graph;
    let points: Vec<Rev> = graph.topological().iter().copied().filter(|&r| graph.is_branchpoint(r)).collect();
    if ctx.json {
        print_json(&points.iter().map(|&r| json(graph, r, None)).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    for &b in &points {
        if args.verbose {
            println!("{}", verbose(graph, b, &[]));
        } else {
            println!("{} (branchpoint)", head_only(graph, b));
        }
        // Alembic's layout: the children under it, with their messages when verbose, then a blank line.
        let indent = " ".repeat(graph.id(b).len());
        for &c in graph.children(b) {
            let message = if args.verbose { format!(", {}", graph.script(c).message) } else { String::new() };
            println!("{indent} -> {}{message}", markers(graph, c, &[]));
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// `retort show REV [--json]`
pub fn show(ctx: &Context, rev: &str, as_json: bool) -> Result<ExitCode> {
    let project = ctx.project_read_only()?;
    let graph = &project.graph;
    let target = parse_endpoint(rev)?;
    let (current, applied) =
        if needs_database(&target) { current_state(ctx, &project)? } else { (Vec::new(), vec![false; graph.len()]) };
    let revs = match &target {
        Some(t) if t.anchor == Anchor::Current && t.offset == 0 => current.clone(),
        Some(t) => Resolver::new(graph, &current, &applied).points(t)?,
        None => Vec::new(),
    };
    if as_json {
        print_json(&revs.iter().map(|&r| json(graph, r, None)).collect::<Vec<_>>())?;
    } else if revs.is_empty() {
        println!("<base>");
    } else {
        for &r in &revs {
            println!("{}", verbose(graph, r, &[]));
            println!("{}", sections(graph.script(r)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The upgrade and downgrade SQL of a revision, under their markers as in the file.
fn sections(script: &retort::script::Script) -> String {
    use retort::script::{DOWNGRADE_MARKER, UPGRADE_MARKER};
    let body = |s: &retort::script::Section| {
        let sql = s.sql.trim();
        if sql.is_empty() {
            "    (empty)".to_string()
        } else {
            sql.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
        }
    };
    format!("    {UPGRADE_MARKER}\n{}\n\n    {DOWNGRADE_MARKER}\n{}\n", body(&script.upgrade), body(&script.downgrade))
}

/// A history line in `width` terminal columns: whole when it fits; else without its `parents ->`
/// (the lanes show them), then cut, marked `…`. Wide characters count as two columns.
fn fit(line: &str, script: &retort::script::Script, width: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let columns = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    if columns(line) <= width {
        return line.to_string();
    }
    let line =
        line.split_once(" -> ").filter(|(_, rest)| rest.starts_with(&script.revision)).map_or(line, |(_, rest)| rest);
    if columns(line) <= width {
        return line.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}
