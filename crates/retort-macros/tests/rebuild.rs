//! No stale embeds: a crate embedding a folder is built, a migration is added to the folder, the
//! crate is built again, and the new revision is in the binary (sqlx #681, refinery #309). The
//! crate stands in for `retort` itself (`extern crate self as retort` gives the macro's
//! `::retort::Embedded` a body here), so the test builds only the macro and its build helper.

use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"
extern crate self as retort;

pub struct Embedded(&'static [(&'static str, &'static str)]);

impl Embedded {
    pub const fn __new(
        _dir: &'static str,
        files: &'static [(&'static str, &'static str)],
        _sum: Option<&'static str>,
    ) -> Embedded {
        Embedded(files)
    }
}

static MIGRATIONS: Embedded = retort_macros::embed_migrations!("migrations");

fn main() {
    for (name, _) in MIGRATIONS.0 {
        println!("{name}");
    }
}
"#;

fn migration(id: &str, parents: &str) -> String {
    format!(
        "-- {id}\n--\n-- Revision: {id}\n-- Revises: {parents}\n-- Create Date: 2026-12-02 08:00:00+00:00\n\n-- migrate:upgrade\nCREATE TABLE t_{id} (id INTEGER);\n\n-- migrate:downgrade\nDROP TABLE t_{id};\n"
    )
}

/// Writes the folder's sum file, as `retort revision` and `retort rehash` do.
fn rehash(dir: &Path) {
    let graph = retort_files::folder::read(dir).or_else(|_| {
        let scripts = retort_files::script::read_dir(dir).map_err(|e| e.to_string())?;
        retort_files::graph::RevisionGraph::build(scripts).map_err(|e| e.to_string())
    });
    let graph = graph.unwrap_or_else(|e| panic!("{e}"));
    retort_files::sum::write(dir, &graph).unwrap_or_else(|e| panic!("{e}"));
}

fn build(app: &Path, target: &Path) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline"])
        .current_dir(app)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap_or_else(|e| panic!("cargo: {e}"))
}

fn run(target: &Path) -> String {
    let out = Command::new(target.join("debug/embedding-app")).output().unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_new_migration_is_embedded_by_the_next_build() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = root.join("../..").canonicalize().unwrap_or_else(|e| panic!("{e}"));
    let app = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app = app.path();
    let path = |p: &str| workspace.join(p).display().to_string();
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"embedding-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n\n[dependencies]\nretort-macros = {{ path = {:?} }}\n\n[build-dependencies]\nretort-files = {{ path = {:?} }}\n",
            path("crates/retort-macros"),
            path("crates/retort-files")
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The workspace's lock file, so the offline build picks the versions already fetched.
    std::fs::copy(workspace.join("Cargo.lock"), app.join("Cargo.lock")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(app.join("build.rs"), "fn main() {\n    retort_files::build::watch(\"migrations\");\n}\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(app.join("src")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(app.join("src/main.rs"), MAIN).unwrap_or_else(|e| panic!("{e}"));
    let migrations = app.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(migrations.join("a1_first.sql"), migration("a1", "")).unwrap_or_else(|e| panic!("{e}"));
    rehash(&migrations);

    // One target folder for every run of this test: only the first builds the dependencies.
    let target: PathBuf = workspace.join("target/embed-rebuild");
    let out = build(app, &target);
    assert!(out.status.success(), "first build: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(run(&target), "a1_first.sql\n");

    // Add a revision the ordinary way (a new file and the sum file), and build again.
    std::fs::write(migrations.join("b2_second.sql"), migration("b2", "a1")).unwrap_or_else(|e| panic!("{e}"));
    rehash(&migrations);
    let out = build(app, &target);
    assert!(out.status.success(), "second build: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(run(&target), "a1_first.sql\nb2_second.sql\n", "the new migration is embedded");

    // A broken file fails the build with retort's message, file and line.
    std::fs::write(migrations.join("b2_second.sql"), "-- b2\n-- Revision: b2\n-- Revises: a1\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = build(app, &target);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("b2_second.sql:1: no '-- migrate:upgrade' line"), "{stderr}");

    // Without the build script the macro says how to add it.
    std::fs::write(migrations.join("b2_second.sql"), migration("b2", "a1")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(app.join("build.rs")).unwrap_or_else(|e| panic!("{e}"));
    let out = build(app, &target);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("retort_files::build::watch(\"migrations\")"), "{stderr}");
}
