//! Inspection round trips on a real PostgreSQL server, for every PostgreSQL fixture:
//! load the file, inspect, render DDL, apply it to a fresh database, inspect again: equal. The
//! two databases are also compared by migra, an independent differ, so that an object the
//! inspector cannot see does not compare equal by omission.

mod common;

use common::TempDb;

use std::path::{Path, PathBuf};
use std::time::Duration;

use retort::driver::{Access, connect};
use retort::inspect::InspectOptions;
use retort::url::DatabaseUrl;
use retort_schema::Schema;

/// Names the first difference between two schemas, object by object, for a readable failure.
fn first_difference(a: &Schema, b: &Schema) -> Option<String> {
    let (ja, jb) = (serde_json::to_value(a).ok()?, serde_json::to_value(b).ok()?);
    let (Some(oa), Some(ob)) = (ja.as_object(), jb.as_object()) else { return None };
    for key in oa.keys().chain(ob.keys()) {
        let (va, vb) = (oa.get(key).and_then(|v| v.as_array()), ob.get(key).and_then(|v| v.as_array()));
        let (la, lb) = (va.map_or(0, Vec::len), vb.map_or(0, Vec::len));
        for i in 0..la.max(lb) {
            let (x, y) = (va.and_then(|v| v.get(i)), vb.and_then(|v| v.get(i)));
            if x != y {
                return Some(format!("{key}[{i}]:\n  first:  {x:?}\n  second: {y:?}"));
            }
        }
    }
    (a != b).then(|| "schemas differ outside the object lists".to_string())
}

/// Runs migra between two databases: `Some(output)` with its differences, `None` when migra is
/// not installed (an error in CI, where scripts/test.sh installs it).
fn migra(from: &TempDb, to: &TempDb) -> Option<String> {
    // migra goes through SQLAlchemy, which only knows the postgresql:// spelling.
    let sqla = |db: &TempDb| db.url().replacen("postgres://", "postgresql://", 1);
    let out = std::process::Command::new("migra").args(["--unsafe", &sqla(from), &sqla(to)]).output();
    match out {
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.code() == Some(0) || out.status.code() == Some(2), "migra failed: {stderr}");
            Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        Err(e) if std::env::var_os("CI").is_some() => panic!("migra is not runnable and CI is set: {e}"),
        Err(_) => None,
    }
}

fn round_trip(path: &Path) {
    let Some(original) = TempDb::new() else { return };
    let sql = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if common::skip_for_extensions(&DatabaseUrl::Postgres(original.url()), &path.display().to_string(), &sql) {
        return;
    }
    original.execute(&sql).unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
    let first = original.inspect();
    assert!(!first.tables.is_empty(), "{}: no tables inspected", path.display());
    let ddl = retort_schema::render::ddl(&first);
    let Some(copy) = TempDb::new() else { return };
    if let Err(e) = copy.execute(&ddl) {
        panic!("{}: applying the inspected DDL failed: {e:?}\n{ddl}", path.display());
    }
    let second = copy.inspect();
    if let Some(diff) = first_difference(&first, &second) {
        panic!("{}: inspect(apply(inspect DDL)) differs:\n{diff}", path.display());
    }
    assert_eq!(retort_schema::render::ddl(&second), ddl, "{}: the DDL is deterministic", path.display());
    if let Some(differences) = migra(&original, &copy) {
        assert!(
            differences.is_empty(),
            "{}: migra sees differences the inspector missed:\n{differences}",
            path.display()
        );
    }
}

fn own(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/postgres").join(name)
}

/// A fixture that lives only in the team's shared folder (copyleft or unlicensed): run when present.
fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures").join(rel);
    path.exists().then_some(path)
}

macro_rules! fixtures {
    ($($test:ident => $file:expr),* $(,)?) => {
        $( #[test] fn $test() { round_trip(&own($file)) } )*
    };
}

fixtures!(
    adventureworks => "adventureworks.sql",
    chinook => "chinook.sql",
    chinook_identity_pks => "chinook_identity_pks.sql",
    chinook_serial_pks => "chinook_serial_pks.sql",
    pagila_v2022 => "pagila_v2022.sql",
    pagila_v2026_07 => "pagila_v2026_07.sql",
    sakila_jooq => "sakila_jooq.sql",
    synapse_v54 => "synapse_schema_v54.sql",
    synapse_v72 => "synapse_schema_v72.sql",
);

#[test]
fn shared_extended_corpus() {
    let files = [
        "schemas/postgres/lemmy_v0_19_0.sql",
        "schemas/postgres/lemmy_v0_19_5.sql",
        "schemas/postgres/listmonk_v2_5_1.sql",
        "schemas/postgres/listmonk_v4_1_0.sql",
        "schemas/postgres/listmonk_v6_2_0.sql",
        "schemas/postgres/northwind.sql",
        "schemas/postgres/roundcube_v1_4_0.sql",
        "schemas/postgres/roundcube_v1_6_0.sql",
        "schemas/postgres/roundcube_v1_7_3.sql",
        "crewai/postgres/v1.sql",
        "crewai/postgres/v2.sql",
    ];
    for rel in files {
        if let Some(path) = shared(rel) {
            round_trip(&path);
        }
    }
}

#[test]
fn unsupported_objects_are_named_not_skipped() {
    let Some(db) = TempDb::new() else { return };
    db.execute("CREATE TABLE t (id int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;").unwrap_or_else(|e| panic!("{e}"));
    let url = DatabaseUrl::Postgres(db.url());
    let mut driver = connect(&url, Access::ReadOnly, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let err = driver.inspect(&InspectOptions::default()).map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(err, Err("public.t: row-level security is not supported by retort yet; remove it from the inspected schemas or file an issue".to_string()));
}

/// PostgreSQL 18's NOT VALID NOT NULL constraint: the column says NOT NULL (`attnotnull`) while
/// rows may hold NULLs, so the inspector refuses it by name instead of reading it as NOT NULL.
#[test]
fn not_valid_not_null_constraints_are_refused() {
    let Some(db) = TempDb::new() else { return };
    let url = DatabaseUrl::Postgres(db.url());
    let mut driver = connect(&url, Access::ReadOnly, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let version = driver.query("SELECT current_setting('server_version_num')").unwrap_or_else(|e| panic!("{e}"));
    let version: i64 =
        version.first().and_then(|r| r.first()).cloned().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    if version < 180_000 {
        eprintln!("skipping: NOT VALID NOT NULL constraints need PostgreSQL 18; the server is {version}");
        return;
    }
    db.execute("CREATE TABLE t (a int CONSTRAINT a_must NOT NULL, b int); INSERT INTO t VALUES (1, NULL); ALTER TABLE t ADD CONSTRAINT b_nn NOT NULL b NOT VALID;")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = driver.inspect(&InspectOptions::default()).map(|_| ()).map_err(|e| e.to_string());
    assert!(
        err.as_ref().is_err_and(|e| e.starts_with("public.t constraint b_nn: a NOT VALID NOT NULL constraint")),
        "{err:?}"
    );
    db.execute("DELETE FROM t WHERE b IS NULL; ALTER TABLE t VALIDATE CONSTRAINT b_nn;")
        .unwrap_or_else(|e| panic!("{e}"));
    let schema = driver.inspect(&InspectOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(schema.tables[0].columns.iter().all(|c| !c.nullable), "{schema:?}");
}

#[test]
fn retort_tables_and_other_schemas_are_left_out() {
    let Some(db) = TempDb::new() else { return };
    db.execute("CREATE TABLE retort_version (version_num varchar(32)); CREATE SCHEMA other; CREATE TABLE other.x (id int); CREATE TABLE app (id int);")
        .unwrap_or_else(|e| panic!("{e}"));
    let url = DatabaseUrl::Postgres(db.url());
    let mut driver = connect(&url, Access::ReadOnly, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let options = InspectOptions { schemas: vec!["public".into()], exclude_tables: vec!["retort_version".into()] };
    let schema = driver.inspect(&options).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = schema.tables.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, vec!["public.app".to_string()]);
}

/// Generated columns print with the parentheses PostgreSQL requires (the server prints
/// `round((a * 1.5))` without them), and PostgreSQL 18's virtual ones stay virtual.
#[test]
fn generated_columns_round_trip() {
    let Some(original) = TempDb::new() else { return };
    original
        .execute("CREATE TABLE g (a numeric, b numeric GENERATED ALWAYS AS (round(a * 1.5)) STORED, c int GENERATED ALWAYS AS (1) STORED)")
        .unwrap_or_else(|e| panic!("{e}"));
    let virtual_supported =
        original.execute("CREATE TABLE v (a int, d int GENERATED ALWAYS AS (a * 2) VIRTUAL)").is_ok();
    let first = original.inspect();
    let ddl = retort_schema::render::ddl(&first);
    assert!(ddl.contains("GENERATED ALWAYS AS (round((a * 1.5))) STORED"), "{ddl}");
    if virtual_supported {
        assert!(ddl.contains("d integer GENERATED ALWAYS AS ((a * 2)) VIRTUAL"), "{ddl}");
    }
    let Some(copy) = TempDb::new() else { return };
    copy.execute(&ddl).unwrap_or_else(|e| panic!("applying the inspected DDL: {e:?}\n{ddl}"));
    assert_eq!(copy.inspect(), first);
}

/// pagila for PostgreSQL 18 (`uuidv7()`, the `vector` extension) round-trips on 18 and later;
/// older servers cannot load it, and the test says so.
#[test]
fn pagila_v2026_08_pg18() {
    let Some(probe) = TempDb::new() else { return };
    let url = DatabaseUrl::Postgres(probe.url());
    let mut driver = connect(&url, Access::ReadOnly, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let version = driver.query("SELECT current_setting('server_version_num')").unwrap_or_else(|e| panic!("{e}"));
    let version: i64 =
        version.first().and_then(|r| r.first()).cloned().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    if version < 180_000 {
        eprintln!("skipping pagila_v2026_08_pg18.sql: it needs PostgreSQL 18 (uuidv7); the server is {version}");
        return;
    }
    round_trip(&own("pagila_v2026_08_pg18.sql"));
}
