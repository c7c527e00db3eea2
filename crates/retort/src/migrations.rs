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
use std::sync::OnceLock;
use std::time::Duration;

use crate::dialect::VersionTables;
use crate::driver::{Access, ConnectError, Driver, connect};
use crate::executor::{ApplyError, Drift, HistoryRow, Migrator, RunOptions, Silent, StepReport};
use crate::folder::FolderError;
use crate::graph::RevisionGraph;
use crate::plan::plan;
use crate::target::{Resolver, Target, TargetError, applied_from_rows};
use crate::url::{DatabaseUrl, UrlError};

/// Why a call failed. Each variant carries the typed error of the stage that failed (a failing
/// migration's file, line and statement are in [`ApplyError::Step`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The migration files are unreadable, malformed, do not form a valid graph, or differ from
    /// `retort.sum`.
    #[error(transparent)]
    Files(#[from] FolderError),
    /// Embedded migrations that the compiling retort accepted and this one does not parse (the
    /// application was built against another retort version: rebuild it).
    #[error("the migrations embedded from {dir} do not parse: {message}; rebuild the application")]
    Embedded {
        /// The folder as `embed_migrations!` named it.
        dir: String,
        /// What is wrong.
        message: String,
    },
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

/// The database a call runs against: a URL (`sqlite:app.db`, `postgres://...`,
/// `mysql://...`), or a connection the application already holds, lent for the call.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let migrations = retort::Migrations::from_dir("migrations")?;
/// let mut conn = rusqlite::Connection::open("app.db")?;
/// migrations.upgrade(&mut conn, "head")?;
/// // ... the application goes on with the same connection.
/// # Ok(())
/// # }
/// ```
///
/// A lent connection must not be inside a transaction of the application's own: every step runs
/// in its own transaction (SQLite's `foreign_keys` setting is turned off for the run, as table
/// rebuilds need, and put back).
#[non_exhaustive]
pub enum Database<'c> {
    /// A database URL, connected for the call.
    Url(&'c str),
    /// An open SQLite connection.
    Sqlite(&'c mut rusqlite::Connection),
    /// An open PostgreSQL client.
    Postgres(&'c mut postgres::Client),
    /// An open MySQL or MariaDB connection, with its database selected.
    Mysql(&'c mut mysql::Conn),
}

impl<'c> From<&'c str> for Database<'c> {
    fn from(url: &'c str) -> Self {
        Database::Url(url)
    }
}

impl<'c> From<&'c String> for Database<'c> {
    fn from(url: &'c String) -> Self {
        Database::Url(url)
    }
}

impl<'c> From<&'c mut rusqlite::Connection> for Database<'c> {
    fn from(conn: &'c mut rusqlite::Connection) -> Self {
        Database::Sqlite(conn)
    }
}

impl<'c> From<&'c mut postgres::Client> for Database<'c> {
    fn from(client: &'c mut postgres::Client) -> Self {
        Database::Postgres(client)
    }
}

impl<'c> From<&'c mut mysql::Conn> for Database<'c> {
    fn from(conn: &'c mut mysql::Conn) -> Self {
        Database::Mysql(conn)
    }
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

/// Migrations compiled into the binary by [`embed_migrations!`](crate::embed_migrations), checked
/// at compile time. The same API as [`Migrations`] (which [`Embedded::migrations`] gives, for
/// its settings): the files are parsed once, on first use.
///
/// ```ignore
/// static MIGRATIONS: retort::Embedded = retort::embed_migrations!("migrations");
///
/// fn main() -> Result<(), retort::migrations::Error> {
///     let report = MIGRATIONS.upgrade("sqlite:app.db", "head")?;
///     println!("{report}");
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct Embedded {
    dir: &'static str,
    files: &'static [(&'static str, &'static str)],
    sum: Option<&'static str>,
    parsed: OnceLock<Result<Migrations, String>>,
}

impl Embedded {
    /// What `embed_migrations!` expands to: the folder as written, each file's name and text,
    /// and `retort.sum`'s text.
    #[doc(hidden)]
    pub const fn __new(
        dir: &'static str,
        files: &'static [(&'static str, &'static str)],
        sum: Option<&'static str>,
    ) -> Embedded {
        Embedded { dir, files, sum, parsed: OnceLock::new() }
    }

    /// The embedded files, as `(file name, text)`, sorted by name.
    pub fn files(&self) -> &'static [(&'static str, &'static str)] {
        self.files
    }

    /// The migrations, parsed on first use (the macro checked the same texts when it compiled
    /// them, so this fails only if the retort that compiled them differs from this one).
    pub fn migrations(&self) -> Result<&Migrations, Error> {
        let parsed = self.parsed.get_or_init(|| {
            crate::folder::from_texts(Path::new(self.dir), self.files, self.sum)
                .map(Migrations::from_graph)
                .map_err(|e| e.to_string())
        });
        parsed.as_ref().map_err(|message| Error::Embedded { dir: self.dir.to_string(), message: message.clone() })
    }

    /// [`Migrations::upgrade`].
    pub fn upgrade<'c>(&self, db: impl Into<Database<'c>>, target: &str) -> Result<Report, Error> {
        self.migrations()?.upgrade(db, target)
    }

    /// [`Migrations::downgrade`].
    pub fn downgrade<'c>(&self, db: impl Into<Database<'c>>, target: &str) -> Result<Report, Error> {
        self.migrations()?.downgrade(db, target)
    }

    /// [`Migrations::current`].
    pub fn current<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<String>, Error> {
        self.migrations()?.current(db)
    }

    /// [`Migrations::pending`].
    pub fn pending<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<String>, Error> {
        self.migrations()?.pending(db)
    }

    /// [`Migrations::history`].
    pub fn history<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<HistoryRow>, Error> {
        self.migrations()?.history(db)
    }

    /// [`Migrations::check_applied`].
    pub fn check_applied<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<Drift>, Error> {
        self.migrations()?.check_applied(db)
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
        let graph = crate::folder::read(dir.as_ref())?;
        Ok(Migrations::from_graph(graph))
    }

    fn from_graph(graph: RevisionGraph) -> Migrations {
        Migrations {
            graph,
            version_table: "retort_version".into(),
            history_table: "retort_history".into(),
            options: RunOptions::default(),
        }
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

    fn migrator<'s>(&'s self, db: Database<'s>, access: Access) -> Result<Migrator<'s>, Error> {
        let lent = |e: crate::driver::DbError| ConnectError::Unreachable {
            url: "the connection the application lent".into(),
            message: e.to_string(),
            hint: String::new(),
        };
        let driver: Box<dyn Driver + 's> = match db {
            Database::Url(text) => {
                let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
                let url = DatabaseUrl::parse(text, &cwd)?;
                connect(&url, access, self.options.lock_timeout)?
            }
            Database::Sqlite(conn) => Box::new(crate::dialect::sqlite::SqliteDriver::lent(conn).map_err(lent)?),
            Database::Postgres(client) => Box::new(crate::dialect::postgres::PostgresDriver::lent(client)),
            Database::Mysql(conn) => Box::new(crate::dialect::mysql::MysqlDriver::lent(conn).map_err(lent)?),
        };
        let tables = VersionTables::new(driver.dialect(), &self.version_table, &self.history_table);
        Ok(Migrator::new(&self.graph, driver, tables, self.options.clone()))
    }

    fn run<'s>(&'s self, db: Database<'s>, target: &str, up: bool) -> Result<Report, Error> {
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

    /// Upgrades the database `db` (a URL or a lent connection, see [`Database`]) to `target`
    /// (`head`, `heads`, `+1`, an id, ...).
    pub fn upgrade<'c>(&self, db: impl Into<Database<'c>>, target: &str) -> Result<Report, Error> {
        self.run(db.into(), target, true)
    }

    /// Downgrades the database `db` to `target` (`-1`, `base`, an id, ...).
    pub fn downgrade<'c>(&self, db: impl Into<Database<'c>>, target: &str) -> Result<Report, Error> {
        self.run(db.into(), target, false)
    }

    /// The version rows: the revisions the database is at (empty at base).
    pub fn current<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<String>, Error> {
        Ok(self.migrator(db.into(), Access::ReadOnly)?.version_rows()?)
    }

    /// The revisions `upgrade(db, "heads")` would run, in order.
    pub fn pending<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<String>, Error> {
        let rows = self.current(db)?;
        let (current, applied) = applied_from_rows(&self.graph, &rows, &self.version_table)?;
        let op = Resolver::new(&self.graph, &current, &applied).upgrade(&Target::parse("heads")?)?;
        Ok(plan(&self.graph, &current, &op).iter().map(|s| self.graph.id(s.rev).to_string()).collect())
    }

    /// The history table, oldest first.
    pub fn history<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<HistoryRow>, Error> {
        Ok(self.migrator(db.into(), Access::ReadOnly)?.history(None)?)
    }

    /// Applied migration files whose text changed since they ran (by checksum, against the
    /// history table).
    pub fn check_applied<'c>(&self, db: impl Into<Database<'c>>) -> Result<Vec<Drift>, Error> {
        let mut migrator = self.migrator(db.into(), Access::ReadOnly)?;
        let (_, applied) = migrator.state()?;
        Ok(migrator.drift(&applied)?)
    }
}
