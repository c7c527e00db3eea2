//! `--fleet`: one command on many databases, as a team with a database per customer runs it.
//! 100 SQLite files and 12 PostgreSQL databases reach head; a target prepared with a conflicting
//! object fails with its own error while the rest finish, and a rerun completes it; two fleet
//! runs at once apply each step once per target; `--only`, `--exclude`, `--fail-fast`; `current
//! --fleet` shows the skew; passwords are masked in every line.

mod common;

use common::{Db, Kind, Project, retort_cmd};

fn sqlite_versions(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut stmt = match conn.prepare("SELECT version_num FROM retort_version") {
        Ok(s) => s,
        Err(_) => return Vec::new(),
    };
    stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).unwrap_or_default()
}

#[test]
fn a_hundred_sqlite_files() {
    let p = project!(Kind::Sqlite);
    p.chain(3);
    std::fs::create_dir_all(p.path().join("tenants")).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..100 {
        std::fs::write(p.path().join(format!("tenants/t{i:03}.db")), "").unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(
        p.path().join("retort.toml"),
        format!("{}\n[fleet]\nurls_glob = \"tenants/*.db\"\nparallel = 4\n", p.config),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Tenant 42 already has a table the second migration creates.
    rusqlite::Connection::open(p.path().join("tenants/t042.db"))
        .and_then(|c| c.execute_batch("CREATE TABLE t2 (x TEXT)"))
        .unwrap_or_else(|e| panic!("{e}"));

    let out = p.run(&["upgrade", "--fleet"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAILED  sqlite:tenants/t042.db") && text.contains("t2 already exists"), "{text}");
    assert!(text.contains("Fleet: 100 targets in ") && text.contains("99 ok, 1 failed"), "{text}");
    for i in (0..100).filter(|&i| i != 42) {
        assert_eq!(sqlite_versions(&p.path().join(format!("tenants/t{i:03}.db"))), vec!["r3"], "tenant {i}");
    }
    assert_eq!(sqlite_versions(&p.path().join("tenants/t042.db")), vec!["r1"], "its first step is kept");

    let skew = p.run(&["current", "--fleet"]);
    let skew = String::from_utf8_lossy(&skew.stdout);
    assert!(
        skew.contains("r3 (head): 99 targets") && skew.contains("r1: 1 target behind: sqlite:tenants/t042.db"),
        "{skew}"
    );

    // Fixed, a rerun finishes tenant 42 and skips the others.
    rusqlite::Connection::open(p.path().join("tenants/t042.db"))
        .and_then(|c| c.execute_batch("DROP TABLE t2"))
        .unwrap_or_else(|e| panic!("{e}"));
    let again = p.ok(&["upgrade", "--fleet"]);
    assert_eq!(again.matches("(nothing to do").count(), 99, "{again}");
    assert!(again.contains("ok      sqlite:tenants/t042.db  r1 -> r3 (2 steps"), "{again}");
    assert!(p.ok(&["current", "--fleet"]).contains("r3 (head): 100 targets"));

    // Narrowed by globs; --fail-fast starts nothing after a failure.
    let some = p.ok(&["downgrade", "-1", "--fleet", "--only", "*t00?.db", "--exclude", "*t005.db"]);
    assert!(some.contains("Fleet: 9 targets") && some.contains("r3 -> r2"), "{some}");
    rusqlite::Connection::open(p.path().join("tenants/t001.db"))
        .and_then(|c| c.execute_batch("CREATE TABLE t3 (x TEXT)"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = p.run(&["upgrade", "--fleet", "--only", "*t00?.db", "--parallel", "1", "--fail-fast", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!((v["ok"].as_u64(), v["failed"].as_u64(), v["not_run"].as_u64()), (Some(1), Some(1), Some(8)), "{v}");

    // A failing canary (tenant 001 comes second) stops the fleet before the others run.
    let out = p.run(&["upgrade", "--fleet", "--canary", "3", "--parallel", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("A canary failed: the other 98 targets were not run."), "{text}");
    assert!(sqlite_versions(&p.path().join("tenants/t002.db")) == vec!["r2"], "not run");

    // Three machines with --shard K/3 cover every target exactly once.
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let json = p.run(&["current", "--fleet", "--shard", &format!("{k}/3"), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_default();
        let targets = v["targets"].as_array().cloned().unwrap_or_default();
        assert!(targets.len() > 15, "shard {k} holds {}", targets.len());
        seen.extend(targets.iter().filter_map(|t| t["target"].as_str().map(str::to_string)));
    }
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!((before, seen.len()), (100, 100));
    assert!(p.usage(&["current", "--fleet", "--shard", "4/3"]).contains("K/N"));
}

#[test]
fn postgres_databases_two_runs_at_once() {
    let p = project!(Kind::Postgres);
    p.chain(4);
    let dbs: Vec<Db> = (0..12).filter_map(|_| Db::new(Kind::Postgres, p.path())).collect();
    if dbs.len() < 12 {
        return;
    }
    // Listed in a file, with a password the server (trust) does not need: it is never shown.
    let with_password = |db: &Db| db.url.replacen("postgres://postgres@", "postgres://postgres:s3cret-pw@", 1);
    let listed: Vec<String> = dbs.iter().map(with_password).collect();
    p.write("tenants.txt", &format!("# one database per customer\n{}\n", listed.join("\n")));
    std::fs::write(
        p.path().join("retort.toml"),
        format!("{}\n[fleet]\nurls_file = \"tenants.txt\"\nparallel = 3\n", p.config),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let spawn = || retort_cmd(p.path()).args(["upgrade", "--fleet"]).output();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join(), b.join())
    });
    for out in [a, b] {
        let out = out.unwrap_or_else(|_| panic!("thread")).unwrap_or_else(|e| panic!("{e}"));
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{text}");
        assert!(!text.contains("s3cret-pw"), "a password was printed:\n{text}");
        assert!(text.contains("Fleet: 12 targets"), "{text}");
    }
    for db in &dbs {
        assert_eq!(db.versions(), vec!["r4"]);
        let steps = db.query("SELECT count(*) FROM retort_history WHERE direction = 'upgrade'");
        assert_eq!(steps, vec!["4"], "each step once in {}", db.url);
    }
    let skew = p.ok(&["current", "--fleet", "--json"]);
    assert!(!skew.contains("s3cret-pw"));
    let v: serde_json::Value = serde_json::from_str(&skew).unwrap_or_default();
    assert_eq!(v["ok"].as_u64(), Some(12), "{v}");
    // Without [fleet], --fleet says what to set.
    let plain = Project::new(Kind::Sqlite).map(|q| q.fails(&["upgrade", "--fleet"])).unwrap_or_default();
    assert!(plain.contains("[fleet]") && plain.contains("urls_glob"), "{plain}");
}

/// `databases_query`: the fleet is whatever a query on the server lists (names become the
/// server URL with its database replaced; a value holding `://` is a whole URL).
#[test]
fn databases_from_a_query() {
    let p = project!(Kind::Postgres);
    p.chain(2);
    let dbs: Vec<Db> = (0..3).filter_map(|_| Db::new(Kind::Postgres, p.path())).collect();
    if dbs.len() < 3 {
        return;
    }
    let names: Vec<String> = dbs.iter().map(Db::name).collect();
    let listed: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    let sqlite = p.path().join("extra.db");
    let admin = format!("{}/postgres", common::pg_admin_url());
    let sql = format!(
        "SELECT datname FROM pg_database WHERE datname IN ({}) UNION ALL SELECT 'sqlite://{}' ORDER BY 1",
        listed.join(", "),
        sqlite.display()
    );
    std::fs::write(
        p.path().join("retort.toml"),
        format!("{}\n[fleet]\ndatabases_query = {{ url = {admin:?}, sql = {sql:?} }}\n", p.config),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = p.ok(&["upgrade", "--fleet"]);
    assert!(out.contains("Fleet: 4 targets") && out.contains("4 ok, 0 failed"), "{out}");
    for db in &dbs {
        assert_eq!(db.versions(), vec!["r2"]);
    }
    assert_eq!(sqlite_versions(&sqlite), vec!["r2"]);
}
