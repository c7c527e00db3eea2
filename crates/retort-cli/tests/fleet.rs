//! `--fleet`: one command on many databases or tenant schemas, as a team with a database (or a
//! PostgreSQL schema) per customer runs it. 100 SQLite files, 50 PostgreSQL databases and 200
//! tenant schemas reach head; a target prepared with a conflicting object fails with its own
//! error while the rest finish, and a rerun completes it; two fleet runs at once, and a run killed
//! halfway and rerun, apply each step exactly once per target; `--only`, `--exclude`,
//! `--fail-fast`, `--canary`, `--shard`; `current --fleet` shows the skew; `check --fleet` finds
//! the one tenant that drifted; `stamp --fleet`; the connection budget caps `--parallel`;
//! passwords are masked in every line.

mod common;

use common::{Db, Kind, Project, retort_cmd};

/// Two `upgrade --fleet` runs started at once; their outputs.
fn two_fleet_upgrades(p: &Project) -> [std::process::Output; 2] {
    let spawn = || retort_cmd(p.path()).args(["upgrade", "--fleet"]).output();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join(), b.join())
    });
    [a, b].map(|out| out.unwrap_or_else(|_| panic!("thread")).unwrap_or_else(|e| panic!("{e}")))
}

/// Three machines with `--shard K/3` cover every one of the fleet's `total` targets exactly
/// once, each holding more than `least`.
fn shards_cover(p: &Project, total: usize, least: usize) {
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let json = p.run(&["current", "--fleet", "--shard", &format!("{k}/3"), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_default();
        let targets = v["targets"].as_array().cloned().unwrap_or_default();
        assert!(targets.len() > least, "shard {k} holds {}", targets.len());
        seen.extend(targets.iter().filter_map(|t| t["target"].as_str().map(str::to_string)));
    }
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!((before, seen.len()), (total, total));
}

/// The cells of the report's row for `target` (the first line starting with it), split on runs
/// of two spaces.
fn row(text: &str, target: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{target} ")))
        .unwrap_or_else(|| panic!("no row for {target} in:\n{text}"));
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

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
    let failed = row(&text, "sqlite:tenants/t042.db");
    assert!(failed.last().is_some_and(|s| s.starts_with("FAILED: ") && s.contains("t2 already exists")), "{failed:?}");
    assert_eq!(row(&text, "sqlite:tenants/t000.db")[1..4], ["<base>", "r3", "3"], "{text}");
    assert!(text.starts_with("target ") && text.lines().next().is_some_and(|h| h.ends_with("status")), "{text}");
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
    assert_eq!(again.matches("  up to date").count(), 99, "{again}");
    let fixed = row(&again, "sqlite:tenants/t042.db");
    assert_eq!(
        (fixed[1..4].join(" "), fixed.last().map(String::as_str)),
        ("r1 r3 2".to_string(), Some("ok")),
        "{again}"
    );
    assert!(p.ok(&["current", "--fleet"]).contains("r3 (head): 100 targets"));

    // Narrowed by globs; --fail-fast starts nothing after a failure.
    let some = p.ok(&["downgrade", "-1", "--fleet", "--only", "*t00?.db", "--exclude", "*t005.db"]);
    assert!(some.contains("Fleet: 9 targets"), "{some}");
    assert_eq!(row(&some, "sqlite:tenants/t001.db")[1..3], ["r3", "r2"], "{some}");
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

    shards_cover(&p, 100, 15);
    assert!(p.usage(&["current", "--fleet", "--shard", "4/3"]).contains("K/N"));

    // Lint errors in a pending migration stop each target before anything runs, as on one database.
    p.migration("r4", &["r3"], "FROBNICATE t1;", "SELECT 1;");
    let out = p.run(&["upgrade", "--fleet", "--only", "*t05?.db"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("0 ok, 10 failed") && text.contains("lint found 1 error") && text.contains("RT001"),
        "{text}"
    );
    assert_eq!(sqlite_versions(&p.path().join("tenants/t050.db")), vec!["r3"]);
}

#[test]
fn postgres_databases_two_runs_at_once() {
    let p = project!(Kind::Postgres);
    p.chain(4);
    let dbs: Vec<Db> = (0..50).filter_map(|_| Db::new(Kind::Postgres, p.path())).collect();
    if dbs.len() < 50 {
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

    for out in two_fleet_upgrades(&p) {
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{text}");
        assert!(!text.contains("s3cret-pw"), "a password was printed:\n{text}");
        assert!(text.contains("Fleet: 50 targets"), "{text}");
    }
    for db in &dbs {
        assert_eq!(db.versions(), vec!["r4"]);
        let steps = db.query("SELECT count(*) FROM retort_history WHERE direction = 'upgrade'");
        assert_eq!(steps, vec!["4"], "each step once in {}", db.url);
    }
    let skew = p.ok(&["current", "--fleet", "--json"]);
    assert!(!skew.contains("s3cret-pw"));
    let v: serde_json::Value = serde_json::from_str(&skew).unwrap_or_default();
    assert_eq!(v["ok"].as_u64(), Some(50), "{v}");
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

/// Three revisions a tenant schema gets (unqualified names, a serial, an identity, a foreign
/// key and a default: all must land in the tenant's schema), and the desired schema they reach.
fn tenant_project(p: &Project, pause: &str) {
    p.migration(
        "r1",
        &[],
        &format!("CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);{pause}"),
        "DROP TABLE accounts;",
    );
    p.migration(
        "r2",
        &["r1"],
        &format!(
            "CREATE TABLE notes (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, account_id int REFERENCES accounts (id), body text DEFAULT 'x');{pause}"
        ),
        "DROP TABLE notes;",
    );
    p.migration(
        "r3",
        &["r2"],
        &format!("CREATE INDEX notes_account ON notes (account_id);{pause}"),
        "DROP INDEX notes_account;",
    );
    p.write(
        "schema/app.sql",
        "CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);\n\
         CREATE TABLE notes (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, account_id int REFERENCES accounts (id), body text DEFAULT 'x');\n\
         CREATE INDEX notes_account ON notes (account_id);\n",
    );
}

/// The version rows in a tenant schema's own version table (none when it has none).
fn schema_versions(db: &Db, schema: &str) -> Vec<String> {
    let table = format!("{schema}.retort_version");
    if db.query(&format!("SELECT to_regclass('{table}') IS NULL")) == ["t"] {
        return Vec::new();
    }
    db.query(&format!("SELECT version_num FROM {table} ORDER BY 1"))
}

fn create_tenants(db: &Db, n: usize) {
    let sql: String = (0..n).map(|i| format!("CREATE SCHEMA tenant_{i:03};")).collect();
    db.exec(&sql);
}

/// 200 tenant schemas of one PostgreSQL database, listed by `schemas_query`.
#[test]
fn two_hundred_tenant_schemas() {
    let p = project!(Kind::Postgres);
    tenant_project(&p, "");
    create_tenants(&p.db, 200);
    // Tenant 42 already has a table the second migration creates.
    p.db.exec("CREATE TABLE tenant_042.notes (x text)");
    // The query's URL carries a password the server (trust) does not need: it is never shown.
    let url = p.db.url.replacen("postgres://postgres@", "postgres://postgres:s3cret-pw@", 1);
    let sql = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%' ORDER BY 1";
    p.write(
        "retort.toml",
        &format!(
            "{}\n[schema]\npaths = [\"schema/*.sql\"]\n\n[fleet]\nschemas_query = {{ url = {url:?}, sql = {sql:?} }}\nparallel = 4\n",
            p.config
        ),
    );
    let shown = |out: &std::process::Output| {
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains("s3cret-pw"), "a password was printed:\n{text}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tenant = |i: usize| {
        format!("{} (schema tenant_{i:03})", p.db.url.replacen("postgres://postgres@", "postgres://postgres:***@", 1))
    };

    let out = p.run(&["upgrade", "--fleet"]);
    let text = shown(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Fleet: 200 targets in ") && text.contains("199 ok, 1 failed"), "{text}");
    let failed = row(&text, &tenant(42));
    assert!(failed.last().is_some_and(|s| s.contains("relation \"notes\" already exists")), "{failed:?}");
    // Each tenant's tables and retort's own tables are in its schema; public holds none.
    for i in (0..200).filter(|&i| i != 42) {
        assert_eq!(schema_versions(&p.db, &format!("tenant_{i:03}")), vec!["r3"], "tenant {i}");
    }
    assert_eq!(schema_versions(&p.db, "tenant_042"), vec!["r1"]);
    let placed = p.db.query(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname IN ('accounts', 'notes', 'retort_version', 'accounts_id_seq') AND n.nspname IN ('public', 'tenant_007') ORDER BY 1",
    );
    assert_eq!(
        placed,
        ["tenant_007.accounts", "tenant_007.accounts_id_seq", "tenant_007.notes", "tenant_007.retort_version"]
    );

    let skew = shown(&p.run(&["current", "--fleet"]));
    assert!(
        skew.contains("r3 (head): 199 targets") && skew.contains(&format!("r1: 1 target behind: {}", tenant(42))),
        "{skew}"
    );

    // check --fleet: each tenant against the desired schema, loaded into that tenant's schema.
    let clean = shown(&p.run(&["check", "--fleet", "--only", "tenant_00?"]));
    assert!(clean.contains("Fleet: 10 targets") && clean.contains("10 ok, 0 failed"), "{clean}");
    assert_eq!(row(&clean, &tenant(3)).last().map(String::as_str), Some("matches"), "{clean}");

    // Fixed, a rerun finishes tenant 42 and skips the others.
    p.db.exec("DROP TABLE tenant_042.notes");
    let again = shown(&p.run(&["upgrade", "--fleet"]));
    assert_eq!(again.matches("  up to date").count(), 199, "{again}");
    assert_eq!(row(&again, &tenant(42))[1..4], ["r1", "r3", "2"], "{again}");

    // One tenant drifts: check --fleet names it, and only it.
    p.db.exec("ALTER TABLE tenant_123.accounts ADD COLUMN extra int");
    let out = p.run(&["check", "--fleet"]);
    let drift = shown(&out);
    assert_eq!(out.status.code(), Some(1), "{drift}");
    assert!(drift.contains("199 ok, 1 failed"), "{drift}");
    let status = row(&drift, &tenant(123));
    assert!(status.last().is_some_and(|s| s.starts_with("differs: 1 change") && s.contains("extra")), "{status:?}");

    shards_cover(&p, 200, 40);

    // stamp --fleet, on some: their version tables move, nothing runs.
    let stamped = shown(&p.run(&["stamp", "r2", "--fleet", "--only", "tenant_01?"]));
    assert!(stamped.contains("Fleet: 10 targets") && row(&stamped, &tenant(15))[1..3] == ["r3", "r2"], "{stamped}");
    assert_eq!(schema_versions(&p.db, "tenant_015"), vec!["r2"]);
    assert_eq!(
        p.db.query("SELECT count(*) FROM pg_indexes WHERE schemaname = 'tenant_015' AND indexname = 'notes_account'"),
        ["1"],
        "the index stays"
    );

    // A failing canary stops the fleet: tenant 001 cannot take r3 again (its index exists).
    p.db.exec("DELETE FROM tenant_001.retort_version; INSERT INTO tenant_001.retort_version VALUES ('r2')");
    let out = p.run(&["upgrade", "--fleet", "--canary", "2", "--parallel", "1"]);
    let text = shown(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("A canary failed: the other 198 targets were not run."), "{text}");
    assert_eq!(schema_versions(&p.db, "tenant_015"), vec!["r2"], "not run");
}

/// Two fleet runs at once, then a run killed halfway and rerun: each step exactly once per
/// tenant schema, every tenant at head.
#[test]
fn tenant_schemas_killed_and_rerun() {
    let p = project!(Kind::Postgres);
    tenant_project(&p, "\nSELECT pg_sleep(0.15);");
    create_tenants(&p.db, 30);
    let sql = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%'";
    p.write("retort.toml", &format!("{}\n[fleet]\nschemas_query = {{ sql = {sql:?} }}\nparallel = 4\n", p.config));
    let tenants: Vec<String> = (0..30).map(|i| format!("tenant_{i:03}")).collect();
    let upgrades = |t: &str| {
        p.db.query(&format!(
            "SELECT revision || ':' || count(*) FROM {t}.retort_history WHERE direction = 'upgrade' GROUP BY revision ORDER BY 1"
        ))
    };

    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"))
        .current_dir(p.path())
        .args(["upgrade", "--fleet"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    run.kill().unwrap_or_else(|e| panic!("{e}"));
    let _ = run.wait();
    let at_head = tenants.iter().filter(|t| schema_versions(&p.db, t) == ["r3"]).count();
    assert!(at_head < 30, "the run was killed before it finished ({at_head} of 30 at head)");

    for out in two_fleet_upgrades(&p) {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    }
    for t in &tenants {
        assert_eq!(schema_versions(&p.db, t), vec!["r3"], "{t}");
        assert_eq!(upgrades(t), ["r1:1", "r2:1", "r3:1"], "each step once in {t}");
    }
}

/// `--parallel` beyond what the server lets the role open is capped, with a warning.
#[test]
fn the_connection_budget_caps_parallel() {
    let p = project!(Kind::Postgres);
    tenant_project(&p, "");
    create_tenants(&p.db, 6);
    let role = format!("fleet_{}", p.db.name());
    p.db.exec(&format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 3"));
    for i in 0..6 {
        p.db.exec(&format!("ALTER SCHEMA tenant_{i:03} OWNER TO {role}"));
    }
    let url = p.db.url.replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    let sql = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%'";
    p.write("retort.toml", &format!("{}\n[fleet]\nschemas_query = {{ url = {url:?}, sql = {sql:?} }}\n", p.config));
    let out = p.run(&["upgrade", "--fleet", "--parallel", "8"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    p.db.exec(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("has room for 3 (the role's CONNECTION LIMIT 3, 1 in use): running 3 at a time"),
        "{stderr}"
    );
    assert!(stdout.contains("6 ok, 0 failed"), "{stdout}");
}

/// MariaDB databases from `databases_query` (on MySQL a schema is a database): upgrade, check and
/// current on each; `schemas_query` there is refused with what to use instead.
#[test]
fn mariadb_databases() {
    let p = project!(Kind::Mariadb);
    p.chain(3);
    p.write("schema/app.sql", "CREATE TABLE t1 (id INTEGER PRIMARY KEY);\nCREATE TABLE t2 (id INTEGER PRIMARY KEY);\nCREATE TABLE t3 (id INTEGER PRIMARY KEY);\n");
    let dbs: Vec<Db> = (0..6).filter_map(|_| Db::new(Kind::Mariadb, p.path())).collect();
    let names: Vec<String> = dbs.iter().map(|d| format!("'{}'", d.name())).collect();
    let sql = format!(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ({}) ORDER BY 1",
        names.join(", ")
    );
    let config =
        |fleet: &str| format!("{}\n[schema]\npaths = [\"schema/*.sql\"]\n\n[fleet]\n{fleet}\nparallel = 3\n", p.config);
    p.write("retort.toml", &config(&format!("databases_query = {{ url = {:?}, sql = {sql:?} }}", p.db.url)));
    let out = p.ok(&["upgrade", "--fleet"]);
    assert!(out.contains("Fleet: 6 targets") && out.contains("6 ok, 0 failed"), "{out}");
    for db in &dbs {
        assert_eq!(db.versions(), vec!["r3"], "{}", db.url);
    }
    let checked = p.ok(&["check", "--fleet"]);
    assert_eq!(checked.matches("  matches").count(), 6, "{checked}");
    assert!(p.ok(&["current", "--fleet"]).contains("r3 (head): 6 targets"));

    p.write("retort.toml", &config(&format!("schemas_query = {{ sql = {sql:?} }}")));
    let refused = p.fails(&["current", "--fleet"]);
    assert!(refused.contains("schemas_query") && refused.contains("use databases_query"), "{refused}");
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), one progress bar runs across the
/// fleet under the rows; piped, there is no bar (the other tests read piped output).
#[test]
fn a_progress_bar_on_a_terminal() {
    let p = project!(Kind::Sqlite);
    p.chain(2);
    for i in 0..20 {
        p.write(&format!("tenants/t{i:02}.db"), "");
    }
    p.write("retort.toml", &format!("{}\n[fleet]\nurls_glob = \"tenants/*.db\"\n", p.config));
    let retort = assert_cmd::cargo::cargo_bin("retort");
    let out = std::process::Command::new("script")
        .current_dir(p.path())
        .args(["-qec", &format!("{} upgrade --fleet", retort.display()), "/dev/null"])
        .output()
        .unwrap_or_else(|e| panic!("script (util-linux) runs retort on a pseudo-terminal: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("/20 targets, 0 failed,") && text.contains("left"), "no bar:\n{text}");
    assert!(text.contains("sqlite:tenants/t07.db") && text.contains("Fleet: 20 targets"), "{text}");
    let piped = p.ok(&["current", "--fleet"]);
    assert!(!piped.contains("targets, 0 failed,"), "{piped}");
}

/// Each tenant schema has its own run lock: while one tenant's slow upgrade holds its lock, another
/// tenant of the same database upgrades at once (a shared lock would make it wait past its 1 s
/// lock timeout), and a second run on the same tenant does wait and time out. One tenant alone is
/// the database URL with the schema as a connection option.
#[test]
fn tenant_schemas_lock_apart() {
    let p = project!(Kind::Postgres);
    tenant_project(&p, "\nSELECT pg_sleep(0.8);");
    create_tenants(&p.db, 2);
    let sql = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%'";
    let config = p.config.replace("lock_timeout = 120", "lock_timeout = 1");
    p.write("retort.toml", &format!("{config}\n[fleet]\nschemas_query = {{ sql = {sql:?} }}\n"));
    let alone = format!("{}?options=-csearch_path%3Dtenant_000", p.db.url);
    let mut slow = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"))
        .current_dir(p.path())
        .args(["upgrade", "head", "--url", &alone])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(400));
    let (other, same) = std::thread::scope(|s| {
        let other = s.spawn(|| p.run(&["upgrade", "--fleet", "--only", "tenant_001"]));
        let same = s.spawn(|| p.run(&["upgrade", "head", "--url", &alone]));
        (other.join(), same.join())
    });
    let done = slow.wait().unwrap_or_else(|e| panic!("{e}"));
    let (other, same) = (other.unwrap_or_else(|_| panic!("thread")), same.unwrap_or_else(|_| panic!("thread")));
    let text = String::from_utf8_lossy(&other.stdout);
    assert!(other.status.success() && text.contains("1 ok, 0 failed"), "{text}");
    let waited = String::from_utf8_lossy(&same.stderr);
    assert!(!same.status.success() && waited.contains("lock"), "the same tenant's second run: {waited}");
    assert!(done.success());
    assert_eq!(schema_versions(&p.db, "tenant_000"), vec!["r3"]);
    assert_eq!(schema_versions(&p.db, "tenant_001"), vec!["r3"]);
}
