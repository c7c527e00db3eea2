//! `retort verify`: the migration folder tested on a scratch database, the way pytest-alembic
//! does and more: one head; every step upgrades, downgrades back to exactly the schema before it
//! (compared with the schema model, not just "it ran"), and upgrades again; at head the schema
//! equals the desired one. With [`VerifyOptions::data`], every table holds synthetic rows
//! before each step, and the values of every column the step keeps must come through the
//! upgrade and the downgrade unchanged (`data`). Nothing touches the project's own database.

mod data;

use std::time::Instant;

use retort_schema::Schema;
use retort_schema::diff::{DiffOptions, diff};
use serde::Serialize;

use crate::driver::{Access, DbError, Driver, connect};
use crate::executor::{ApplyError, Migrator, Silent};
use crate::inspect::InspectError;
use crate::load::{LoadError, load, read_sources};
use crate::project::Project;
use crate::target::Operation;
use crate::text::count;
use crate::url::{DatabaseUrl, SqliteLocation};

/// Why verification could not run at all (failures of the migrations are in the report instead).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The scratch database could not be made.
    #[error("cannot create a scratch database: {0}")]
    Scratch(Box<DbError>),
    /// Inspecting the scratch database failed.
    #[error(transparent)]
    Inspect(#[from] InspectError),
    /// The desired schema could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Reading or writing the synthetic rows failed.
    #[error("verify --data: {0}")]
    Data(#[from] DbError),
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Rows to put in every table before each step (`--data N`); `None` runs on empty tables.
    pub data: Option<usize>,
}

/// What happened to one revision.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// The revision.
    pub revision: String,
    /// Its message.
    pub message: String,
    /// Milliseconds for the upgrade.
    pub upgrade_ms: u64,
    /// Milliseconds for the downgrade, when it ran.
    pub downgrade_ms: Option<u64>,
    /// False when the downgrade section is empty: it cannot be rolled back.
    pub reversible: bool,
    /// What went wrong; empty when the step passed.
    pub problems: Vec<String>,
    /// With `--data`: values the step changes itself (it writes the table, or converts a
    /// column's type), listed apart from the problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_on_purpose: Vec<String>,
    /// With `--data`: values the downgrade could not bring back because the upgrade dropped them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_restored: Vec<String>,
}

/// The whole verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The head revisions (more than one is a problem: `retort merge heads`).
    pub heads: Vec<String>,
    /// One entry per revision, in order.
    pub steps: Vec<StepReport>,
    /// Differences between the schema at head and the desired schema; `None` when no desired
    /// schema is configured.
    pub desired: Option<Vec<String>>,
    /// Problems outside any one step.
    pub problems: Vec<String>,
    /// With `--data`: the rows put in every table before each step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    /// With `--data`: tables that could not be filled, with why (`table: reason`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unfilled: Vec<String>,
}

impl VerifyReport {
    /// True when everything passed.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
            && self.steps.iter().all(|s| s.problems.is_empty())
            && self.desired.as_ref().is_none_or(Vec::is_empty)
    }
}

/// A scratch database for verification, removed when dropped.
enum Scratch {
    Sqlite(std::path::PathBuf),
    /// Held for its `Drop`, which drops the database.
    Postgres {
        _database: Box<crate::dialect::postgres::ScratchDatabase>,
    },
    /// Likewise.
    Mysql {
        _database: Box<crate::dialect::mysql::ScratchDatabase>,
    },
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Scratch::Sqlite(path) = self {
            let _ = std::fs::remove_file(&*path);
            let mut lock = path.as_os_str().to_owned();
            lock.push(".retort-lock");
            let _ = std::fs::remove_file(std::path::PathBuf::from(lock));
        }
    }
}

fn scratch(url: &DatabaseUrl) -> Result<(Scratch, Box<dyn Driver>), VerifyError> {
    match url {
        DatabaseUrl::Sqlite(_) => {
            let path = std::env::temp_dir().join(format!("retort-verify-{}.db", uuid::Uuid::new_v4().simple()));
            let driver = connect(
                &DatabaseUrl::Sqlite(SqliteLocation::File(path.clone())),
                Access::ReadWrite,
                std::time::Duration::from_secs(5),
            )
            .map_err(|e| VerifyError::Scratch(Box::new(DbError::msg(e.to_string()))))?;
            Ok((Scratch::Sqlite(path), driver))
        }
        DatabaseUrl::Postgres(raw) => {
            let mut db = crate::dialect::postgres::ScratchDatabase::create(raw)
                .map_err(|e| VerifyError::Scratch(Box::new(e)))?;
            let driver =
                db.driver.take().ok_or_else(|| VerifyError::Scratch(Box::new(DbError::msg("no connection"))))?;
            Ok((Scratch::Postgres { _database: Box::new(db) }, Box::new(driver)))
        }
        DatabaseUrl::Mysql(raw) => {
            let mut db =
                crate::dialect::mysql::ScratchDatabase::create(raw).map_err(|e| VerifyError::Scratch(Box::new(e)))?;
            let driver =
                db.driver.take().ok_or_else(|| VerifyError::Scratch(Box::new(DbError::msg("no connection"))))?;
            Ok((Scratch::Mysql { _database: Box::new(db) }, Box::new(driver)))
        }
    }
}

/// The schema with every table's columns in name order: a downgrade that re-adds a dropped
/// column puts it last, which PostgreSQL cannot avoid and which no query notices.
fn unordered(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    for t in &mut s.tables {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

fn differences(from: &Schema, to: &Schema) -> Vec<String> {
    diff(&unordered(from), &unordered(to), &DiffOptions::default()).iter().map(|c| c.summary()).collect()
}

/// The tables a filler could not fill, as report lines.
fn unfilled(filler: Option<data::Filler>) -> Vec<String> {
    filler.map(|f| f.skipped.into_iter().map(|(table, why)| format!("{table}: {why}")).collect()).unwrap_or_default()
}

fn failure(e: &ApplyError) -> String {
    e.to_string().lines().take(3).collect::<Vec<_>>().join(" ")
}

/// Verifies the project's migrations on a scratch database next to `url` (a temporary SQLite
/// file; a temporary PostgreSQL or MySQL database on the same server, or on `[schema]
/// dev_url`'s).
pub fn verify(
    project: &Project,
    url: &DatabaseUrl,
    verify_options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    let url = &project.scratch_url(url).map_err(|e| VerifyError::Scratch(Box::new(DbError::msg(e.to_string()))))?;
    let graph = &project.graph;
    let heads: Vec<String> = graph.heads().iter().map(|&h| graph.id(h).to_string()).collect();
    let mut report = VerifyReport {
        heads: heads.clone(),
        steps: Vec::new(),
        desired: None,
        problems: Vec::new(),
        rows: verify_options.data,
        unfilled: Vec::new(),
    };
    if heads.len() > 1 {
        report.problems.push(format!(
            "{} heads ({}): join them with `retort merge heads -m \"merge\"`",
            heads.len(),
            heads.join(", ")
        ));
    }
    let (_scratch, driver) = scratch(url)?;
    let options = project.inspect_options(url.dialect());
    let mut migrator = Migrator::new(graph, driver, project.tables(url.dialect()), project.run_options(false));
    let mut before = migrator.inspect(&options)?;
    let mut filler = verify_options.data.map(data::Filler::new);
    let with_rows =
        verify_options.data.map_or(String::new(), |n| format!(" (with {} in every table)", count(n, "row")));
    for &rev in graph.topological() {
        let script = graph.script(rev);
        let mut step = StepReport {
            revision: script.revision.clone(),
            message: script.message.clone(),
            upgrade_ms: 0,
            downgrade_ms: None,
            reversible: !script.downgrade.is_empty() || script.upgrade.is_empty(),
            problems: Vec::new(),
            changed_on_purpose: Vec::new(),
            not_restored: Vec::new(),
        };
        let rows_before = match filler.as_mut() {
            Some(filler) => {
                filler.fill(migrator.driver(), &before)?;
                Some(data::snapshot(migrator.driver(), &before)?)
            }
            None => None,
        };
        let started = Instant::now();
        if let Err(e) = migrator.run_operation(Operation::Upgrade(vec![rev]), &mut Silent) {
            step.problems.push(format!("upgrade fails{with_rows}: {}", failure(&e)));
            report.steps.push(step);
            report.problems.push(format!("stopped at {}: later revisions were not run", script.revision));
            report.unfilled = unfilled(filler);
            return Ok(report);
        }
        step.upgrade_ms = started.elapsed().as_millis() as u64;
        let after = migrator.inspect(&options)?;
        let mut judgement = data::Judgement::default();
        let no_renames = data::Renames::default();
        // What the rows are judged by, only with --data (finding renames is a whole diff).
        let judged_by = rows_before.as_ref().map(|_| {
            let renames = data::Renames::between(&before, &after);
            let written = data::written_tables(&[&script.upgrade, &script.downgrade], url.dialect());
            let facts = data::StepFacts::new(&before, &after, &renames, written);
            (renames, facts)
        });
        if let (Some(rows_before), Some((renames, facts))) = (&rows_before, &judged_by) {
            let rows_after = data::snapshot(migrator.driver(), &after)?;
            let run = data::Run { what: "the upgrade", renames, facts };
            data::judge(&run, rows_before, &rows_after, &mut judgement);
        }
        let mut again = None;
        if !step.reversible {
            step.problems.push("irreversible: the downgrade section is empty".into());
        } else {
            let started = Instant::now();
            match migrator.run_operation(Operation::Downgrade(vec![rev]), &mut Silent) {
                Err(e) => step.problems.push(format!("downgrade fails{with_rows}: {}", failure(&e))),
                Ok(_) => {
                    step.downgrade_ms = Some(started.elapsed().as_millis() as u64);
                    let back = migrator.inspect(&options)?;
                    if let (Some(rows_before), Some((_, facts))) = (&rows_before, &judged_by) {
                        let rows_back = data::snapshot(migrator.driver(), &back)?;
                        let run = data::Run { what: "the downgrade", renames: &no_renames, facts };
                        data::judge(&run, rows_before, &rows_back, &mut judgement);
                    }
                    let left = differences(&before, &back);
                    if !left.is_empty() {
                        step.problems.push(format!(
                            "the downgrade does not restore the schema before the step; still to undo: {}",
                            left.join("; ")
                        ));
                    }
                    if let Err(e) = migrator.run_operation(Operation::Upgrade(vec![rev]), &mut Silent) {
                        step.problems.push(format!("upgrade after downgrade fails: {}", failure(&e)));
                        report.steps.push(step);
                        report.problems.push(format!(
                            "stopped at {}: the scratch database could not be brought back to it, so later revisions were not run",
                            script.revision
                        ));
                        report.unfilled = unfilled(filler);
                        return Ok(report);
                    } else {
                        let schema = migrator.inspect(&options)?;
                        let drift = differences(&after, &schema);
                        if !drift.is_empty() {
                            step.problems.push(format!(
                                "upgrade, downgrade, upgrade gives another schema: {}",
                                drift.join("; ")
                            ));
                        }
                        again = Some(schema);
                    }
                }
            }
        }
        step.problems.extend(judgement.problems);
        step.changed_on_purpose = judgement.on_purpose;
        step.not_restored = judgement.not_restored;
        before = match again {
            Some(schema) => schema,
            None => migrator.inspect(&options)?,
        };
        report.steps.push(step);
    }
    report.unfilled = unfilled(filler);
    let configured = !project.config.file.schema.sources().is_empty();
    if configured {
        let desired = load(&read_sources(&project.config, url.dialect())?, url, &options)?;
        report.desired = Some(differences(&before, &desired));
    }
    Ok(report)
}
