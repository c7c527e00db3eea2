//! Pictures: the revision graph as Mermaid or Graphviz DOT (`retort graph`), and the choice of
//! tables for an entity-relationship diagram of a large schema (`inspect --tables`; the diagram
//! itself is drawn by `retort_schema::diagram`).

use std::fmt::Write as _;

use retort_schema::{Name, Schema};

use crate::graph::{Rev, RevisionGraph};

/// A diagram language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Mermaid (GitHub renders it in Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// The text of a revision's box: its id, labels and marks, and its message.
fn caption(graph: &RevisionGraph, rev: Rev, current: &[Rev]) -> (String, String) {
    let s = graph.script(rev);
    let mut title = s.revision.clone();
    let labels = graph.carried_labels(rev);
    if !labels.is_empty() {
        title.push_str(&format!(" ({})", labels.join(", ")));
    }
    if graph.children(rev).is_empty() {
        title.push_str(" (head)");
    }
    if current.contains(&rev) {
        title.push_str(" (current)");
    }
    let mut message: String = s.message.chars().take(60).collect();
    if s.message.chars().count() > 60 {
        message.push('…');
    }
    (title, message)
}

/// The revision graph, oldest at the bottom as in `retort history`: an arrow from each parent to
/// its child, a dashed one for `Depends On:`; heads and the database's current revisions
/// highlighted.
pub fn revisions(graph: &RevisionGraph, current: &[Rev], language: Language) -> String {
    match language {
        Language::Mermaid => mermaid(graph, current),
        Language::Dot => dot(graph, current),
    }
}

fn mermaid(graph: &RevisionGraph, current: &[Rev]) -> String {
    let text = |t: &str| t.replace('"', "#quot;");
    let mut out = String::from("flowchart BT\n");
    for &r in graph.topological() {
        let (title, message) = caption(graph, r, current);
        let body = if message.is_empty() { text(&title) } else { format!("{}<br/>{}", text(&title), text(&message)) };
        let _ = writeln!(out, "    r{r}[\"{body}\"]");
    }
    for &r in graph.topological() {
        for &p in graph.parents(r) {
            let _ = writeln!(out, "    r{p} --> r{r}");
        }
        for &d in graph.depends_on(r) {
            let _ = writeln!(out, "    r{d} -.-> r{r}");
        }
    }
    out.push_str("    classDef head fill:#e3f2e1,stroke:#3c8d40\n    classDef current fill:#fff3c4,stroke:#b58900,stroke-width:3px\n");
    let heads: Vec<String> = graph.heads().iter().map(|h| format!("r{h}")).collect();
    if !heads.is_empty() {
        let _ = writeln!(out, "    class {} head", heads.join(","));
    }
    if !current.is_empty() {
        let list: Vec<String> = current.iter().map(|c| format!("r{c}")).collect();
        let _ = writeln!(out, "    class {} current", list.join(","));
    }
    out
}

fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(graph: &RevisionGraph, current: &[Rev]) -> String {
    let mut out = String::from(
        "digraph revisions {\n    graph [rankdir=BT, fontname=\"Helvetica\"];\n    node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n",
    );
    for &r in graph.topological() {
        let (title, message) = caption(graph, r, current);
        let label = if message.is_empty() {
            dot_text(&title)
        } else {
            format!("{}\\n{}", dot_text(&title), dot_text(&message))
        };
        let style = if current.contains(&r) {
            ", fillcolor=\"#fff3c4\", color=\"#b58900\", penwidth=3"
        } else if graph.children(r).is_empty() {
            ", fillcolor=\"#e3f2e1\", color=\"#3c8d40\""
        } else {
            ""
        };
        let _ = writeln!(out, "    r{r} [label=\"{label}\"{style}];");
    }
    for &r in graph.topological() {
        for &p in graph.parents(r) {
            let _ = writeln!(out, "    r{p} -> r{r};");
        }
        for &d in graph.depends_on(r) {
            let _ = writeln!(out, "    r{d} -> r{r} [style=dashed];");
        }
    }
    out.push_str("}\n");
    out
}

/// The tables whose names match one of `patterns` (globs with `*` and `?`, matched against the
/// name and against `schema.name`), plus the tables one foreign key away from them, in either
/// direction. An invalid glob is an error naming it.
pub fn select_tables(schema: &Schema, patterns: &[String]) -> Result<Vec<Name>, String> {
    let globs = patterns
        .iter()
        .map(|p| glob::Pattern::new(p).map_err(|e| format!("--tables '{p}' is not a valid glob: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let matches = |n: &Name| globs.iter().any(|g| g.matches(&n.name) || g.matches(&n.to_string()));
    let chosen: Vec<&Name> = schema.tables.iter().map(|t| &t.name).filter(|n| matches(n)).collect();
    let mut out: Vec<Name> = Vec::new();
    for t in &schema.tables {
        let near = chosen.contains(&&t.name)
            || t.foreign_keys.iter().any(|f| chosen.contains(&&f.ref_table))
            || schema
                .tables
                .iter()
                .any(|c| chosen.contains(&&c.name) && c.foreign_keys.iter().any(|f| f.ref_table == t.name));
        if near {
            out.push(t.name.clone());
        }
    }
    Ok(out)
}
