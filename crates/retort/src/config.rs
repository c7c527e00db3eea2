//! `retort.toml`: where the project's migrations live, which database to use, and how to apply.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dialect::Dialect;
use crate::url::{DatabaseUrl, UrlError};

/// The name of the project file, searched upward from the working directory.
pub const CONFIG_FILE: &str = "retort.toml";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No `retort.toml` in the working directory or any parent.
    #[error(
        "no {CONFIG_FILE} found in {start} or any parent folder; run `retort init` to create a project, or pass -c PATH"
    )]
    NotFound {
        /// The folder the search started from.
        start: String,
    },
    /// `[schema]` names more than one source of the desired schema.
    #[error(
        "{path}: [schema] sets {}; they are alternatives (the desired schema comes from one of them): keep one",
        keys.join(" and ")
    )]
    SchemaSources {
        /// The configuration file.
        path: String,
        /// The `[schema]` keys that are set (`paths`, `command`, `sqlalchemy`).
        keys: Vec<&'static str>,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The configuration file.
        path: String,
        /// Why it could not be written.
        message: String,
    },
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The configuration file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("{path}: {message}")]
    Parse {
        /// The configuration file.
        path: String,
        /// What is wrong (usually the TOML parser's message).
        message: String,
    },
    /// No database URL anywhere.
    #[error("no database URL: pass --url, set [database] url in {CONFIG_FILE}, or set DATABASE_URL")]
    NoUrl,
    /// The URL is malformed or unsupported.
    #[error(transparent)]
    Url(#[from] UrlError),
}

/// The contents of `retort.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    /// Which database to migrate.
    pub database: DatabaseSection,
    /// Where migration files live and how they are applied.
    pub migrations: MigrationsSection,
    /// The desired schema ("models") that autogenerate compares the database against.
    pub schema: SchemaSection,
    /// The databases `--fleet` runs a command on.
    #[serde(skip_serializing_if = "FleetSection::is_empty")]
    pub fleet: FleetSection,
}

/// `[fleet]`: the databases a command runs on with `--fleet`, from any of the keys together.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FleetSection {
    /// Database URLs (`${VAR}` is replaced by the environment variable VAR).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// A file with one URL per line (blank lines and `#` comments skipped), relative to
    /// `retort.toml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls_file: Option<String>,
    /// SQLite files matching a glob, relative to `retort.toml` (`data/*.db`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls_glob: Option<String>,
    /// A query whose rows name the fleet's databases, run on its own `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub databases_query: Option<DatabasesQuery>,
    /// A query whose rows name the fleet's tenant schemas (PostgreSQL, a schema per tenant), run
    /// on its own `url` or `[database] url`: each target is that database with the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schemas_query: Option<SchemasQuery>,
    /// How many targets run at once (default: the number of cores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel: Option<usize>,
}

/// `[fleet] databases_query = { url = "...", sql = "..." }`: each row's first column is a
/// database name (the target is `url` with its database replaced, user, password and
/// parameters kept) or, holding `://`, a whole URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabasesQuery {
    /// Where the query runs (`${VAR}` allowed).
    pub url: String,
    /// The query.
    pub sql: String,
}

/// `[fleet] schemas_query = { sql = "..." }`: each row's first column is a schema of the
/// database the query runs on (`url`, default `[database] url`), and a target of the fleet.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SchemasQuery {
    /// Where the query runs and the tenants live (`${VAR}` allowed; default `[database] url`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
    /// The query.
    pub sql: String,
}

impl FleetSection {
    fn is_empty(&self) -> bool {
        *self == FleetSection::default()
    }
}

/// `[database]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSection {
    /// The database URL; `${VAR}` is replaced by the environment variable VAR.
    pub url: Option<String>,
    /// Seconds to wait for another retort run holding the migration lock.
    pub lock_timeout: u64,
    /// Seconds a migration's statement may wait for a lock another session holds (MySQL's
    /// `lock_wait_timeout`, 60 when unset; PostgreSQL's `lock_timeout`, only when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ddl_lock_wait: Option<u64>,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        DatabaseSection { url: None, lock_timeout: 600, ddl_lock_wait: None }
    }
}

/// `[migrations]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MigrationsSection {
    /// The folder holding the migration files, relative to `retort.toml`.
    pub dir: PathBuf,
    /// The table recording the applied heads (Alembic's `alembic_version` semantics).
    pub version_table: String,
    /// The table recording every applied, rolled back or stamped step.
    pub history_table: String,
    /// One transaction per migration (true) or one for the whole run (false).
    pub transaction_per_migration: bool,
    /// Whether `upgrade` refuses to run migrations in which lint finds errors (`--force` overrides).
    pub lint_before_upgrade: bool,
}

impl Default for MigrationsSection {
    fn default() -> Self {
        MigrationsSection {
            dir: PathBuf::from("migrations"),
            version_table: "retort_version".into(),
            history_table: "retort_history".into(),
            transaction_per_migration: true,
            lint_before_upgrade: true,
        }
    }
}

/// `[schema]`: the desired schema, read by autogenerate.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SchemaSection {
    /// Globs of SQL DDL files, in order.
    pub paths: Vec<String>,
    /// A program printing the DDL on stdout, as an alternative to `paths`.
    pub command: Vec<String>,
    /// SQLAlchemy models as the desired schema, as an alternative to `paths` and `command`:
    /// `package.module:Base` (a declarative base) or `package.module:metadata` (a `MetaData`).
    pub sqlalchemy: Option<String>,
    /// The Python that imports the models (and renders an Alembic import); default `python3`.
    pub python: Option<String>,
    /// Folders added to Python's import path for the models, relative to `retort.toml`.
    pub pythonpath: Vec<String>,
    /// PostgreSQL schemas that hold the application's objects (default: `public`).
    pub schemas: Vec<String>,
    /// A server where retort may create and drop temporary databases (to load the desired schema
    /// and to run `verify`); default: the server of the database URL.
    pub dev_url: Option<String>,
    /// Tables retort leaves alone: never inspected, compared or dropped (names or globs with `*`
    /// and `?`), e.g. another tool's bookkeeping such as Alembic's `alembic_version`.
    pub exclude: Vec<String>,
}

impl SchemaSection {
    /// The keys that name a desired schema (`paths`, `command`, `sqlalchemy`) and are set: one at
    /// most in a valid file, none when the project has no desired schema.
    pub fn sources(&self) -> Vec<&'static str> {
        [
            (!self.paths.is_empty(), "paths"),
            (!self.command.is_empty(), "command"),
            (self.sqlalchemy.is_some(), "sqlalchemy"),
        ]
        .into_iter()
        .filter_map(|(set, key)| set.then_some(key))
        .collect()
    }
}

/// A loaded project configuration: the parsed file and the folder it lives in.
#[derive(Debug, Clone)]
pub struct Config {
    /// The parsed `retort.toml` (or the defaults, when running from `--url` alone).
    pub file: ConfigFile,
    /// The folder paths in the file are relative to.
    pub root: PathBuf,
    /// Where the configuration came from, for messages; `None` when there is no file.
    pub path: Option<PathBuf>,
}

impl Config {
    /// Finds `retort.toml`: `explicit` if given, else searching upward from `start`.
    pub fn discover(explicit: Option<&Path>, start: &Path) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        // Paths stay relative to `start` ("", "..", "../..") so that messages show
        // `migrations/x.sql` rather than absolute paths.
        let mut dir = Some(start);
        let mut up = PathBuf::new();
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                let mut config = Config::load(&up.join(CONFIG_FILE))?;
                if start.is_absolute() && std::env::current_dir().ok().as_deref() != Some(start) {
                    // Relative paths only make sense from the working directory.
                    config = Config::load(&d.join(CONFIG_FILE))?;
                }
                return Ok(config);
            }
            dir = d.parent();
            up.push("..");
        }
        Err(ConfigError::NotFound { start: start.display().to_string() })
    }

    /// Reads and parses one configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let keys = file.schema.sources();
        if keys.len() > 1 {
            return Err(ConfigError::SchemaSources { path: path.display().to_string(), keys });
        }
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Config { file, root, path: Some(path.to_path_buf()) })
    }

    /// A configuration with every default and no file, for commands run with `--url` only.
    pub fn without_file(cwd: &Path) -> Config {
        Config { file: ConfigFile::default(), root: cwd.to_path_buf(), path: None }
    }

    /// The migrations folder, resolved against the config's folder.
    pub fn migrations_dir(&self) -> PathBuf {
        self.root.join(&self.file.migrations.dir)
    }

    /// How long to wait for the migration lock (and SQLite's write lock).
    pub fn lock_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.file.database.lock_timeout)
    }

    /// The fleet's database URLs, in the order the keys list them (`urls`, then `urls_file`, then
    /// `urls_glob`), each once.
    pub fn fleet_urls(&self) -> Result<Vec<DatabaseUrl>, ConfigError> {
        let fleet = &self.file.fleet;
        let mut texts: Vec<String> = fleet.urls.iter().map(|u| interpolate_env(u)).collect::<Result<_, _>>()?;
        if let Some(file) = &fleet.urls_file {
            let path = self.root.join(file);
            let listed = std::fs::read_to_string(&path)
                .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
            for line in listed.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                texts.push(interpolate_env(line)?);
            }
        }
        if let Some(pattern) = &fleet.urls_glob {
            let full = self.root.join(pattern).display().to_string();
            let paths = glob::glob(&full).map_err(|e| ConfigError::Parse {
                path: self.path.as_ref().map_or_else(|| CONFIG_FILE.to_string(), |p| p.display().to_string()),
                message: format!("[fleet] urls_glob {pattern:?}: {e}"),
            })?;
            let mut files: Vec<String> = paths.flatten().map(|p| format!("sqlite:{}", p.display())).collect();
            files.sort();
            texts.extend(files);
        }
        let mut seen = std::collections::HashSet::new();
        texts.retain(|t| seen.insert(t.clone()));
        Ok(texts.iter().map(|t| DatabaseUrl::parse(t, &self.root)).collect::<Result<_, _>>()?)
    }

    /// Picks the database URL: `--url` first, then the config, then `DATABASE_URL`.
    pub fn database_url(&self, cli_url: Option<&str>, cwd: &Path) -> Result<DatabaseUrl, ConfigError> {
        if let Some(url) = cli_url {
            return Ok(DatabaseUrl::parse(&interpolate_env(url)?, cwd)?);
        }
        if let Some(url) = &self.file.database.url {
            return Ok(DatabaseUrl::parse(&interpolate_env(url)?, &self.root)?);
        }
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => Ok(DatabaseUrl::parse(&url, cwd)?),
            _ => Err(ConfigError::NoUrl),
        }
    }
}

pub use toml_edit::{Array as TomlArray, Value as TomlValue};

/// Sets `[section] key = value` in a `retort.toml`, keeping its comments and layout, and removes
/// the keys of `remove` from that section (commented lines stay).
pub fn set_value(
    path: &Path,
    section: &str,
    key: &str,
    value: toml_edit::Value,
    remove: &[&str],
) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| ConfigError::Parse {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let table = doc.entry(section).or_insert_with(toml_edit::table).as_table_like_mut().ok_or_else(|| {
        ConfigError::Parse { path: path.display().to_string(), message: format!("[{section}] is not a table") }
    })?;
    for old in remove {
        table.remove(old);
    }
    match table.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
        Some(existing) => {
            // Keep the comment after the old value.
            let decor = existing.decor().clone();
            *existing = value;
            *existing.decor_mut() = decor;
        }
        None => {
            table.insert(key, toml_edit::Item::Value(value));
        }
    }
    std::fs::write(path, doc.to_string())
        .map_err(|e| ConfigError::Write { path: path.display().to_string(), message: e.to_string() })
}

/// Replaces each `${VAR}` by the value of the environment variable VAR (an unset one is an error).
pub fn interpolate_env(text: &str) -> Result<String, UrlError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let var = &after[..end];
        let value = std::env::var(var).map_err(|_| UrlError::MissingEnv { var: var.to_string() })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `retort.toml` that `retort init` writes: every key, commented, with its default.
pub fn template(url: &str, dialect: Dialect) -> String {
    let schema_tail = schema_tail(dialect);
    format!(
        r#"# retort project configuration. Paths are relative to this file.

[database]
# sqlite:path.db, sqlite:///abs/path.db, sqlite::memory:, postgres://user:password@host:5432/dbname,
# mysql://user:password@host:3306/dbname (also mariadb://; ?ssl-mode=REQUIRED, ?socket=/path)
# ${{VAR}} is replaced by an environment variable; --url and DATABASE_URL take precedence/fallback.
url = "{url}"
# Seconds to wait for the migration lock held by another retort run.
lock_timeout = 600
# Seconds a migration's statement may wait for a table lock another session holds before it
# fails (MySQL/MariaDB: lock_wait_timeout, 60 when unset; PostgreSQL: lock_timeout, only when set).
# ddl_lock_wait = 60

[migrations]
dir = "migrations"
# Set to "alembic_version" to adopt a database that Alembic managed.
version_table = "retort_version"
history_table = "retort_history"
# false: run a whole upgrade/downgrade in one transaction.
transaction_per_migration = true
# upgrade refuses migrations in which `retort lint` finds errors (--force overrides).
lint_before_upgrade = true

[schema]
# The desired schema for `retort revision --autogenerate`: SQL DDL files, in order.
paths = ["schema/*.sql"]
{schema_tail}"#
    )
}

/// The end of the template's `[schema]` section, which differs by dialect.
fn schema_tail(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Mysql => {
            "# (On MySQL/MariaDB, autogenerate, check, diff and verify do not read schemas yet; upgrade,\n\
             # downgrade, stamp, current and history work.)\n\
             # Where temporary databases may be created (desired schema, verify); default: the database's server.\n\
             # dev_url = \"mysql://root@localhost:3306/scratch\"\n"
        }
        Dialect::Postgres | Dialect::Sqlite => {
            "# PostgreSQL schemas retort inspects and manages.\n\
             schemas = [\"public\"]\n\
             # Where temporary databases may be created (desired schema, verify); default: the database's server.\n\
             # dev_url = \"postgres://postgres@localhost/postgres\"\n"
        }
    }
}

/// The starter desired-schema file `retort init` writes (`schema/schema.sql`).
pub fn schema_template() -> &'static str {
    "-- The desired schema: the tables, indexes and constraints the application needs, as SQL DDL.\n\
     -- `retort revision --autogenerate -m \"...\"` compares the database with the files of\n\
     -- [schema] paths (retort.toml) and writes the migration; `retort check` says whether they match.\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_keys() {
        let file: ConfigFile = toml::from_str("[database]\nurl = \"sqlite:a.db\"\n").unwrap_or_default();
        assert_eq!(file.migrations.version_table, "retort_version");
        assert!(file.migrations.transaction_per_migration);
        let bad = toml::from_str::<ConfigFile>("[migrations]\nversion_tabel = \"x\"\n");
        assert!(bad.is_err_and(|e| e.to_string().contains("version_tabel")));
    }

    #[test]
    fn template_parses_to_defaults() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            let file: Result<ConfigFile, _> = toml::from_str(&template("sqlite:app.db", dialect));
            let file = file.map_err(|e| e.to_string());
            assert_eq!(file.as_ref().map(|f| f.migrations.clone()), Ok(MigrationsSection::default()), "{dialect:?}");
        }
    }

    #[test]
    fn env_interpolation() {
        // PATH is set in every test environment.
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(interpolate_env("a${PATH}b").ok(), Some(format!("a{path}b")));
        assert!(interpolate_env("${RETORT_SURELY_UNSET_VAR}").is_err());
        assert_eq!(interpolate_env("no vars").ok().as_deref(), Some("no vars"));
    }
}
