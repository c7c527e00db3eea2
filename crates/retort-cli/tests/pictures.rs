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
    // Without Graphviz on PATH, the error says how to get it.
    let out = p
        .cmd()
        .args(["graph", "--format", "svg"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(1) && err.contains("apt install graphviz"), "{err}");
    let svg = p.ok(&["graph", "--format", "svg"]);
    assert!(svg.contains("<svg") && svg.contains("m1 (auth) (head)"), "{svg}");
    p.ok(&["graph", "--format", "png", "--output", "revisions.png"]);
    let png = std::fs::read(p.path().join("revisions.png")).unwrap_or_else(|e| panic!("{e}"));
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    p.ok(&["upgrade", "heads"]);
    shop(&p);
    // Names Graphviz's HTML labels must take: empty, markup, quotes, backslashes.
    p.db.exec(
        "CREATE TABLE \"\" (id INTEGER PRIMARY KEY, \"\" INT); CREATE TABLE \"<b>&x\" (\"a\\\" INT, \"q\"\"\" INT);",
    );
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

fn history_graph(p: &Project) -> String {
    p.ok(&["history", "--graph", "-i"])
}

#[test]
fn history_graph_linear_branching_merging_dependent() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    p.chain(3);
    p.ok(&["rehash"]);
    p.ok(&["upgrade", "head"]);
    insta::assert_snapshot!("history_graph_linear", history_graph(&p));

    // Two branches from r3, one labelled; the database on one of them.
    p.migration_with("b1", &["r3"], "-- Branch Labels: auth", "CREATE TABLE b1 (x INT);", "DROP TABLE b1;");
    p.migration("b2", &["b1"], "CREATE TABLE b2 (x INT);", "DROP TABLE b2;");
    p.migration("c1", &["r3"], "CREATE TABLE c1 (x INT);", "DROP TABLE c1;");
    p.ok(&["rehash"]);
    p.ok(&["upgrade", "b1"]);
    insta::assert_snapshot!("history_graph_branching", history_graph(&p));

    // A merge of the two, and a third branch that depends on the first.
    p.migration("m1", &["b2", "c1"], "", "");
    p.migration_with("d1", &["r2"], "-- Depends On: b1", "CREATE TABLE d1 (x INT);", "DROP TABLE d1;");
    p.ok(&["rehash"]);
    insta::assert_snapshot!("history_graph_merging_dependent", history_graph(&p));
}

/// Eight open branches with long messages: every line stays within 100 columns, the lanes whole.
#[test]
fn history_graph_fits_100_columns() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    p.migration("base1", &[], "CREATE TABLE t (x INT);", "DROP TABLE t;");
    let long = "a message long enough to need cutting when eight lanes of branches sit beside it, ".repeat(2);
    for i in 1..=8 {
        p.write(
            &format!("migrations/h{i}.sql"),
            &format!(
                "-- {long}{i}\n--\n-- Revision: h{i}\n-- Revises: base1\n\n-- migrate:upgrade\nCREATE TABLE h{i} (x INT);\n\n-- migrate:downgrade\nDROP TABLE h{i};\n"
            ),
        );
    }
    p.ok(&["rehash"]);
    let out = p.ok(&["history", "--graph"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 100), "{out}");
    let widest = lines.iter().map(|l| l.split(' ').next().unwrap_or_default().len()).max().unwrap_or(0);
    let eight_lanes = lines.iter().any(|l| l.starts_with("| | | | | | | *") || l.starts_with("* | | | | | | |"));
    assert!(eight_lanes, "eight lanes side by side:\n{out}");
    assert!(widest >= 1, "{out}");
    assert!(lines.iter().filter(|l| l.contains('*')).count() == 9, "{out}");
    assert!(lines.iter().any(|l| l.ends_with('…')), "messages are cut:\n{out}");
}

/// Mermaid's own parser and renderer read what retort draws: the npm package (installed by
/// scripts/test.sh under target/mermaid) in Debian's headless Chromium. A diagram it rejects
/// fails the test with Mermaid's message.
#[test]
fn mermaid_reads_every_diagram() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("target/mermaid/node_modules/mermaid/dist/mermaid.min.js");
    let chromium = std::process::Command::new("chromium").arg("--version").output().is_ok_and(|o| o.status.success());
    if !script.is_file() || !chromium {
        assert!(std::env::var_os("CI").is_none(), "mermaid ({}) or chromium missing and CI is set", script.display());
        eprintln!("skipping: mermaid.min.js or chromium missing (scripts/test.sh installs them)");
        return;
    }
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    branching(&p);
    shop(&p);
    let mut diagrams = vec![
        p.ok(&["graph", "-i"]),
        p.ok(&["inspect", "--format", "mermaid"]),
        p.ok(&["inspect", "--format", "mermaid", "--tables", "orders"]),
    ];
    diagrams.push(marked_diff(&p));
    // Names Mermaid's grammar would misread: reserved words, keys as column names, leading
    // digits, names that only differ in punctuation or are not ASCII, no type at all, entity
    // codes and directives in text.
    p.db.exec(
        "CREATE TABLE \"odd name\" (\"the id\" INTEGER PRIMARY KEY, \"quote\"\"d\" TEXT, amount NUMERIC(12, 2) NOT NULL, at TIMESTAMP WITH TIME ZONE);
         CREATE TABLE \"end\" (pk INTEGER, \"1st\" INTEGER, notype, \"{br}\" TEXT, \"x #12; y\" \"2INT\");
         CREATE TABLE \"a b\" (id INTEGER PRIMARY KEY); CREATE TABLE \"a.b\" (r INTEGER REFERENCES \"a b\" (id)); CREATE TABLE a_b (id INTEGER);
         CREATE TABLE \"表\" (\"名前\" TEXT, \"値\" TEXT); CREATE TABLE \"値\" (x INTEGER);
         CREATE TABLE \"50%% x\" (\"%%{init: {'theme':'dark'}}%%\" TEXT);",
    );
    let odd = p.ok(&["inspect", "--format", "mermaid"]);
    assert!(
        odd.contains("[\"a b\"] {") && odd.contains("[\"a.b\"] {") && odd.contains("    a_b {"),
        "three tables:\n{odd}"
    );
    assert!(odd.contains("[\"表\"] {") && odd.contains("[\"値\"] {"), "{odd}");
    diagrams.push(odd);
    p.write("migrations/odd1.sql", "-- x %%{init: {'theme':'dark'}}%% <b>bold</b> Fix #12; `md` & more\n--\n-- Revision: odd1\n-- Revises: m1\n\n-- migrate:upgrade\n\n-- migrate:downgrade\n");
    p.ok(&["rehash"]);
    let graph = p.ok(&["graph"]);
    assert!(
        graph.contains(
            "x #37;#37;{init: {'theme':'dark'}}#37;#37; #lt;b#gt;bold#lt;/b#gt; Fix #35;12; #96;md#96; #amp; m"
        ),
        "{graph}"
    );
    diagrams.push(graph);
    let page = format!(
        r#"<!doctype html><html><body><pre id="out">pending</pre><script src="file://{}"></script><script>
mermaid.initialize({{startOnLoad: false}});
(async () => {{
  const results = [];
  for (const [i, text] of {}.entries()) {{
    try {{ await mermaid.parse(text); await mermaid.render("d" + i, text); results.push("ok"); }}
    catch (e) {{ results.push("error in diagram " + i + ": " + String(e.message || e).replace(/\n/g, " ")); }}
  }}
  document.getElementById("out").textContent = "RESULTS\n" + results.join("\n") + "\nEND";
}})();
</script></body></html>"#,
        script.canonicalize().unwrap_or_else(|e| panic!("{e}")).display(),
        // JSON inside a <script>: only `</` could end it early.
        serde_json::to_string(&diagrams).unwrap_or_else(|e| panic!("{e}")).replace("</", "<\\/")
    );
    let html = p.path().join("mermaid.html");
    std::fs::write(&html, page).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000", "--dump-dom"])
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let dom = String::from_utf8_lossy(&out.stdout);
    let results = dom.split("RESULTS\n").nth(1).and_then(|r| r.split("\nEND").next()).unwrap_or("");
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(lines.len(), diagrams.len(), "Mermaid did not answer for every diagram:\n{dom}");
    for (line, diagram) in lines.iter().zip(&diagrams) {
        assert_eq!(*line, "ok", "{line}\n{diagram}");
    }
}

/// `diff --format mermaid` between the shop database and a desired schema that adds a table,
/// changes and adds columns, and drops a column and a table.
fn marked_diff(p: &Project) -> String {
    p.use_schema_files("");
    p.write(
        "schema/shop.sql",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE, name TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), coupon_id INTEGER REFERENCES coupons (id), placed_at TIMESTAMP NOT NULL);
         CREATE TABLE coupons (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
         CREATE TABLE invoices (order_id INTEGER PRIMARY KEY REFERENCES orders (id), total NUMERIC(10, 2) NOT NULL);
         CREATE TABLE order_lines (order_id INTEGER NOT NULL REFERENCES orders (id), line INTEGER NOT NULL, PRIMARY KEY (order_id, line));
         CREATE TABLE shipments (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id));",
    );
    p.ok(&["diff", "--format", "mermaid"])
}

#[test]
fn diff_as_a_marked_diagram() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    shop(&p);
    let diagram = marked_diff(&p);
    insta::assert_snapshot!("diff_mermaid", diagram);
    assert!(diagram.contains("shipments[\"+ shipments\"] {"), "{diagram}");
    assert!(diagram.contains("audit[\"- audit\"] {"), "{diagram}");
    assert!(diagram.contains("TEXT name \"+ added\""), "{diagram}");
    assert!(diagram.contains("TEXT sku \"- dropped\""), "{diagram}");
    assert!(diagram.contains("TIMESTAMP placed_at \"~ changed, not null\""), "{diagram}");
    assert!(diagram.contains("    coupons {"), "unchanged tables carry no mark:\n{diagram}");
}

/// Colour: green `+`, red `-`, yellow `~` and a red `error:` with `--color always`; none when
/// piped (these tests' stdout is a pipe), with `--color never`, or with NO_COLOR.
#[test]
fn colour_only_where_it_belongs() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    p.db.exec("CREATE TABLE old (code TEXT); CREATE TABLE kept (id INTEGER PRIMARY KEY, n TEXT);");
    p.use_schema_files("");
    p.write(
        "schema/s.sql",
        "CREATE TABLE kept (id INTEGER PRIMARY KEY, n INTEGER);\nCREATE TABLE fresh (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL);\n",
    );
    let out = p.run(&["check", "--color", "always"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\u{1b}[32m+ table fresh"), "{text:?}");
    assert!(text.contains("\u{1b}[31m- table old"), "{text:?}");
    assert!(text.contains("\u{1b}[33m~ "), "{text:?}");
    for args in [vec!["check"], vec!["check", "--color", "never"]] {
        let out = p.run(&args);
        assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'), "{args:?}");
    }
    let out =
        p.cmd().args(["check", "--color", "auto"]).env("NO_COLOR", "1").output().unwrap_or_else(|e| panic!("{e}"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = p.run(&["upgrade", "nope", "--color", "always"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m "), "{err:?}");
    let out = p.run(&["upgrade", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "), "plain when piped");
}

/// Two separate chains: the root of the first is not drawn as if it revised the head of the second.
#[test]
fn history_graph_separates_unrelated_chains() {
    let Some(p) = Project::new(Kind::Sqlite) else { return };
    p.migration("r0", &[], "", "");
    p.migration("r1", &["r0"], "", "");
    p.migration("s0", &[], "", "");
    p.migration("s1", &["s0"], "", "");
    p.ok(&["rehash"]);
    let out = p.ok(&["history", "--graph"]);
    let lines: Vec<&str> = out.lines().collect();
    let root = lines.iter().position(|l| l.starts_with("* <base> -> ")).unwrap_or_else(|| panic!("{out}"));
    assert_eq!(lines.get(root + 1).copied(), Some(""), "a gap after the first root:\n{out}");
    assert_eq!(lines.iter().filter(|l| l.contains('*')).count(), 4, "{out}");
}
