//! `retort upgrade`, `retort downgrade` and `retort stamp`, online or as SQL (`--sql`).

use std::process::ExitCode;

use anyhow::{Result, bail};
use retort::driver::Access;
use retort::executor::{Migrator, Resume, RunReport, Silent, offline_script, offline_stamp};
use retort::plan::{Direction, plan};
use retort::project::Project;
use retort::target::{Resolver, Target, applied_from_rows, parse_range};
use retort::text::{count, duration};

use crate::cli::{MigrateArgs, ResumeHow};
use crate::context::Context;
use crate::progress::Progress;

/// `retort upgrade [TARGET]`
pub fn upgrade(ctx: &Context, args: MigrateArgs) -> Result<ExitCode> {
    migrate(ctx, args, Direction::Upgrade)
}

/// `retort downgrade TARGET`
pub fn downgrade(ctx: &Context, args: MigrateArgs) -> Result<ExitCode> {
    migrate(ctx, args, Direction::Downgrade)
}

fn migrate(ctx: &Context, args: MigrateArgs, direction: Direction) -> Result<ExitCode> {
    let project = ctx.project_unchecked()?;
    let target_text = match (&args.target, direction) {
        (Some(t), _) => t.clone(),
        (None, Direction::Upgrade) => "head".to_string(),
        (None, Direction::Downgrade) => {
            super::usage!("downgrade needs a target: -1 for the last migration, base for all, or a revision id")
        }
    };
    if args.sql {
        crate::context::warn_sum(&project);
        return offline(ctx, &project, &target_text, direction);
    }
    if target_text.contains(':') {
        super::usage!(
            "a FROM:TO range is only accepted with --sql; online runs start from the database's current revision"
        );
    }
    let target = Target::parse(&target_text)?;
    wrong_way(&target, direction)?;
    project.check_sum()?;
    if args.fleet.fleet {
        if args.backup.is_some() || args.resume.is_some() {
            super::usage!("--backup and --resume work on one database: run them without --fleet");
        }
        let lint = direction == Direction::Upgrade && !args.force && project.config.file.migrations.lint_before_upgrade;
        return super::fleet::migrate(ctx, &project, &args.fleet, &target, direction, args.strict, lint);
    }
    let mut backup = None;
    if let Some(path) = &args.backup {
        let url = ctx.database_url(&project)?;
        let path = if path.is_empty() { retort::backup::default_path(&url, &ctx.cwd)? } else { ctx.cwd.join(path) };
        retort::backup::backup(&url, &path)?;
        if ctx.json {
            backup = Some(super::display_path(ctx, &path));
        } else {
            println!("Backup written to {}", super::display_path(ctx, &path));
        }
    }
    if direction == Direction::Upgrade && !args.force && project.config.file.migrations.lint_before_upgrade {
        refuse_lint_errors(ctx, &project, &target)?;
    }
    let (url, driver) = ctx.connect(&project, Access::ReadWrite)?;
    let tables = project.tables(url.dialect());
    let mut options = project.run_options(args.strict);
    options.resume = match args.resume {
        None => Resume::No,
        Some(ResumeHow::Continue) => Resume::Continue,
        Some(ResumeHow::Rerun) => Resume::Rerun,
        Some(ResumeHow::Skip) => Resume::Skip,
    };
    let mut migrator = Migrator::new(&project.graph, driver, tables, options);
    let report = if ctx.json {
        let mut silent = Silent;
        match direction {
            Direction::Upgrade => migrator.upgrade(&target, &mut silent)?,
            Direction::Downgrade => migrator.downgrade(&target, &mut silent)?,
        }
    } else {
        let mut progress = Progress::new();
        match direction {
            Direction::Upgrade => migrator.upgrade(&target, &mut progress)?,
            Direction::Downgrade => migrator.downgrade(&target, &mut progress)?,
        }
    };
    let rows = migrator.version_rows()?;
    if ctx.json {
        let steps: Vec<serde_json::Value> = report
            .steps
            .iter()
            .map(|s| serde_json::json!({"revision": s.revision, "direction": s.direction, "ms": s.elapsed.as_secs_f64() * 1000.0}))
            .collect();
        crate::output::print_json(&serde_json::json!({"steps": steps, "at": rows, "backup": backup}))?;
    } else {
        summarize(&report, &rows, direction);
    }
    Ok(ExitCode::SUCCESS)
}

/// `upgrade -1` and `downgrade +1` move the other way: a usage error, not "nothing to do".
fn wrong_way(target: &Target, direction: Direction) -> Result<()> {
    let relative_to_current = target.anchor == retort::target::Anchor::Current;
    match direction {
        Direction::Upgrade if relative_to_current && target.offset < 0 => {
            super::usage!("upgrade {target} would move back; to roll back, run `retort downgrade {target}`")
        }
        Direction::Downgrade if relative_to_current && target.offset > 0 => {
            super::usage!("downgrade {target} would move forward; to apply migrations, run `retort upgrade {target}`")
        }
        _ => Ok(()),
    }
}

fn summarize(report: &RunReport, rows: &[String], direction: Direction) {
    let at = if rows.is_empty() { "<base>".to_string() } else { rows.join(", ") };
    if report.steps.is_empty() {
        println!("Nothing to do: the database is at {at}");
        return;
    }
    let verb = match direction {
        Direction::Upgrade => "Upgraded",
        Direction::Downgrade => "Downgraded",
    };
    println!("{verb} to {at} ({}, {})", count(report.steps.len(), "step"), duration(report.total()));
}

/// `--sql`: prints the script that would run from FROM (default base) to TO.
fn offline(ctx: &Context, project: &Project, text: &str, direction: Direction) -> Result<ExitCode> {
    let (from, to) = if text.contains(':') { parse_range(text)? } else { (None, Some(Target::parse(text)?)) };
    if direction == Direction::Downgrade && from.is_none() {
        bail!(
            "downgrade --sql needs a FROM:TO range (there is no database to read the current revision from), e.g. `retort downgrade head:-1 --sql` or `head:base`"
        );
    }
    let Some(to) = to else { bail!("the range '{text}' has no destination after ':'") };
    let graph = &project.graph;
    let start = match &from {
        Some(f) => Resolver::new(graph, &[], &vec![false; graph.len()]).points(f)?,
        None => Vec::new(),
    };
    let names: Vec<String> = start.iter().map(|&r| graph.id(r).to_string()).collect();
    let (current, applied) = applied_from_rows(graph, &names, &project.config.file.migrations.version_table)?;
    let resolver = Resolver::new(graph, &current, &applied);
    let op = match direction {
        Direction::Upgrade => resolver.upgrade(&to)?,
        Direction::Downgrade => resolver.downgrade(&to)?,
    };
    let steps = plan(graph, &current, &op);
    let dialect = ctx.database_url(project)?.dialect();
    let tables = project.tables(dialect);
    let script = offline_script(graph, &tables, &steps, project.config.file.migrations.transaction_per_migration)?;
    print!("{script}");
    Ok(ExitCode::SUCCESS)
}

/// `retort stamp REV... [--purge] [--sql]`
pub fn stamp(
    ctx: &Context,
    revisions: &[String],
    purge: bool,
    sql: bool,
    fleet: &crate::cli::FleetArgs,
) -> Result<ExitCode> {
    let project = ctx.project_unchecked()?;
    let targets = revisions.iter().map(|r| Target::parse(r)).collect::<Result<Vec<_>, _>>()?;
    project.check_sum()?;
    if fleet.fleet {
        return super::fleet::stamp(ctx, &project, fleet, &targets, purge);
    }
    if sql {
        let tables = project.tables(ctx.database_url(&project)?.dialect());
        print!("{}", offline_stamp(&project.graph, &tables, &targets, purge)?);
        return Ok(ExitCode::SUCCESS);
    }
    let (url, driver) = ctx.connect(&project, Access::ReadWrite)?;
    let tables = project.tables(url.dialect());
    let mut migrator = Migrator::new(&project.graph, driver, tables, project.run_options(false));
    migrator.stamp(&targets, purge, &mut Silent)?;
    let rows = migrator.version_rows()?;
    if ctx.json {
        crate::output::print_json(&serde_json::json!({"at": rows}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("Stamped {}", if rows.is_empty() { "<base>".to_string() } else { rows.join(", ") });
    Ok(ExitCode::SUCCESS)
}

/// `retort restore PATH`: a SQLite backup back over the configured database.
pub fn restore(ctx: &Context, path: &std::path::Path) -> Result<ExitCode> {
    let project = ctx.config_only()?;
    let url = ctx.database_url(&project)?;
    let path = ctx.cwd.join(path);
    retort::backup::restore(&url, &path)?;
    if ctx.json {
        crate::output::print_json(
            &serde_json::json!({"restored": url.to_string(), "from": super::display_path(ctx, &path)}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("Restored {url} from {}", super::display_path(ctx, &path));
    Ok(ExitCode::SUCCESS)
}

/// Lint runs before an upgrade: errors in the migrations about to run stop it (`--force` runs
/// anyway); warnings are shown and do not.
fn refuse_lint_errors(ctx: &Context, project: &Project, target: &Target) -> Result<()> {
    let (url, driver) = ctx.connect(project, Access::ReadOnly)?;
    let mut migrator = Migrator::new(&project.graph, driver, project.tables(url.dialect()), project.run_options(false));
    let (current, applied) = migrator.state()?;
    let op = Resolver::new(&project.graph, &current, &applied).upgrade(target)?;
    // Only errors stop the run, and they do not depend on table sizes: nothing to weigh.
    let errors: Vec<_> = plan(&project.graph, &current, &op)
        .into_iter()
        .flat_map(|s| retort::lint::lint_script(project.graph.script(s.rev), url.dialect()))
        .filter(|f| f.severity == retort::lint::Severity::Error)
        .collect();
    if !errors.is_empty() && ctx.json {
        // One JSON error on stderr: the findings go in its message.
        let found: Vec<String> =
            errors.iter().map(|f| format!("{}:{}: {} {}", f.file, f.line, f.code, f.message)).collect();
        bail!(
            "lint found {} in the migrations about to run ({}); fix them, or run with --force",
            count(errors.len(), "error"),
            found.join("; ")
        );
    }
    if !errors.is_empty() {
        super::lint::print(&errors);
        bail!(
            "lint found {} in the migrations about to run; fix them, or run with --force",
            count(errors.len(), "error")
        );
    }
    Ok(())
}
