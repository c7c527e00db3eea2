//! `retort lint` end to end, with table sizes from the live database, and `upgrade` refusing
//! errors unless `--force`.

mod common;

use common::{Kind, Project};

fn lint_weighs_findings_by_table_size(kind: Kind) {
    let Some(p) = Project::new(kind) else { return };
    let fill = match kind {
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
    assert!(out.contains("migrations/b1.sql:9: warning RT102 drop-column [events: 20 k rows"), "{out}");
    if kind == Kind::Postgres {
        assert!(
            out.contains("migrations/b1.sql:8: warning RT301 create-index-not-concurrently [events: 20 k rows,"),
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

on_both!(lint_weighs_findings_by_table_size, upgrade_refuses_lint_errors);
