//! `retort import alembic`: an Alembic project's history as retort migrations.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use retort::import::alembic::{AlembicSource, ImportOptions, ImportReport, import};
use retort::project::Project;

use crate::context::Context;

/// Imports the Alembic project at `path` into the current project.
pub fn alembic(ctx: &Context, path: &Path, python: Option<String>, models: Option<String>) -> Result<ExitCode> {
    let project = ctx.project_unchecked()?;
    let url = ctx.database_url(&project)?;
    let source = AlembicSource::locate(&ctx.cwd.join(path))?;
    let python = python
        .or_else(|| retort::load::sqlalchemy::configured_python(&project.config))
        .unwrap_or_else(|| source.default_python());
    let options = ImportOptions { python, scratch: project.scratch_url(&url)? };
    let report = import(&project, &source, &options)?;
    let settings = record(ctx, &project, &source, &report, models.as_deref())?;
    let counts = report.counts();
    if ctx.json {
        let files: Vec<serde_json::Value> = report
            .files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "revision": f.revision,
                    "file": super::display_path(ctx, &f.path),
                    "source": f.source.display().to_string(),
                    "review": f.review(),
                })
            })
            .collect();
        crate::output::print_json(&serde_json::json!({
            "imported": counts.imported, "offline": counts.offline, "online": counts.online,
            "irreversible": counts.irreversible, "review": counts.review,
            "version_table": report.version_table, "env_problem": report.env_problem,
            "alembic": report.alembic, "sqlalchemy": report.sqlalchemy,
            "settings": settings, "files": files,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let dir = super::display_path(ctx, &project.config.migrations_dir());
    println!(
        "Imported {} into {dir}/ (Alembic {}, SQLAlchemy {}, SQL for {}).",
        retort::text::count(counts.imported, "Alembic revision"),
        report.alembic,
        report.sqlalchemy,
        url.dialect().name()
    );
    println!();
    println!("  revisions imported   {:>5}", counts.imported);
    println!("  rendered offline     {:>5}", counts.offline);
    println!("  captured online      {:>5}", counts.online);
    println!("  irreversible         {:>5}", counts.irreversible);
    println!("  need review          {:>5}", counts.review);
    let review: Vec<_> = report.files.iter().filter(|f| !f.review().is_empty()).collect();
    if !review.is_empty() {
        println!();
        println!("Review these files before running them on a database that holds rows:");
        let width = review.iter().map(|f| super::display_path(ctx, &f.path).len()).max().unwrap_or(0);
        for f in review {
            println!("  {:<width$}  {}", super::display_path(ctx, &f.path), f.review().join("; "));
        }
    }
    println!();
    if let Some(problem) = &report.env_problem {
        println!(
            "Note: env.py could not be run to learn its options ({problem}); the revisions were rendered with Alembic's defaults (no target_metadata naming convention; version table alembic_version)."
        );
    }
    for line in &settings {
        println!("{line}");
    }
    if models.is_none() {
        let shown = project.config.path.as_deref().map(|p| super::display_path(ctx, p)).unwrap_or_default();
        println!(
            "Next: `retort current` and `retort history`; to keep the SQLAlchemy models as the desired schema, set [schema] sqlalchemy = \"package.models:Base\" in {shown} (in place of paths)."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Records in retort.toml what the import settled: env.py's version table, and with `--models`
/// the models as `[schema] sqlalchemy` (importable from the ini's folder, as env.py imports them).
/// Returns a sentence for each setting written.
fn record(
    ctx: &Context,
    project: &Project,
    source: &AlembicSource,
    report: &ImportReport,
    models: Option<&str>,
) -> Result<Vec<String>> {
    let config_path = project.config.path.clone().context("no retort.toml to record the version table in")?;
    let shown = super::display_path(ctx, &config_path);
    let mut said = Vec::new();
    if let Some(schema) = &report.version_table_schema {
        eprintln!(
            "warning: env.py keeps the version table in schema \"{schema}\" (version_table_schema); retort reads [migrations] version_table in the schema the connection starts in: add options=-csearch_path%3D{schema} to [database] url, or move the table"
        );
    }
    let version_table = &report.version_table;
    if &project.config.file.migrations.version_table != version_table {
        retort::config::set_value(&config_path, "migrations", "version_table", version_table.as_str().into(), &[])?;
        said.push(format!(
            "Set [migrations] version_table = \"{version_table}\" in {shown}: `retort current` reads the revision Alembic recorded, and `retort upgrade head` continues from it."
        ));
    }
    if let Some(target) = models {
        retort::config::set_value(&config_path, "schema", "sqlalchemy", target.into(), &["paths", "command"])?;
        let root = ctx.cwd.join(&project.config.root);
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        let workdir = std::fs::canonicalize(source.workdir()).unwrap_or_else(|_| source.workdir());
        let relative = workdir.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(workdir);
        let mut set = format!("[schema] sqlalchemy = \"{target}\"");
        if !relative.as_os_str().is_empty() {
            let entry = relative.display().to_string();
            let paths: retort::config::TomlArray = std::iter::once(entry.as_str()).collect();
            retort::config::set_value(&config_path, "schema", "pythonpath", paths.into(), &[])?;
            set.push_str(&format!(" and pythonpath = [\"{entry}\"]"));
        }
        said.push(format!(
            "Set {set} in {shown}: `retort check` and `retort revision --autogenerate` compare the database with these models."
        ));
    }
    Ok(said)
}
