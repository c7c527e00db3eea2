//! `retort verify` end to end: it passes good migrations and names every kind of bad one, on a
//! scratch database, never touching the project's own.

mod common;

use common::{Kind, Project};

fn good_migrations_pass_without_touching_the_database(kind: Kind) {
    let p = project!(kind);
    p.chain(3);
    let out = p.ok(&["verify"]);
    assert!(out.contains("r1  up") && out.contains("verify: ok"), "{out}");
    assert!(p.db.tables().is_empty(), "verify works on a scratch database");
    let json = p.ok(&["verify", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(v["steps"].as_array().map(Vec::len), Some(3), "{json}");
}

fn bad_migrations_are_named(kind: Kind) {
    let p = project!(kind);
    p.migration("a1", &[], "CREATE TABLE a (id INTEGER);", "DROP TABLE a;");
    // A downgrade that forgets the column it should remove.
    p.migration("b1", &["a1"], "ALTER TABLE a ADD COLUMN note TEXT;", "SELECT 1;");
    let out = p.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("b1  up") && text.contains("does not restore the schema") && text.contains("note"), "{text}");
    assert!(text.contains("verify: FAILED"), "{text}");

    // An irreversible step is reported, not hidden; a second head; a step that fails to apply.
    p.migration("b1", &["a1"], "ALTER TABLE a ADD COLUMN note TEXT;", "ALTER TABLE a DROP COLUMN note;");
    p.migration("c1", &["b1"], "CREATE TABLE c (id INTEGER);", "");
    let text = String::from_utf8_lossy(&p.run(&["verify"]).stdout).into_owned();
    assert!(text.contains("irreversible: the downgrade section is empty"), "{text}");
    p.migration("d1", &["a1"], "INSERT INTO no_such_table_z VALUES (1);", "SELECT 1;");
    let out = p.run(&["verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 heads") && text.contains("merge heads"), "{text}");
    assert!(text.contains("d1") && text.contains("upgrade fails"), "{text}");
}

fn head_is_compared_with_the_desired_schema(kind: Kind) {
    let p = project!(kind);
    std::fs::write(
        p.path().join("retort.toml"),
        format!("[database]\nurl = \"{}\"\n[schema]\npaths = [\"schema/*.sql\"]\n", p.db.url),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.migration("a1", &[], "CREATE TABLE a (id INTEGER);", "DROP TABLE a;");
    p.write("schema/models.sql", "CREATE TABLE a (id INTEGER);");
    assert!(p.ok(&["verify"]).contains("At head: the schema matches the desired schema."));
    p.write("schema/models.sql", "CREATE TABLE a (id INTEGER, name TEXT);");
    let out = p.run(&["verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("differs from the desired schema") && text.contains("name"), "{text}");
}

fn the_example_verifies(kind: Kind) {
    let p = project!(kind);
    let folder = if kind == Kind::Mariadb { "crewai-mariadb" } else { "crewai" };
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(folder);
    for sub in ["migrations", "schema"] {
        for entry in std::fs::read_dir(example.join(sub)).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            p.write(&format!("{sub}/{name}"), &std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    std::fs::write(
        p.path().join("retort.toml"),
        format!("[database]\nurl = \"{}\"\n[schema]\npaths = [\"schema/*.sql\"]\n", p.db.url),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = p.ok(&["verify"]);
    assert!(out.contains("verify: ok") && out.contains("matches the desired schema"), "{out}");
    let out = p.ok(&["verify", "--data"]);
    assert!(out.contains("verify: ok") && !out.contains("not filled"), "{out}");
}

/// `verify --data`: lying migrations that plain `verify` passes (the schema comes back, the
/// values do not), one that fails only on rows, and what a step changes on purpose.
fn data_catches_what_empty_tables_hide(kind: Kind) {
    let p = project!(kind);
    p.migration(
        "a1",
        &[],
        "CREATE TABLE owners (id INTEGER PRIMARY KEY, email VARCHAR(40) NOT NULL UNIQUE);\n\
         CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(20), code VARCHAR(10) NOT NULL,\n\
           owner_id INTEGER NOT NULL REFERENCES owners (id), kind VARCHAR(1) CHECK (kind IN ('a', 'b')));",
        "DROP TABLE items;\nDROP TABLE owners;",
    );
    // The downgrade brings the column back under its old name, empty.
    p.migration(
        "b1",
        &["a1"],
        "ALTER TABLE items RENAME COLUMN name TO title;",
        "ALTER TABLE items DROP COLUMN title;\nALTER TABLE items ADD COLUMN name VARCHAR(20);",
    );
    assert!(p.ok(&["verify"]).contains("verify: ok"), "plain verify cannot see it");
    let out = p.run(&["verify", "--data"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("3 synthetic rows in every table"), "{text}");
    assert!(
        text.contains("the downgrade changes the values of items.name: 3 of 3 values differ: 'r000001' became NULL"),
        "{text}"
    );
    assert!(!text.contains("the upgrade changes"), "the rename keeps the values under the new name:\n{text}");

    // Told the truth, it passes; a step that writes the table changes its values on purpose.
    p.migration(
        "b1",
        &["a1"],
        "ALTER TABLE items RENAME COLUMN name TO title;",
        "ALTER TABLE items RENAME COLUMN title TO name;",
    );
    p.migration("c1", &["b1"], "UPDATE items SET code = 'fixed';", "SELECT 1;");
    let out = p.ok(&["verify", "--data", "5"]);
    assert!(out.contains("5 synthetic rows") && out.contains("verify: ok"), "{out}");
    assert!(
        out.contains("changed on purpose: items.code: 5 of 5 values differ") && out.contains("writes the table"),
        "{out}"
    );

    // A NOT NULL column brought back without a value: fine on empty tables, fails on rows
    // (MariaDB fills the type's implicit default instead, and the old values are not restored).
    p.migration(
        "d1",
        &["c1"],
        "ALTER TABLE items DROP COLUMN code;",
        "ALTER TABLE items ADD COLUMN code VARCHAR(10) NOT NULL;",
    );
    let out = p.run(&["verify", "--data"]);
    let text = String::from_utf8_lossy(&out.stdout);
    match kind {
        Kind::Postgres => {
            assert!(p.ok(&["verify"]).contains("verify: ok"));
            assert!(text.contains("downgrade fails (with 3 rows in every table)") && text.contains("code"), "{text}");
            assert_eq!(out.status.code(), Some(1), "{text}");
        }
        Kind::Mariadb => {
            assert!(text.contains("not restored: items.code (the upgrade dropped the column"), "{text}");
            assert!(text.contains("verify: ok"), "{text}");
        }
        Kind::Sqlite => assert!(text.contains("downgrade fails"), "{text}"),
    }
    let json = p.run(&["verify", "--data", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_default();
    assert_eq!(v["rows"], 3, "{v}");
    assert!(v["steps"][2]["changed_on_purpose"][0].as_str().is_some_and(|s| s.contains("items.code")), "{v}");
}

/// A column added after its table was filled gets values too, so a later step is judged on them.
fn data_reaches_columns_added_later(kind: Kind) {
    let p = project!(kind);
    p.migration("a1", &[], "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;");
    p.migration("b1", &["a1"], "ALTER TABLE t ADD COLUMN note VARCHAR(10);", "ALTER TABLE t DROP COLUMN note;");
    p.migration(
        "c1",
        &["b1"],
        "ALTER TABLE t RENAME COLUMN note TO memo;",
        "ALTER TABLE t DROP COLUMN memo;\nALTER TABLE t ADD COLUMN note VARCHAR(10);",
    );
    let out = p.run(&["verify", "--data"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the downgrade changes the values of t.note: 3 of 3 values differ"), "{text}");
}

/// A table whose constraints no made-up row satisfies is named and skipped, not a failure.
fn data_names_tables_it_cannot_fill(kind: Kind) {
    let p = project!(kind);
    p.migration("a1", &[], "CREATE TABLE odd (n INTEGER NOT NULL CHECK (n < 0));", "DROP TABLE odd;");
    p.migration("b1", &["a1"], "ALTER TABLE odd ADD COLUMN note VARCHAR(10);", "ALTER TABLE odd DROP COLUMN note;");
    let out = p.ok(&["verify", "--data"]);
    assert!(out.contains("not filled: odd: ") && out.contains("verify: ok"), "{out}");
}

on_all!(
    data_catches_what_empty_tables_hide,
    data_names_tables_it_cannot_fill,
    data_reaches_columns_added_later,
    good_migrations_pass_without_touching_the_database,
    bad_migrations_are_named,
    head_is_compared_with_the_desired_schema,
    the_example_verifies,
);

#[test]
fn verify_on_a_dev_server() {
    // A SQLite project whose migrations are portable can be verified on a PostgreSQL server.
    let Some(pg) = Project::new(Kind::Postgres) else { return };
    let p = project!(Kind::Sqlite);
    p.chain(2);
    let out = p.ok(&["verify", "--dev-url", &pg.db.url]);
    assert!(out.contains("scratch PostgreSQL database") && out.contains("verify: ok"), "{out}");
}
