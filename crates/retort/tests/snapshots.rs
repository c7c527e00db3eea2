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

/// Cases written the same way for every database.
const SHARED_CASES: &[(&str, &str, &str)] = &[
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
        "view_over_changed_table",
        "CREATE TABLE t (a INTEGER PRIMARY KEY, c TEXT);\nCREATE VIEW v AS SELECT a, c FROM t;",
        "CREATE TABLE t (a INTEGER PRIMARY KEY, c INTEGER);\nCREATE VIEW v AS SELECT a, c FROM t;",
    ),
];

/// Cases in the SQL SQLite and PostgreSQL share (a column's REFERENCES, a partial index).
const CASES: &[(&str, &str, &str)] = &[
    (
        "add_table_with_fk",
        "CREATE TABLE agents (id VARCHAR(11) PRIMARY KEY, role TEXT NOT NULL);",
        "CREATE TABLE agents (id VARCHAR(11) PRIMARY KEY, role TEXT NOT NULL);\nCREATE TABLE tasks (id INTEGER PRIMARY KEY, agent_id VARCHAR(11) NOT NULL REFERENCES agents (id) ON DELETE CASCADE);\nCREATE INDEX ix_tasks_agent ON tasks (agent_id);",
    ),
    (
        "constraints",
        "CREATE TABLE crews (id INTEGER PRIMARY KEY, name VARCHAR(50), rpm INTEGER, CONSTRAINT crews_rpm CHECK (rpm > 0));",
        "CREATE TABLE crews (id INTEGER PRIMARY KEY, name VARCHAR(50), rpm INTEGER, CONSTRAINT crews_rpm CHECK (rpm > 1), CONSTRAINT crews_name_key UNIQUE (name));\nCREATE INDEX ix_crews_rpm ON crews (rpm) WHERE rpm > 10;",
    ),
];

#[test]
fn sqlite_migrations() {
    let url = DatabaseUrl::Sqlite(SqliteLocation::Memory);
    for (name, before, after) in SHARED_CASES.iter().chain(CASES) {
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
    // Servers print some definitions differently: from 16 on, a view's columns lose their table
    // prefix when it names one table (16, 17 and 18 print the same). Snapshots of 16 and later
    // carry the suffix @pg16.
    let mut settings = insta::Settings::clone_current();
    if major_version(&url) >= 16 {
        settings.set_snapshot_suffix("pg16");
    }
    let _bound = settings.bind_to_scope();
    for (name, before, after) in SHARED_CASES.iter().chain(CASES) {
        insta::assert_snapshot!(format!("postgres_{name}"), migration(&url, before, after));
    }
    let enum_before = "CREATE TYPE status AS ENUM ('active', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let enum_add = "CREATE TYPE status AS ENUM ('active', 'suspended', 'inactive');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    let enum_remove = "CREATE TYPE status AS ENUM ('active');\nCREATE TABLE users (id SERIAL PRIMARY KEY, status status NOT NULL DEFAULT 'active');";
    insta::assert_snapshot!("postgres_enum_add_value", migration(&url, enum_before, enum_add));
    insta::assert_snapshot!("postgres_enum_remove_value", migration(&url, enum_before, enum_remove));
}

/// The same changes as `CASES` in MySQL's dialect (foreign keys at table level, where MySQL
/// reads them; a prefix index where PostgreSQL has a partial one), plus what only MySQL has: ENUM
/// columns, placed columns, several changes folded into one ALTER TABLE.
const MYSQL_CASES: &[(&str, &str, &str)] = &[
    (
        "add_table_with_fk",
        "CREATE TABLE agents (id VARCHAR(11) PRIMARY KEY, role TEXT NOT NULL);",
        "CREATE TABLE agents (id VARCHAR(11) PRIMARY KEY, role TEXT NOT NULL);\nCREATE TABLE tasks (id INTEGER PRIMARY KEY, agent_id VARCHAR(11) NOT NULL, FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE CASCADE);\nCREATE INDEX ix_tasks_agent ON tasks (agent_id);",
    ),
    (
        "constraints",
        "CREATE TABLE crews (id INTEGER PRIMARY KEY, name VARCHAR(50), rpm INTEGER, CONSTRAINT crews_rpm CHECK (rpm > 0));",
        "CREATE TABLE crews (id INTEGER PRIMARY KEY, name VARCHAR(50), rpm INTEGER, CONSTRAINT crews_rpm CHECK (rpm > 1), CONSTRAINT crews_name_key UNIQUE (name));\nCREATE INDEX ix_crews_rpm ON crews (name(10), rpm DESC);",
    ),
    (
        "enum_values_and_placed_columns",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, status ENUM('active', 'inactive') NOT NULL DEFAULT 'active', email VARCHAR(100));",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, handle VARCHAR(30) NOT NULL, status ENUM('active', 'inactive', 'suspended') NOT NULL DEFAULT 'active', email VARCHAR(100), updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP) ENGINE=InnoDB COMMENT='people';",
    ),
];

/// A database on the MySQL test server whose defaults the scratch databases copy; dropped after.
struct MysqlDb(String);

impl Drop for MysqlDb {
    fn drop(&mut self) {
        if let Ok(opts) = mysql::Opts::from_url(&common::mysql_admin_url())
            && let Ok(mut c) = mysql::Conn::new(opts)
        {
            let _ = mysql::prelude::Queryable::query_drop(&mut c, format!("DROP DATABASE IF EXISTS `{}`", self.0));
        }
    }
}

#[test]
fn mysql_migrations() {
    let Some(db) = common::mysql_database() else { return };
    let db = MysqlDb(db);
    let url = DatabaseUrl::Mysql(format!("{}/{}", common::mysql_admin_url(), db.0));
    // Servers print types and defaults differently (`int(11)` on MariaDB 10, `int` on MySQL 8,
    // uca1400 collations on MariaDB 11): snapshots of other servers than MariaDB 10 carry a suffix.
    let version: String = mysql::Opts::from_url(&common::mysql_admin_url())
        .ok()
        .and_then(|o| mysql::Conn::new(o).ok())
        .and_then(|mut c| mysql::prelude::Queryable::query_first(&mut c, "SELECT VERSION()").ok().flatten())
        .unwrap_or_default();
    let mut settings = insta::Settings::clone_current();
    if !(version.starts_with("10.") && version.contains("MariaDB")) {
        let flavor = if version.contains("MariaDB") { "mariadb" } else { "mysql" };
        settings.set_snapshot_suffix(format!("{flavor}{}", version.split('.').next().unwrap_or("")));
    }
    let _bound = settings.bind_to_scope();
    for (name, before, after) in SHARED_CASES.iter().chain(MYSQL_CASES) {
        insta::assert_snapshot!(format!("mysql_{name}"), migration(&url, before, after));
    }
}
