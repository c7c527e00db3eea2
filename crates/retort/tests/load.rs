//! The desired-schema loader: files and commands, materialized by the database itself, and the
//! errors a user meets (syntax errors with file:line:column, non-DDL statements, failing commands).

use std::path::Path;
use std::time::Duration;

use retort::config::Config;
use retort::driver::{Access, connect};
use retort::inspect::InspectOptions;
use retort::load::{LoadError, load, read_sources};
use retort::url::DatabaseUrl;

mod common;
use common::postgres_url;

fn project(files: &[(&str, &str)], schema_section: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let config_path = dir.path().join("retort.toml");
    std::fs::write(&config_path, format!("[schema]\n{schema_section}\n")).unwrap_or_else(|e| panic!("{e}"));
    let config = Config::load(&config_path).unwrap_or_else(|e| panic!("{e}"));
    (dir, config)
}

fn sqlite() -> DatabaseUrl {
    DatabaseUrl::Sqlite(retort::url::SqliteLocation::Memory)
}

const CREWAI_SQLITE_V1: &str =
    include_str!("../../../examples/crewai/migrations/799f20a37e7e_initial_schema_with_all_models.sql");

/// The upgrade section of the example's first migration: plain DDL for both databases.
fn crewai_ddl() -> String {
    let up = CREWAI_SQLITE_V1.split("-- migrate:upgrade").nth(1).unwrap_or_default();
    up.split("-- migrate:downgrade").next().unwrap_or_default().to_string()
}

#[test]
fn sqlite_load_equals_inspect_of_apply() {
    let ddl = crewai_ddl();
    let (_dir, config) = project(&[("schema/a.sql", &ddl)], "paths = [\"schema/*.sql\"]");
    let loaded = load(
        &read_sources(&config, retort::dialect::Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}")),
        &sqlite(),
        &InspectOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    rusqlite_free_apply(file.path(), &ddl);
    let url = DatabaseUrl::Sqlite(retort::url::SqliteLocation::File(file.path().to_path_buf()));
    let mut driver = connect(&url, Access::ReadOnly, Duration::from_secs(5)).unwrap_or_else(|e| panic!("{e}"));
    let applied = driver.inspect(&InspectOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, applied);
    assert_eq!(loaded.tables.len(), 12);
}

/// Applies DDL to a SQLite file through retort's own driver (no second SQLite binding needed).
fn rusqlite_free_apply(path: &Path, ddl: &str) {
    let url = DatabaseUrl::Sqlite(retort::url::SqliteLocation::File(path.to_path_buf()));
    let mut driver = connect(&url, Access::ReadWrite, Duration::from_secs(5)).unwrap_or_else(|e| panic!("{e}"));
    driver.execute(ddl).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn files_are_read_in_glob_order_and_commands_work() {
    let (_dir, config) = project(
        &[
            ("schema/02_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));"),
            ("schema/01_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);"),
        ],
        "paths = [\"schema/*.sql\"]",
    );
    let sources = read_sources(&config, retort::dialect::Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
    assert!(sources[0].name.ends_with("01_a.sql") && sources[1].name.ends_with("02_b.sql"));
    let schema = load(&sources, &sqlite(), &InspectOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema.tables.len(), 2);

    let (_dir, config) = project(&[("dump.sql", "CREATE TABLE c (id INTEGER);")], "command = [\"cat\", \"dump.sql\"]");
    let schema = load(
        &read_sources(&config, retort::dialect::Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}")),
        &sqlite(),
        &InspectOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema.tables[0].name.name, "c");

    let (_dir, config) = project(&[], "command = [\"sh\", \"-c\", \"echo models are broken >&2; exit 3\"]");
    let err = read_sources(&config, retort::dialect::Dialect::Sqlite).map(|_| ()).map_err(|e| e.to_string());
    assert!(err.as_ref().is_err_and(|e| e.contains("exit status: 3") && e.contains("models are broken")), "{err:?}");
}

#[test]
fn errors_name_file_line_and_column() {
    let cases: &[(&str, &str)] = &[
        (
            "CREATE TABLE a (id INTEGER);\nINSERT INTO a VALUES (1);",
            "schema/x.sql:2: 'INSERT' statements do not belong",
        ),
        (
            "CREATE TABLE a (id INTEGER);\nCREATE TABLE b (\n  id INTEGER,\n  x INTEGER REFERENCES\n);",
            "schema/x.sql:2:1:",
        ),
        ("CREATE TABLE a (id INTEGER, note TEXT DEFAULT 'oops);", "schema/x.sql:1:"),
    ];
    for (text, want) in cases {
        let (_dir, config) = project(&[("schema/x.sql", text)], "paths = [\"schema/*.sql\"]");
        let sources = read_sources(&config, retort::dialect::Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
        let err = load(&sources, &sqlite(), &InspectOptions::default()).map(|_| ()).map_err(|e| e.to_string());
        let shown =
            err.as_ref().err().map(|e| e.replace(&format!("{}/", config.root.display()), "")).unwrap_or_default();
        assert!(shown.contains(want), "{text:?}: {shown}");
    }
    let (_dir, config) = project(&[], "paths = [\"schema/*.sql\"]");
    assert!(matches!(read_sources(&config, retort::dialect::Dialect::Sqlite), Err(LoadError::NoFiles { .. })));
}

#[test]
fn postgres_load_normalizes_like_the_server() {
    let Some(url) = postgres_url() else { return };
    let ddl = "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (id serial PRIMARY KEY, name varchar(20) DEFAULT 'x', m mood, price numeric(10,2) CHECK (price > 0), created timestamp DEFAULT now());\nCREATE INDEX t_lower ON t (lower(name)) WHERE price > 10;";
    let (_dir, config) = project(&[("schema/a.sql", ddl)], "paths = [\"schema/*.sql\"]");
    let options = InspectOptions { schemas: vec!["public".into()], exclude_tables: vec![] };
    let schema = load(
        &read_sources(&config, retort::dialect::Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}")),
        &url,
        &options,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let t = &schema.tables[0];
    let types: Vec<&str> = t.columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(
        types,
        vec!["integer", "character varying(20)", "public.mood", "numeric(10,2)", "timestamp without time zone"]
    );
    assert_eq!(t.columns[0].default.as_deref(), Some("nextval('public.t_id_seq'::regclass)"));
    assert_eq!(t.columns[1].default.as_deref(), Some("'x'::character varying"));
    assert_eq!(t.checks[0].expr, "(price > 0::numeric)");
    assert_eq!(t.indexes[0].predicate.as_deref(), Some("price > 10::numeric"));
    assert_eq!(t.primary_key.as_ref().and_then(|p| p.name.as_deref()), Some("t_pkey"));
    assert!(!t.columns[0].nullable, "a primary key column is NOT NULL");
}

#[test]
fn postgres_18_schema_gives_a_clear_error_on_older_servers() {
    let Some(url) = postgres_url() else { return };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/postgres/pagila_v2026_08_pg18.sql");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let (_dir, config) = project(&[("schema/pagila.sql", &text)], "paths = [\"schema/*.sql\"]");
    let sources = read_sources(&config, retort::dialect::Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
    match load(&sources, &url, &InspectOptions::default()) {
        Ok(_) => {} // a PostgreSQL 18 server with pgvector
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains("schema/pagila.sql:283:23") && msg.contains("uuidv7"), "{msg}");
        }
    }
}
