//! Fleets: one command on many databases (`[fleet]` in `retort.toml`, `--fleet`), several at a
//! time, each target with its own connection and its own migration lock, a failure in one never
//! stopping the others unless asked. The command itself is the caller's (`run` takes it as a
//! closure); this module picks the targets and runs the pool.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::url::{DatabaseUrl, mask_password};

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
    /// `databases_query` failed.
    #[error("[fleet] databases_query on {url}: {message}")]
    Query {
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
/// `databases_query`, each once.
pub fn targets(config: &crate::config::Config) -> Result<Vec<DatabaseUrl>, FleetError> {
    let mut urls = config.fleet_urls()?;
    if let Some(query) = &config.file.fleet.databases_query {
        let text = crate::config::interpolate_env(&query.url).map_err(crate::config::ConfigError::from)?;
        let url = DatabaseUrl::parse(&text, &config.root).map_err(crate::config::ConfigError::from)?;
        let failed = |message: String| FleetError::Query { url: url.to_string(), message: mask_password(&message) };
        let mut driver = crate::driver::connect(&url, crate::driver::Access::ReadOnly, config.lock_timeout())
            .map_err(|e| failed(e.to_string()))?;
        let rows = driver.query(&query.sql).map_err(|e| failed(e.to_string()))?;
        for value in rows.into_iter().filter_map(|r| r.into_iter().next().flatten()) {
            let target = if value.contains("://") { value } else { with_database(&text, &value) };
            let parsed = DatabaseUrl::parse(&target, &config.root).map_err(|e| failed(e.to_string()))?;
            if !urls.contains(&parsed) {
                urls.push(parsed);
            }
        }
    }
    Ok(urls)
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

/// The targets whose shown URL (password masked) matches one of `only` (all when empty) and
/// none of `exclude`.
pub fn select(urls: Vec<DatabaseUrl>, only: &[String], exclude: &[String]) -> Result<Vec<DatabaseUrl>, FleetError> {
    let (only, exclude) = (patterns("--only", only)?, patterns("--exclude", exclude)?);
    Ok(urls
        .into_iter()
        .filter(|u| {
            let shown = u.to_string();
            (only.is_empty() || only.iter().any(|p| p.matches(&shown))) && !exclude.iter().any(|p| p.matches(&shown))
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
    /// Whether a target belongs to this part: by a stable hash of its URL without the password,
    /// so machines that list the targets in any order split them the same way, each exactly once.
    pub fn holds(&self, url: &DatabaseUrl) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(url.to_string().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.n == self.k - 1
    }
}

/// How many targets run at once when nothing says: the number of cores.
pub fn default_parallel() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs `job` on every target, `parallel` at a time, calling `done` (on this thread) as each
/// finishes; the outcomes come back in the targets' order. With `fail_fast`, no target starts
/// after one failed (those running finish; the rest are left out).
pub fn run<T: Send>(
    targets: &[DatabaseUrl],
    parallel: usize,
    fail_fast: bool,
    job: impl Fn(&DatabaseUrl) -> Result<T, String> + Sync,
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
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= targets.len() || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let started = Instant::now();
                    let result = job(&targets[i]).map_err(|e| mask_password(&e));
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

    fn urls(n: usize) -> Vec<DatabaseUrl> {
        (0..n)
            .map(|i| DatabaseUrl::parse(&format!("sqlite:t{i:03}.db"), std::path::Path::new("/data")))
            .collect::<Result<_, _>>()
            .unwrap_or_default()
    }

    #[test]
    fn every_target_runs_once_in_order_and_failures_stay_apart() {
        let targets = urls(50);
        let mut seen = 0;
        let outcomes = run(
            &targets,
            4,
            false,
            |u| if u.to_string().contains("t007") { Err("boom".into()) } else { Ok(u.to_string()) },
            |_| seen += 1,
        );
        assert_eq!((outcomes.len(), seen), (50, 50));
        assert!(outcomes.iter().zip(&targets).all(|(o, t)| o.target == t.to_string()));
        assert_eq!(outcomes.iter().filter(|o| o.result.is_err()).count(), 1);
        let stopped = run(
            &targets,
            1,
            true,
            |u| if u.to_string().contains("t003") { Err(()) } else { Ok(()) }.map_err(|_| "x".into()),
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
        let count = |list: &[DatabaseUrl], s: &Shard| list.iter().filter(|t| s.holds(t)).count();
        assert!(shards.iter().all(|s| count(&targets, s) == count(&reversed, s) && count(&targets, s) > 40));
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
    }
}
