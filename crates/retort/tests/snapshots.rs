//! Snapshots (insta) of generated migrations for hand-written schema pairs, on both databases:
//! the exact SQL a user reviews, upgrade and downgrade, so any change to it is seen in review.

use retort::autogen::generate;
use retort::inspect::InspectOptions;
use retort::load::{SourceFile, load};
use retort::url::{DatabaseUrl, SqliteLocation};
use retort_schema::Schema;

mod common;
use common::postgres_url;

fn loaded(url: &DatabaseUrl, ddl: &str) -> Schema {
    let sources = [SourceFile { name: "schema.sql".into(), text: ddl.into() }];
    let options = match url {
        DatabaseUrl::Postgres(_) => InspectOptions { schemas: vec!["public".into()], exclude_tables: vec![] },
        DatabaseUrl::Sqlite(_) | DatabaseUrl::Mysql(_) => InspectOptions::default(),
    };
    load(&sources, url, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// The generated migration for A -> B, as it appears in the file.
fn migration(url: &DatabaseUrl, before: &str, after: &str) -> String {
    let (a, b) = (loaded(url, before), loaded(url, after));
    let schema = matches!(url, DatabaseUrl::Postgres(_)).then_some("public");
    let renames = retort::autogen::rename_hints(&[SourceFile { name: "b.sql".into(), text: after.into() }], schema);
    let g = generate(&a, &b, &renames, true);
    format!("-- migrate:upgrade\n{}-- migrate:downgrade\n{}", g.upgrade_sql, g.downgrade_sql)
}

const CASES: &[(&str, &str, &str)] = &[
    (
        "add_table_with_fk",
        "CREATE TABLE agents (id VARCHAR(11) PRIMARY KEY, role TEXT NOT NULL);",
        "CREATE TABLE agents (id VARCHAR(11) PRIMARY KEY, role TEXT NOT NULL);\nCREATE TABLE tasks (id INTEGER PRIMARY KEY, agent_id VARCHAR(11) NOT NULL REFERENCES agents (id) ON DELETE CASCADE);\nCREATE INDEX ix_tasks_agent ON tasks (agent_id);",
    ),
    (
        "column_changes",
        "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT, max_iter INTEGER, legacy TEXT);",
        "CREATE TABLE agents (id INTEGER PRIMARY KEY, goal TEXT NOT NULL DEFAULT 'none', max_iter BIGINT, temperature NUMERIC(3,2));",
    ),
    (
        "rename_with_hints",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
        "CREATE TABLE members ( -- retort: renamed from users\n  id INTEGER PRIMARY KEY,\n  full_name TEXT NOT NULL -- retort: renamed from name\n);",
    ),
    (
        "constraints",
        "CREATE TABLE crews (id INTEGER PRIMARY KEY, name VARCHAR(50), rpm INTEGER, CONSTRAINT crews_rpm CHECK (rpm > 0));",
        "CREATE TABLE crews (id INTEGER PRIMARY KEY, name VARCHAR(50), rpm INTEGER, CONSTRAINT crews_rpm CHECK (rpm > 1), CONSTRAINT crews_name_key UNIQUE (name));\nCREATE INDEX ix_crews_rpm ON crews (rpm) WHERE rpm > 10;",
    ),
    (
        "view_over_changed_table",
        "CREATE TABLE t (a INTEGER PRIMARY KEY, c TEXT);\nCREATE VIEW v AS SELECT a, c FROM t;",
        "CREATE TABLE t (a INTEGER PRIMARY KEY, c INTEGER);\nCREATE VIEW v AS SELECT a, c FROM t;",
    ),
];

#[test]
fn sqlite_migrations() {
    let url = DatabaseUrl::Sqlite(SqliteLocation::Memory);
    for (name, before, after) in CASES {
        insta::assert_snapshot!(format!("sqlite_{name}"), migration(&url, before, after));
    }
}

/// The server's major version (`15`, `18`).
fn major_version(url: &DatabaseUrl) -> u32 {
    let DatabaseUrl::Postgres(text) = url else { return 0 };
    let mut client = postgres::Client::connect(text, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    let row = client.query_one("SELECT current_setting('server_version_num')::int / 10000", &[]);
    row.map(|r| r.get::<_, i32>(0) as u32).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn postgres_migrations() {
    let Some(url) = postgres_url() else { return };
    // Servers print some definitions differently (18 drops the table prefix in a view's
    // columns): snapshots of other majors than 15 carry a suffix.
    let mut settings = insta::Settings::clone_current();
    let major = major_version(&url);
    if major != 15 {
        settings.set_snapshot_suffix(format!("pg{major}"));
    }
    let _bound = settings.bind_to_scope();
    for (name, before, after) in CASES {
        insta::assert_snapshot!(format!("postgres_{name}"), migration(&url, before, after));
    }
    let enum_before = "CREATE TYPE status AS ENUM ('active', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let enum_add = "CREATE TYPE status AS ENUM ('active', 'suspended', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let enum_remove = "CREATE TYPE status AS ENUM ('active');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    insta::assert_snapshot!("postgres_enum_add_value", migration(&url, enum_before, enum_add));
    insta::assert_snapshot!("postgres_enum_remove_value", migration(&url, enum_before, enum_remove));
}
