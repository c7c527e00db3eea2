//! Pictures and the shell: `retort graph` (Mermaid, DOT, SVG through Graphviz), `inspect --format
//! mermaid|dot` (entity-relationship diagrams, `--tables` with the tables one hop away),
//! `completions` and `man`. The DOT output is rendered by Graphviz itself, so a syntax error fails.

mod common;

use common::{Kind, Project};

/// A history with a labelled branch, a dependency across branches, a merge and the database at
/// one side of it.
fn branching(p: &Project) {
    p.migration("a1", &[], "CREATE TABLE a (id INTEGER PRIMARY KEY);", "DROP TABLE a;");
    p.migration_with("b1", &["a1"], "-- Branch Labels: auth", "CREATE TABLE b (id INTEGER);", "DROP TABLE b;");
    p.migration_with("c1", &["a1"], "-- Depends On: b1", "CREATE TABLE c (id INTEGER);", "DROP TABLE c;");
    p.migration("m1", &["b1", "c1"], "", "");
    p.ok(&["rehash"]);
    p.ok(&["upgrade", "b1"]);
}

/// Requires `dot` (scripts/test.sh installs Graphviz); in CI its absence is a failure.
fn graphviz_ready() -> bool {
    let ok = std::process::Command::new("dot").arg("-V").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "Graphviz's dot is not installed and CI is set");
        eprintln!("skipping: Graphviz's dot is not installed");
    }
    ok
}

#[test]
fn the_revision_graph_as_mermaid_and_dot() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    branching(&p);
    let mermaid = p.ok(&["graph", "-i"]);
    insta::assert_snapshot!("revisions_mermaid", mermaid);
    let dot = p.ok(&["graph", "--format", "dot", "-i"]);
    insta::assert_snapshot!("revisions_dot", dot);
    // Without -i the database is not read: no (current) mark.
    assert!(!p.ok(&["graph"]).contains("(current)"));
}

#[test]
fn graphviz_draws_the_graph_and_the_schema() {
    if !graphviz_ready() {
        return;
    }
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    branching(&p);
    let svg = p.ok(&["graph", "--format", "svg"]);
    assert!(svg.contains("<svg") && svg.contains("m1 (auth) (head)"), "{svg}");
    p.ok(&["graph", "--format", "png", "--output", "revisions.png"]);
    let png = std::fs::read(p.path().join("revisions.png")).unwrap_or_else(|e| panic!("{e}"));
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    p.ok(&["upgrade", "heads"]);
    shop(&p);
    let dot = p.ok(&["inspect", "--format", "dot"]);
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::io::Write::write_all(&mut child.stdin.take().unwrap_or_else(|| unreachable!()), dot.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success() && out.stderr.is_empty(), "dot: {}\n{dot}", String::from_utf8_lossy(&out.stderr));
}

/// A small shop schema: a required parent, an optional one, a one-to-one, a composite key.
fn shop(p: &Project) {
    p.db.exec(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), coupon_id INTEGER REFERENCES coupons (id), placed_at TIMESTAMP);
         CREATE TABLE coupons (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
         CREATE TABLE invoices (order_id INTEGER PRIMARY KEY REFERENCES orders (id), total NUMERIC(10, 2) NOT NULL);
         CREATE TABLE order_lines (order_id INTEGER NOT NULL REFERENCES orders (id), line INTEGER NOT NULL, sku TEXT, PRIMARY KEY (order_id, line));
         CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);",
    );
}

#[test]
fn the_schema_as_an_entity_relationship_diagram() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    shop(&p);
    insta::assert_snapshot!("shop_mermaid", p.ok(&["inspect", "--format", "mermaid"]));
    insta::assert_snapshot!("shop_dot", p.ok(&["inspect", "--format", "dot"]));
    // --tables: the match and the tables one foreign key away, either way; not `audit`.
    let part = p.ok(&["inspect", "--format", "mermaid", "--tables", "invoice*"]);
    assert!(part.contains("    invoices {") && part.contains("    orders {"), "{part}");
    assert!(!part.contains("customers {") && !part.contains("audit {"), "one hop only:\n{part}");
    let part = p.ok(&["inspect", "--format", "mermaid", "--tables", "orders"]);
    for t in ["orders", "customers", "coupons", "invoices", "order_lines"] {
        assert!(part.contains(&format!("    {t} {{")), "{t}:\n{part}");
    }
    assert!(!part.contains("audit {"), "{part}");
    let err = p.usage(&["inspect", "--tables", "orders"]);
    assert!(err.contains("--tables chooses what a diagram shows"), "{err}");
    let err = p.fails(&["inspect", "--format", "dot", "--tables", "nothing*"]);
    assert!(err.contains("--tables nothing* matches no table"), "{err}");
    // --json stays the short form of --format json.
    let json = p.ok(&["inspect", "--json"]);
    assert!(json.trim_start().starts_with('{'), "{json}");
}

#[test]
fn completions_and_man_page() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = p.ok(&["completions", shell]);
        assert!(script.contains("retort") && script.contains("upgrade") && script.len() > 1000, "{shell}:\n{script}");
    }
    let man = p.ok(&["man"]);
    assert!(man.contains(".TH retort") && man.contains("upgrade"), "{man}");
}
