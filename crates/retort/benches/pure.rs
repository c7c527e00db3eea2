//! Micro-benchmarks of the parts that need no database server, so that a regression shows up in
//! `cargo bench` long before the end-to-end harness (`bench/run.py`) would catch it:
//! reading and resolving a 10,000-revision graph, parsing 1,000 tables of DDL (PostgreSQL parser;
//! SQLite's in-memory load), and diffing and rendering two 1,000-table schemas.
//!
//! Run: `cargo bench -p retort --bench pure`.

use std::path::Path;

use retort::autogen::generate;
use retort::graph::RevisionGraph;
use retort::inspect::InspectOptions;
use retort::load::{Loader, SourceFile, load_with, postgres::parse_only};
use retort::script::Script;
use retort::target::{Resolver, Target};
use retort::url::{DatabaseUrl, SqliteLocation};
use retort_schema::Schema;
use retort_schema::diff::Renames;

fn main() {
    divan::main();
}

/// A linear history of `n` revisions with a branch and merge every 100.
fn revision_texts(n: usize) -> Vec<(String, String)> {
    let id = |i: usize| format!("r{i:06}");
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let parents = match i {
            0 => String::new(),
            i if i % 100 == 2 => format!("{}, {}", id(i - 1), id(i - 2)), // merge of the branch below
            i if i % 100 == 1 => id(i - 1),
            _ => id(i - 1),
        };
        let text = format!(
            "-- revision {i}\n--\n-- Revision: {}\n-- Revises: {parents}\n-- Create Date: 2026-11-24 10:00:00+00:00\n\n-- migrate:upgrade\nCREATE TABLE t{i} (id integer PRIMARY KEY);\n\n-- migrate:downgrade\nDROP TABLE t{i};\n",
            id(i)
        );
        out.push((format!("migrations/{}_rev.sql", id(i)), text));
    }
    out
}

fn build_graph(texts: &[(String, String)]) -> RevisionGraph {
    let scripts: Vec<Script> =
        texts.iter().map(|(p, t)| Script::parse(t, Path::new(p)).unwrap_or_else(|e| panic!("{e}"))).collect();
    RevisionGraph::build(scripts).unwrap_or_else(|e| panic!("{e}"))
}

#[divan::bench]
fn graph_read_10k_revisions(bencher: divan::Bencher) {
    let texts = revision_texts(10_000);
    bencher.bench(|| build_graph(divan::black_box(&texts)).len());
}

#[divan::bench(args = ["head", "-1", "base", "r005000", "head-10"])]
fn graph_resolve_10k_revisions(bencher: divan::Bencher, target: &str) {
    let graph = build_graph(&revision_texts(10_000));
    let current = vec![graph.get("r009000").unwrap_or_default()];
    let applied = graph.ancestors_closure(&current);
    let target = Target::parse(target).unwrap_or_else(|e| panic!("{e}"));
    bencher.bench(|| {
        let resolver = Resolver::new(&graph, &current, &applied);
        let op = if target.text.starts_with('-') || target.text == "base" {
            resolver.downgrade(&target)
        } else {
            resolver.upgrade(&target)
        };
        op.map(|o| format!("{o:?}").len()).unwrap_or_default()
    });
}

/// The benchmark harness's schema shape: 4-12 columns of common types, defaults, a foreign key,
/// a plain and sometimes a unique index per table.
fn ddl(tables: usize) -> String {
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let types = ["integer", "bigint", "text", "varchar(80)", "boolean", "timestamptz", "numeric(12,2)", "date"];
    let mut out = String::new();
    for t in 0..tables {
        let mut cols = vec!["id bigint PRIMARY KEY".to_string()];
        for c in 0..3 + next(9) {
            let not_null = if next(3) == 0 { " NOT NULL" } else { "" };
            cols.push(format!("c{c} {}{not_null}", types[next(types.len() as u64) as usize]));
        }
        if t > 0 {
            cols.push(format!("ref_id bigint CONSTRAINT t{t}_ref_fk REFERENCES t{} (id)", next(t as u64)));
        }
        out.push_str(&format!(
            "CREATE TABLE t{t} (\n  {}\n);\nCREATE INDEX t{t}_c0_idx ON t{t} (c0);\n",
            cols.join(",\n  ")
        ));
        if next(3) == 0 {
            out.push_str(&format!("CREATE UNIQUE INDEX t{t}_c1_key ON t{t} (c1);\n"));
        }
    }
    out
}

fn sources(tables: usize) -> Vec<SourceFile> {
    vec![SourceFile { name: "schema/models.sql".into(), text: ddl(tables) }]
}

#[divan::bench]
fn ddl_parse_postgres_1000_tables(bencher: divan::Bencher) {
    let sources = sources(1000);
    bencher.bench(|| parse_only(divan::black_box(&sources)).map(|s| s.tables.len()).unwrap_or_default());
}

#[divan::bench(sample_count = 20)]
fn ddl_load_sqlite_1000_tables(bencher: divan::Bencher) {
    let sources = vec![SourceFile {
        name: "schema/models.sql".into(),
        text: ddl(1000).replace("timestamptz", "timestamp").replace("numeric(12,2)", "numeric"),
    }];
    let url = DatabaseUrl::Sqlite(SqliteLocation::Memory);
    bencher.bench(|| {
        load_with(&sources, &url, &InspectOptions::default(), Loader::Scratch)
            .map(|s| s.tables.len())
            .unwrap_or_default()
    });
}

/// Two 1,000-table schemas: the second adds a column to 150 tables, drops 20 indexes and
/// changes 30 column types.
fn schema_pair() -> (Schema, Schema) {
    let from = parse_only(&sources(1000)).unwrap_or_else(|e| panic!("{e}"));
    let mut to = from.clone();
    for (i, t) in to.tables.iter_mut().enumerate() {
        if i % 7 == 0 {
            t.columns.push(retort_schema::Column {
                name: "added".into(),
                data_type: "text".into(),
                nullable: true,
                ..Default::default()
            });
        }
        if i % 50 == 0 {
            t.indexes.clear();
        }
        if i % 33 == 0
            && let Some(c) = t.columns.iter_mut().find(|c| c.data_type == "integer")
        {
            c.data_type = "bigint".into();
        }
    }
    (from, to)
}

#[divan::bench]
fn diff_and_render_1000_tables(bencher: divan::Bencher) {
    let (from, to) = schema_pair();
    bencher.bench(|| generate(divan::black_box(&from), divan::black_box(&to), &Renames::default(), true).up.len());
}

#[divan::bench(args = [1000, 4000], sample_count = 10)]
fn diff_identical_tables(bencher: divan::Bencher, tables: usize) {
    let from = parse_only(&sources(tables)).unwrap_or_else(|e| panic!("{e}"));
    let same = from.clone();
    bencher.bench(|| generate(divan::black_box(&from), divan::black_box(&same), &Renames::default(), true).up.len());
}
