//! `--json` on every command that prints a result: stdout is one JSON document, and an error is
//! one JSON object on stderr (`{"error": ..., "hint": ..., "usage": ...}`), with the same exit codes.

mod common;

use common::{Kind, Project, retort_cmd};

fn parse(text: &[u8], what: &str) -> serde_json::Value {
    serde_json::from_slice(text)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{}", String::from_utf8_lossy(text)))
}

fn json(p: &Project, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = p.run(&all);
    assert!(out.status.success(), "retort {all:?}: {}", String::from_utf8_lossy(&out.stderr));
    parse(&out.stdout, &format!("retort {all:?}"))
}

#[test]
fn every_result_parses_as_json() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    // init, in a folder of its own.
    let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = retort_cmd(fresh.path()).args(["init", "--json"]).output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parse(&out.stdout, "init")["config"], "retort.toml");

    let made = json(&p, &["revision", "-m", "first", "--rev-id", "a1"]);
    assert_eq!(made["revision"], "a1");
    assert_eq!(made["created"], "migrations/a1_first.sql");
    p.write(
        "migrations/a1_first.sql",
        &std::fs::read_to_string(p.path().join("migrations/a1_first.sql"))
            .unwrap_or_default()
            .replace("-- migrate:upgrade\n", "-- migrate:upgrade\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n")
            .replace("-- migrate:downgrade\n", "-- migrate:downgrade\nDROP TABLE t;\n"),
    );
    json(&p, &["revision", "-m", "left", "--rev-id", "b1"]);
    json(&p, &["revision", "-m", "right", "--rev-id", "c1", "--head", "a1", "--splice"]);
    let merged = json(&p, &["merge", "heads", "-m", "join", "--rev-id", "m1"]);
    assert_eq!(merged["parents"], serde_json::json!(["b1", "c1"]));
    assert_eq!(json(&p, &["rehash"])["written"], "migrations/retort.sum");

    assert_eq!(json(&p, &["upgrade", "b1"])["at"], serde_json::json!(["b1"]));
    let up = json(&p, &["upgrade", "head", "--backup"]);
    assert_eq!(up["at"], serde_json::json!(["m1"]));
    assert_eq!(up["steps"].as_array().map(Vec::len), Some(2), "{up}");
    let backup = up["backup"].as_str().unwrap_or_else(|| panic!("no backup in {up}")).to_string();
    for args in [
        vec!["current"],
        vec!["history"],
        vec!["heads"],
        vec!["branches"],
        vec!["show", "a1"],
        vec!["lint", "base:head"],
        vec!["inspect"],
        vec!["verify"],
    ] {
        json(&p, &args);
    }
    let down = json(&p, &["downgrade", "-1"]);
    assert_eq!(down["steps"][0]["direction"], "downgrade");
    assert_eq!(json(&p, &["stamp", "m1"])["at"], serde_json::json!(["m1"]));
    assert!(json(&p, &["restore", &backup])["restored"].is_string());
    assert_eq!(json(&p, &["current"])["current"], serde_json::json!(["b1"]), "the backup was taken at b1");
    json(&p, &["upgrade", "head"]);

    p.use_schema_files("");
    p.write("schema/s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n");
    let diff = json(&p, &["diff"]);
    assert!(diff["sql"].as_str().is_some_and(|s| s.contains("ADD COLUMN name")), "{diff}");
    let out = p.run(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    parse(&out.stdout, "check");
    let generated = json(&p, &["revision", "--autogenerate", "-m", "name", "--rev-id", "n1"]);
    assert_eq!(generated["changes"], serde_json::json!(["+ column t.name TEXT"]));
}

#[test]
fn errors_are_json_on_stderr() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    p.chain(1);
    let out = p.run(&["upgrade", "nope", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = parse(&out.stderr, "an error");
    assert!(err["error"].as_str().is_some_and(|e| e.contains("nope")), "{err}");
    assert_eq!(err["usage"], false);
    assert!(out.stdout.is_empty());
    let out = p.run(&["upgrade", "-1", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(parse(&out.stderr, "a usage error")["usage"], true);
    let out = p.run(&["graph", "--json"]);
    assert_eq!(out.status.code(), Some(2), "graph draws pictures, history --json lists");
}
