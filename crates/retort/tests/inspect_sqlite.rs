//! SQLite inspection against real schemas: every fixture is loaded into a fresh database file,
//! inspected, checked against an independent reading of SQLite's PRAGMAs (so the inspector is not
//! the only judge of itself), rendered as DDL, applied to a second fresh file and inspected again:
//! both models must be equal, and the DDL a fixed point.
//!
//! The permissively licensed fixtures live in `tests/fixtures/sqlite`; the copyleft Roundcube
//! schemas and the CrewAI schemas are read from `../shared/fixtures` when that folder exists.

use std::path::{Path, PathBuf};
use std::time::Duration;

use retort::dialect::sqlite::SqliteDriver;
use retort::driver::{Access, Driver};
use retort::inspect::{InspectError, InspectOptions};
use retort::url::SqliteLocation;
use retort_schema::render::sqlite::ddl;
use retort_schema::{Action, Deferral, Schema};
use rusqlite::Connection;

fn repo_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sqlite").join(name)
}

/// `../shared/fixtures` beside the workspace, when present.
fn shared_fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    dir.is_dir().then_some(dir)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Creates a database file from a script.
fn load(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("applying to {}: {e}\n--- script ---\n{sql}", path.display()));
}

fn inspect(path: &Path, options: &InspectOptions) -> Result<Schema, InspectError> {
    let mut driver =
        SqliteDriver::open(&SqliteLocation::File(path.to_path_buf()), Access::ReadOnly, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
    driver.inspect(options)
}

fn excluding(tables: &[&str]) -> InspectOptions {
    InspectOptions { exclude_tables: tables.iter().map(|t| t.to_string()).collect(), ..InspectOptions::default() }
}

// ---------------------------------------------------------------------------------------------
// The independent reading

fn strings(conn: &Connection, sql: &str, arg: &str) -> Vec<Vec<String>> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = stmt.column_count();
    let rows = stmt
        .query_map([arg], |row| {
            (0..columns)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => String::from("<null>"),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(f) => f.to_string(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                })
                .collect::<Result<Vec<_>, rusqlite::Error>>()
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}"))).collect()
}

fn is_excluded(name: &str, excluded: &[String]) -> bool {
    excluded.iter().any(|x| name.eq_ignore_ascii_case(x) || name.starts_with(&format!("{x}_")))
}

/// Compares the model with what the PRAGMAs say, read here without the inspector's code.
fn cross_check(path: &Path, schema: &Schema, options: &InspectOptions) {
    let conn = Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    let keep = |rows: Vec<Vec<String>>| -> Vec<String> {
        rows.into_iter().map(|r| r[0].clone()).filter(|n| !is_excluded(n, &options.exclude_tables)).collect()
    };
    let names = |kind: &str| {
        let sql =
            "SELECT name FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
        keep(strings(&conn, sql, kind))
    };
    let listed = |kind: &str| {
        let sql = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = ?1 \
                   AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
        keep(strings(&conn, sql, kind))
    };
    let model_tables: Vec<String> = schema.tables.iter().map(|t| t.name.name.clone()).collect();
    assert_eq!(model_tables, listed("table"), "table names");
    let model_virtual: Vec<String> = schema.virtual_tables.iter().map(|t| t.name.name.clone()).collect();
    assert_eq!(model_virtual, listed("virtual"), "virtual table names");
    let model_views: Vec<String> = schema.views.iter().map(|v| v.name.name.clone()).collect();
    assert_eq!(model_views, names("view"), "view names");
    let mut model_triggers: Vec<String> = schema.triggers.iter().map(|t| t.name.clone()).collect();
    model_triggers.sort();
    assert_eq!(model_triggers, names("trigger"), "trigger names");
    for t in &schema.tables {
        let table = t.name.name.as_str();
        let info = strings(&conn, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid", table);
        let model_columns: Vec<Vec<String>> = t
            .columns
            .iter()
            .filter(|c| c.generated.is_none())
            .map(|c| vec![c.name.clone(), c.data_type.clone(), u8::from(!c.nullable).to_string()])
            .collect();
        let pragma_columns: Vec<Vec<String>> = info.iter().map(|r| r[..3].to_vec()).collect();
        assert_eq!(model_columns, pragma_columns, "columns of {table}");
        let mut key: Vec<&Vec<String>> = info.iter().filter(|r| r[3] != "0").collect();
        key.sort_by_key(|r| r[3].parse::<u32>().unwrap_or(0));
        let key: Vec<String> = key.iter().map(|r| r[0].clone()).collect();
        assert_eq!(
            t.primary_key.as_ref().map(|pk| pk.columns.clone()).unwrap_or_default(),
            key,
            "primary key of {table}"
        );

        let rows = strings(
            &conn,
            "SELECT id, \"table\", group_concat(\"from\", ','), on_update, on_delete \
             FROM (SELECT * FROM pragma_foreign_key_list(?1) ORDER BY id, seq) GROUP BY id",
            table,
        );
        let mut pragma_fks: Vec<String> =
            rows.iter().map(|r| format!("({}) -> {} {}/{}", r[2], r[1].to_lowercase(), r[3], r[4])).collect();
        let mut model_fks: Vec<String> = t
            .foreign_keys
            .iter()
            .map(|fk| {
                let target = fk.ref_table.name.to_lowercase();
                format!("({}) -> {target} {}/{}", fk.columns.join(","), fk.on_update.sql(), fk.on_delete.sql())
            })
            .collect();
        pragma_fks.sort();
        model_fks.sort();
        assert_eq!(model_fks, pragma_fks, "foreign keys of {table}");

        let indexes = strings(&conn, "SELECT name, origin FROM pragma_index_list(?1) ORDER BY name", table);
        let created: Vec<String> = indexes.iter().filter(|r| r[1] == "c").map(|r| r[0].clone()).collect();
        let model_indexes: Vec<String> = t.indexes.iter().map(|ix| ix.name.clone()).collect();
        assert_eq!(model_indexes, created, "indexes of {table}");
        assert_eq!(t.uniques.len(), indexes.iter().filter(|r| r[1] == "u").count(), "UNIQUE constraints of {table}");
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing two models readably

/// A line diff (longest common subsequence) of two texts, `-` for the first and `+` for the second.
fn line_diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}

fn json<T: serde::Serialize + std::fmt::Debug>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| format!("{value:#?}"))
}

fn assert_objects_equal<T: PartialEq + serde::Serialize + std::fmt::Debug>(
    context: &str,
    kind: &str,
    name: impl Fn(&T) -> String,
    a: &[T],
    b: &[T],
) {
    let names_a: Vec<String> = a.iter().map(&name).collect();
    let names_b: Vec<String> = b.iter().map(&name).collect();
    assert_eq!(names_a, names_b, "{context}: {kind} names differ");
    for (x, y) in a.iter().zip(b) {
        if x != y {
            let (jx, jy) = (json(x), json(y));
            let detail = if jx == jy { format!("{x:#?}\n{y:#?}") } else { line_diff(&jx, &jy) };
            panic!("{context}: {kind} {} differs (- first, + second):\n{detail}", name(x));
        }
    }
}

/// Asserts two models are equal, naming the first table, view or trigger that is not.
fn assert_same(context: &str, a: &Schema, b: &Schema) {
    assert_objects_equal(context, "table", |t| t.name.to_string(), &a.tables, &b.tables);
    assert_objects_equal(context, "virtual table", |t| t.name.to_string(), &a.virtual_tables, &b.virtual_tables);
    assert_objects_equal(context, "view", |v| v.name.to_string(), &a.views, &b.views);
    assert_objects_equal(context, "trigger", |t| t.name.clone(), &a.triggers, &b.triggers);
    assert_eq!(a, b, "{context}: schemas differ");
}

// ---------------------------------------------------------------------------------------------
// The round trip

/// Loads `sql`, inspects and cross-checks it, renders DDL, applies that to a fresh database and
/// asserts the second inspection equals the first. Returns the model.
fn round_trip(context: &str, sql: &str, options: &InspectOptions) -> Schema {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let first = dir.path().join("first.db");
    load(&first, sql);
    let schema = inspect(&first, options).unwrap_or_else(|e| panic!("{context}: inspecting: {e}"));
    cross_check(&first, &schema, options);
    let script = ddl(&schema);
    let second = dir.path().join("second.db");
    load(&second, &script);
    let again = inspect(&second, options).unwrap_or_else(|e| panic!("{context}: inspecting the rendered DDL: {e}"));
    assert_same(context, &schema, &again);
    assert_eq!(ddl(&again), script, "{context}: the rendered DDL is not a fixed point");
    schema
}

/// Counts that must come out of a fixture. SOURCES.md counts SQLite's automatic indexes too; these
/// are the indexes made by `CREATE INDEX` (the others are constraints).
#[derive(Debug, PartialEq, Default)]
struct Counts {
    tables: usize,
    virtual_tables: usize,
    views: usize,
    triggers: usize,
    indexes: usize,
    partial_indexes: usize,
    foreign_keys: usize,
    checks: usize,
    autoincrement: usize,
}

fn counts(s: &Schema) -> Counts {
    let sum = |f: &dyn Fn(&retort_schema::Table) -> usize| s.tables.iter().map(f).sum();
    Counts {
        tables: s.tables.len(),
        virtual_tables: s.virtual_tables.len(),
        views: s.views.len(),
        triggers: s.triggers.len(),
        indexes: sum(&|t| t.indexes.len()),
        partial_indexes: sum(&|t| t.indexes.iter().filter(|ix| ix.predicate.is_some()).count()),
        foreign_keys: sum(&|t| t.foreign_keys.len()),
        checks: sum(&|t| t.checks.len()),
        autoincrement: sum(&|t| usize::from(t.primary_key.as_ref().is_some_and(|pk| pk.autoincrement))),
    }
}

fn fixture_round_trip(path: &Path, options: &InspectOptions) -> Schema {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    round_trip(&name, &read(path), options)
}

// ---------------------------------------------------------------------------------------------
// The fixtures in the repository

#[test]
fn chinook() {
    let s = fixture_round_trip(&repo_fixture("chinook.sql"), &InspectOptions::default());
    let want = Counts { tables: 11, indexes: 11, foreign_keys: 11, ..Counts::default() };
    assert_eq!(counts(&s), want);
}

#[test]
fn chinook_autoincrement_pks() {
    let s = fixture_round_trip(&repo_fixture("chinook_autoincrement_pks.sql"), &InspectOptions::default());
    let want = Counts { tables: 11, indexes: 11, foreign_keys: 11, autoincrement: 10, ..Counts::default() };
    assert_eq!(counts(&s), want);
}

#[test]
fn northwind() {
    let s = fixture_round_trip(&repo_fixture("northwind.sql"), &InspectOptions::default());
    let want = Counts { tables: 13, views: 16, foreign_keys: 13, checks: 7, autoincrement: 6, ..Counts::default() };
    assert_eq!(counts(&s), want);
    let details =
        s.table(&retort_schema::Name::new(None, "Order Details")).unwrap_or_else(|| panic!("no Order Details"));
    let checks: Vec<&str> = details.checks.iter().map(|c| c.expr.as_str()).collect();
    assert_eq!(checks, ["[Discount] >= (0) AND [Discount] <= (1)", "[Quantity] > (0)", "[UnitPrice] >= (0)"]);
}

#[test]
fn sakila() {
    let s = fixture_round_trip(&repo_fixture("sakila.sql"), &InspectOptions::default());
    let want =
        Counts { tables: 16, views: 5, triggers: 30, indexes: 24, foreign_keys: 22, checks: 2, ..Counts::default() };
    assert_eq!(counts(&s), want);
    let film = s.table(&retort_schema::Name::new(None, "film")).unwrap_or_else(|| panic!("no film"));
    let names: Vec<Option<&str>> = film.checks.iter().map(|c| c.name.as_deref()).collect();
    assert_eq!(names, [Some("CHECK_special_features"), Some("CHECK_special_rating")]);
    let description = film.columns.iter().find(|c| c.name == "description").unwrap_or_else(|| panic!("no description"));
    assert_eq!(description.data_type, "BLOB SUB_TYPE TEXT", "the declared type as SQLite keeps it");
    let fk_names: Vec<Option<&str>> = film.foreign_keys.iter().map(|f| f.name.as_deref()).collect();
    assert_eq!(fk_names, [Some("fk_film_language"), Some("fk_film_language_original")]);
}

/// The synapse schemas hold FTS4 virtual tables: they are kept whole, and their shadow tables
/// (`event_search_content`, ...) are left to the module.
fn synapse(file: &str, want: Counts) {
    let s = fixture_round_trip(&repo_fixture(file), &InspectOptions::default());
    assert_eq!(counts(&s), want);
    let modules: Vec<&str> = s.virtual_tables.iter().map(|v| v.module.as_str()).collect();
    assert_eq!(modules, ["fts4", "fts4"]);
    assert!(s.virtual_tables[0].definition.starts_with("CREATE VIRTUAL TABLE event_search USING fts4"));
}

#[test]
fn synapse_schema_v54() {
    let want = Counts { tables: 120, virtual_tables: 2, indexes: 126, checks: 8, ..Counts::default() };
    synapse("synapse_schema_v54.sql", want);
}

#[test]
fn synapse_schema_v72() {
    let want = Counts {
        tables: 134,
        virtual_tables: 2,
        triggers: 1,
        indexes: 148,
        partial_indexes: 12,
        foreign_keys: 14,
        checks: 5,
        ..Counts::default()
    };
    synapse("synapse_schema_v72.sql", want);
}

// ---------------------------------------------------------------------------------------------
// The shared corpus (copyleft schemas, CrewAI), when present

/// The shared SQLite fixtures this file runs; a new file there must be added here.
const SHARED: [&str; 5] = [
    "schemas/sqlite/roundcube_v1_4_0.sql",
    "schemas/sqlite/roundcube_v1_6_0.sql",
    "schemas/sqlite/roundcube_v1_7_3.sql",
    "crewai/sqlite/v1.sql",
    "crewai/sqlite/v2.sql",
];

#[test]
fn shared_corpus() {
    let Some(dir) = shared_fixtures() else { return };
    for file in SHARED {
        fixture_round_trip(&dir.join(file), &InspectOptions::default());
    }
}

#[test]
fn every_shared_sqlite_fixture_is_covered() {
    let Some(dir) = shared_fixtures() else { return };
    let listing = std::fs::read_dir(dir.join("schemas/sqlite")).unwrap_or_else(|e| panic!("{e}"));
    for entry in listing {
        let name = entry.unwrap_or_else(|e| panic!("{e}")).file_name().to_string_lossy().into_owned();
        if !name.ends_with(".sql") {
            continue;
        }
        let covered = SHARED.contains(&format!("schemas/sqlite/{name}").as_str()) || repo_fixture(&name).exists();
        assert!(covered, "shared fixture {name} is run by no test: copy it (permissive) or add it to SHARED");
    }
}

#[test]
fn crewai_example_project() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/crewai/crewai.db");
    if !example.exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let copy = dir.path().join("crewai.db");
    std::fs::copy(&example, &copy).unwrap_or_else(|e| panic!("{e}"));
    let options = excluding(&["retort_version", "retort_history"]);
    let schema = inspect(&copy, &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(schema.tables.iter().all(|t| !t.name.name.starts_with("retort_")), "retort's own tables are left out");
    let conn = Connection::open(&copy).unwrap_or_else(|e| panic!("{e}"));
    let dump: Vec<String> = strings(
        &conn,
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND substr(tbl_name, 1, 7) <> ?1",
        "retort_",
    )
    .into_iter()
    .filter(|r| !r[0].contains("sqlite_sequence"))
    .map(|r| format!("{};", r[0]))
    .collect();
    let again = round_trip("crewai.db", &dump.join("\n"), &options);
    assert_same("crewai.db", &schema, &again);
}

// ---------------------------------------------------------------------------------------------
// SQLite features the fixtures do not show

const FEATURES: &str = r#"
CREATE TABLE "Parent Table" (
    id INTEGER CONSTRAINT pk_parent PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL COLLATE NOCASE CONSTRAINT uq_code UNIQUE,
    "order" INT DEFAULT (1 + 2),
    created TEXT DEFAULT CURRENT_TIMESTAMP,
    note TEXT DEFAULT 'it''s',
    CHECK (length(code) > 0),
    CONSTRAINT code_shape CHECK (code GLOB '[A-Z]*' AND "order" IS NOT 0x5 AND  note  ==  'x')
);
CREATE TABLE child (
    a TEXT, b INTEGER NOT NULL,
    twice INT GENERATED ALWAYS AS (b * 2) STORED,
    label AS (upper(a)),
    parent_id REFERENCES "Parent Table" ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT pk_child PRIMARY KEY (a, b)
    CONSTRAINT positive CHECK (b>0)
    UNIQUE (b, a)
) WITHOUT ROWID;
CREATE TABLE typed (x INTEGER PRIMARY KEY, y TEXT, z ANY) STRICT;
CREATE VIRTUAL TABLE notes USING fts5 (body, tokenize = 'porter');
CREATE TRIGGER typed_notes AFTER INSERT ON typed BEGIN INSERT INTO notes (body) VALUES (NEW.y); END;
CREATE INDEX ix_child_expr ON child (lower(a) DESC, b COLLATE NOCASE) WHERE b IS NOT NULL AND a <> '';
CREATE UNIQUE INDEX "ix parent code" ON "Parent Table" (code COLLATE NOCASE, "order" DESC);
CREATE VIEW a_view (p, q) AS SELECT p, q FROM z_view;
CREATE VIEW z_view (p, q) AS
    SELECT a, b FROM child -- the base view
;
CREATE TRIGGER a_view_insert INSTEAD OF INSERT ON a_view BEGIN INSERT INTO child (a, b) VALUES (NEW.p, NEW.q); END;
"#;

#[test]
fn sqlite_features_are_read_and_round_trip() {
    let s = round_trip("features", FEATURES, &InspectOptions::default());
    let parent = &s.tables[0];
    assert_eq!(parent.name.name, "Parent Table");
    let pk = parent.primary_key.as_ref().unwrap_or_else(|| panic!("no primary key"));
    assert_eq!((pk.name.as_deref(), pk.autoincrement), (Some("pk_parent"), true));
    assert_eq!(parent.columns[1].collation.as_deref(), Some("NOCASE"));
    assert_eq!(parent.columns[2].default.as_deref(), Some("1 + 2"));
    assert_eq!(parent.columns[3].default.as_deref(), Some("CURRENT_TIMESTAMP"));
    assert_eq!(parent.columns[4].default.as_deref(), Some("'it''s'"));
    assert_eq!(parent.uniques[0].name.as_deref(), Some("uq_code"));
    let checks: Vec<(Option<&str>, &str)> =
        parent.checks.iter().map(|c| (c.name.as_deref(), c.expr.as_str())).collect();
    assert_eq!(
        checks,
        [
            (None, "length(code) > 0"),
            (Some("code_shape"), "code GLOB '[A-Z]*' AND \"order\" IS NOT 0x5 AND  note  ==  'x'"),
        ],
        "sqlparser prints what it can read rightly; the rest stays as written"
    );
    assert_eq!(parent.indexes[0].keys, ["code", "\"order\" DESC"], "COLLATE NOCASE is the column's own");

    let child = &s.tables[1];
    assert!(child.without_rowid && !child.strict);
    assert_eq!(child.primary_key.as_ref().and_then(|pk| pk.name.as_deref()), Some("pk_child"));
    let generated: Vec<(String, bool)> =
        child.columns.iter().filter_map(|c| c.generated.as_ref().map(|g| (g.expr.clone(), g.stored))).collect();
    assert_eq!(generated, [("b * 2".to_string(), true), ("upper(a)".to_string(), false)]);
    let fk = &child.foreign_keys[0];
    assert_eq!(fk.ref_table.name, "Parent Table");
    assert_eq!(fk.ref_columns, ["id"], "an omitted column list is the referenced primary key");
    assert_eq!((fk.on_delete, fk.deferral), (Action::Cascade, Deferral::Deferred));
    assert_eq!(child.uniques[0].columns, ["b", "a"]);
    assert_eq!(child.checks[0].name.as_deref(), Some("positive"));
    let ix = &child.indexes[0];
    assert_eq!(ix.keys, ["lower(a) DESC", "b COLLATE NOCASE"]);
    assert_eq!(ix.predicate.as_deref(), Some("b IS NOT NULL AND a <> ''"));

    assert!(s.tables[2].strict);
    assert_eq!(s.tables.len(), 3, "the virtual table's shadow tables are not tables of the schema");
    assert_eq!(s.virtual_tables[0].module, "fts5");
    assert_eq!(s.virtual_tables[0].definition, "CREATE VIRTUAL TABLE notes USING fts5 (body, tokenize = 'porter')");
    assert_eq!(s.views[0].columns, ["p", "q"]);
    assert_eq!(s.views[0].depends_on, [retort_schema::Name::new(None, "z_view")]);
    assert_eq!(s.views[1].query, "SELECT a, b FROM child -- the base view");
    assert_eq!(s.triggers[0].table.name, "a_view");
    assert_eq!(s.triggers[1].table.name, "typed");
}

#[test]
fn what_the_model_cannot_hold_is_refused() {
    let cases = [
        ("CREATE TABLE t (a UNIQUE ON CONFLICT REPLACE)", "table t", "ON CONFLICT REPLACE on UNIQUE of column a"),
        (
            "CREATE TABLE t (a, b, UNIQUE (a COLLATE NOCASE, b))",
            "table t",
            "COLLATE NOCASE on column a in a UNIQUE constraint",
        ),
        ("CREATE TABLE t (a INTEGER PRIMARY KEY DESC)", "table t", "DESC on column a in the PRIMARY KEY"),
        (
            "CREATE VIRTUAL TABLE s USING fts5 (body); CREATE INDEX ix_shadow ON s_data (block)",
            "index ix_shadow",
            "an index on s_data, a shadow table of a virtual table",
        ),
    ];
    for (sql, want_object, want_what) in cases {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join("t.db");
        load(&db, sql);
        match inspect(&db, &InspectOptions::default()) {
            Err(InspectError::Unsupported { object, what }) => {
                assert_eq!((object.as_str(), what.as_str()), (want_object, want_what))
            }
            other => panic!("{sql}: expected Unsupported, got {other:?}"),
        }
    }
}

#[test]
fn excluded_and_internal_tables_are_left_out() {
    let sql = "CREATE TABLE kept (id INTEGER PRIMARY KEY AUTOINCREMENT); CREATE TABLE retort_version (v TEXT);\
               CREATE INDEX ix_v ON retort_version (v); CREATE TRIGGER tr AFTER INSERT ON retort_version BEGIN SELECT 1; END;\
               CREATE VIRTUAL TABLE search USING fts5 (body); INSERT INTO kept DEFAULT VALUES; ANALYZE;";
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("t.db");
    load(&db, sql);
    let s = inspect(&db, &excluding(&["retort_version", "search"])).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["kept"], "no sqlite_sequence, sqlite_stat1, excluded or shadow tables");
    assert!(s.triggers.is_empty(), "the excluded table's trigger goes with it");
}

// ---------------------------------------------------------------------------------------------
// Generated schemas (property-style, with a fixed seed so failures reproduce)

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const TYPES: [&str; 9] = ["INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", "VARCHAR(20)", "DECIMAL(10, 2)", "BOOLEAN", ""];
const DEFAULTS: [&str; 8] = ["0", "-1", "'x'", "NULL", "CURRENT_TIMESTAMP", "(1 + 2)", "(lower('A'))", "x'00'"];
const NAMES: [&str; 8] = ["id", "name", "order", "Key", "value", "created at", "group", "flag"];

/// A random table's DDL; `earlier` tables may be referenced.
fn random_table(rng: &mut Rng, index: usize, earlier: &[(String, Vec<String>)]) -> (String, Vec<String>, String) {
    let name = format!("t{index}{}", rng.pick(&["", " x", "_order", "Select"]));
    let count = 1 + rng.below(5);
    let columns: Vec<String> = (0..count).map(|i| format!("{}{i}", rng.pick(&NAMES))).collect();
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut parts = Vec::new();
    for c in &columns {
        let mut def = format!("{} {}", q(c), rng.pick(&TYPES));
        if rng.chance(30) {
            def.push_str(" NOT NULL");
        }
        if rng.chance(30) {
            def.push_str(&format!(" DEFAULT {}", rng.pick(&DEFAULTS)));
        }
        if rng.chance(15) {
            def.push_str(&format!(" COLLATE {}", rng.pick(&["NOCASE", "RTRIM", "BINARY"])));
        }
        if rng.chance(10) {
            def.push_str(&format!(" CHECK ({} IS NOT NULL OR {} IS NULL)", q(c), q(c)));
        }
        parts.push(def);
    }
    let without_rowid = rng.chance(20);
    if without_rowid || rng.chance(60) {
        let key = &columns[..1 + rng.below(columns.len())];
        let named = if rng.chance(50) { format!("CONSTRAINT {} ", q(&format!("pk_{name}"))) } else { String::new() };
        parts.push(format!("{named}PRIMARY KEY ({})", key.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")));
    }
    if columns.len() > 1 && rng.chance(40) {
        parts.push(format!("CONSTRAINT {} UNIQUE ({}, {})", q(&format!("uq_{name}")), q(&columns[1]), q(&columns[0])));
    }
    if !earlier.is_empty() && rng.chance(60) {
        let (target, target_columns) = &earlier[rng.below(earlier.len())];
        let action = rng.pick(&["", " ON DELETE CASCADE", " ON UPDATE SET NULL", " ON DELETE RESTRICT"]);
        let deferral = rng.pick(&["", " DEFERRABLE INITIALLY DEFERRED", " NOT DEFERRABLE"]);
        parts.push(format!(
            "FOREIGN KEY ({}) REFERENCES {} ({}){action}{deferral}",
            q(&columns[0]),
            q(target),
            q(&target_columns[0])
        ));
    }
    let options = if without_rowid { " WITHOUT ROWID" } else { "" };
    let mut sql = format!("CREATE TABLE {} ({}){options};\n", q(&name), parts.join(", "));
    if rng.chance(50) {
        let key =
            if rng.chance(50) { format!("lower({})", q(&columns[0])) } else { format!("{} DESC", q(&columns[0])) };
        let predicate = if rng.chance(50) { format!(" WHERE {} IS NOT NULL", q(&columns[0])) } else { String::new() };
        sql.push_str(&format!("CREATE INDEX {} ON {} ({key}){predicate};\n", q(&format!("ix_{name}")), q(&name)));
    }
    (name, columns, sql)
}

#[test]
fn generated_schemas_round_trip() {
    let mut rng = Rng(0x005E_ED0F_2E70_u64);
    for round in 0..25 {
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        let mut sql = String::new();
        for i in 0..1 + rng.below(6) {
            let (name, columns, ddl) = random_table(&mut rng, i, &tables);
            sql.push_str(&ddl);
            tables.push((name, columns));
        }
        if let Some((name, columns)) = tables.first() {
            sql.push_str(&format!("CREATE VIEW \"v {round}\" AS SELECT \"{}\" FROM \"{name}\";\n", columns[0]));
        }
        round_trip(&format!("generated schema {round}:\n{sql}"), &sql, &InspectOptions::default());
    }
}
