//! Fleets: one command on many databases or tenant schemas (`[fleet]` in `retort.toml`,
//! `--fleet`), several at a time, each target with its own connection and its own migration lock,
//! a failure in one never stopping the others unless asked. The command itself is the caller's
//! (`run` takes it as a closure); this module picks the targets and runs the pool.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::driver::{Access, ConnectError, Driver};
use crate::url::{DatabaseUrl, mask_password};

/// One target of a fleet: a database, or one schema of a PostgreSQL database (a schema per
/// tenant). `Display` shows it with the password masked, as every report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The database.
    pub url: DatabaseUrl,
    /// The tenant's schema: its migrations run with `search_path` set to it alone, retort's
    /// version and history tables live in it, and `check` compares it with the desired schema.
    pub schema: Option<String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{} (schema {schema})", self.url),
            None => write!(f, "{}", self.url),
        }
    }
}

impl Target {
    /// A whole database.
    pub fn database(url: DatabaseUrl) -> Target {
        Target { url, schema: None }
    }

    /// A connection to the target: to its database, with `search_path` set to its schema.
    pub fn connect(&self, access: Access, busy_timeout: Duration) -> Result<Box<dyn Driver>, ConnectError> {
        crate::driver::connect_in(&self.url, self.schema.as_deref(), access, busy_timeout)
    }
}

/// One worker's connections: a PostgreSQL connection is kept from one target to the next of the
/// same database (the tenant schemas of one database), reset with `DISCARD ALL` in between (its
/// settings, `search_path`, temporary tables and advisory locks all go), instead of a new backend
/// per tenant, which is most of what skipping a tenant at head costs. After a target fails, its
/// connection is closed, not reused.
#[derive(Default)]
pub struct Session {
    kept: Option<(DatabaseUrl, postgres::Client)>,
}

impl Session {
    /// A connection to `target` (see [`Target::connect`]), lent from this session when it can be.
    pub fn connect(
        &mut self,
        target: &Target,
        access: Access,
        busy_timeout: Duration,
    ) -> Result<Box<dyn Driver + '_>, ConnectError> {
        let DatabaseUrl::Postgres(raw) = &target.url else { return target.connect(access, busy_timeout) };
        let reusable = match &mut self.kept {
            Some((url, client)) if *url == target.url => client.batch_execute("DISCARD ALL").is_ok(),
            _ => false,
        };
        if !reusable {
            self.kept = None;
            let opened = crate::driver::connect_postgres(&target.url, raw)?;
            let client = opened.into_client().ok_or_else(|| ConnectError::Unreachable {
                url: target.url.to_string(),
                message: "the new connection was not the driver's own".into(),
                hint: String::new(),
            })?;
            self.kept = Some((target.url.clone(), client));
        }
        let Some((_, client)) = &mut self.kept else { return target.connect(access, busy_timeout) };
        let mut driver: Box<dyn Driver + '_> = Box::new(crate::dialect::postgres::PostgresDriver::lent(client));
        if let Some(schema) = &target.schema {
            crate::driver::enter_schema(driver.as_mut(), &target.url, schema)?;
        }
        Ok(driver)
    }

    /// Closes the kept connection (after a failure: its state is unknown).
    pub fn forget(&mut self) {
        self.kept = None;
    }
}

/// What one target's run gave.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The target as shown (password masked).
    pub target: String,
    /// The command's result, or its error (password masked).
    pub result: Result<T, String>,
    /// How long the target took.
    pub elapsed: Duration,
}

/// Why the fleet's targets cannot be chosen.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// `[fleet]` cannot be read.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// `databases_query` or `schemas_query` failed.
    #[error("[fleet] {key} on {url}: {message}")]
    Query {
        /// Which query.
        key: &'static str,
        /// Where it ran (password masked).
        url: String,
        /// What went wrong.
        message: String,
    },
    /// `--only` or `--exclude` is not a valid glob.
    #[error("{flag} {pattern:?} is not a valid pattern: {message}")]
    Pattern {
        /// The option.
        flag: &'static str,
        /// What was given.
        pattern: String,
        /// Why it is invalid.
        message: String,
    },
}

/// Every target `[fleet]` names: its `urls`, `urls_file` and `urls_glob`, then the rows of its
/// `databases_query`, then the schemas its `schemas_query` lists, each once.
pub fn targets(config: &crate::config::Config) -> Result<Vec<Target>, FleetError> {
    let mut targets: Vec<Target> = config.fleet_urls()?.into_iter().map(Target::database).collect();
    let mut add = |target: Target| {
        if !targets.contains(&target) {
            targets.push(target);
        }
    };
    let fleet = &config.file.fleet;
    if let Some(query) = &fleet.databases_query {
        let key = "databases_query";
        let (text, url, names) = query_rows(config, key, &query.url, &query.sql)?;
        for value in names {
            let target = if value.contains("://") { value } else { with_database(&text, &value) };
            let parsed = DatabaseUrl::parse(&target, &config.root).map_err(|e| FleetError::Query {
                key,
                url: url.to_string(),
                message: mask_password(&e.to_string()),
            })?;
            add(Target::database(parsed));
        }
    }
    if let Some(query) = &fleet.schemas_query {
        let key = "schemas_query";
        let Some(text) = query.url.as_ref().or(config.file.database.url.as_ref()) else {
            return Err(FleetError::Query {
                key,
                url: "[database] url".into(),
                message: "not set: give the query a url (schemas_query = { url = \"...\", sql = \"...\" })".into(),
            });
        };
        let (_, url, schemas) = query_rows(config, key, text, &query.sql)?;
        if url.dialect() != crate::dialect::Dialect::Postgres {
            let message =
                "a schema per tenant is a PostgreSQL layout (on MySQL a schema is a database: use databases_query)";
            return Err(FleetError::Query { key, url: url.to_string(), message: message.into() });
        }
        for schema in schemas {
            add(Target { url: url.clone(), schema: Some(schema) });
        }
    }
    Ok(targets)
}

/// The first column of every row `sql` returns on `url_text` (its `${VAR}`s replaced), with the
/// URL as text and parsed.
fn query_rows(
    config: &crate::config::Config,
    key: &'static str,
    url_text: &str,
    sql: &str,
) -> Result<(String, DatabaseUrl, Vec<String>), FleetError> {
    let text = crate::config::interpolate_env(url_text).map_err(crate::config::ConfigError::from)?;
    let url = DatabaseUrl::parse(&text, &config.root).map_err(crate::config::ConfigError::from)?;
    let failed = |message: String| FleetError::Query { key, url: url.to_string(), message: mask_password(&message) };
    let mut driver =
        crate::driver::connect(&url, Access::ReadOnly, config.lock_timeout()).map_err(|e| failed(e.to_string()))?;
    let rows = driver.query(sql).map_err(|e| failed(e.to_string()))?;
    let values = rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect();
    Ok((text, url, values))
}

/// A server URL with its database replaced (`postgres://u:p@h/postgres?sslmode=require` and
/// `tenant_a` give `postgres://u:p@h/tenant_a?sslmode=require`); the name is percent-encoded.
pub fn with_database(url: &str, database: &str) -> String {
    let encoded: String = database
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    let authority = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url[authority..].find('?') {
        Some(q) => url.split_at(authority + q),
        None => (url, ""),
    };
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{base}/{encoded}{query}")
}

fn patterns(flag: &'static str, texts: &[String]) -> Result<Vec<glob::Pattern>, FleetError> {
    texts
        .iter()
        .map(|t| {
            glob::Pattern::new(t).map_err(|e| FleetError::Pattern { flag, pattern: t.clone(), message: e.to_string() })
        })
        .collect()
}

/// The targets that match one of `only` (all when empty) and none of `exclude`. A pattern
/// matches a target when it matches its URL as shown (password masked) or its schema.
pub fn select(targets: Vec<Target>, only: &[String], exclude: &[String]) -> Result<Vec<Target>, FleetError> {
    let (only, exclude) = (patterns("--only", only)?, patterns("--exclude", exclude)?);
    Ok(targets
        .into_iter()
        .filter(|t| {
            let shown = t.url.to_string();
            let matches = |p: &glob::Pattern| p.matches(&shown) || t.schema.as_deref().is_some_and(|s| p.matches(s));
            (only.is_empty() || only.iter().any(matches)) && !exclude.iter().any(matches)
        })
        .collect())
}

/// `--shard K/N`: this machine's part of a fleet split N ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 1.
    pub k: u64,
    /// How many parts.
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text:?}: write K/N with 1 <= K <= N, as 2/4");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// Whether a target belongs to this part: by a stable hash of its URL without the password
    /// and its schema, so machines that list the targets in any order split them the same way,
    /// each exactly once.
    pub fn holds(&self, target: &Target) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(target.to_string().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.n == self.k - 1
    }
}

/// How many more connections one server of a fleet takes: its `max_connections` less those
/// reserved and in use, and, on PostgreSQL, the connecting role's `CONNECTION LIMIT` less its
/// connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// The server (its first target's URL, password masked).
    pub server: String,
    /// The connections it has room for (the probe's own connection, closed, counted free).
    pub free: usize,
    /// What limits it, in words (`max_connections 100, 97 in use, 3 reserved`).
    pub limit: String,
}

/// The connection budget of every server the targets are on (SQLite files have none); a server
/// that cannot be asked is left out (its targets then fail with their own error).
pub fn connection_budget(targets: &[Target], busy_timeout: Duration) -> Vec<Budget> {
    let mut servers: Vec<(String, &Target)> = Vec::new();
    for target in targets {
        let key = match &target.url {
            DatabaseUrl::Postgres(raw) | DatabaseUrl::Mysql(raw) => with_database(raw, ""),
            DatabaseUrl::Sqlite(_) => continue,
        };
        if !servers.iter().any(|(k, _)| *k == key) {
            servers.push((key, target));
        }
    }
    servers.into_iter().filter_map(|(_, target)| budget_of(target, busy_timeout)).collect()
}

fn budget_of(target: &Target, busy_timeout: Duration) -> Option<Budget> {
    let mut driver = crate::driver::connect(&target.url, Access::ReadOnly, busy_timeout).ok()?;
    let numbers = |driver: &mut Box<dyn Driver>, sql: &str| -> Option<Vec<i64>> {
        let rows = driver.query(sql).ok()?;
        rows.into_iter().next()?.into_iter().map(|c| c.and_then(|v| v.parse().ok())).collect()
    };
    // (what, limit, in use, reserved); a limit of -1 (a role without one) is no limit.
    let limits: Vec<(&str, i64, i64, i64)> = match &target.url {
        DatabaseUrl::Postgres(_) => {
            let server = numbers(
                &mut driver,
                "SELECT current_setting('max_connections')::int,
                        (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'),
                        current_setting('superuser_reserved_connections')::int
                          + coalesce(current_setting('reserved_connections', true)::int, 0)",
            )?;
            let role = numbers(
                &mut driver,
                "SELECT r.rolconnlimit, (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.usename = current_user)
                   FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
            )?;
            vec![
                ("max_connections", *server.first()?, *server.get(1)?, *server.get(2)?),
                ("the role's CONNECTION LIMIT", *role.first()?, *role.get(1)?, 0),
            ]
        }
        DatabaseUrl::Mysql(_) => {
            let max = numbers(&mut driver, "SELECT @@max_connections")?;
            let rows = driver.query("SHOW GLOBAL STATUS LIKE 'Threads_connected'").ok()?;
            let used = rows.first()?.get(1)?.as_deref()?.parse().ok()?;
            vec![("max_connections", *max.first()?, used, 0)]
        }
        DatabaseUrl::Sqlite(_) => return None,
    };
    limits
        .into_iter()
        .filter(|(_, limit, _, _)| *limit >= 0)
        .map(|(what, limit, used, reserved)| {
            let free = (limit - reserved - used + 1).max(0) as usize;
            let reserved = if reserved > 0 { format!(", {reserved} reserved") } else { String::new() };
            Budget { server: target.url.to_string(), free, limit: format!("{what} {limit}, {used} in use{reserved}") }
        })
        .min_by_key(|b| b.free)
}

/// How many targets run at once when nothing says: the number of cores.
pub fn default_parallel() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs `job` on every target, `parallel` at a time, each worker with its own [`Session`],
/// calling `done` (on this thread) as each finishes; the outcomes come back in the targets'
/// order. With `fail_fast`, no target starts after one failed (those running finish; the rest
/// are left out).
pub fn run<T: Send>(
    targets: &[Target],
    parallel: usize,
    fail_fast: bool,
    job: impl Fn(&mut Session, &Target) -> Result<T, String> + Sync,
    mut done: impl FnMut(&Outcome<T>),
) -> Vec<Outcome<T>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<(usize, Outcome<T>)>();
    let mut outcomes: Vec<Option<Outcome<T>>> = (0..targets.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, targets.len().max(1)) {
            let sender = sender.clone();
            let (next, stop, job) = (&next, &stop, &job);
            scope.spawn(move || {
                let mut session = Session::default();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= targets.len() || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let started = Instant::now();
                    let result = job(&mut session, &targets[i]).map_err(|e| mask_password(&e));
                    if result.is_err() {
                        session.forget();
                    }
                    if result.is_err() && fail_fast {
                        stop.store(true, Ordering::SeqCst);
                    }
                    let outcome = Outcome { target: targets[i].to_string(), result, elapsed: started.elapsed() };
                    if sender.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (i, outcome) in receiver {
            done(&outcome);
            outcomes[i] = Some(outcome);
        }
    });
    outcomes.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(n: usize) -> Vec<Target> {
        (0..n)
            .map(|i| DatabaseUrl::parse(&format!("sqlite:t{i:03}.db"), std::path::Path::new("/data")))
            .map(|u| u.map(Target::database))
            .collect::<Result<_, _>>()
            .unwrap_or_default()
    }

    fn schemas(n: usize) -> Vec<Target> {
        let url = DatabaseUrl::Postgres("postgres://u:secret@h/app".into());
        (0..n).map(|i| Target { url: url.clone(), schema: Some(format!("tenant_{i:03}")) }).collect()
    }

    #[test]
    fn every_target_runs_once_in_order_and_failures_stay_apart() {
        let targets = urls(50);
        let mut seen = 0;
        let outcomes = run(
            &targets,
            4,
            false,
            |_, u| if u.to_string().contains("t007") { Err("boom".into()) } else { Ok(u.to_string()) },
            |_| seen += 1,
        );
        assert_eq!((outcomes.len(), seen), (50, 50));
        assert!(outcomes.iter().zip(&targets).all(|(o, t)| o.target == t.to_string()));
        assert_eq!(outcomes.iter().filter(|o| o.result.is_err()).count(), 1);
        let stopped = run(
            &targets,
            1,
            true,
            |_, u| if u.to_string().contains("t003") { Err(()) } else { Ok(()) }.map_err(|_| "x".into()),
            |_| {},
        );
        assert_eq!(stopped.len(), 4, "fail-fast starts nothing after the failure");
    }

    #[test]
    fn shards_cover_every_target_once_whatever_the_order() {
        let targets = urls(200);
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap_or(Shard { k: 1, n: 1 })).collect();
        let mut reversed = targets.clone();
        reversed.reverse();
        for t in &targets {
            assert_eq!(shards.iter().filter(|s| s.holds(t)).count(), 1);
        }
        let count = |list: &[Target], s: &Shard| list.iter().filter(|t| s.holds(t)).count();
        assert!(shards.iter().all(|s| count(&targets, s) == count(&reversed, s) && count(&targets, s) > 40));
        // Tenant schemas of one database are split by their schema.
        let tenants = schemas(90);
        assert!(shards.iter().all(|s| count(&tenants, s) > 15), "each shard holds some tenants");
        assert!("0/3".parse::<Shard>().is_err() && "4/3".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
    }

    #[test]
    fn a_database_name_replaces_the_url_s_database_only() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=require", "t_a"),
            "postgres://u:p@h:5432/t_a?sslmode=require"
        );
        assert_eq!(with_database("mysql://root@127.0.0.1:3306", "t b"), "mysql://root@127.0.0.1:3306/t%20b");
        assert_eq!(with_database("postgres://h/x", "y"), "postgres://h/y");
    }

    #[test]
    fn only_and_exclude_match_the_shown_url() {
        let chosen = select(urls(20), &["*t01?.db".into()], &["*t015.db".into()]).unwrap_or_default();
        assert_eq!(chosen.len(), 9);
        assert!(select(urls(1), &["[".into()], &[]).is_err());
        let tenants = select(schemas(30), &["tenant_01?".into()], &[]).unwrap_or_default();
        assert_eq!(tenants.len(), 10, "a schema matches by its name");
        assert_eq!(tenants[0].to_string(), "postgres://u:***@h/app (schema tenant_010)");
    }
}
