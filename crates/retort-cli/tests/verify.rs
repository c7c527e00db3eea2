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
}

on_all!(
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
