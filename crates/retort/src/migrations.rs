//! The front door for applications: a folder of migrations read once, then run against a
//! database from the application itself, through the same executor as the CLI (run lock,
//! per-step transactions, history table, progress records).
//!
//! The API is blocking. An async application calls it on the runtime's blocking pool (with tokio,
//! `tokio::task::spawn_blocking(move || migrations.upgrade(&url, "head")).await`); called on an
//! async worker thread, the PostgreSQL client it uses panics ("Cannot start a runtime from within
//! a runtime"), as every blocking database client does there.
//!
//! ```no_run
//! let migrations = retort::Migrations::from_dir("migrations")?;
//! let report = migrations.upgrade("sqlite:app.db", "head")?;
//! println!("{report}");
//! # Ok::<(), retort::migrations::Error>(())
//! ```

use std::path::Path;
use std::time::Duration;

use crate::dialect::VersionTables;
use crate::driver::{Access, ConnectError, connect};
use crate::executor::{ApplyError, Drift, HistoryRow, Migrator, RunOptions, Silent, StepReport};
use crate::graph::RevisionGraph;
use crate::plan::plan;
use crate::project::ProjectError;
use crate::target::{Resolver, Target, TargetError, applied_from_rows};
use crate::url::{DatabaseUrl, UrlError};

/// Why a call failed. Each variant carries the typed error of the stage that failed (a failing
/// migration's file, line and statement are in [`ApplyError::Step`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The migration files are unreadable, malformed, or do not form a valid graph.
    #[error(transparent)]
    Files(#[from] ProjectError),
    /// The database URL cannot be understood.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The database cannot be reached.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// A target (`head`, `-1`, a revision id) cannot be resolved.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The run failed.
    #[error(transparent)]
    Run(#[from] ApplyError),
}

/// What an upgrade or downgrade did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The version rows before the run (empty at base).
    pub before: Vec<String>,
    /// The version rows after it.
    pub after: Vec<String>,
    /// The steps run, in order, with their durations.
    pub steps: Vec<StepReport>,
}

impl Report {
    /// The time all steps took together.
    pub fn total(&self) -> Duration {
        self.steps.iter().map(|s| s.elapsed).sum()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |rows: &[String]| if rows.is_empty() { "<base>".to_string() } else { rows.join(", ") };
        if self.steps.is_empty() {
            return write!(f, "nothing to do: the database is at {}", at(&self.after));
        }
        write!(
            f,
            "{} -> {}: {} in {}",
            at(&self.before),
            at(&self.after),
            crate::text::count(self.steps.len(), "step"),
            crate::text::duration(self.total())
        )
    }
}

/// A set of migrations, read and checked once (headers, graph, `retort.sum`).
#[derive(Debug, Clone)]
pub struct Migrations {
    graph: RevisionGraph,
    version_table: String,
    history_table: String,
    options: RunOptions,
}

impl Migrations {
    /// Reads every migration file of a folder, as `retort upgrade` does: a malformed file, an
    /// invalid graph or files that differ from `retort.sum` are an error naming the file.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrations, Error> {
        let dir = dir.as_ref();
        let scripts = crate::script::read_dir(dir).map_err(ProjectError::from)?;
        let graph = RevisionGraph::build(scripts).map_err(ProjectError::from)?;
        let problems = crate::sum::check(dir, &graph);
        if !problems.is_empty() {
            return Err(ProjectError::Sum {
                file: crate::sum::path(dir).display().to_string(),
                problems: problems.join("\n  "),
            }
            .into());
        }
        Ok(Migrations {
            graph,
            version_table: "retort_version".into(),
            history_table: "retort_history".into(),
            options: RunOptions::default(),
        })
    }

    /// Uses another version table (`alembic_version` adopts a database Alembic managed).
    pub fn version_table(mut self, name: &str) -> Self {
        self.version_table = name.to_string();
        self
    }

    /// Uses another history table.
    pub fn history_table(mut self, name: &str) -> Self {
        self.history_table = name.to_string();
        self
    }

    /// How long to wait for another run's migration lock (default 600 s).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.options.lock_timeout = timeout;
        self
    }

    /// The revision graph.
    pub fn graph(&self) -> &RevisionGraph {
        &self.graph
    }

    fn migrator(&self, db: &str, access: Access) -> Result<Migrator<'_>, Error> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let url = DatabaseUrl::parse(db, &cwd)?;
        let driver = connect(&url, access, self.options.lock_timeout)?;
        let tables = VersionTables::new(url.dialect(), &self.version_table, &self.history_table);
        Ok(Migrator::new(&self.graph, driver, tables, self.options.clone()))
    }

    fn run(&self, db: &str, target: &str, up: bool) -> Result<Report, Error> {
        let target = Target::parse(target)?;
        let mut migrator = self.migrator(db, Access::ReadWrite)?;
        let before = migrator.version_rows()?;
        let run = if up { migrator.upgrade(&target, &mut Silent) } else { migrator.downgrade(&target, &mut Silent) };
        // A target that names no revision is the caller's error, whichever stage finds it.
        let run = run.map_err(|e| match e {
            ApplyError::Target(t) => Error::Target(t),
            other => Error::Run(other),
        })?;
        let after = migrator.version_rows()?;
        Ok(Report { before, after, steps: run.steps })
    }

    /// Upgrades the database at the URL `db` to `target` (`head`, `heads`, `+1`, an id, ...).
    pub fn upgrade(&self, db: &str, target: &str) -> Result<Report, Error> {
        self.run(db, target, true)
    }

    /// Downgrades the database at the URL `db` to `target` (`-1`, `base`, an id, ...).
    pub fn downgrade(&self, db: &str, target: &str) -> Result<Report, Error> {
        self.run(db, target, false)
    }

    /// The version rows: the revisions the database is at (empty at base).
    pub fn current(&self, db: &str) -> Result<Vec<String>, Error> {
        Ok(self.migrator(db, Access::ReadOnly)?.version_rows()?)
    }

    /// The revisions `upgrade(db, "heads")` would run, in order.
    pub fn pending(&self, db: &str) -> Result<Vec<String>, Error> {
        let rows = self.current(db)?;
        let (current, applied) = applied_from_rows(&self.graph, &rows, &self.version_table)?;
        let op = Resolver::new(&self.graph, &current, &applied).upgrade(&Target::parse("heads")?)?;
        Ok(plan(&self.graph, &current, &op).iter().map(|s| self.graph.id(s.rev).to_string()).collect())
    }

    /// The history table, oldest first.
    pub fn history(&self, db: &str) -> Result<Vec<HistoryRow>, Error> {
        Ok(self.migrator(db, Access::ReadOnly)?.history(None)?)
    }

    /// Applied migration files whose text changed since they ran (by checksum, against the
    /// history table).
    pub fn check_applied(&self, db: &str) -> Result<Vec<Drift>, Error> {
        let mut migrator = self.migrator(db, Access::ReadOnly)?;
        let (_, applied) = migrator.state()?;
        Ok(migrator.drift(&applied)?)
    }
}
