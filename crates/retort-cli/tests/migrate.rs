//! End-to-end tests of the versioned workflow: the `retort` binary against real SQLite files and
//! real PostgreSQL and MariaDB servers (each test in its own database).

mod common;

use common::{Kind, Project};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn linear_chain_up_and_down(kind: Kind) {
    let p = project!(kind);
    p.chain(5);
    let out = p.ok(&["upgrade", "head"]);
    assert!(out.contains("Running upgrade <base> -> r1, migration r1"), "{out}");
    assert!(out.contains("Upgraded to r5 (5 steps"), "{out}");
    assert_eq!(p.db.versions(), strings(&["r5"]));
    assert_eq!(p.db.tables(), strings(&["t1", "t2", "t3", "t4", "t5"]));
    assert_eq!(p.ok(&["current"]), "r5 (head)\n");
    assert!(p.ok(&["upgrade", "head"]).contains("Nothing to do: the database is at r5"));

    p.ok(&["downgrade", "-2"]);
    assert_eq!(p.db.versions(), strings(&["r3"]));
    assert_eq!(p.db.tables(), strings(&["t1", "t2", "t3"]));
    p.ok(&["downgrade", "base"]);
    assert!(p.db.versions().is_empty());
    assert!(p.db.tables().is_empty());
    let history = p.db.query("SELECT direction, revision FROM retort_history ORDER BY id");
    assert_eq!(history.len(), 10, "{history:?}");
    assert_eq!(history[5], "downgrade|r5");
    let who = p.db.query(
        "SELECT count(*) FROM retort_history WHERE checksum IS NULL OR duration_ms IS NULL OR started_at IS NULL",
    );
    assert_eq!(who, strings(&["0"]));
}

fn every_target_form(kind: Kind) {
    let p = project!(kind);
    p.chain(6);
    let at = |args: &[&str]| {
        p.ok(args);
        p.db.versions().join(",")
    };
    assert_eq!(at(&["upgrade", "+2"]), "r2");
    assert_eq!(at(&["upgrade", "r4"]), "r4");
    assert_eq!(at(&["upgrade", "r4+1"]), "r5");
    assert_eq!(at(&["downgrade", "r5-2"]), "r3");
    assert_eq!(at(&["upgrade", "head-1"]), "r5");
    assert_eq!(at(&["upgrade", "heads"]), "r6");
    assert_eq!(at(&["downgrade", "-1"]), "r5");
    assert_eq!(at(&["upgrade", "r2"]), "r5", "an applied target plans nothing");
    assert_eq!(at(&["downgrade", "r1"]), "r1");
    assert_eq!(at(&["upgrade", "+1"]), "r2");

    let err = p.fails(&["upgrade", "r"]);
    assert!(err.contains("prefix 'r' is ambiguous") && err.contains("r1 (migrations/r1.sql)"), "{err}");
    let err = p.fails(&["upgrade", "r7"]);
    assert!(err.contains("Can't locate revision identified by 'r7'") && err.contains("did you mean"), "{err}");
    let err = p.fails(&["upgrade", "+5"]);
    assert!(err.contains("Relative revision +5 didn't produce 5 migrations"), "{err}");
    let err = p.fails(&["downgrade", "-3"]);
    assert!(err.contains("Relative revision -3 didn't produce 3 migrations"), "{err}");
    let err = p.fails(&["downgrade", "r4"]);
    assert!(err.contains("Destination r4 is not a valid downgrade target"), "{err}");
    let err = p.usage(&["downgrade", "+1"]);
    assert!(err.contains("downgrade +1 would move forward") && err.contains("retort upgrade +1"), "{err}");
    let err = p.usage(&["upgrade", "-1"]);
    assert!(err.contains("upgrade -1 would move back") && err.contains("retort downgrade -1"), "{err}");
    assert!(p.usage(&["downgrade"]).contains("downgrade needs a target"));
    let err = p.fails(&["upgrade", "haed"]);
    assert!(err.contains("did you mean head"), "{err}");
    p.usage(&["upgrade", "x@@y"]);
    assert_eq!(p.db.versions(), strings(&["r2"]), "failed resolutions change nothing");
}

fn unique_prefix(kind: Kind) {
    let p = project!(kind);
    p.migration("ae10f2c4", &[], "CREATE TABLE a (x INT);", "DROP TABLE a;");
    p.migration("b7c1", &["ae10f2c4"], "CREATE TABLE b (x INT);", "DROP TABLE b;");
    p.ok(&["upgrade", "ae"]);
    assert_eq!(p.db.versions(), strings(&["ae10f2c4"]));
    p.ok(&["upgrade", "b"]);
    assert_eq!(p.db.versions(), strings(&["b7c1"]));
}

fn branches_labels_and_merge(kind: Kind) {
    let p = project!(kind);
    p.migration("a1", &[], "CREATE TABLE a (x INT);", "DROP TABLE a;");
    p.migration_with("b1", &["a1"], "-- Branch Labels: auth", "CREATE TABLE b1 (x INT);", "DROP TABLE b1;");
    p.migration("b2", &["b1"], "CREATE TABLE b2 (x INT);", "DROP TABLE b2;");
    p.migration("c1", &["a1"], "CREATE TABLE c1 (x INT);", "DROP TABLE c1;");

    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("Multiple head revisions are present for given argument 'head'"), "{err}");
    assert!(err.contains("b2") && err.contains("c1") && err.contains("merge"), "{err}");

    p.ok(&["upgrade", "auth@+2"]);
    assert_eq!(p.db.versions(), strings(&["b1"]));
    p.ok(&["upgrade", "auth@head"]);
    assert_eq!(p.db.versions(), strings(&["b2"]));
    p.ok(&["upgrade", "heads"]);
    assert_eq!(p.db.versions(), strings(&["b2", "c1"]));
    let current = p.ok(&["current"]);
    assert!(current.contains("b2 (head)") && current.contains("c1 (head)"), "{current}");

    let err = p.fails(&["downgrade", "-1"]);
    assert!(err.contains("Ambiguous downgrade from multiple current revisions"), "{err}");
    p.ok(&["downgrade", "auth@-1"]);
    assert_eq!(p.db.versions(), strings(&["b1", "c1"]));
    p.ok(&["downgrade", "auth@base"]);
    assert_eq!(p.db.versions(), strings(&["c1"]));
    assert_eq!(p.db.tables(), strings(&["a", "c1"]));

    let branches = p.ok(&["branches"]);
    assert!(branches.starts_with("a1 (branchpoint)\n"), "{branches}");
    // Alembic's layout: children without messages (those come with -v), then a blank line.
    assert!(branches.contains("   -> b1 (auth)\n") && branches.ends_with("\n\n"), "{branches}");
    let verbose = p.ok(&["branches", "-v"]);
    assert!(verbose.contains("   -> b1 (auth), migration b1"), "{verbose}");

    let merged = p.ok(&["merge", "heads", "-m", "join auth", "--rev-id", "m1"]);
    assert!(merged.contains("Created migrations/m1_join_auth.sql (revision m1, revises b2, c1)"), "{merged}");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.versions(), strings(&["m1"]));
    let history = p.ok(&["history", "--indicate-current"]);
    // As in Alembic, a branch label carries on to every revision after it, the merge included.
    assert!(history.starts_with("b2, c1 -> m1 (auth) (head) (mergepoint) (current), join auth\n"), "{history}");
    assert!(history.contains("<base> -> a1 (branchpoint), migration a1"), "{history}");
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.db.versions(), strings(&["b2", "c1"]));
    p.ok(&["downgrade", "base"]);
    assert!(p.db.versions().is_empty() && p.db.tables().is_empty());
}

fn depends_on_other_branch(kind: Kind) {
    let p = project!(kind);
    p.migration_with("n1", &[], "-- Branch Labels: net", "CREATE TABLE n1 (x INT);", "DROP TABLE n1;");
    p.migration_with("s1", &[], "-- Branch Labels: shop", "CREATE TABLE s1 (x INT);", "DROP TABLE s1;");
    p.migration_with("s2", &["s1"], "-- Depends On: n1", "CREATE TABLE s2 (x INT);", "DROP TABLE s2;");
    p.migration("s3", &["s2"], "CREATE TABLE s3 (x INT);", "DROP TABLE s3;");
    p.ok(&["upgrade", "shop@+2"]);
    // n1 is applied first because s2 depends on it; s2's row absorbs it (as in Alembic).
    assert_eq!(p.db.versions(), strings(&["s2"]));
    p.ok(&["upgrade", "heads"]);
    assert_eq!(p.db.versions(), strings(&["s3"]));
    assert_eq!(p.ok(&["current"]), "s3 (head)\n", "no overlap error after a dependency was absorbed");
    // The dependent branch is not part of net's branch.
    assert_eq!(p.ok(&["show", "net@head"]).lines().next(), Some("Rev: n1 (net) (head)"));
    p.ok(&["downgrade", "s2"]);
    assert_eq!(p.db.versions(), strings(&["s2"]));
    p.ok(&["downgrade", "net@base"]);
    assert_eq!(p.db.versions(), strings(&["s1"]), "rolling back n1 rolls back s2, which needs it");
    p.ok(&["downgrade", "base"]);
    assert!(p.db.tables().is_empty());
}

fn branch_walks_stay_on_their_branch(kind: Kind) {
    let p = project!(kind);
    p.migration("a1", &[], "CREATE TABLE a (x INT);", "DROP TABLE a;");
    p.migration_with("b1", &["a1"], "-- Branch Labels: auth", "CREATE TABLE b1 (x INT);", "DROP TABLE b1;");
    p.migration("b2", &["b1"], "CREATE TABLE b2 (x INT);", "DROP TABLE b2;");
    p.migration("c1", &["a1"], "CREATE TABLE c1 (x INT);", "DROP TABLE c1;");
    p.ok(&["upgrade", "c1"]);
    p.ok(&["upgrade", "auth@+1"]);
    assert_eq!(p.db.versions(), strings(&["b1", "c1"]), "auth@+1 starts where the branch forks off");
    p.ok(&["upgrade", "auth@+1"]);
    let err = p.fails(&["downgrade", "auth@-3"]);
    assert!(err.contains("didn't produce 3 migrations") && err.contains("start of the branch"), "{err}");
    assert_eq!(p.db.versions(), strings(&["b2", "c1"]), "the other branch is untouched");
    // Stamping one branch leaves the other branch's row alone.
    p.ok(&["stamp", "b1"]);
    assert_eq!(p.db.versions(), strings(&["b1", "c1"]));
    p.ok(&["stamp", "b2"]);
    // A merge, then a target one step below it lands on both parents.
    p.ok(&["merge", "heads", "-m", "join", "--rev-id", "m1"]);
    p.ok(&["upgrade", "head"]);
    p.ok(&["downgrade", "m1-1"]);
    assert_eq!(p.db.versions(), strings(&["b2", "c1"]));
    let err = p.fails(&["downgrade", "m1-2"]);
    assert!(err.contains("Ambiguous walk") && err.contains("merge of"), "{err}");
}

fn transaction_control_is_refused(kind: Kind) {
    let p = project!(kind);
    p.migration("a1", &[], "CREATE TABLE a (x INT);\nCOMMIT;\nCREATE TABLE b (x INT);", "DROP TABLE b;\nDROP TABLE a;");
    // Lint refuses it first; with --force the executor refuses it too, before running anything.
    let out = p.run(&["upgrade", "head"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations/a1.sql:9: error RT402 transaction-control"));
    let err = p.fails(&["upgrade", "head", "--force"]);
    assert!(err.contains("migrations/a1.sql:9: 'COMMIT' would end the transaction"), "{err}");
    assert!(err.contains("Transaction: false"), "{err}");
    assert!(p.db.tables().is_empty() && p.db.versions().is_empty());
}

fn stamp_and_purge(kind: Kind) {
    let p = project!(kind);
    p.chain(3);
    assert!(p.ok(&["stamp", "head"]).contains("Stamped r3"));
    assert_eq!(p.db.versions(), strings(&["r3"]));
    assert!(p.db.tables().is_empty(), "stamp runs no migration");
    p.ok(&["stamp", "base"]);
    assert!(p.db.versions().is_empty());
    p.ok(&["stamp", "r2"]);
    p.db.exec("UPDATE retort_version SET version_num = 'gone42'");
    let err = p.fails(&["current"]);
    assert!(err.contains("Can't locate revision identified by 'gone42'") && err.contains("stamp --purge"), "{err}");
    let err = p.fails(&["stamp", "r1"]);
    assert!(err.contains("gone42"), "{err}");
    p.ok(&["stamp", "--purge", "r1"]);
    assert_eq!(p.db.versions(), strings(&["r1"]));
    let stamps: Vec<String> =
        p.db.query("SELECT direction, revision FROM retort_history ORDER BY id")
            .iter()
            .map(|r| r.replacen('|', ":", 1))
            .collect();
    assert!(
        stamps.contains(&"unstamp:gone42".to_string()) && stamps.last() == Some(&"stamp:r1".to_string()),
        "{stamps:?}"
    );
    // The version table naming a revision and its ancestor at once.
    p.db.exec("INSERT INTO retort_version (version_num) VALUES ('r3')");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("Requested revision r3 overlaps with other requested revisions r1"), "{err}");
}

fn failing_step_rolls_back(kind: Kind) {
    let p = project!(kind);
    p.chain(2);
    p.migration(
        "r3",
        &["r2"],
        "CREATE TABLE t3 (id INT);\nINSERT INTO t3 VALUES (1);\nINSERT INTO no_such_table VALUES (1);",
        "DROP TABLE t3;",
    );
    p.migration("r4", &["r3"], "CREATE TABLE t4 (id INT);", "DROP TABLE t4;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("migrations/r3.sql:10: upgrade of revision r3 failed"), "{err}");
    assert!(err.contains("statement: INSERT INTO no_such_table VALUES (1)"), "{err}");
    assert!(err.contains("no_such_table"), "{err}");
    assert!(err.contains("Committed before the failure: r1, r2."), "{err}");
    assert_eq!(p.db.versions(), strings(&["r2"]));
    if kind != Kind::Mariadb {
        assert_eq!(p.db.tables(), strings(&["t1", "t2"]));
        return;
    }
    // MariaDB committed the CREATE TABLE; the INSERT before the failing one shared its
    // transaction and was rolled back with it. The error lists what stays.
    assert!(err.contains("It ran in one transaction with the 1 data statement(s) before it"), "{err}");
    assert!(
        err.contains("1 statement(s) of this step took effect and stay") && err.contains("line 8: CREATE TABLE t3"),
        "{err}"
    );
    assert_eq!(p.db.tables(), strings(&["t1", "t2", "t3"]));
    assert_eq!(p.db.query("SELECT count(*) FROM t3"), strings(&["0"]));
    // Fixed, the step resumes at the first statement that did not take effect.
    p.migration(
        "r3",
        &["r2"],
        "CREATE TABLE t3 (id INT);\nINSERT INTO t3 VALUES (1);\nINSERT INTO t3 VALUES (2);",
        "DROP TABLE t3;",
    );
    let err = p.fails(&["upgrade", "head"]);
    assert!(
        err.contains(
            "stopped at statement 2 of 3 (line 9): it opens a transaction of data statements, one of which failed"
        ),
        "{err}"
    );
    p.ok(&["upgrade", "head", "--resume"]);
    assert_eq!(p.db.versions(), strings(&["r4"]));
    assert_eq!(p.db.query("SELECT count(*) FROM t3"), strings(&["2"]));
}

fn whole_run_transaction(kind: Kind) {
    let p = project!(kind, "transaction_per_migration = false");
    p.chain(2);
    p.migration("r3", &["r2"], "CREATE TABLE t3 (id INT);\nSELECT * FROM no_such_table;", "DROP TABLE t3;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("these steps were rolled back too: r1, r2"), "{err}");
    assert!(p.db.versions().is_empty());
    assert!(p.db.tables().is_empty());
    p.migration("r3", &["r2"], "CREATE TABLE t3 (id INT);", "DROP TABLE t3;");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.versions(), strings(&["r3"]));
    p.ok(&["downgrade", "base"]);
    assert!(p.db.tables().is_empty());
}

fn offline_sql_matches_online(kind: Kind) {
    let online = project!(kind);
    let offline = project!(kind);
    for p in [&online, &offline] {
        p.chain(2);
        p.migration(
            "r3",
            &["r2"],
            "INSERT INTO t1 (id) VALUES (7);\nCREATE VIEW v1 AS SELECT id FROM t1;",
            "DROP VIEW v1;\nDELETE FROM t1;",
        );
        let q = p.db.q("quoted;name");
        p.migration(
            "r4",
            &["r3"],
            &format!("CREATE TABLE {q} (x VARCHAR(10) DEFAULT 'a;b');"),
            &format!("DROP TABLE {q};"),
        );
    }
    online.ok(&["upgrade", "head"]);
    let script = offline.ok(&["upgrade", "head", "--sql"]);
    let update = format!("UPDATE {} SET version_num = 'r2' WHERE version_num = 'r1';", offline.db.q("retort_version"));
    assert!(script.contains(&update), "{script}");
    apply_script(&offline, &script);
    assert_eq!(offline.db.tables(), online.db.tables());
    assert_eq!(offline.db.versions(), online.db.versions());
    assert_eq!(offline.db.query("SELECT id FROM v1"), strings(&["7"]));
    // And the database it produced is one retort can continue from.
    assert_eq!(offline.ok(&["current"]), "r4 (head)\n");

    let down = offline.ok(&["downgrade", "r4:r2", "--sql"]);
    apply_script(&offline, &down);
    online.ok(&["downgrade", "r2"]);
    assert_eq!(offline.db.tables(), online.db.tables());
    assert_eq!(offline.db.versions(), strings(&["r2"]));
    let err = offline.fails(&["downgrade", "-1", "--sql"]);
    assert!(err.contains("FROM:TO range"), "{err}");
}

/// Feeds a `--sql` script to the database's own command-line client.
fn apply_script(p: &Project, script: &str) {
    use std::io::Write;
    let mut child = match p.db.kind {
        Kind::Sqlite => std::process::Command::new("sqlite3")
            .arg("-bail")
            .arg(p.db.url.trim_start_matches("sqlite:"))
            .stdin(std::process::Stdio::piped())
            .spawn(),
        Kind::Postgres => std::process::Command::new("psql")
            .args(["-v", "ON_ERROR_STOP=1", "-q", &p.db.url])
            .stdin(std::process::Stdio::piped())
            .spawn(),
        Kind::Mariadb => std::process::Command::new("mariadb")
            .args(["--protocol=TCP", "-h", "127.0.0.1", "-u", "root", "--batch", &p.db.name()])
            .stdin(std::process::Stdio::piped())
            .spawn(),
    }
    .unwrap_or_else(|e| panic!("starting the database client: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "the client failed on:\n{script}");
}

fn concurrent_upgrades(kind: Kind) {
    let p = project!(kind);
    p.chain(12);
    // A step outside a transaction must not run twice either.
    p.migration_with("r7", &["r6"], "-- Transaction: false", "CREATE TABLE t7 (id INT);", "DROP TABLE t7;");
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"));
            cmd.current_dir(p.path()).args(["upgrade", "head"]);
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "a concurrent run failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(p.db.versions(), strings(&["r12"]));
    let applied = p.db.query("SELECT revision, count(*) FROM retort_history WHERE direction = 'upgrade' GROUP BY revision HAVING count(*) <> 1");
    assert!(applied.is_empty(), "steps applied more than once: {applied:?}");
    assert_eq!(p.db.query("SELECT count(*) FROM retort_history"), strings(&["12"]));
}

fn changed_files_are_detected(kind: Kind) {
    let p = project!(kind);
    p.chain(2);
    p.ok(&["upgrade", "head"]);
    p.migration("r1", &[], "CREATE TABLE t1 (id INTEGER PRIMARY KEY, extra INT);", "DROP TABLE t1;");
    let out = p.run(&["current", "-v"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(err.contains("migrations/r1.sql (revision r1) was changed after it was applied"), "{err}");
    let err = p.fails(&["upgrade", "head", "--strict"]);
    assert!(err.contains("migrations/r1.sql (revision r1) was changed"), "{err}");
    // Line endings alone are not a change.
    p.chain(2);
    let text = std::fs::read_to_string(p.path().join("migrations/r2.sql")).unwrap_or_default();
    p.write("migrations/r2.sql", &text.replace('\n', "\r\n"));
    p.migration("r1", &[], "CREATE TABLE t1 (id INTEGER PRIMARY KEY);", "DROP TABLE t1;");
    let out = p.run(&["current", "--strict"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn irreversible_downgrade_is_refused(kind: Kind) {
    let p = project!(kind);
    p.chain(1);
    p.migration("r2", &["r1"], "CREATE TABLE t2 (id INT);", "");
    p.ok(&["upgrade", "head"]);
    let err = p.fails(&["downgrade", "base"]);
    assert!(err.contains("migrations/r2.sql: revision r2 has an empty downgrade section"), "{err}");
    assert_eq!(p.db.versions(), strings(&["r2"]), "nothing was rolled back");
    assert_eq!(p.db.tables(), strings(&["t1", "t2"]));
}

fn adopts_an_alembic_version_table(kind: Kind) {
    let p = project!(kind, "version_table = \"alembic_version\"");
    p.chain(3);
    p.db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)); CREATE TABLE t1 (id INTEGER PRIMARY KEY); INSERT INTO alembic_version VALUES ('r1');");
    assert_eq!(p.ok(&["current"]), "r1\n");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.versions_in("alembic_version"), strings(&["r3"]));
}

fn crewai_example(kind: Kind) {
    let p = project!(kind);
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/crewai");
    for sub in ["migrations", "schema", "next"] {
        for entry in std::fs::read_dir(example.join(sub)).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            p.write(&format!("{sub}/{name}"), &std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    p.write("retort.toml", &format!("[database]\nurl = \"{}\"\n[schema]\npaths = [\"schema/*.sql\"]\n", p.db.url));
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.tables().len(), 12);
    assert!(p.db.columns("agents").contains(&"workspace_id".to_string()));
    assert_eq!(p.ok(&["current"]), "3f2a9c1b7d4e (head)\n");
    assert_eq!(
        p.ok(&["history"]),
        "799f20a37e7e -> 3f2a9c1b7d4e (head), Add workspace_id to agents\n<base> -> 799f20a37e7e, Initial schema with all models\n"
    );
    assert!(p.ok(&["check"]).contains("No differences"), "the example's models match its migrations");
    // The README's walk-through: the next models, autogenerate, upgrade, check, downgrade.
    p.db.exec("INSERT INTO agents (id, role, backstory, goal, llm_provider_model) VALUES ('a1', 'r', 'b', 'g', 'm')");
    p.write("schema/models.sql", &std::fs::read_to_string(p.path().join("next/models.sql")).unwrap_or_default());
    let out = p.ok(&["revision", "--autogenerate", "-m", "Add users and workspaces", "--rev-id", "c4d88e67a717"]);
    let added = |t: &str| out.lines().any(|l| l.trim().starts_with("+ table") && l.ends_with(t));
    assert!(added("users") && added("workspaces"), "{out}");
    p.ok(&["upgrade", "head"]);
    assert!(p.ok(&["check"]).contains("No differences"));
    assert_eq!(p.db.tables().len(), 16);
    assert_eq!(p.db.query("SELECT id, workspace_id FROM agents"), strings(&["a1|NULL"]));
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.db.tables().len(), 12);
    assert_eq!(p.db.query("SELECT id, workspace_id FROM agents"), strings(&["a1|NULL"]));
    p.ok(&["downgrade", "base"]);
    assert!(p.db.tables().is_empty());
}

fn interrupted_non_transactional_steps_are_recorded_and_resumed(kind: Kind) {
    let p = project!(kind);
    p.chain(1);
    let body = "CREATE TABLE a (id INTEGER);\nINSERT INTO missing_z VALUES (1);\nCREATE TABLE c (id INTEGER);";
    p.migration_with("r2", &["r1"], "-- Transaction: false", body, "DROP TABLE c;\nDROP TABLE a;");
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("1 statement(s) of this step took effect and stay"), "{err}");
    assert!(err.contains("    line 8: CREATE TABLE a (id INTEGER)") && err.contains("--resume"), "{err}");
    assert_eq!(p.db.versions(), strings(&["r1"]), "the version table does not claim r2");
    assert_eq!(
        p.db.query("SELECT status, statements_done FROM retort_history WHERE revision = 'r2'"),
        strings(&["failed|1"])
    );
    // The next run refuses, saying exactly where the step stopped and how to go on.
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("revision r2 (upgrade) stopped at statement 2 of 3 (line 9), which failed"), "{err}");
    assert!(err.contains("line 9") && err.contains("INSERT INTO missing_z") && err.contains("--resume"), "{err}");
    // Fixed by hand; resume runs the rest and records one completed step.
    p.db.exec("CREATE TABLE missing_z (x INTEGER)");
    p.ok(&["upgrade", "head", "--resume"]);
    assert_eq!(p.db.versions(), strings(&["r2"]));
    assert_eq!(
        p.db.query("SELECT status, statements_done FROM retort_history WHERE revision = 'r2'"),
        strings(&["done|3"])
    );
    assert!(p.db.tables().contains(&"c".to_string()));
    // Or resolved by hand: a stamp records where the database is and clears the partial state.
    p.migration_with(
        "r3",
        &["r2"],
        "-- Transaction: false",
        "CREATE TABLE d (id INTEGER);\nINSERT INTO missing_y VALUES (1);",
        "DROP TABLE d;",
    );
    p.fails(&["upgrade", "head"]);
    p.fails(&["upgrade", "head"]);
    p.db.exec("DROP TABLE d");
    p.ok(&["stamp", "r2"]);
    p.migration_with("r3", &["r2"], "-- Transaction: false", "CREATE TABLE d (id INTEGER);", "DROP TABLE d;");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.versions(), strings(&["r3"]));
}

on_all!(
    interrupted_non_transactional_steps_are_recorded_and_resumed,
    linear_chain_up_and_down,
    every_target_form,
    unique_prefix,
    branches_labels_and_merge,
    depends_on_other_branch,
    branch_walks_stay_on_their_branch,
    transaction_control_is_refused,
    stamp_and_purge,
    failing_step_rolls_back,
    offline_sql_matches_online,
    concurrent_upgrades,
    changed_files_are_detected,
    irreversible_downgrade_is_refused,
    adopts_an_alembic_version_table,
);

/// `[database] ddl_lock_wait` on PostgreSQL: `lock_timeout` for the migration's statements, so
/// an ALTER behind an open transaction fails in a second, naming the table.
#[test]
fn ddl_lock_wait_on_postgres() {
    let p = project!(Kind::Postgres);
    p.chain(1);
    p.ok(&["upgrade", "head"]);
    p.migration("r2", &["r1"], "ALTER TABLE t1 ADD COLUMN note TEXT;", "ALTER TABLE t1 DROP COLUMN note;");
    p.database_keys("ddl_lock_wait = 1");
    let mut reader = ::postgres::Client::connect(&p.db.url, ::postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    reader.batch_execute("BEGIN; SELECT * FROM t1;").unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let err = p.fails(&["upgrade", "head"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "{:?}", started.elapsed());
    assert!(err.contains("canceling statement due to lock timeout"), "{err}");
    assert!(err.contains("waited 1 s for a lock on table t1 that another session holds"), "{err}");
    reader.batch_execute("COMMIT").unwrap_or_else(|e| panic!("{e}"));
    p.ok(&["upgrade", "head"]);
}

/// What depends on DDL inside transactions: not MySQL's.
mod transactional_ddl {
    use super::*;
    on_both!(crewai_example, whole_run_transaction);
}

/// `examples/crewai-mariadb` as the README walks it, judged by the server's own
/// `SHOW CREATE TABLE` (not by retort): the downgrade leaves every table exactly as before the
/// upgrade, and rows survive both ways.
#[test]
fn crewai_mariadb_example() {
    let p = project!(Kind::Mariadb);
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/crewai-mariadb/migrations");
    for entry in std::fs::read_dir(&example).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        p.write(&format!("migrations/{name}"), &std::fs::read_to_string(&path).unwrap_or_default());
    }
    let show = |p: &Project| -> Vec<String> {
        p.db.tables().iter().flat_map(|t| p.db.query(&format!("SHOW CREATE TABLE `{t}`"))).collect()
    };
    p.ok(&["upgrade", "799f20a37e7e"]);
    assert_eq!(p.db.tables().len(), 12);
    let before = show(&p);
    p.db.exec("INSERT INTO agents (id, `role`, backstory, goal, llm_provider_model) VALUES ('a1', 'r', 'b', 'g', 'm')");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.ok(&["current"]), "3f2a9c1b7d4e (head)\n");
    let agents = p.db.query("SHOW CREATE TABLE agents").join("\n");
    assert!(
        agents.contains("`workspace_id` varchar(11)") && agents.contains("KEY `ix_agents_workspace_id`"),
        "{agents}"
    );
    assert_eq!(p.db.query("SELECT id, workspace_id FROM agents"), strings(&["a1|NULL"]));
    p.ok(&["downgrade", "-1"]);
    assert_eq!(show(&p), before, "the downgrade restores every table exactly");
    assert_eq!(p.db.query("SELECT id FROM agents"), strings(&["a1"]));
    p.ok(&["downgrade", "base"]);
    assert!(p.db.tables().is_empty());
}
