//! What every command needs: the project (config + migrations) and, for some, a database.

use std::path::PathBuf;

use anyhow::Result;
use retort::config::{Config, ConfigError};
use retort::driver::{Access, Driver, connect};
use retort::project::Project;
use retort::url::DatabaseUrl;

/// Prints what differs from `retort.sum` as warnings.
pub fn warn_sum(project: &Project) {
    for problem in project.sum_problems() {
        eprintln!("warning: {problem}");
    }
}

/// The global options and the working directory.
pub struct Context {
    /// The working directory.
    pub cwd: PathBuf,
    /// `-c/--config`.
    pub config: Option<PathBuf>,
    /// `--url`.
    pub url: Option<String>,
    /// `--json`: results (and errors) as JSON.
    pub json: bool,
}

impl Context {
    /// Loads the project; a missing `retort.toml` is an error. Files that differ from
    /// `retort.sum` are reported as warnings here (commands that change the database use
    /// [`Context::project_unchecked`] and refuse instead, so each problem is printed once).
    pub fn project(&self) -> Result<Project> {
        let project = self.project_unchecked()?;
        warn_sum(&project);
        Ok(project)
    }

    /// Loads the project for a command that only reports (history, heads, show, lint): a
    /// migration file that cannot be read is named and left out, instead of hiding the rest.
    pub fn project_read_only(&self) -> Result<Project> {
        let config = Config::discover(self.config.as_deref(), &self.cwd)?;
        let (project, bad) = Project::open_lenient(config)?;
        for e in &bad {
            eprintln!("warning: {e} (left out; commands that change the database refuse until it is fixed)");
        }
        if bad.is_empty() {
            warn_sum(&project);
        }
        Ok(project)
    }

    /// Loads the project without looking at `retort.sum`.
    pub fn project_unchecked(&self) -> Result<Project> {
        let config = Config::discover(self.config.as_deref(), &self.cwd)?;
        Ok(Project::open(config)?)
    }

    /// The configuration when there is one, else an empty project in the working directory (for
    /// commands whose arguments name everything they need, like `diff URL URL`).
    pub fn config_or_nothing(&self) -> Result<Project> {
        match Config::discover(self.config.as_deref(), &self.cwd) {
            Ok(config) => Ok(Project::empty(config)),
            Err(ConfigError::NotFound { .. }) => Ok(Project::empty(Config::without_file(&self.cwd))),
            Err(e) => Err(e.into()),
        }
    }

    /// Loads the configuration only, for commands that need no migration file.
    pub fn config_only(&self) -> Result<Project> {
        Ok(Project::empty(Config::discover(self.config.as_deref(), &self.cwd)?))
    }

    /// Loads the project, or an empty one when there is no `retort.toml` but a URL was given
    /// (for commands that only need a database, like `current`).
    pub fn project_or_url_only(&self) -> Result<Project> {
        match self.config_or_url_only()? {
            Some(config) => Ok(Project::open(config)?),
            None => Ok(Project::empty(Config::without_file(&self.cwd))),
        }
    }

    /// The configuration, or `None` when there is no `retort.toml` but a URL was given.
    fn config_or_url_only(&self) -> Result<Option<Config>> {
        match Config::discover(self.config.as_deref(), &self.cwd) {
            Ok(config) => Ok(Some(config)),
            Err(ConfigError::NotFound { .. })
                if self.url.is_some() || std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The project (or only a URL, as [`Context::project_or_url_only`]) and a connection to its
    /// database, made while the migration files are read: the two take about as long each for
    /// a thousand revisions.
    pub fn project_and_connection(&self, access: Access) -> Result<(Project, DatabaseUrl, Box<dyn Driver>)> {
        let Some(config) = self.config_or_url_only()? else {
            let project = Project::empty(Config::without_file(&self.cwd));
            let (url, driver) = self.connect(&project, access)?;
            return Ok((project, url, driver));
        };
        let url = config.database_url(self.url.as_deref(), &self.cwd)?;
        let timeout = config.lock_timeout();
        std::thread::scope(|scope| {
            let reading = scope.spawn(move || Project::open(config));
            let driver = connect(&url, access, timeout);
            let project = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            Ok((project, url.clone(), driver?))
        })
    }

    /// The database URL for a project.
    pub fn database_url(&self, project: &Project) -> Result<DatabaseUrl> {
        Ok(project.config.database_url(self.url.as_deref(), &self.cwd)?)
    }

    /// Connects to the project's database.
    pub fn connect(&self, project: &Project, access: Access) -> Result<(DatabaseUrl, Box<dyn Driver>)> {
        let url = self.database_url(project)?;
        let driver = connect(&url, access, project.lock_timeout())?;
        Ok((url, driver))
    }
}
