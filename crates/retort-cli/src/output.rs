//! How revisions are printed: Alembic's familiar line formats, and the same data as JSON.

use retort::graph::{Rev, RevisionGraph};
use serde::Serialize;

/// A revision as JSON.
#[derive(Debug, Serialize)]
pub struct RevisionJson {
    pub revision: String,
    pub parents: Vec<String>,
    pub children: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub message: String,
    pub created: Option<String>,
    pub path: String,
    pub transactional: bool,
    pub is_head: bool,
    pub is_base: bool,
    pub is_branchpoint: bool,
    pub is_mergepoint: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_current: Option<bool>,
}

/// Builds the JSON form of a revision; `current` is given when the database was read.
pub fn json(graph: &RevisionGraph, rev: Rev, current: Option<&[Rev]>) -> RevisionJson {
    let s = graph.script(rev);
    let ids = |revs: &[Rev]| revs.iter().map(|&r| graph.id(r).to_string()).collect();
    RevisionJson {
        revision: s.revision.clone(),
        parents: s.parents.clone(),
        children: ids(graph.children(rev)),
        branch_labels: s.branch_labels.clone(),
        depends_on: s.depends_on.clone(),
        message: s.message.clone(),
        created: s.created.clone(),
        path: s.file_name(),
        transactional: s.transactional,
        is_head: graph.children(rev).is_empty(),
        is_base: graph.parents(rev).is_empty(),
        is_branchpoint: graph.is_branchpoint(rev),
        is_mergepoint: graph.is_mergepoint(rev),
        is_current: current.map(|c| c.contains(&rev)),
    }
}

/// `ae1f (label) (head)`: the id with its labels and head marker.
pub fn head_only(graph: &RevisionGraph, rev: Rev) -> String {
    with_labels(graph, rev, true)
}

/// `rev (head)`, without branch labels: Alembic's `current` line.
pub fn current_line(graph: &RevisionGraph, rev: Rev) -> String {
    with_labels(graph, rev, false)
}

fn with_labels(graph: &RevisionGraph, rev: Rev, include_labels: bool) -> String {
    let s = graph.script(rev);
    let mut out = s.revision.clone();
    let labels = graph.carried_labels(rev);
    if include_labels && !labels.is_empty() {
        out.push_str(&format!(" ({})", labels.join(", ")));
    }
    if graph.children(rev).is_empty() {
        out.push_str(" (head)");
    }
    out
}

/// A revision with its labels and every marker: head, branchpoint, mergepoint, current.
pub fn markers(graph: &RevisionGraph, rev: Rev, current: &[Rev]) -> String {
    let mut out = head_only(graph, rev);
    if graph.is_branchpoint(rev) {
        out.push_str(" (branchpoint)");
    }
    if graph.is_mergepoint(rev) {
        out.push_str(" (mergepoint)");
    }
    if current.contains(&rev) {
        out.push_str(" (current)");
    }
    out
}

/// `parent (dependencies) -> rev (labels) (head), message`, Alembic's history line.
pub fn log_line(graph: &RevisionGraph, rev: Rev, current: &[Rev]) -> String {
    let s = graph.script(rev);
    let mut from = if s.parents.is_empty() { "<base>".to_string() } else { s.parents.join(", ") };
    if !s.depends_on.is_empty() {
        from.push_str(&format!(" ({})", s.depends_on.join(", ")));
    }
    format!("{from} -> {}, {}", markers(graph, rev, current), s.message)
}

/// The full description of a revision (`-v`, `show`).
pub fn verbose(graph: &RevisionGraph, rev: Rev, current: &[Rev]) -> String {
    let s = graph.script(rev);
    let mut out = format!("Rev: {}\n", markers(graph, rev, current));
    if s.parents.len() > 1 {
        out.push_str(&format!("Merges: {}\n", s.parents.join(", ")));
    } else {
        out.push_str(&format!("Parent: {}\n", s.parents.first().map_or("<base>", String::as_str)));
    }
    if !s.depends_on.is_empty() {
        out.push_str(&format!("Also depends on: {}\n", s.depends_on.join(", ")));
    }
    if graph.is_branchpoint(rev) {
        let kids: Vec<&str> = graph.children(rev).iter().map(|&c| graph.id(c)).collect();
        out.push_str(&format!("Branches into: {}\n", kids.join(", ")));
    }
    if !s.branch_labels.is_empty() {
        out.push_str(&format!("Branch names: {}\n", s.branch_labels.join(", ")));
    }
    if !s.transactional {
        out.push_str("Transaction: false\n");
    }
    out.push_str(&format!("Path: {}\n\n", s.file_name()));
    out.push_str(&format!("    {}\n\n", s.message));
    out.push_str(&format!("    Revision: {}\n", s.revision));
    out.push_str(&format!("    Revises: {}\n", s.parents.join(", ")));
    out.push_str(&format!("    Create Date: {}\n", s.created.as_deref().unwrap_or("")));
    out
}

/// Prints JSON to stdout.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The colour of `error:`.
pub const ERROR: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
const ADDED: anstyle::Style = anstyle::AnsiColor::Green.on_default();
const DROPPED: anstyle::Style = anstyle::AnsiColor::Red.on_default();
const CHANGED: anstyle::Style = anstyle::AnsiColor::Yellow.on_default();

/// A change summary line (`+ table t`, `- column t.c`, `~ column t.c: ...`) in its colour: green,
/// red, yellow; printed with `anstream`, which drops the colour where it does not belong.
pub fn change_line(summary: &str) -> String {
    let style = match summary.chars().next() {
        Some('+') => ADDED,
        Some('-') => DROPPED,
        Some('~') => CHANGED,
        _ => anstyle::Style::new(),
    };
    format!("{style}{summary}{style:#}")
}
