//! `retort init`: a new project.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use retort::config::{CONFIG_FILE, schema_template, template};
use retort::url::{DatabaseUrl, SqliteLocation};

use crate::context::Context;

/// Writes `retort.toml`, `migrations/`, `schema/schema.sql` and `.gitignore` entries, refusing
/// to overwrite an existing project.
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
    let url_text = ctx.url.clone().unwrap_or_else(|| "sqlite:app.db".to_string());
    // Refuse a URL retort cannot use before writing anything.
    let url = DatabaseUrl::parse(&url_text, &dir)?;
    std::fs::create_dir_all(dir.join("migrations"))
        .with_context(|| format!("creating {}/migrations", dir.display()))?;
    let schema = dir.join("schema/schema.sql");
    if !schema.exists() {
        std::fs::create_dir_all(dir.join("schema")).with_context(|| format!("creating {}/schema", dir.display()))?;
        std::fs::write(&schema, schema_template()).with_context(|| format!("writing {}", schema.display()))?;
    }
    std::fs::write(&config, template(&url_text, url.dialect()))
        .with_context(|| format!("writing {}", config.display()))?;
    let ignored = ignore_entries(&dir, &url);
    let added = add_to_gitignore(&dir.join(".gitignore"), &ignored)?;

    let shown = super::display_path(ctx, &dir);
    let shown = if shown.is_empty() { ".".to_string() } else { shown };
    if ctx.json {
        crate::output::print_json(&serde_json::json!({
            "config": super::display_path(ctx, &config),
            "database": url.to_string(),
            "gitignore": added,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let gitignore = if added { ", .gitignore" } else { "" };
    println!("Created {CONFIG_FILE}, migrations/, schema/schema.sql{gitignore} in {shown}");
    match &url {
        DatabaseUrl::Sqlite(SqliteLocation::File(_)) => println!(
            "The database is {url_text}: a SQLite file beside {CONFIG_FILE}, created by the first upgrade (for PostgreSQL, set [database] url)."
        ),
        _ => println!("The database is {url}."),
    }
    println!(
        "Next: `retort revision -m \"create users\"`, write its upgrade and downgrade SQL, then `retort upgrade head`."
    );
    Ok(ExitCode::SUCCESS)
}

/// What a project should keep out of git: the lock files retort creates beside a SQLite
/// database, and the database file itself with its backups when it lies inside the project.
fn ignore_entries(dir: &Path, url: &DatabaseUrl) -> Vec<String> {
    let mut entries = vec!["*.retort-lock".to_string()];
    if let DatabaseUrl::Sqlite(SqliteLocation::File(path)) = url
        && let Ok(rel) = path.strip_prefix(dir)
    {
        let rel = rel.display().to_string();
        entries.push(format!("/{rel}"));
        entries.push(format!("/{rel}.backup-*"));
    }
    entries
}

/// Appends the entries a `.gitignore` lacks; true when it was written.
fn add_to_gitignore(path: &Path, entries: &[String]) -> Result<bool> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let missing: Vec<&String> = entries.iter().filter(|e| !existing.lines().any(|l| l.trim() == e.as_str())).collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# retort: the run lock beside a SQLite database, and the local database with its backups\n");
    for entry in missing {
        text.push_str(entry);
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}
