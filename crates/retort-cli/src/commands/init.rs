//! `retort init`: a new project.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use retort::config::{CONFIG_FILE, template};

use crate::context::Context;

/// Writes `retort.toml` and `migrations/`, refusing to overwrite an existing project.
pub fn run(ctx: &Context, dir: Option<PathBuf>) -> Result<ExitCode> {
    let dir = match dir {
        Some(d) if d.is_absolute() => d,
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        bail!("{} already exists; nothing was changed (edit it, or init another folder)", config.display());
    }
    std::fs::create_dir_all(dir.join("migrations"))
        .with_context(|| format!("creating {}/migrations", dir.display()))?;
    let url = ctx.url.clone().unwrap_or_else(|| "sqlite:app.db".to_string());
    std::fs::write(&config, template(&url)).with_context(|| format!("writing {}", config.display()))?;
    let shown = super::display_path(ctx, &dir);
    let shown = if shown.is_empty() { ".".to_string() } else { shown };
    println!("Created {CONFIG_FILE} and migrations/ in {shown}");
    println!("Next: set [database] url in {CONFIG_FILE}, then `retort revision -m \"first migration\"`");
    Ok(ExitCode::SUCCESS)
}
