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
    let text = retort_schema::diagram::mermaid_text;
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

/// One line of `history --graph`: the lanes drawn at its left, and the revision it shows (`None`
/// for a line that only joins, splits or shifts lanes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphLine {
    /// The lanes: `*` the revision, `|` a lane going on, `/` `\` `_` lanes joining or splitting.
    pub lanes: String,
    /// The revision on this line.
    pub rev: Option<Rev>,
}

/// Draws `revs` (children before parents, as `history` lists them) the way `git log --graph`
/// does: one lane per open branch, a `*` for each revision, lanes joining where a revision has
/// several children listed above it and splitting at a merge's parents. Parents not in `revs` (a
/// range) end their lane.
pub fn lanes(graph: &RevisionGraph, revs: &[Rev]) -> Vec<GraphLine> {
    let mut shown = vec![false; graph.len()];
    for &r in revs {
        shown[r] = true;
    }
    let mut out = Vec::new();
    // Each lane waits for the revision it leads down to.
    let mut columns: Vec<Rev> = Vec::new();
    for (index, &r) in revs.iter().enumerate() {
        let hits: Vec<usize> = (0..columns.len()).filter(|&i| columns[i] == r).collect();
        let col = match hits.first() {
            Some(&c) => c,
            None => {
                columns.push(r);
                columns.len() - 1
            }
        };
        // Children above converge here: their lanes join this one, then the lanes right of them close up.
        if hits.len() > 1 {
            let mut row = lane_row(columns.len());
            for &h in &hits[1..] {
                // A lane that is not next to this one crosses the lanes between, along the bottom.
                for cell in row.iter_mut().take(2 * h - 1).skip(2 * col + 1) {
                    if *cell == ' ' {
                        *cell = '_';
                    }
                }
                row[2 * h] = ' ';
                row[2 * h - 1] = '/';
            }
            out.push(line(row, None));
            let removed: Vec<usize> = hits[1..].to_vec();
            let keep: Vec<usize> = (0..columns.len()).filter(|i| !removed.contains(i)).collect();
            columns = keep.iter().map(|&i| columns[i]).collect();
            shift_left(&mut out, &keep);
        }
        // The revision itself.
        let mut row = lane_row(columns.len());
        row[2 * col] = '*';
        out.push(line(row, Some(r)));
        // Its parents: the first continues the lane, the others open lanes beside it.
        let parents: Vec<Rev> = graph.parents(r).iter().copied().filter(|&p| shown[p]).collect();
        match parents.split_first() {
            None => {
                columns.remove(col);
                if col == columns.len() && index + 1 < revs.len() {
                    // Nothing closes up into this column, so the next revision could be drawn
                    // right below, as if this one were its child: a gap says it is not.
                    out.push(line(lane_row(columns.len()), None));
                }
                let keep: Vec<usize> = (0..=columns.len()).filter(|&i| i != col).collect();
                shift_left(&mut out, &keep);
            }
            Some((&first, rest)) => {
                columns[col] = first;
                for (k, &p) in rest.iter().enumerate() {
                    // One step per new lane: lanes right of `col` move one column to the right.
                    let mut row = lane_row(columns.len());
                    row.resize(2 * (columns.len() + 1), ' ');
                    for j in col + 1 + k..columns.len() {
                        row[2 * j] = ' ';
                        row[2 * j + 1] = '\\';
                    }
                    row[2 * (col + k) + 1] = '\\';
                    out.push(line(row, None));
                    columns.insert(col + 1 + k, p);
                }
            }
        }
    }
    out
}

/// A row with a `|` for each of `n` lanes.
fn lane_row(n: usize) -> Vec<char> {
    let mut row = vec![' '; 2 * n.max(1)];
    for i in 0..n {
        row[2 * i] = '|';
    }
    row
}

fn line(row: Vec<char>, rev: Option<Rev>) -> GraphLine {
    GraphLine { lanes: row.into_iter().collect::<String>().trim_end().to_string(), rev }
}

/// After lanes closed, the survivors (their old positions, in order) move left one column per
/// row to their new positions.
fn shift_left(out: &mut Vec<GraphLine>, keep: &[usize]) {
    let mut at: Vec<usize> = keep.to_vec();
    loop {
        let moving: Vec<bool> = at.iter().enumerate().map(|(target, &pos)| pos > target).collect();
        if !moving.iter().any(|m| *m) {
            return;
        }
        let width = at.iter().copied().max().unwrap_or(0) + 1;
        let mut row = vec![' '; 2 * width];
        for (target, pos) in at.iter_mut().enumerate() {
            if *pos > target {
                row[2 * *pos - 1] = '/';
                *pos -= 1;
            } else {
                row[2 * *pos] = '|';
            }
        }
        out.push(line(row, None));
    }
}
