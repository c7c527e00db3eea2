//! The DDL parser (the fast path of `load`) against its oracle, the scratch database: for every
//! input the parser accepts, the model must be exactly the one the server builds. Inputs are the
//! real schemas of the fixture corpus, a corpus of tricky cases (implicit names, truncation,
//! numbering, type aliases, expression printing), and a generated 300-table schema.

use std::path::{Path, PathBuf};

use retort::inspect::InspectOptions;
use retort::load::{LoadError, Loader, SourceFile, load_with};
use retort::url::DatabaseUrl;

mod common;
use common::postgres_url;

/// `Ok(true)`: parsed, equal to the oracle. `Ok(false)`: the parser declined (the reason is
/// printed). A difference panics with both models.
fn compare(url: &DatabaseUrl, name: &str, ddl: &str) -> bool {
    let sources = vec![SourceFile { name: name.to_string(), text: ddl.to_string() }];
    let options = InspectOptions::default();
    let parsed = match load_with(&sources, url, &options, Loader::Parse) {
        Ok(schema) => schema,
        Err(LoadError::Declined(reason)) => {
            eprintln!("{name}: parser declined: {reason}");
            return false;
        }
        Err(e) => panic!("{name}: {e}"),
    };
    let oracle = load_with(&sources, url, &options, Loader::Scratch).unwrap_or_else(|e| panic!("{name}: scratch: {e}"));
    let (p, o) = (
        serde_json::to_string_pretty(&parsed).unwrap_or_default(),
        serde_json::to_string_pretty(&oracle).unwrap_or_default(),
    );
    if p != o {
        let diff: Vec<String> = p
            .lines()
            .zip(o.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(12)
            .map(|(i, (a, b))| format!("line {i}: parsed {a} | server {b}"))
            .collect();
        panic!("{name}: the parser's model differs from the server's:\n{}", diff.join("\n"));
    }
    true
}

/// Cases the parser must accept and get exactly right.
const CASES: &[(&str, &str)] = &[
    (
        "aliases",
        "CREATE TABLE t (a int4, b INT8, c smallint, d varchar(5), e VARCHAR, f char, g character(3), h float, i float(10), j decimal(8), k NUMERIC(10, 2), l timestamptz, m timestamp(3), n time, o timetz, p bool, q text[], r int[][], s bytea, t jsonb, u uuid, v double precision, w real, x interval, y inet, z date);",
    ),
    (
        "defaults",
        "CREATE TABLE t (a int DEFAULT 0, b int DEFAULT -1, c bigint DEFAULT 3000000000, d numeric(6,2) DEFAULT 1.5, e varchar(9) DEFAULT 'x', f text DEFAULT '', g boolean DEFAULT true, h timestamptz DEFAULT now(), i timestamp DEFAULT CURRENT_TIMESTAMP, j date DEFAULT CURRENT_DATE, k jsonb DEFAULT '{}', l text[] DEFAULT '{}', m char(2) DEFAULT 'ab', n uuid DEFAULT gen_random_uuid(), o int DEFAULT NULL, p text DEFAULT 'it''s', q double precision DEFAULT 0.5, r interval DEFAULT '1 day', s text DEFAULT lower('X'));",
    ),
    (
        "implicit names",
        "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, a int, b int, UNIQUE (a, b));\nCREATE TABLE child (id bigserial PRIMARY KEY, parent_id int REFERENCES parent, code text REFERENCES parent (code) ON DELETE CASCADE, qty int CHECK (qty > 0), lo int, hi int, CHECK (lo < hi), a int, b int, FOREIGN KEY (a, b) REFERENCES parent (a, b) ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED);",
    ),
    (
        "numbering",
        "CREATE TABLE t (a int, b int);\nCREATE INDEX t_a_idx ON t (b);\nCREATE INDEX ON t (a);\nCREATE INDEX ON t (a);\nALTER TABLE t ADD UNIQUE (a);\nALTER TABLE t ADD UNIQUE (b);\nALTER TABLE t ADD CHECK (a > 0);\nALTER TABLE t ADD CHECK (a > 1);\nALTER TABLE t ADD CHECK (a > b);",
    ),
    ("serial names taken", "CREATE TABLE t_id_seq (x int);\nCREATE TABLE t (id serial, other smallserial);"),
    (
        "long names",
        "CREATE TABLE a_very_long_table_name_that_goes_on_and_on_and_on_for_ever_and_ever (a_very_long_column_name_that_also_goes_on_and_on_for_ever int PRIMARY KEY, another_rather_long_column_name int UNIQUE, CHECK (another_rather_long_column_name > 0));\nCREATE INDEX ON a_very_long_table_name_that_goes_on_and_on_and_on_for_ever_and_ever (another_rather_long_column_name, a_very_long_column_name_that_also_goes_on_and_on_for_ever);",
    ),
    (
        "quoting",
        "CREATE TABLE \"Order\" (\"order\" int, \"User Name\" text, \"type\" text, name text);\nCREATE INDEX o1 ON \"Order\" (\"order\" DESC, \"User Name\" NULLS FIRST, \"type\" DESC NULLS LAST, name);",
    ),
    (
        "expressions",
        "CREATE TABLE t (a text, b int, c timestamptz, d text);\nCREATE INDEX e1 ON t (lower(a), (b + 1) DESC) WHERE b > 0 AND a IS NOT NULL;\nCREATE UNIQUE INDEX e2 ON t USING btree (a text_pattern_ops) INCLUDE (b);\nCREATE INDEX e3 ON t USING hash (a);\nCREATE INDEX e4 ON t (d COLLATE \"POSIX\");\nALTER TABLE t ADD CONSTRAINT ck CHECK (a IN ('x', 'y') OR b BETWEEN 1 AND 5) NOT VALID;",
    ),
    (
        "enums and comments",
        "CREATE SCHEMA app;\nCREATE TYPE app.mood AS ENUM ('sad', 'ok', 'it''s');\nCREATE TABLE app.t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, m app.mood DEFAULT 'ok', n app.mood DEFAULT 'sad'::app.mood, total int GENERATED ALWAYS AS (id * 2) STORED);\nCOMMENT ON TABLE app.t IS 'a table';\nCOMMENT ON COLUMN app.t.m IS 'a mood';\nCOMMENT ON TYPE app.mood IS 'moods';\nCOMMENT ON SCHEMA app IS 'the app';\nCREATE INDEX t_m ON app.t (m);\nCOMMENT ON INDEX app.t_m IS 'by mood';",
    ),
    (
        "sequences",
        "CREATE SEQUENCE s1;\nCREATE SEQUENCE s2 AS integer START 5 INCREMENT BY 2 CACHE 10 CYCLE;\nCREATE SEQUENCE s3 INCREMENT -1 NO MAXVALUE;\nCREATE TABLE t (id int DEFAULT nextval('s1') NOT NULL, b bigint DEFAULT nextval('public.s2'::regclass), c int GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5), d smallint GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 1000 CYCLE));\nALTER SEQUENCE s1 OWNED BY t.id;\nALTER SEQUENCE public.s2 OWNED BY public.t.b;",
    ),
    (
        "collations",
        "CREATE TABLE t (a text COLLATE \"C\", b varchar(10) COLLATE pg_catalog.\"POSIX\", c text COLLATE \"default\", d text COLLATE \"C\" CHECK (d > 'a'));\nCREATE INDEX t_a ON t (a);",
    ),
    (
        "extension",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE TABLE t (id uuid DEFAULT gen_random_uuid() PRIMARY KEY);",
    ),
    ("retort inspect output", OWN_OUTPUT),
    (
        "alter table",
        "CREATE TABLE t (id int, v text);\nALTER TABLE ONLY t ADD CONSTRAINT t_pk PRIMARY KEY (id);\nALTER TABLE t ALTER COLUMN v SET DEFAULT 'x';\nALTER TABLE t ALTER COLUMN v SET NOT NULL;\nALTER TABLE t ADD COLUMN w int NOT NULL DEFAULT 7 CHECK (w > 0);\nCREATE TABLE u (id int PRIMARY KEY, t_id int);\nALTER TABLE u ADD FOREIGN KEY (t_id) REFERENCES t (id) NOT VALID;\nCREATE UNLOGGED TABLE l (id int);",
    ),
];

/// What `retort inspect` prints for a database with serial, identity, collation, enum, extension
/// and sequence columns: a project started from an existing database takes the fast path.
const OWN_OUTPUT: &str = r#"SET check_function_bodies = false;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

CREATE TYPE public.mood AS ENUM ('a', 'b');

CREATE SEQUENCE public.s AS bigint START WITH 5 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1;

CREATE SEQUENCE public.t_big_seq AS bigint START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1;

CREATE SEQUENCE public.t_id_seq AS integer START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1;

CREATE TABLE public.t (
    id integer DEFAULT nextval('public.t_id_seq'::regclass) NOT NULL,
    u uuid DEFAULT gen_random_uuid(),
    m public.mood DEFAULT 'a'::public.mood,
    n text COLLATE pg_catalog."C",
    i integer GENERATED BY DEFAULT AS IDENTITY (START WITH 10) NOT NULL,
    big bigint DEFAULT nextval('public.t_big_seq'::regclass) NOT NULL,
    CONSTRAINT t_pkey PRIMARY KEY (id)
);

CREATE TABLE public.u (
    id integer DEFAULT nextval('public.s'::regclass) NOT NULL,
    t_id integer,
    CONSTRAINT u_pkey PRIMARY KEY (id)
);

ALTER SEQUENCE public.t_big_seq OWNED BY public.t.big;

ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;

ALTER TABLE public.u ADD CONSTRAINT u_t_id_fkey FOREIGN KEY (t_id) REFERENCES public.t (id);

COMMENT ON TABLE public.t IS 'x';

"#;

#[test]
fn the_parser_matches_the_server_on_tricky_cases() {
    let Some(url) = postgres_url() else { return };
    for (name, ddl) in CASES {
        if common::skip_for_extensions(&url, name, ddl) {
            continue;
        }
        assert!(compare(&url, name, ddl), "{name}: the parser must handle this case");
    }
}

/// A deterministic 300-table schema in the shape of the benchmark's (4-12 columns of the common
/// types, defaults, foreign keys, unique and plain indexes), plus checks and expression indexes.
fn generated_schema(tables: usize) -> String {
    let mut seed: u64 = 0x5eed;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let types = ["integer", "bigint", "text", "varchar(80)", "boolean", "timestamptz", "numeric(12,2)", "date"];
    let defaults = ["0", "0", "''", "'x'", "false", "now()", "0", "CURRENT_DATE"];
    let mut out = String::new();
    for t in 0..tables {
        let mut cols = vec!["id bigserial PRIMARY KEY".to_string()];
        for c in 0..4 + next(9) {
            let k = next(types.len() as u64) as usize;
            let not_null = if next(3) == 0 { " NOT NULL" } else { "" };
            let default = if next(4) == 0 { format!(" DEFAULT {}", defaults[k]) } else { String::new() };
            cols.push(format!("c{c} {}{not_null}{default}", types[k]));
        }
        if t > 0 {
            cols.push(format!("ref_id bigint REFERENCES t{} ON DELETE CASCADE", next(t as u64)));
        }
        if next(5) == 0 {
            cols.push("CHECK (id > 0)".to_string());
        }
        out.push_str(&format!("CREATE TABLE t{t} (\n  {}\n);\n", cols.join(",\n  ")));
        out.push_str(&format!("CREATE INDEX ON t{t} (c0);\n"));
        if next(3) == 0 {
            out.push_str(&format!("CREATE UNIQUE INDEX t{t}_c1_key ON t{t} (c1);\n"));
        }
        if next(10) == 0 {
            out.push_str(&format!("CREATE INDEX t{t}_expr ON t{t} ((c0 IS NULL)) WHERE id > 10;\n"));
        }
    }
    out
}

#[test]
fn the_parser_matches_the_server_on_a_generated_schema() {
    let Some(url) = postgres_url() else { return };
    assert!(compare(&url, "generated", &generated_schema(300)), "the generated schema must take the fast path");
}

/// A seeded random schema of every form the parser handles: enums, sequences, serial and
/// identity columns (with options), collations, defaults of many types, named and unnamed
/// checks, keys and foreign keys (composite, actions, deferrable), indexes (unique, multi-column,
/// descending, partial, expression, INCLUDE, hash) and comments.
fn random_schema(seed: u64) -> String {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let columns: &[(&str, &[&str])] = &[
        ("integer", &["0", "-1", "42"]),
        ("bigint", &["0", "3000000000"]),
        ("smallint", &["1"]),
        ("text", &["''", "'x'", "'it''s'", "lower('A')"]),
        ("varchar(40)", &["'v'"]),
        ("char(2)", &["'ab'"]),
        ("boolean", &["true", "false"]),
        ("timestamptz", &["now()", "CURRENT_TIMESTAMP"]),
        ("timestamp(3)", &["'2020-01-01 00:00:00'"]),
        ("date", &["CURRENT_DATE", "'2024-02-29'"]),
        ("numeric(10,2)", &["0", "1.5"]),
        ("double precision", &["0.5"]),
        ("jsonb", &["'{}'", "'[]'::jsonb"]),
        ("uuid", &["gen_random_uuid()"]),
        ("text[]", &["'{}'"]),
        ("interval", &["'1 day'"]),
    ];
    let mut out = String::from(
        "CREATE SCHEMA app;\nCREATE TYPE app.state AS ENUM ('new', 'done', 'it''s');\nCREATE SEQUENCE app.counter START 10;\n",
    );
    let tables = 4 + next(6);
    let mut id_types: Vec<&str> = Vec::new();
    for t in 0..tables {
        let name = format!("app.t{t}");
        let mut cols: Vec<String> = Vec::new();
        let mut plain: Vec<String> = Vec::new();
        let (id, id_type) = match next(4) {
            0 => ("id serial PRIMARY KEY".to_string(), "integer"),
            1 => ("id bigint GENERATED ALWAYS AS IDENTITY (START WITH 5) PRIMARY KEY".to_string(), "bigint"),
            2 => ("id integer DEFAULT nextval('app.counter') PRIMARY KEY".to_string(), "integer"),
            _ => (format!("id bigserial CONSTRAINT t{t}_pk PRIMARY KEY"), "bigint"),
        };
        cols.push(id);
        id_types.push(id_type);
        for c in 0..2 + next(6) {
            let (ty, defaults) = columns[next(columns.len())];
            let mut col = format!("c{c} {ty}");
            if ty == "text" && next(4) == 0 {
                col.push_str(" COLLATE \"C\"");
            }
            if next(3) == 0 {
                col.push_str(&format!(" DEFAULT {}", defaults[next(defaults.len())]));
            }
            if next(4) == 0 {
                col.push_str(" NOT NULL");
            }
            match next(12) {
                0 if matches!(ty, "integer" | "bigint" | "smallint") => col.push_str(&format!(" CHECK (c{c} >= 0)")),
                1 => col.push_str(" UNIQUE"),
                _ => {}
            }
            cols.push(col);
            plain.push(format!("c{c}"));
        }
        if next(2) == 0 {
            cols.push(format!("st app.state DEFAULT '{}'", ["new", "done"][next(2)]));
        }
        if t > 0 {
            let target = next(t);
            let action = [
                "",
                " ON DELETE CASCADE",
                " ON DELETE SET NULL",
                " ON UPDATE RESTRICT",
                " DEFERRABLE INITIALLY DEFERRED",
            ][next(5)];
            cols.push(format!("t{target}_id {}", id_types[target]));
            if next(2) == 0 {
                cols.push(format!("FOREIGN KEY (t{target}_id) REFERENCES app.t{target} (id){action}"));
            } else {
                cols.push(format!(
                    "CONSTRAINT t{t}_to_t{target} FOREIGN KEY (t{target}_id) REFERENCES app.t{target}{action}"
                ));
            }
        }
        if plain.len() >= 2 && next(3) == 0 {
            cols.push(format!("UNIQUE ({}, {})", plain[0], plain[1]));
        }
        if next(3) == 0 {
            cols.push(format!("CONSTRAINT t{t}_id_positive CHECK (id > 0)"));
        }
        out.push_str(&format!("CREATE TABLE {name} (\n  {}\n);\n", cols.join(",\n  ")));
        let first = &plain[0];
        match next(6) {
            0 => out.push_str(&format!("CREATE INDEX ON {name} ({first});\n")),
            1 => out.push_str(&format!("CREATE INDEX t{t}_desc ON {name} ({first} DESC NULLS LAST, id);\n")),
            2 => out.push_str(&format!("CREATE UNIQUE INDEX t{t}_part ON {name} (id) WHERE {first} IS NOT NULL;\n")),
            3 => {
                out.push_str(&format!("CREATE INDEX t{t}_expr ON {name} (({first} IS NULL), id) INCLUDE ({first});\n"))
            }
            4 => out.push_str(&format!("CREATE INDEX t{t}_hash ON {name} USING hash (id);\n")),
            _ => {}
        }
        if next(2) == 0 {
            out.push_str(&format!(
                "COMMENT ON TABLE {name} IS 'table {t}';\nCOMMENT ON COLUMN {name}.{first} IS 'first';\n"
            ));
        }
    }
    out
}

/// Property: for random schemas, the parser equals the server (`load(DDL) == inspect(apply(DDL))`),
/// and the DDL retort prints for the result loads back to the same model both ways. Seeds:
/// RETORT_PROP_CASES (default 6) from RETORT_PROP_BASE.
#[test]
fn random_schemas_parse_exactly_and_round_trip() {
    let Some(url) = postgres_url() else { return };
    let cases: u64 = std::env::var("RETORT_PROP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let base: u64 = std::env::var("RETORT_PROP_BASE").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    for seed in base..base + cases {
        let ddl = random_schema(seed);
        let name = format!("seed {seed}");
        if !compare(&url, &name, &ddl) {
            panic!("{name}: the parser must handle every generated form:\n{ddl}");
        }
        let sources = vec![SourceFile { name: name.clone(), text: ddl.clone() }];
        let loaded = load_with(&sources, &url, &InspectOptions::default(), Loader::Parse)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let printed = retort_schema::render::ddl(&loaded);
        assert!(
            compare(&url, &format!("{name} (printed)"), &printed),
            "{name}: retort's own DDL takes the fast path:\n{printed}"
        );
        let again = load_with(
            &[SourceFile { name: name.clone(), text: printed.clone() }],
            &url,
            &InspectOptions::default(),
            Loader::Parse,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, loaded, "{name}: inspect -> DDL -> load is the same schema:\n{printed}");
    }
}

fn fixtures() -> Vec<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [here.join("tests/fixtures/postgres"), here.join("../../../shared/fixtures/schemas/postgres")] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "sql") && !p.to_string_lossy().contains("pg18")),
            );
        }
    }
    for rel in ["../../examples/crewai/schema/models.sql", "../../examples/crewai/next/models.sql"] {
        files.push(here.join(rel));
    }
    // The repository's copies first; the shared folder adds only what the repository lacks.
    let mut seen = std::collections::HashSet::new();
    files.retain(|p| p.to_string_lossy().contains("examples") || seen.insert(p.file_name().map(|f| f.to_os_string())));
    files
}

/// Every real schema: parsed exactly, or declined (never wrong).
#[test]
fn the_parser_is_never_wrong_on_the_fixture_corpus() {
    let Some(url) = postgres_url() else { return };
    let mut parsed = Vec::new();
    for path in fixtures() {
        let ddl = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        if compare(&url, &name, &ddl) {
            parsed.push(name);
        }
    }
    eprintln!("parsed exactly: {parsed:?}");
    assert!(parsed.iter().any(|p| p == "models.sql"), "the example project's schema takes the fast path");
}
