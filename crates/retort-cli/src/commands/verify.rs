//! `retort verify`: the migrations tested on a scratch database.

use std::process::ExitCode;

use anyhow::Result;
use retort::verify::{VerifyOptions, verify};

use crate::context::Context;
use crate::output::print_json;

/// Runs the verification and prints a line per revision; exit 1 on any problem.
pub fn run(ctx: &Context, json: bool, dev_url: Option<&str>, data: Option<usize>) -> Result<ExitCode> {
    let project = ctx.project()?;
    let url = match dev_url {
        Some(dev) => retort::url::DatabaseUrl::parse(dev, &ctx.cwd)?,
        None => ctx.database_url(&project)?,
    };
    let report = verify(&project, &url, &VerifyOptions { data })?;
    if json {
        print_json(&report)?;
    } else {
        let rows = report.rows.map_or(String::new(), |n| {
            format!(", {} in every table before each step", retort::text::count(n, "synthetic row"))
        });
        println!(
            "Verifying {} on a scratch {} database{rows}",
            retort::text::count(report.steps.len(), "revision"),
            url.dialect().name()
        );
        for step in &report.steps {
            let down = step.downgrade_ms.map_or("-".to_string(), |ms| format!("{ms} ms"));
            let status = if step.problems.is_empty() { "ok" } else { "FAILED" };
            println!("  {}  up {} ms  down {down}  {status}  {}", step.revision, step.upgrade_ms, step.message);
            for problem in &step.problems {
                println!("      {problem}");
            }
            for line in &step.changed_on_purpose {
                println!("      changed on purpose: {line}");
            }
            for line in &step.not_restored {
                println!("      not restored: {line}");
            }
        }
        for line in &report.unfilled {
            println!("  not filled: {line}");
        }
        for problem in &report.problems {
            println!("  problem: {problem}");
        }
        match &report.desired {
            None => println!("At head: no [schema] configured, not compared with a desired schema."),
            Some(d) if d.is_empty() => println!("At head: the schema matches the desired schema."),
            Some(d) => {
                println!("At head: the schema differs from the desired schema:");
                for line in d {
                    println!("      {line}");
                }
            }
        }
        println!("verify: {}", if report.ok() { "ok" } else { "FAILED" });
    }
    Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
