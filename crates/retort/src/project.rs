//! A project: its configuration and its migration files as a revision graph.

use std::time::Duration;

use crate::config::{Config, ConfigError};
use crate::dialect::{Dialect, VersionTables};
use crate::executor::RunOptions;
use crate::folder::FolderError;
use crate::graph::{GraphError, RevisionGraph};
use crate::script::{ScriptError, read_dir};

/// Why a project could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The configuration is missing or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The migration files are unreadable or malformed, do not form a valid graph, or differ
    /// from `retort.sum`.
    #[error(transparent)]
    Files(#[from] FolderError),
}

impl From<ScriptError> for ProjectError {
    fn from(e: ScriptError) -> Self {
        ProjectError::Files(FolderError::Script(e))
    }
}

impl From<GraphError> for ProjectError {
    fn from(e: GraphError) -> Self {
        ProjectError::Files(FolderError::Graph(e))
    }
}

/// A loaded project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The configuration.
    pub config: Config,
    /// The migrations.
    pub graph: RevisionGraph,
}

impl Project {
    /// Reads every migration file of the configured folder and builds the graph.
    pub fn open(config: Config) -> Result<Project, ProjectError> {
        let scripts = read_dir(&config.migrations_dir())?;
        let graph = RevisionGraph::build(scripts)?;
        Ok(Project { config, graph })
    }

    /// Reads the project as [`Project::open`] does, setting aside migration files that cannot
    /// be read (returned, for commands that only report).
    pub fn open_lenient(config: Config) -> Result<(Project, Vec<ScriptError>), ProjectError> {
        let (scripts, bad) = crate::script::read_dir_lenient(&config.migrations_dir())?;
        let graph = RevisionGraph::build(scripts)?;
        Ok((Project { config, graph }, bad))
    }

    /// What differs from the sum file (`retort.sum`); empty when it matches or does not exist.
    pub fn sum_problems(&self) -> Vec<String> {
        crate::sum::check(&self.config.migrations_dir(), &self.graph)
    }

    /// An error when the files differ from the sum file: commands that change the database refuse.
    pub fn check_sum(&self) -> Result<(), ProjectError> {
        let problems = self.sum_problems();
        if problems.is_empty() {
            return Ok(());
        }
        Err(ProjectError::Files(FolderError::Sum {
            file: crate::sum::path(&self.config.migrations_dir()).display().to_string(),
            problems: problems.join("\n  "),
        }))
    }

    /// Rewrites the sum file from the current files.
    pub fn rehash(&self) -> Result<std::path::PathBuf, std::io::Error> {
        let dir = self.config.migrations_dir();
        crate::sum::write(&dir, &self.graph)?;
        Ok(crate::sum::path(&dir))
    }

    /// A project with no migration files, for commands given only `--url`.
    pub fn empty(config: Config) -> Project {
        let graph = RevisionGraph::build(Vec::new()).unwrap_or_else(|_| unreachable!("an empty graph is valid"));
        Project { config, graph }
    }

    /// retort's own tables in the given dialect, named as configured.
    pub fn tables(&self, dialect: Dialect) -> VersionTables {
        let m = &self.config.file.migrations;
        VersionTables::new(dialect, &m.version_table, &m.history_table)
    }

    /// Run options from the configuration.
    pub fn run_options(&self, strict_checksums: bool) -> RunOptions {
        RunOptions {
            transaction_per_migration: self.config.file.migrations.transaction_per_migration,
            strict_checksums,
            lock_timeout: self.lock_timeout(),
            resume: crate::executor::Resume::No,
            ddl_lock_wait: self.config.file.database.ddl_lock_wait.map(std::time::Duration::from_secs),
        }
    }

    /// What `inspect` reads: the configured schemas (default `public`), without retort's own
    /// tables; with no `retort.toml` at all (commands given only `--url`), every user schema, as
    /// `pg_dump --schema-only` reads.
    pub fn inspect_options(&self, dialect: Dialect) -> crate::inspect::InspectOptions {
        let m = &self.config.file.migrations;
        let schemas = match (dialect, self.config.file.schema.schemas.is_empty()) {
            (Dialect::Postgres, true) if self.config.path.is_none() => Vec::new(),
            (Dialect::Postgres, true) => vec!["public".to_string()],
            (Dialect::Postgres, false) => self.config.file.schema.schemas.clone(),
            (Dialect::Sqlite | Dialect::Mysql, _) => Vec::new(),
        };
        crate::inspect::InspectOptions {
            schemas,
            exclude_tables: [m.version_table.clone(), m.history_table.clone()]
                .into_iter()
                .chain(self.config.file.schema.exclude.iter().cloned())
                .collect(),
        }
    }

    /// Where scratch databases go: `[schema] dev_url` when set, else the server of `url`. SQLite
    /// needs none (its scratch databases are in memory or temporary files).
    pub fn scratch_url(&self, url: &crate::url::DatabaseUrl) -> Result<crate::url::DatabaseUrl, crate::url::UrlError> {
        match (&self.config.file.schema.dev_url, url) {
            (Some(dev), crate::url::DatabaseUrl::Postgres(_)) => {
                crate::url::DatabaseUrl::parse(&crate::config::interpolate_env(dev)?, &self.config.root)
            }
            _ => Ok(url.clone()),
        }
    }

    /// How long to wait for the migration lock (and SQLite's write lock).
    pub fn lock_timeout(&self) -> Duration {
        self.config.lock_timeout()
    }
}
