//! `retort lint` end to end, with table sizes from the live database, and `upgrade` refusing
//! errors unless `--force`.

mod common;

use common::{Kind, Project};

fn lint_weighs_findings_by_table_size(kind: Kind) {
    let Some(p) = Project::new(kind) else { return };
    let fill = match kind {
        Kind::Mariadb => unreachable!("this test runs on SQLite and PostgreSQL"),
        Kind::Sqlite => {
            "INSERT INTO events (id, kind) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) SELECT x, 'k' FROM n;"
        }
        Kind::Postgres => {
            "INSERT INTO events (id, kind) SELECT x, 'k' FROM generate_series(1, 20000) x; ANALYZE events;"
        }
    };
    p.migration(
        "a1",
        &[],
        &format!("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT);\n{fill}"),
        "DROP TABLE events;",
    );
    p.ok(&["upgrade", "head"]);
    p.migration(
        "b1",
        &["a1"],
        "CREATE INDEX ix_events_kind ON events (kind);\nALTER TABLE events DROP COLUMN kind;",
        "SELECT 1;",
    );
    let out = p.ok(&["lint"]);
    assert!(out.contains("migrations/b1.sql:9: warning RT102 drop-column [events: 20,000 rows"), "{out}");
    if kind == Kind::Postgres {
        assert!(
            out.contains("migrations/b1.sql:8: warning RT301 create-index-not-concurrently [events: 20,000 rows,"),
            "{out}"
        );
        assert!(out.contains("fix: CREATE INDEX CONCURRENTLY"), "{out}");
    }
    let json = p.ok(&["lint", "b1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert!(v.as_array().is_some_and(|a| a.iter().any(|f| f["code"] == "RT102")), "{json}");
    assert!(p.ok(&["lint", "a1"]).contains("No findings in 1 migration."));
}

fn upgrade_refuses_lint_errors(kind: Kind) {
    let Some(p) = Project::new(kind) else { return };
    p.migration("a1", &[], "CREATE TABLE t (id INTEGER);\nCREATE INDEX CONCURRENTLY ix ON t (id);", "DROP TABLE t;");
    let out = p.run(&["lint"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error RT401 concurrently-in-transaction"));
    let err = p.fails(&["upgrade", "head"]);
    assert!(err.contains("lint found 1 error") && err.contains("--force"), "{err}");
    assert!(p.db.tables().is_empty(), "nothing ran");
    // A suppression comment makes it pass lint (the database then has its own say).
    p.migration(
        "a1",
        &[],
        "CREATE TABLE t (id INTEGER);\nCREATE INDEX ix ON t (id); -- retort:allow RT301",
        "DROP TABLE t;",
    );
    p.ok(&["upgrade", "head"]);
}

/// What the live data makes certain: errors with the facts behind them, where the planner's
/// estimate alone (0 before ANALYZE) would have said "0 rows".
fn lint_says_what_will_certainly_fail(kind: Kind) {
    let Some(p) = Project::new(kind) else { return };
    p.migration(
        "a1",
        &[],
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, owner_id INTEGER);",
        "DROP TABLE events;",
    );
    p.ok(&["upgrade", "head"]);
    // 1,000 rows loaded a minute ago, never analyzed; three share a kind, two have no owner.
    let fill = match kind {
        Kind::Mariadb => unreachable!("this test runs on SQLite and PostgreSQL"),
        Kind::Sqlite => {
            "INSERT INTO events (id, kind, owner_id) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x, 'k' || x, x FROM n;"
        }
        Kind::Postgres => {
            "INSERT INTO events (id, kind, owner_id) SELECT x, 'k' || x, x FROM generate_series(1, 1000) x;"
        }
    };
    p.db.exec(fill);
    p.db.exec(
        "UPDATE events SET kind = 'dup' WHERE id IN (1, 2, 3); UPDATE events SET owner_id = NULL WHERE id IN (4, 5);",
    );
    let set_not_null = match kind {
        Kind::Mariadb => unreachable!("this test runs on SQLite and PostgreSQL"),
        Kind::Sqlite => "",
        Kind::Postgres => "ALTER TABLE events ALTER COLUMN owner_id SET NOT NULL;\n",
    };
    p.migration(
        "b1",
        &["a1"],
        &format!("SET lock_timeout = '5s';\nALTER TABLE events ADD COLUMN region TEXT NOT NULL;\n{set_not_null}CREATE UNIQUE INDEX ix_events_kind ON events (kind);\nCREATE UNIQUE INDEX ix_events_id ON events (id);"),
        "SELECT 1;",
    );
    let out = p.run(&["lint"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error RT202 add-required-column [events: 1,000 rows"), "{text}");
    assert!(text.contains("(events: 1,000 rows, so it will fail)"), "{text}");
    assert!(text.contains("1 value is held by more than one row in (kind)"), "{text}");
    assert!(text.contains("0 values are held by more than one row in (id)"), "{text}");
    if kind == Kind::Postgres {
        assert!(text.contains("error RT201 set-not-null") && text.contains("2 hold NULL in owner_id"), "{text}");
    }
    // Only the unique index over (kind) fails: the one over (id) stays a warning.
    let unique: Vec<&str> = text.lines().filter(|l| l.contains("RT203")).collect();
    assert_eq!(unique.len(), 2, "{text}");
    assert!(unique[0].contains(": error RT203") && unique[1].contains(": warning RT203"), "{text}");
    // --fail-on warning also fails on warnings; the JSON keeps its fields.
    let json = p.ok(&["lint", "a1", "--json"]);
    assert_eq!(json.trim(), "[]");
    let v: serde_json::Value = serde_json::from_slice(&p.run(&["lint", "b1", "--json"]).stdout).unwrap_or_default();
    assert!(v.as_array().is_some_and(|a| a.iter().any(|f| f["code"] == "RT202" && f["severity"] == "error")), "{v}");
    // Emptied, the same migration is only warnings: exit 0, unless --fail-on warning.
    p.db.exec("DELETE FROM events;");
    let out = p.run(&["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("events is empty today"));
    assert_eq!(p.run(&["lint", "--fail-on", "warning"]).status.code(), Some(1));
}

/// Today's rows do not decide a statement an earlier write prepares (the backfill before SET NOT
/// NULL), and a schema-qualified table is measured in its own schema (PostgreSQL).
fn lint_follows_earlier_writes_and_schemas(kind: Kind) {
    if kind != Kind::Postgres {
        return;
    }
    let Some(p) = Project::new(kind) else { return };
    p.migration(
        "a1",
        &[],
        "CREATE TABLE items (id INTEGER PRIMARY KEY, nick TEXT);\nCREATE SCHEMA app;\nCREATE TABLE app.items (id INTEGER PRIMARY KEY);",
        "DROP TABLE app.items;\nDROP SCHEMA app;\nDROP TABLE items;",
    );
    p.ok(&["upgrade", "head"]);
    p.db.exec("INSERT INTO items (id, nick) VALUES (1, NULL), (2, NULL);");
    p.migration(
        "b1",
        &["a1"],
        "SET lock_timeout = '5s';\nUPDATE items SET nick = '' WHERE nick IS NULL;\nALTER TABLE items ALTER COLUMN nick SET NOT NULL;\nALTER TABLE app.items ADD COLUMN x INTEGER NOT NULL;",
        "SELECT 1;",
    );
    let out = p.run(&["lint"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("warning RT201") && text.contains("an earlier statement writes items"), "{text}");
    assert!(
        text.contains("warning RT202 add-required-column [app.items: 0 rows")
            && text.contains("app.items is empty today"),
        "{text}"
    );
}

/// `lint` on a migration autogenerate wrote for SQLite: the rebuild's internals are not findings,
/// the NOT NULL column it cannot fill is.
fn lint_reads_the_sqlite_rebuild(kind: Kind) {
    if kind != Kind::Sqlite {
        return;
    }
    let Some(p) = Project::new(kind) else { return };
    p.use_schema_files("");
    p.write("schema/app.sql", "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT);");
    p.ok(&["revision", "--autogenerate", "-m", "agents", "--rev-id", "a1"]);
    p.ok(&["upgrade", "head"]);
    p.db.exec("INSERT INTO agents (id, goal) VALUES (1, 'x');");
    p.write(
        "schema/app.sql",
        "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT NOT NULL DEFAULT 'none', owner TEXT NOT NULL);",
    );
    p.ok(&["revision", "--autogenerate", "-m", "owner", "--rev-id", "b1"]);
    let out = p.run(&["lint"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("RT101") && !text.contains("RT501"), "the rebuild's own steps: {text}");
    assert!(text.contains("error RT202") && text.contains("agents.owner NOT NULL without a default"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

/// A typo is an error, not "No findings".
fn lint_reports_what_it_cannot_read(kind: Kind) {
    let Some(p) = Project::new(kind) else { return };
    p.migration("a1", &[], "CREAT TABLE t (id INTEGER);", "SELECT 1;");
    let out = p.run(&["lint"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error RT001 not-sql") && text.contains("did you mean CREATE?"), "{text}");
    // lint base:head means from the start.
    assert!(String::from_utf8_lossy(&p.run(&["lint", "base:head"]).stdout).contains("1 finding in 1 migration"));
}

on_both!(
    lint_weighs_findings_by_table_size,
    upgrade_refuses_lint_errors,
    lint_says_what_will_certainly_fail,
    lint_reads_the_sqlite_rebuild,
    lint_follows_earlier_writes_and_schemas,
    lint_reports_what_it_cannot_read
);

/// MySQL's online DDL: each ALTER TABLE on an existing table is classified the way the connected
/// server runs it (here MariaDB), weighed by the table's rows: a copy of a big table is a warning
/// naming the clause, of a small one an info; INSTANT changes only carry the metadata-lock note;
/// `-- retort:allow` silences a finding; `--json` keeps the fields.
#[test]
fn mysql_online_ddl_is_weighed_on_the_connected_server() {
    let Some(p) = Project::new(Kind::Mariadb) else { return };
    p.migration(
        "a1",
        &[],
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind VARCHAR(20));\nCREATE TABLE tags (id INTEGER PRIMARY KEY, name VARCHAR(20));",
        "DROP TABLE tags;\nDROP TABLE events;",
    );
    p.ok(&["upgrade", "head"]);
    p.db.exec("INSERT INTO events (id, kind) SELECT seq, 'k' FROM seq_1_to_20000; INSERT INTO tags VALUES (1, 'a');");
    p.migration(
        "b1",
        &["a1"],
        "ALTER TABLE events ADD COLUMN note TEXT AFTER id;\nALTER TABLE events MODIFY COLUMN kind VARCHAR(40) NOT NULL, ADD INDEX ix_kind (kind);\nALTER TABLE tags ENGINE=InnoDB;\n-- retort:allow RT312\nALTER TABLE events FORCE;\nALTER TABLE events MODIFY COLUMN kind VARCHAR(60);\nALTER TABLE events MODIFY COLUMN kind VARCHAR(20) NOT NULL;\nALTER TABLE events MODIFY COLUMN kind VARCHAR(100);",
        "SELECT 1;",
    );
    let out = p.ok(&["lint"]);
    assert!(out.contains("migrations/b1.sql:9: warning RT310 mysql-table-copy [events: 20,000 rows"), "{out}");
    assert!(
        out.contains("on MariaDB 10.") && out.contains("because of `MODIFY COLUMN kind VARCHAR(40) NOT NULL`"),
        "{out}"
    );
    assert!(
        out.contains("migrations/b1.sql:10: info RT310 mysql-table-copy [tags: 1 row")
            && out.contains("takes a moment"),
        "{out}"
    );
    assert!(out.contains("migrations/b1.sql:8: info RT313 mysql-metadata-lock"), "{out}");
    assert!(
        !out.contains("b1.sql:12: warning") && !out.contains("b1.sql:8: warning"),
        "the instant ADD COLUMN and the allowed FORCE: {out}"
    );
    // The live column decides a MODIFY: VARCHAR(20) to (60) keeps its 1-byte length prefix in
    // utf8mb4 (240 bytes) and is changed in place; NOT NULL alone rebuilds the table; (100) needs
    // a 2-byte prefix, a copy. Type and nullability at once (line 9) stay a copy.
    assert!(!out.contains("b1.sql:13:"), "{out}");
    assert!(out.contains("migrations/b1.sql:14: warning RT312 mysql-table-rebuild [events: 20,000 rows"), "{out}");
    assert!(out.contains("migrations/b1.sql:15: warning RT310 mysql-table-copy"), "{out}");
    assert!(!out.contains("unless it only lengthens"), "the live column was read: {out}");
    let v: serde_json::Value = serde_json::from_slice(&p.run(&["lint", "--json"]).stdout).unwrap_or_default();
    assert!(
        v.as_array().is_some_and(|a| a
            .iter()
            .any(|f| f["code"] == "RT310" && f["table"] == "events" && f["severity"] == "warning")),
        "{v}"
    );
    // Written with ALGORITHM=INSTANT, a change says what it costs: the server refuses to copy.
    p.migration(
        "b1",
        &["a1"],
        "ALTER TABLE events MODIFY COLUMN kind VARCHAR(40) NOT NULL, ALGORITHM=INSTANT;",
        "SELECT 1;",
    );
    assert!(!p.ok(&["lint"]).contains("RT310"));
}
