//! End-to-end autogenerate: for pairs of schemas (A, B) on SQLite and PostgreSQL, apply A, let
//! `retort revision --autogenerate` write the migration toward B, upgrade (the database then
//! equals B and `check` is clean), downgrade -1 (it equals A again), with rows surviving both ways.

mod common;

use common::{Kind, Project};

/// One case: the schema before, the schema after, rows to insert before upgrading, and queries
/// whose results must be the same before, after the upgrade and after the downgrade.
struct Case<'a> {
    before: &'a str,
    after: &'a str,
    rows: &'a str,
    keep: &'a [&'a str],
}

/// The inspected schema as JSON with each table's columns sorted by name: a downgrade re-adds a
/// dropped column at the end of the table (PostgreSQL cannot insert one in the middle), and column
/// order is not part of what a migration restores.
fn unordered(json: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    if let Some(tables) = v.get_mut("tables").and_then(|t| t.as_array_mut()) {
        for t in tables {
            if let Some(cols) = t.get_mut("columns").and_then(|c| c.as_array_mut()) {
                cols.sort_by_key(|c| c["name"].as_str().unwrap_or_default().to_string());
            }
            // MySQL numbers unnamed foreign keys by declaration order (`t_ibfk_2`): a made-up
            // name, which retort does not compare.
            if let Some(keys) = t.get_mut("foreign_keys").and_then(|k| k.as_array_mut()) {
                for k in keys.iter_mut() {
                    let made_up = k["name"]
                        .as_str()
                        .and_then(|n| n.rsplit_once("_ibfk_"))
                        .is_some_and(|(_, n)| n.chars().all(|c| c.is_ascii_digit()));
                    if made_up {
                        k["name"] = serde_json::Value::String("<made up>".into());
                    }
                }
                keys.sort_by_key(|k| k.to_string());
            }
        }
    }
    v
}

/// Runs a case and returns the generated migration file's text.
fn run_case(kind: Kind, case: &Case) -> String {
    run_case_in(kind, case, &[])
}

/// Runs a case managing the given PostgreSQL schemas (default: public).
fn run_case_in(kind: Kind, case: &Case, schemas: &[&str]) -> String {
    let Some(p) = Project::new(kind) else { return String::new() };
    let schemas: Vec<String> = schemas.iter().map(|s| format!("\"{s}\"")).collect();
    std::fs::write(
        p.path().join("retort.toml"),
        format!(
            "[database]\nurl = \"{}\"\n[migrations]\ndir = \"migrations\"\n[schema]\npaths = [\"schema/*.sql\"]\nschemas = [{}]\n",
            p.db.url,
            schemas.join(", ")
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.db.exec(case.before);
    if !case.rows.is_empty() {
        p.db.exec(case.rows);
    }
    let kept_before: Vec<Vec<String>> = case.keep.iter().map(|q| p.db.query(q)).collect();
    let inspect_a = p.ok(&["inspect", "--json"]);
    p.write("schema/models.sql", case.after);
    let out = p.ok(&["revision", "--autogenerate", "-m", "change", "--rev-id", "g1"]);
    assert!(out.contains("Created migrations/g1_change.sql"), "{out}");
    let file = std::fs::read_to_string(p.path().join("migrations/g1_change.sql")).unwrap_or_default();
    p.ok(&["upgrade", "head"]);
    let check = p.run(&["check"]);
    assert!(
        check.status.success(),
        "not idempotent: check after upgrade:\n{}\nmigration:\n{file}",
        String::from_utf8_lossy(&check.stdout)
    );
    // The upgraded database equals B exactly: the same JSON as B loaded on its own.
    let loaded_b = p.ok(&["inspect", "--desired", "--json"]);
    assert_eq!(
        unordered(&p.ok(&["inspect", "--json"])),
        unordered(&loaded_b),
        "upgraded schema differs from B\n{file}"
    );
    for (q, want) in case.keep.iter().zip(&kept_before) {
        assert_eq!(&p.db.query(q), want, "rows changed by the upgrade: {q}\n{file}");
    }
    p.ok(&["downgrade", "-1"]);
    assert_eq!(unordered(&p.ok(&["inspect", "--json"])), unordered(&inspect_a), "downgrade did not restore A\n{file}");
    for (q, want) in case.keep.iter().zip(&kept_before) {
        assert_eq!(&p.db.query(q), want, "rows changed by the downgrade: {q}\n{file}");
    }
    file
}

const BASE: &str = "CREATE TABLE agents (id VARCHAR(11) NOT NULL PRIMARY KEY, role VARCHAR(255) NOT NULL, goal TEXT, max_iter INTEGER);";
const ROWS: &str =
    "INSERT INTO agents (id, role, goal, max_iter) VALUES ('a1', 'writer', 'write', 3), ('a2', 'critic', NULL, 5);";
const KEEP: &[&str] = &["SELECT id, role FROM agents ORDER BY id"];

fn add_table_with_foreign_key_and_index(kind: Kind) {
    let after = format!(
        "{BASE}\nCREATE TABLE tasks (id VARCHAR(11) NOT NULL PRIMARY KEY, agent_id VARCHAR(11) NOT NULL REFERENCES agents (id) ON DELETE CASCADE, title TEXT);\nCREATE INDEX ix_tasks_agent ON tasks (agent_id);"
    );
    let file = run_case(kind, &Case { before: BASE, after: &after, rows: ROWS, keep: KEEP });
    if kind == Kind::Postgres {
        assert!(file.contains("ON DELETE CASCADE") && file.contains("DROP TABLE public.tasks"), "{file}");
    }
}

fn drop_table_is_marked_destructive(kind: Kind) {
    let before = format!("{BASE}\nCREATE TABLE old_logs (id INTEGER PRIMARY KEY, line TEXT);");
    let file = run_case(kind, &Case { before: &before, after: BASE, rows: ROWS, keep: KEEP });
    assert!(file.contains("-- WARNING: destructive: drops table") && file.contains("old_logs"), "{file}");
}

fn add_drop_and_alter_columns(kind: Kind) {
    let verbose = if kind == Kind::Mariadb { "`verbose`" } else { "\"verbose\"" };
    let after = &format!(
        "CREATE TABLE agents (id VARCHAR(11) NOT NULL PRIMARY KEY, role VARCHAR(255) NOT NULL, goal TEXT NOT NULL DEFAULT 'none', max_iter BIGINT, {verbose} BOOLEAN DEFAULT FALSE);"
    );
    let rows = "INSERT INTO agents (id, role, goal, max_iter) VALUES ('a1', 'writer', 'write', 3), ('a2', 'critic', 'judge', 5);";
    let keep: &[&str] = &["SELECT id, role, goal, max_iter FROM agents ORDER BY id"];
    let file = run_case(kind, &Case { before: BASE, after, rows, keep });
    assert!(file.contains("verbose"), "{file}");
    let dropped =
        "CREATE TABLE agents (id VARCHAR(11) NOT NULL PRIMARY KEY, role VARCHAR(255) NOT NULL, max_iter INTEGER);";
    let file = run_case(kind, &Case { before: BASE, after: dropped, rows: ROWS, keep: KEEP });
    assert!(file.contains("WARNING: destructive: drops column") && file.contains("goal"), "{file}");
}

fn renames_by_hint_and_detection(kind: Kind) {
    let hinted = "CREATE TABLE members ( -- retort: renamed from agents\n  id VARCHAR(11) NOT NULL PRIMARY KEY,\n  title VARCHAR(255) NOT NULL, -- retort: renamed from role\n  goal TEXT,\n  max_iter INTEGER\n);";
    let keep: &[&str] = &[];
    let file = run_case(kind, &Case { before: BASE, after: hinted, rows: ROWS, keep });
    let q = |s: &str| if kind == Kind::Mariadb { format!("`{s}`") } else { s.to_string() };
    assert!(
        file.contains(&format!("RENAME TO {}", q("members")))
            && file.contains(&format!("RENAME COLUMN {} TO {}", q("role"), q("title"))),
        "{file}"
    );
    assert!(!file.contains("DROP TABLE"), "a rename keeps the rows: {file}");
    if kind == Kind::Postgres {
        assert!(
            file.contains("RENAME CONSTRAINT agents_pkey TO members_pkey") && !file.contains("DROP CONSTRAINT"),
            "{file}"
        );
    }
    let detected = "CREATE TABLE agents (id VARCHAR(11) NOT NULL PRIMARY KEY, role VARCHAR(255) NOT NULL, goals TEXT, max_iter INTEGER);";
    let file = run_case(
        kind,
        &Case { before: BASE, after: detected, rows: ROWS, keep: &["SELECT id, role FROM agents ORDER BY id"] },
    );
    assert!(
        file.contains("-- review: detected rename")
            && file.contains(&format!("RENAME COLUMN {} TO {}", q("goal"), q("goals"))),
        "{file}"
    );
}

fn constraints_and_indexes(kind: Kind) {
    let before = "CREATE TABLE crews (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, max_rpm INTEGER, CONSTRAINT crews_rpm CHECK (max_rpm > 0));\nCREATE INDEX ix_crews_name ON crews (name);";
    let partial = match kind {
        // MySQL has no partial indexes: a prefix and a descending key instead.
        Kind::Mariadb => "CREATE INDEX ix_crews_rpm ON crews (name(10), max_rpm DESC);",
        _ => "CREATE INDEX ix_crews_rpm ON crews (max_rpm) WHERE max_rpm > 10;",
    };
    let after = &format!(
        "CREATE TABLE crews (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, max_rpm INTEGER, CONSTRAINT crews_rpm CHECK (max_rpm > 1), CONSTRAINT crews_name_key UNIQUE (name));\nCREATE INDEX ix_crews_name ON crews (name, max_rpm);\n{partial}"
    );
    let rows = "INSERT INTO crews (id, name, max_rpm) VALUES (1, 'a', 5), (2, 'b', 20);";
    run_case(kind, &Case { before, after, rows, keep: &["SELECT id, name, max_rpm FROM crews ORDER BY id"] });
}

fn foreign_key_cycle_and_actions(kind: Kind) {
    let before = "CREATE TABLE a (id INTEGER NOT NULL PRIMARY KEY, b_id INTEGER);\nCREATE TABLE b (id INTEGER NOT NULL PRIMARY KEY, a_id INTEGER);";
    let after = match kind {
        // MySQL and PostgreSQL need b to exist before a references it.
        Kind::Mariadb | Kind::Postgres => {
            "CREATE TABLE a (id INTEGER NOT NULL PRIMARY KEY, b_id INTEGER);\nCREATE TABLE b (id INTEGER NOT NULL PRIMARY KEY, a_id INTEGER, FOREIGN KEY (a_id) REFERENCES a (id));\nALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL;"
        }
        // SQLite resolves references when rows are written; PostgreSQL needs b to exist first.
        Kind::Sqlite => {
            "CREATE TABLE a (id INTEGER NOT NULL PRIMARY KEY, b_id INTEGER REFERENCES b (id) ON DELETE SET NULL);\nCREATE TABLE b (id INTEGER NOT NULL PRIMARY KEY, a_id INTEGER REFERENCES a (id));"
        }
    };
    run_case(kind, &Case { before, after, rows: "", keep: &[] });
}

fn primary_key_and_view_changes(kind: Kind) {
    let before = "CREATE TABLE t (a INTEGER NOT NULL, b INTEGER NOT NULL, c TEXT, PRIMARY KEY (a));\nCREATE VIEW v AS SELECT a, c FROM t;";
    let after = "CREATE TABLE t (a INTEGER NOT NULL, b INTEGER NOT NULL, c VARCHAR(20), PRIMARY KEY (a, b));\nCREATE VIEW v AS SELECT a, b, c FROM t;";
    let rows = "INSERT INTO t (a, b, c) VALUES (1, 1, 'x'), (2, 1, 'y');";
    run_case(kind, &Case { before, after, rows, keep: &["SELECT a, b, c FROM t ORDER BY a"] });
}

fn crewai_v1_to_v2(kind: Kind) {
    let dir = match kind {
        Kind::Mariadb => "mysql",
        Kind::Sqlite => "sqlite",
        Kind::Postgres => "postgres",
    };
    let read = |v: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../../shared/fixtures/crewai/{dir}/{v}.sql"));
        std::fs::read_to_string(path).ok()
    };
    let (Some(v1), Some(v2)) = (read("v1"), read("v2")) else { return };
    let rows = "INSERT INTO agents (id, role, backstory, goal, llm_provider_model) VALUES ('a1', 'r', 'b', 'g', 'm');\nINSERT INTO tools (tool_id, name, description) VALUES ('t1', 'search', 'web');\nINSERT INTO agent_tools (agent_id, tool_id) VALUES ('a1', 't1');";
    let keep: &[&str] = &["SELECT id, role, goal FROM agents", "SELECT agent_id, tool_id FROM agent_tools"];
    let file = run_case(kind, &Case { before: &v1, after: &v2, rows, keep });
    assert!(file.contains("workspace_members"), "{file}");
    // And back: v2 -> v1 is the downgrade direction as an upgrade.
    run_case(kind, &Case { before: &v2, after: &v1, rows, keep });
}

fn enums_sequences_and_identity(kind: Kind) {
    if kind != Kind::Postgres {
        return;
    }
    let before = "CREATE TYPE status AS ENUM ('active', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let add_value = "CREATE TYPE status AS ENUM ('active', 'suspended', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let rows = "INSERT INTO users (status) VALUES ('active'), ('inactive');";
    let keep: &[&str] = &["SELECT id, status::text FROM users ORDER BY id"];
    let file = run_case(kind, &Case { before, after: add_value, rows, keep });
    assert!(file.contains("ALTER TYPE public.status ADD VALUE 'suspended' BEFORE 'inactive'"), "{file}");
    // Removing a value takes the recreate path, and the downgrade restores it.
    let remove = "CREATE TYPE status AS ENUM ('active', 'inactive', 'banned');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let file = run_case(kind, &Case { before: remove, after: before, rows, keep });
    assert!(file.contains("WARNING: destructive: removes value") && file.contains("__retort_old"), "{file}");
    let identity = "CREATE TYPE status AS ENUM ('active', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active', n INTEGER GENERATED BY DEFAULT AS IDENTITY);\nCREATE SEQUENCE invoice_no START 1000;\nCOMMENT ON TABLE users IS 'people';";
    run_case(kind, &Case { before, after: identity, rows, keep });
    // Dropping a table drops the enum it created with it: no leftover type after the downgrade.
    let empty = "CREATE TABLE other (id INTEGER);";
    run_case(kind, &Case { before: empty, after: before, rows: "", keep: &[] });
}

fn nothing_to_do_writes_nothing(kind: Kind) {
    let p = project!(kind);
    std::fs::write(
        p.path().join("retort.toml"),
        format!("[database]\nurl = \"{}\"\n[schema]\npaths = [\"schema/*.sql\"]\n", p.db.url),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.db.exec(BASE);
    p.write("schema/a.sql", BASE);
    let out = p.ok(&["revision", "--autogenerate", "-m", "nothing"]);
    assert!(out.contains("No changes in schema detected"), "{out}");
    assert_eq!(std::fs::read_dir(p.path().join("migrations")).map(|d| d.count()).unwrap_or(9), 0);
    assert!(p.ok(&["check"]).contains("No differences"));
    // A database behind the head refuses to autogenerate.
    p.migration("m1", &[], "CREATE TABLE x (id INTEGER);", "DROP TABLE x;");
    let err = p.fails(&["revision", "--autogenerate", "-m", "x"]);
    assert!(err.contains("Target database is not up to date") && err.contains("heads:   m1"), "{err}");
    p.ok(&["upgrade", "head"]);
    p.write("schema/a.sql", &format!("{BASE}\nCREATE TABLE x (id INTEGER);\nCREATE TABLE extra (id INTEGER);"));
    let json = p.run(&["check", "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_default();
    assert_eq!(v["matches"], serde_json::Value::Bool(false), "{v}");
}

/// `[schema] exclude`: another tool's tables (Alembic's version table, a legacy area) are never
/// reported, dropped or touched, whatever they own.
fn excluded_tables_are_left_alone(kind: Kind) {
    let p = project!(kind);
    let serial = if kind == Kind::Postgres { "SERIAL" } else { "INTEGER" };
    std::fs::write(
        p.path().join("retort.toml"),
        format!(
            "[database]\nurl = \"{}\"\n[schema]\npaths = [\"schema/*.sql\"]\nexclude = [\"alembic_version\", \"legacy_*\"]\n",
            p.db.url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.db.exec(BASE);
    p.db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
    p.db.exec(&format!("CREATE TABLE legacy_orders (id {serial} PRIMARY KEY, note TEXT)"));
    p.db.exec("CREATE INDEX legacy_orders_note ON legacy_orders (note)");
    p.write("schema/a.sql", BASE);
    assert!(p.ok(&["check"]).contains("No differences"), "excluded tables are not differences");
    let out = p.ok(&["revision", "--autogenerate", "-m", "nothing", "--allow-empty"]);
    assert!(!out.contains("legacy") && !out.contains("alembic"), "{out}");
    p.ok(&["upgrade", "head"]);
    // A table that only matches part of a pattern is still the application's.
    p.db.exec("CREATE TABLE legacyx (id INTEGER)");
    let check = p.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("legacyx"), "{check:?}");
    let inspected = p.ok(&["inspect"]);
    assert!(!inspected.contains("legacy_orders") && !inspected.contains("alembic_version"), "{inspected}");
}

/// What autogenerate prints is what the file says: cautions next to destructive steps, a serial
/// column once; `check --json` gives fields as well as lines.
fn summaries_list_cautions_and_fields(kind: Kind) {
    let p = project!(kind);
    p.use_schema_files("");
    p.write("schema/a.sql", "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal VARCHAR(10));");
    p.ok(&["revision", "--autogenerate", "-m", "a", "--rev-id", "a1"]);
    p.ok(&["upgrade", "head"]);
    let serial = if kind == Kind::Postgres { ", n SERIAL" } else { "" };
    p.write(
        "schema/a.sql",
        &format!("CREATE TABLE agents (id INTEGER PRIMARY KEY, goal VARCHAR(10), owner TEXT NOT NULL{serial});"),
    );
    let v: serde_json::Value = serde_json::from_slice(&p.run(&["check", "--json"]).stdout).unwrap_or_default();
    let owner = v["details"].as_array().and_then(|d| d.iter().find(|c| c["column"] == "owner")).cloned();
    assert!(
        owner.is_some_and(|c| c["action"] == "add"
            && c["kind"] == "column"
            && c["table"].as_str().is_some_and(|t| t.ends_with("agents"))
            && c["to"] == if kind == Kind::Sqlite { "TEXT NOT NULL" } else { "text NOT NULL" }),
        "{v}"
    );
    assert!(
        v["cautions"].as_array().is_some_and(|c| c.iter().any(|c| c.as_str().is_some_and(|c| c.contains("owner")))),
        "{v}"
    );
    let out = p.ok(&["revision", "--autogenerate", "-m", "b", "--rev-id", "b1"]);
    assert!(out.contains("marked CAUTION in the file") && out.contains("owner is added NOT NULL"), "{out}");
    if kind == Kind::Postgres {
        assert_eq!(out.matches("sequence public.agents_n_seq").count(), 1, "{out}");
    }
}

/// A renamed table or column keeps its serial's sequence and its current value (PostgreSQL):
/// after every upgrade and downgrade the next insert continues the numbering.
fn renames_keep_sequences(kind: Kind) {
    if kind != Kind::Postgres {
        return;
    }
    let p = project!(kind);
    p.use_schema_files("");
    p.write("schema/a.sql", "CREATE TABLE items (id SERIAL PRIMARY KEY, n BIGSERIAL, name TEXT);");
    p.ok(&["revision", "--autogenerate", "-m", "items", "--rev-id", "a1"]);
    p.ok(&["upgrade", "head"]);
    p.db.exec("INSERT INTO items (name) VALUES ('a'), ('b');");
    p.write(
        "schema/a.sql",
        "CREATE TABLE products ( -- retort: renamed from items\n  id SERIAL PRIMARY KEY,\n  serial_no BIGSERIAL, -- retort: renamed from n\n  name TEXT\n);",
    );
    let out = p.ok(&["revision", "--autogenerate", "-m", "products", "--rev-id", "b1"]);
    assert!(!out.contains("+ sequence") && !out.contains("- sequence"), "{out}");
    assert!(out.contains("~ sequence public.items_id_seq renamed to public.products_id_seq"), "{out}");
    assert!(out.contains("~ sequence public.items_n_seq renamed to public.products_serial_no_seq"), "{out}");
    p.ok(&["upgrade", "head"]);
    assert!(p.ok(&["check"]).contains("No differences"));
    assert_eq!(p.db.query("INSERT INTO products (name) VALUES ('c') RETURNING id, serial_no"), vec!["3|3"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.db.query("INSERT INTO items (name) VALUES ('d') RETURNING id, n"), vec!["4|4"]);
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.query("INSERT INTO products (name) VALUES ('e') RETURNING id, serial_no"), vec!["5|5"]);
    // serial -> identity and back carry the sequence's value over.
    p.write(
        "schema/a.sql",
        "CREATE TABLE products (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, serial_no BIGSERIAL, name TEXT);",
    );
    p.ok(&["revision", "--autogenerate", "-m", "identity", "--rev-id", "c1"]);
    p.ok(&["upgrade", "head"]);
    assert!(p.ok(&["check"]).contains("No differences"));
    assert_eq!(p.db.query("INSERT INTO products (name) VALUES ('f') RETURNING id"), vec!["6"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.db.query("INSERT INTO products (name) VALUES ('g') RETURNING id"), vec!["7"]);
    let inspected = p.ok(&["inspect"]);
    assert!(inspected.contains("nextval('public.products_id_seq'::regclass)"), "{inspected}");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.db.query("INSERT INTO products (name) VALUES ('h') RETURNING id"), vec!["8"]);
}

/// Downgrades run on tables that hold rows: a dropped NOT NULL column without a default comes
/// back filled with a value of its type (said in the file and the summary), and a unique column
/// with a default comes back without colliding.
fn downgrades_run_on_rows(kind: Kind) {
    let (mood, mood_type) = match kind {
        Kind::Mariadb => ("", ", m ENUM('calm', 'busy') NOT NULL"),
        Kind::Postgres => ("CREATE TYPE mood AS ENUM ('calm', 'busy');\n", ", m mood NOT NULL"),
        Kind::Sqlite => ("", ""),
    };
    // MySQL indexes text by a prefix only: the unique column is a VARCHAR there.
    let u_type = if kind == Kind::Mariadb { "VARCHAR(20)" } else { "TEXT" };
    let before = format!(
        "{mood}CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(10) NOT NULL, score INTEGER NOT NULL, at TIMESTAMP NOT NULL, flag BOOLEAN NOT NULL, u {u_type} UNIQUE DEFAULT 'n/a'{mood_type});"
    );
    let after = format!("{mood}CREATE TABLE t (id INTEGER PRIMARY KEY);");
    let values = if kind == Kind::Sqlite { "" } else { ", 'busy'" };
    let m = if kind == Kind::Sqlite { "" } else { ", m" };
    let rows = format!(
        "INSERT INTO t (id, code, score, at, flag, u{m}) VALUES (1, 'a', 1, '2026-01-01 00:00:00', TRUE, 'x'{values}), (2, 'b', 2, '2026-01-02 00:00:00', FALSE, 'y'{values});"
    );
    let file =
        run_case(kind, &Case { before: &before, after: &after, rows: &rows, keep: &["SELECT id FROM t ORDER BY id"] });
    assert!(
        file.contains("values of")
            && file.contains(".code are not restored (the upgrade dropped them); filled with ''"),
        "{file}"
    );
    if kind == Kind::Postgres {
        assert!(file.contains("ADD COLUMN m public.mood DEFAULT 'calm' NOT NULL"), "{file}");
    }
    if kind == Kind::Mariadb {
        assert!(file.contains("ADD COLUMN `m` enum('calm','busy') NOT NULL DEFAULT 'calm'"), "{file}");
    }
    // A unique index over a new column with a default: the rows do not all get the default.
    let before = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);";
    let after = &format!(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, code {u_type} DEFAULT 'x');\nCREATE UNIQUE INDEX t_code ON t (code);"
    );
    let two = "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b');";
    run_case(kind, &Case { before, after, rows: two, keep: &["SELECT id, name FROM t ORDER BY id"] });
    // A dropped column under a check or a foreign key gets no fill that would break them: the
    // file says so (CAUTION) rather than writing a fill that fails.
    let p = project!(kind);
    p.use_schema_files("");
    // A table-level FOREIGN KEY: MySQL ignores a column's REFERENCES.
    p.db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY);\nCREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, amount INTEGER NOT NULL CHECK (amount > 0), FOREIGN KEY (user_id) REFERENCES users (id));");
    p.write(
        "schema/a.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\nCREATE TABLE orders (id INTEGER PRIMARY KEY);",
    );
    p.ok(&["revision", "--autogenerate", "-m", "drop", "--rev-id", "d1"]);
    let text = std::fs::read_to_string(p.path().join("migrations/d1_drop.sql")).unwrap_or_default();
    assert!(!text.contains("filled with") && text.contains("a foreign key or a check"), "{text}");
}

/// An enum recreated in the same migration as a rename of a table (and column) using it: the
/// recast follows the new names, both ways (PostgreSQL).
fn enum_changes_follow_renames(kind: Kind) {
    if kind != Kind::Postgres {
        return;
    }
    let before = "CREATE TYPE mood AS ENUM ('a', 'b', 'c');\nCREATE TABLE items (id int PRIMARY KEY, m mood);";
    let after = "CREATE TYPE mood AS ENUM ('a', 'c');\nCREATE TABLE products ( -- retort: renamed from items\n  id int PRIMARY KEY,\n  mood mood -- retort: renamed from m\n);";
    let rows = "INSERT INTO items (id, m) VALUES (1, 'a'), (2, 'c');";
    let file = run_case(kind, &Case { before, after, rows, keep: &[] });
    assert!(
        file.contains("ALTER TABLE public.products ALTER COLUMN mood TYPE public.mood USING mood::text::public.mood"),
        "{file}"
    );
    // A new value used by a default: the recreate is in the upgrade, and the downgrade's removal too.
    let before = "CREATE TYPE mood AS ENUM ('a', 'c');\nCREATE TABLE items (id int PRIMARY KEY, m mood);";
    let after = "CREATE TYPE mood AS ENUM ('a', 'b', 'c');\nCREATE TABLE products ( -- retort: renamed from items\n  id int PRIMARY KEY,\n  m mood DEFAULT 'b'\n);";
    run_case(kind, &Case { before, after, rows: "INSERT INTO items (id, m) VALUES (1, 'a');", keep: &[] });
}

fn review_findings(kind: Kind) {
    // NOT NULL with a default on a column holding NULLs: the NULLs take the default.
    let before = "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT);";
    let after = "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT NOT NULL DEFAULT 'none');";
    let rows = "INSERT INTO agents (id, goal) VALUES (1, NULL), (2, 'x');";
    run_case(kind, &Case { before, after, rows, keep: &["SELECT id FROM agents ORDER BY id"] });
    // SQLite refuses ADD COLUMN with CURRENT_TIMESTAMP on a table with rows: rebuilt instead.
    let after = "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);";
    run_case(kind, &Case { before, after, rows, keep: &["SELECT id, goal FROM agents ORDER BY id"] });
    // A view and a trigger on a table that is renamed and changed.
    let (before, after) = match kind {
        Kind::Mariadb => (
            "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, touched DATETIME);\nCREATE VIEW v AS SELECT id, n FROM items;\nCREATE TRIGGER trg BEFORE UPDATE ON items FOR EACH ROW SET NEW.touched = now();",
            "CREATE TABLE products ( -- retort: renamed from items\n  id INTEGER PRIMARY KEY,\n  n INTEGER,\n  touched DATETIME\n);\nCREATE VIEW v AS SELECT id, n FROM products;\nCREATE TRIGGER trg BEFORE UPDATE ON products FOR EACH ROW SET NEW.touched = now();",
        ),
        Kind::Sqlite => (
            "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, touched INTEGER);\nCREATE VIEW v AS SELECT id, n FROM items;\nCREATE TRIGGER trg AFTER UPDATE ON items BEGIN UPDATE items SET touched = 1 WHERE id = NEW.id; END;",
            "CREATE TABLE products ( -- retort: renamed from items\n  id INTEGER PRIMARY KEY,\n  n INTEGER,\n  touched INTEGER\n);\nCREATE VIEW v AS SELECT id, n FROM products;\nCREATE TRIGGER trg AFTER UPDATE ON products BEGIN UPDATE products SET touched = 1 WHERE id = NEW.id; END;",
        ),
        Kind::Postgres => (
            "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, touched TIMESTAMP);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched = now(); RETURN NEW; END $$;\nCREATE TRIGGER trg BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();",
            "CREATE TABLE products ( -- retort: renamed from items\n  id INTEGER PRIMARY KEY,\n  n INTEGER,\n  touched TIMESTAMP\n);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched = now(); RETURN NEW; END $$;\nCREATE TRIGGER trg BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION touch();",
        ),
    };
    run_case(kind, &Case { before, after, rows: "INSERT INTO items (id, n) VALUES (1, 2);", keep: &[] });
    if kind != Kind::Postgres {
        return;
    }
    // A function whose signature uses a table created (and dropped) in the same migration.
    let before = "CREATE TABLE other (id INTEGER);";
    let after = "CREATE TABLE other (id INTEGER);\nCREATE TABLE t (id INTEGER);\nCREATE FUNCTION all_t() RETURNS SETOF t LANGUAGE sql AS 'SELECT * FROM t';";
    run_case(kind, &Case { before, after, rows: "", keep: &[] });
    // A schema holding a type and a table: the downgrade drops them in order.
    let after = "CREATE TABLE other (id INTEGER);\nCREATE SCHEMA billing;\nCREATE TYPE billing.st AS ENUM ('open', 'paid');\nCREATE TABLE billing.inv (id INTEGER PRIMARY KEY, s billing.st NOT NULL);";
    let file = run_case_in(kind, &Case { before, after, rows: "", keep: &[] }, &["public", "billing"]);
    assert!(file.contains("DROP SCHEMA billing"), "{file}");
    // Enum arrays convert, and a new value used by a default takes the recreate path.
    let before = "CREATE TYPE st AS ENUM ('a', 'b', 'c');\nCREATE TABLE t (id INTEGER PRIMARY KEY, s st DEFAULT 'a', tags st[]);";
    let after = "CREATE TYPE st AS ENUM ('a', 'c', 'd');\nCREATE TABLE t (id INTEGER PRIMARY KEY, s st DEFAULT 'd', tags st[]);";
    let rows = "INSERT INTO t (id, s, tags) VALUES (1, 'a', '{a,c}'), (2, 'c', '{c}');";
    run_case(kind, &Case { before, after, rows, keep: &["SELECT id, s::text, tags::text FROM t ORDER BY id"] });
    // Table options and a generated column that becomes plain.
    let before = "CREATE TABLE t (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) STORED);";
    let after = "CREATE UNLOGGED TABLE t (a INTEGER, b INTEGER);";
    let rows = "INSERT INTO t (a) VALUES (1), (5);";
    run_case(kind, &Case { before, after, rows, keep: &["SELECT a, b FROM t ORDER BY a"] });
}

/// A fixture file: the repository's own copy, else the team's shared folder (copyleft files).
fn fixture(kind: Kind, file: &str) -> Option<String> {
    let dir = match kind {
        Kind::Mariadb => "mysql",
        Kind::Sqlite => "sqlite",
        Kind::Postgres => "postgres",
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let own = root.join(format!("../retort/tests/fixtures/{dir}/{file}"));
    let shared = root.join(format!("../../../shared/fixtures/schemas/{dir}/{file}"));
    std::fs::read_to_string(own).or_else(|_| std::fs::read_to_string(shared)).ok()
}

/// An application's schema at successive versions: every step, in both directions.
fn versions(kind: Kind, files: &[&str]) {
    versions_in(kind, files, &[], 3);
}

/// The versions managing `schemas`, verified with `rows` rows in every table.
fn versions_in(kind: Kind, files: &[&str], schemas: &[&str], rows: usize) {
    let texts: Vec<String> = files.iter().filter_map(|f| fixture(kind, f)).collect();
    if texts.len() != files.len() {
        return; // the shared folder is absent (copyleft fixtures live only there)
    }
    if kind == Kind::Postgres {
        let missing = common::pg_unavailable_extensions(&texts.concat());
        if !missing.is_empty() {
            eprintln!("skipping {files:?}: the test server has no extension {}", missing.join(", "));
            return;
        }
    }
    for pair in texts.windows(2) {
        run_case_in(kind, &Case { before: &pair[0], after: &pair[1], rows: "", keep: &[] }, schemas);
        run_case_in(kind, &Case { before: &pair[1], after: &pair[0], rows: "", keep: &[] }, schemas);
    }
    verify_with_rows(kind, &texts, schemas, rows);
}

/// The versions as a migration folder a team would have (each revision autogenerated from the
/// one before), verified with rows in every table: every step runs up and down on data and
/// keeps the values of the columns it keeps.
fn verify_with_rows(kind: Kind, texts: &[String], schemas: &[&str], rows: usize) {
    let Some(p) = Project::new(kind) else { return };
    let schemas: Vec<String> = schemas.iter().map(|s| format!("\"{s}\"")).collect();
    p.write(
        "retort.toml",
        &format!(
            "[database]\nurl = \"{}\"\n[migrations]\ndir = \"migrations\"\n[schema]\npaths = [\"schema/*.sql\"]\nschemas = [{}]\n",
            p.db.url,
            schemas.join(", ")
        ),
    );
    for (i, text) in texts.iter().enumerate() {
        p.write("schema/models.sql", text);
        p.ok(&["revision", "--autogenerate", "-m", &format!("version {i}"), "--rev-id", &format!("v{i}")]);
        p.ok(&["upgrade", "head"]);
    }
    let out = p.run(&["verify", "--data", &rows.to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("verify: ok"),
        "verify --data:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn synapse_54_72(kind: Kind) {
    versions(kind, &["synapse_schema_v54.sql", "synapse_schema_v72.sql"]);
}

fn roundcube_14_16_17(kind: Kind) {
    versions(kind, &["roundcube_v1_4_0.sql", "roundcube_v1_6_0.sql", "roundcube_v1_7_3.sql"]);
}

fn listmonk_versions(kind: Kind) {
    if kind == Kind::Postgres {
        versions(kind, &["listmonk_v2_5_1.sql", "listmonk_v4_1_0.sql", "listmonk_v6_2_0.sql"]);
    }
}

fn lemmy_versions(kind: Kind) {
    if kind == Kind::Postgres {
        // Lemmy 0.19.5 keeps its trigger functions in a schema of their own, `r`, and diesel's
        // helpers in `utils` (retort refuses files creating a schema it does not manage).
        // site_aggregates holds one row: 0.19.5 adds a unique index on (true), which fails on
        // more (verify --data 3 says so, rightly), so one row per table.
        versions_in(kind, &["lemmy_v0_19_0.sql", "lemmy_v0_19_5.sql"], &["public", "r", "utils"], 1);
    }
}

fn sharetribe_9_14(kind: Kind) {
    if kind == Kind::Mariadb {
        versions(kind, &["sharetribe_v9_0_0.sql", "sharetribe_v14_0_0.sql"]);
    }
}

fn pagila_versions(kind: Kind) {
    if kind == Kind::Postgres {
        versions(kind, &["pagila_v2022.sql", "pagila_v2026_07.sql"]);
    }
}

on_all!(
    excluded_tables_are_left_alone,
    review_findings,
    synapse_54_72,
    roundcube_14_16_17,
    listmonk_versions,
    lemmy_versions,
    pagila_versions,
    sharetribe_9_14,
    add_table_with_foreign_key_and_index,
    drop_table_is_marked_destructive,
    add_drop_and_alter_columns,
    renames_by_hint_and_detection,
    constraints_and_indexes,
    foreign_key_cycle_and_actions,
    primary_key_and_view_changes,
    crewai_v1_to_v2,
    enums_sequences_and_identity,
    nothing_to_do_writes_nothing,
    summaries_list_cautions_and_fields,
    renames_keep_sequences,
    downgrades_run_on_rows,
    enum_changes_follow_renames,
);
