//! `retort graph` (the revision graph as a picture), `retort completions` and `retort man`.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context as _, Result, bail};
use clap::CommandFactory as _;
use retort::diagram::{Language, revisions};

use crate::cli::{Cli, GraphFormat};
use crate::context::Context;

/// `retort graph [--format mermaid|dot|svg|png] [--output FILE] [-i]`
pub fn graph(ctx: &Context, format: GraphFormat, output: Option<&Path>, indicate_current: bool) -> Result<ExitCode> {
    if ctx.json {
        super::usage!("graph draws a picture; `retort history --json` lists the revisions as JSON");
    }
    let project = ctx.project_read_only()?;
    let current = if indicate_current { super::listing::current_state(ctx, &project)?.0 } else { Vec::new() };
    let language = if format == GraphFormat::Mermaid { Language::Mermaid } else { Language::Dot };
    let text = revisions(&project.graph, &current, language);
    let bytes = match format {
        GraphFormat::Mermaid | GraphFormat::Dot => text.into_bytes(),
        GraphFormat::Svg => graphviz(&text, "svg")?,
        GraphFormat::Png => graphviz(&text, "png")?,
    };
    match output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("Wrote {}", super::display_path(ctx, path));
        }
        None => {
            if format == GraphFormat::Png && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                super::usage!("a PNG is not for the terminal: pass --output FILE, or pipe it");
            }
            std::io::stdout().write_all(&bytes).context("writing the graph")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Draws DOT with Graphviz's `dot`.
fn graphviz(dot: &str, format: &str) -> Result<Vec<u8>> {
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "--format {format} needs Graphviz's `dot`, which is not installed: `apt install graphviz`, `brew install graphviz` or https://graphviz.org/download/ (or print --format dot or mermaid)"
        ),
        Err(e) => return Err(e).context("running Graphviz's dot"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(dot.as_bytes()).context("sending the graph to dot")?;
    }
    let out = child.wait_with_output().context("running Graphviz's dot")?;
    if !out.status.success() {
        bail!("Graphviz's dot failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out.stdout)
}

/// `retort completions SHELL`
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "retort", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// `retort man`
pub fn man() -> Result<ExitCode> {
    let page = clap_mangen::Man::new(Cli::command());
    let mut out = Vec::new();
    page.render(&mut out).context("rendering the man page")?;
    std::io::stdout().write_all(&out).context("writing the man page")?;
    Ok(ExitCode::SUCCESS)
}
