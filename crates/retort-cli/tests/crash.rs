//! Crash tests: `retort upgrade head` killed with SIGKILL at arbitrary moments (and, on
//! PostgreSQL and MariaDB, its connection terminated from another session). Afterwards the
//! version table names a revision whose schema is exactly what the database holds, and a rerun
//! finishes. On MariaDB, where DDL commits as it runs, the history table's progress record is
//! right about every statement it calls done, and the one statement it cannot vouch for is
//! named by the next run, which asks instead of guessing.

mod common;

use std::time::Duration;

use common::{Kind, Project};

/// A small deterministic PRNG (xorshift), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const STEPS: usize = 40;

/// Migrations that each create a table and fill it with rows, so a step takes a little while.
fn slow_chain(p: &Project, kind: Kind) {
    for i in 1..=STEPS {
        let parents: Vec<String> = if i == 1 { vec![] } else { vec![format!("r{}", i - 1)] };
        let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
        let fill = match kind {
            Kind::Sqlite => format!(
                "INSERT INTO t{i} (id, v) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000) SELECT x, 'row ' || x FROM n;"
            ),
            Kind::Postgres => {
                format!("INSERT INTO t{i} (id, v) SELECT x, 'row ' || x FROM generate_series(1, 3000) x;")
            }
            // MariaDB's sequence engine.
            Kind::Mariadb => format!("INSERT INTO t{i} (id, v) SELECT seq, CONCAT('row ', seq) FROM seq_1_to_3000;"),
        };
        p.migration(
            &format!("r{i}"),
            &parents,
            &format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY, v TEXT);\n{fill}"),
            &format!("DROP TABLE t{i};"),
        );
    }
}

/// The version table and the schema agree: at rK, exactly t1..tK exist, each fully filled.
fn consistent(p: &Project) -> usize {
    let versions = p.db.versions();
    let at = match versions.as_slice() {
        [] => 0,
        [one] => one.trim_start_matches('r').parse::<usize>().unwrap_or_else(|e| panic!("{one}: {e}")),
        many => panic!("several version rows on a linear chain: {many:?}"),
    };
    let mut want: Vec<String> = (1..=at).map(|i| format!("t{i}")).collect();
    // Where DDL commits as it runs, the next step's table may exist while that step is
    // recorded part-way (`resolve_partial` checks what it holds).
    let next = format!("t{}", at + 1);
    if p.db.kind == Kind::Mariadb && has_history(p) && p.db.tables().contains(&next) {
        let partial = p.db.query(&format!(
            "SELECT count(*) FROM retort_history WHERE revision = 'r{}' AND status IN ('partial', 'failed')",
            at + 1
        ));
        assert_eq!(partial, vec!["1".to_string()], "{next} exists, so r{} is recorded part-way", at + 1);
        want.push(next);
    }
    want.sort();
    assert_eq!(p.db.tables(), want, "the version table says r{at}");
    for i in 1..=at {
        assert_eq!(p.db.query(&format!("SELECT count(*) FROM t{i}")), vec!["3000".to_string()], "t{i} is complete");
    }
    at
}

/// Whether retort's history table exists yet.
fn has_history(p: &Project) -> bool {
    p.db.query("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'retort_history'")
        != vec!["0".to_string()]
}

/// MariaDB: the step left part-way, as the history table records it and as the database holds it.
/// Returns the `--resume` a person would choose after looking, checking on the way that the
/// record is true and that `upgrade` refuses, naming the statement.
fn resolve_partial(p: &Project) -> Option<&'static str> {
    if !has_history(p) {
        return None;
    }
    let rows = p
        .db
        .query("SELECT revision, status, statements_done FROM retort_history WHERE status IN ('partial', 'failed')");
    let [row] = rows.as_slice() else {
        assert!(rows.is_empty(), "one step at most is part-way: {rows:?}");
        return None;
    };
    let cols: Vec<&str> = row.split('|').collect();
    let (rev, done) = (cols[0], cols[2].parse::<usize>().unwrap_or_else(|e| panic!("{row}: {e}")));
    let table = rev.replacen('r', "t", 1);
    let exists = p.db.tables().contains(&table);
    let err = p.fails(&["upgrade", "head"]);
    match done {
        // The CREATE TABLE ran or was about to: the outcome is unknown, and retort says so.
        0 => {
            assert!(err.contains("was interrupted while statement 1 of 2") && err.contains("--resume=rerun"), "{err}");
            Some(if exists { "--resume=skip" } else { "--resume=rerun" })
        }
        // The table exists; the fill ran in a transaction with its progress record, so it did
        // not take effect.
        1 => {
            assert!(exists, "{row}: the record says the CREATE TABLE took effect");
            assert_eq!(p.db.query(&format!("SELECT count(*) FROM {table}")), vec!["0".to_string()], "{row}");
            assert!(err.contains("was interrupted before statement 2 of 2"), "{err}");
            Some("--resume")
        }
        _ => {
            assert_eq!(p.db.query(&format!("SELECT count(*) FROM {table}")), vec!["3000".to_string()], "{row}");
            assert!(err.contains("ran all 2 statement(s)"), "{err}");
            Some("--resume")
        }
    }
}

fn killed_at_random_points(kind: Kind) {
    let Some(p) = Project::new(kind) else { return };
    slow_chain(&p, kind);
    let mut rng = Rng(0x5eed_cafe_f00d_u64);
    let bin = assert_cmd::cargo::cargo_bin("retort");
    let mut killed_mid_run = 0;
    let mut resumes = 0;
    for _ in 0..50 {
        let resume = if kind == Kind::Mariadb { resolve_partial(&p) } else { None };
        resumes += usize::from(resume.is_some());
        let mut child = std::process::Command::new(&bin)
            .current_dir(p.path())
            .args(["upgrade", "head"])
            .args(resume)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(5 + rng.below(120)));
        if child.try_wait().ok().flatten().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let at = consistent(&p);
        if at == STEPS {
            break;
        }
    }
    assert!(killed_mid_run > 0, "no run was interrupted: the test would prove nothing");
    if kind == Kind::Mariadb {
        assert!(resumes > 0, "no run stopped part-way through a step: the test would prove nothing");
        if let Some(resume) = resolve_partial(&p) {
            p.ok(&["upgrade", "head", resume]);
        }
    }
    p.ok(&["upgrade", "head"]);
    assert_eq!(consistent(&p), STEPS);
    let applied = p
        .db
        .query("SELECT revision FROM retort_history WHERE direction = 'upgrade' GROUP BY revision HAVING count(*) > 1");
    assert!(applied.is_empty(), "a step recorded twice: {applied:?}");
}

fn connection_terminated_mid_step(kind: Kind) {
    if kind == Kind::Sqlite {
        return;
    }
    let Some(p) = Project::new(kind) else { return };
    slow_chain(&p, kind);
    let bin = assert_cmd::cargo::cargo_bin("retort");
    let name = p.db.url.rsplit('/').next().unwrap_or_default().to_string();
    for round in 0..5 {
        let child = std::process::Command::new(&bin)
            .current_dir(p.path())
            .args(["upgrade", "head"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(30 + 20 * round));
        if kind == Kind::Postgres {
            p.db.query(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND application_name = 'retort'"
            ));
        } else {
            let ids = p.db.query(&format!(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{name}' AND ID <> CONNECTION_ID()"
            ));
            if let Ok(mut conn) = common::mysql_conn(None) {
                use mysql::prelude::Queryable;
                for id in ids {
                    let _ = conn.query_drop(format!("KILL {id}")); // it may have finished meanwhile
                }
            }
        }
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.starts_with("error: "), "a clear error, not a crash: {err}");
        }
        consistent(&p);
        if kind == Kind::Mariadb
            && let Some(resume) = resolve_partial(&p)
        {
            p.ok(&["upgrade", "head", resume]);
            consistent(&p);
        }
    }
    p.ok(&["upgrade", "head"]);
    assert_eq!(consistent(&p), STEPS);
}

on_all!(killed_at_random_points, connection_terminated_mid_step);
