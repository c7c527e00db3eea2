//! The sum file, `migrations/retort.sum`: the shape of the revision graph as the last
//! `retort revision`, `merge` or `rehash` left it. One line per migration file in graph order
//! (its name, its revision id and its parents), and a hash of those lines on the first line.
//!
//! ```text
//! h2:3Xq0...=
//! 1a2b3c4d5e6f_create_users.sql 1a2b3c4d5e6f -
//! 9f8e7d6c5b4a_add_email.sql 9f8e7d6c5b4a 1a2b3c4d5e6f
//! ```
//!
//! Two developers who add revisions on the same parent both change the first line, so git shows a
//! conflict instead of silently keeping two heads; and a file added, removed or re-parented by
//! hand is named. The sum does not record what a file *says*: editing a revision before it is
//! applied is the normal workflow (write, review, edit, upgrade), and an edit after it was applied
//! is caught by the checksum the history table keeps for each database.
//!
//! Sum files written before the graph form (`h1:` on the first line, one content hash per file)
//! are still read: their file names are checked, their content hashes ignored, and the next
//! `revision`, `merge` or `rehash` writes the graph form.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::graph::RevisionGraph;

/// The file name of the sum file, in the migrations folder.
pub const SUM_FILE: &str = "retort.sum";

/// The prefix of the first line of the graph form.
const GRAPH_PREFIX: &str = "h2:";
/// The prefix of the first line of the content form written by earlier versions.
const CONTENT_PREFIX: &str = "h1:";
/// Written for a revision with no parent.
const NO_PARENT: &str = "-";

/// The hash of a text, insensitive to line endings and trailing whitespace.
fn text_hash(text: &str) -> String {
    let mut hasher = Sha256::new();
    for line in text.lines() {
        hasher.update(line.trim_end().as_bytes());
        hasher.update(b"\n");
    }
    base64::engine::general_purpose::STANDARD.encode(hasher.finalize())
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What the sum records of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    revision: String,
    parents: Vec<String>,
}

impl Entry {
    fn line(&self, name: &str) -> String {
        let parents = if self.parents.is_empty() { NO_PARENT.to_string() } else { self.parents.join(",") };
        format!("{name} {} {parents}", self.revision)
    }

    /// Reads `name revision parents` (the name may hold spaces; ids never do).
    fn parse(line: &str) -> Option<(&str, Entry)> {
        let mut parts = line.rsplitn(3, ' ');
        let parents = parts.next()?;
        let revision = parts.next()?;
        let name = parts.next()?;
        let parents = if parents == NO_PARENT { Vec::new() } else { parents.split(',').map(str::to_string).collect() };
        Some((name, Entry { revision: revision.to_string(), parents }))
    }
}

/// The sum file's content for the graph's current files.
pub fn render(graph: &RevisionGraph) -> String {
    let lines: Vec<String> = graph
        .topological()
        .iter()
        .map(|&rev| {
            let script = graph.script(rev);
            Entry { revision: script.revision.clone(), parents: script.parents.clone() }.line(&file_name(&script.path))
        })
        .collect();
    let body = lines.join("\n");
    format!("{GRAPH_PREFIX}{}\n{body}{}", text_hash(&body), if body.is_empty() { "" } else { "\n" })
}

/// Where the sum file of a migrations folder is.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(SUM_FILE)
}

/// Writes the sum file.
pub fn write(dir: &Path, graph: &RevisionGraph) -> Result<(), std::io::Error> {
    std::fs::write(path(dir), render(graph))
}

/// What does not match the sum file; empty when it matches or there is none.
pub fn check(dir: &Path, graph: &RevisionGraph) -> Vec<String> {
    match std::fs::read_to_string(path(dir)) {
        Ok(recorded) => compare(&recorded, graph),
        Err(_) => Vec::new(),
    }
}

/// Compares a sum file's text with the graph.
pub fn compare(recorded: &str, graph: &RevisionGraph) -> Vec<String> {
    let mut problems = Vec::new();
    let mut lines = recorded.lines();
    let head = lines.next().unwrap_or_default().trim();
    let body: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).map(str::trim_end).collect();
    let (form_hash, content_form) = match (head.strip_prefix(GRAPH_PREFIX), head.strip_prefix(CONTENT_PREFIX)) {
        (Some(hash), _) => (hash, false),
        (None, Some(hash)) => (hash, true),
        (None, None) => ("", false),
    };
    if form_hash.is_empty() || text_hash(&body.join("\n")) != form_hash {
        problems.push(format!(
            "{SUM_FILE} was edited by hand or holds a merge conflict (two branches each added a revision)"
        ));
        return problems;
    }
    // name -> what was recorded (None for the content form, which recorded no graph).
    let mut by_name: HashMap<&str, Option<Entry>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for line in &body {
        let parsed = if content_form {
            line.rsplit_once(' ').map(|(name, _)| (name, None))
        } else {
            Entry::parse(line).map(|(name, entry)| (name, Some(entry)))
        };
        if let Some((name, entry)) = parsed {
            by_name.insert(name, entry);
            order.push(name);
        }
    }
    let mut present = HashSet::new();
    for &rev in graph.topological() {
        let script = graph.script(rev);
        let name = file_name(&script.path);
        match by_name.get(name.as_str()) {
            None => problems.push(format!(
                "{name} is not in {SUM_FILE}: it was added without `retort revision` (or copied from another branch)"
            )),
            Some(Some(entry)) if entry.revision != script.revision => problems.push(format!(
                "{name}: its Revision changed from {} to {} after {SUM_FILE} was written",
                entry.revision, script.revision
            )),
            Some(Some(entry)) if entry.parents != script.parents => problems.push(format!(
                "{name}: its Revises changed from {} to {} after {SUM_FILE} was written",
                show_parents(&entry.parents),
                show_parents(&script.parents)
            )),
            _ => {}
        }
        present.insert(name);
    }
    for name in order {
        if !present.contains(name) {
            problems.push(format!("{name} is listed in {SUM_FILE} but no longer exists"));
        }
    }
    problems
}

fn show_parents(parents: &[String]) -> String {
    if parents.is_empty() { "(none)".to_string() } else { parents.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Script;

    fn graph(files: &[(&str, &str)]) -> RevisionGraph {
        let scripts = files
            .iter()
            .map(|(name, text)| Script::parse(text, Path::new(name)).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        RevisionGraph::build(scripts).unwrap_or_else(|e| panic!("{e}"))
    }

    fn file(rev: &str, parents: &str, sql: &str) -> String {
        format!(
            "-- m\n--\n-- Revision: {rev}\n-- Revises: {parents}\n\n-- migrate:upgrade\n{sql}\n-- migrate:downgrade\n"
        )
    }

    #[test]
    fn edits_to_the_sql_are_not_problems_but_graph_changes_are() {
        let a = file("a1", "", "CREATE TABLE t (id int);");
        let b = file("b1", "a1", "");
        let sum = render(&graph(&[("a1_x.sql", &a), ("b1_y.sql", &b)]));
        assert!(sum.starts_with(GRAPH_PREFIX), "{sum}");
        assert!(sum.contains("\na1_x.sql a1 -\nb1_y.sql b1 a1\n"), "{sum}");

        let edited = file("a1", "", "CREATE TABLE t (id int, name text);");
        assert_eq!(compare(&sum, &graph(&[("a1_x.sql", &edited), ("b1_y.sql", &b)])), Vec::<String>::new());

        let reparented = file("b1", "", "");
        let problems = compare(&sum, &graph(&[("a1_x.sql", &a), ("b1_y.sql", &reparented)]));
        assert_eq!(problems, vec!["b1_y.sql: its Revises changed from a1 to (none) after retort.sum was written"]);

        let c = file("c1", "b1", "");
        let problems = compare(&sum, &graph(&[("a1_x.sql", &a), ("b1_y.sql", &b), ("c1.sql", &c)]));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("c1.sql is not in retort.sum"), "{problems:?}");

        let problems = compare(&sum, &graph(&[("a1_x.sql", &a)]));
        assert_eq!(problems, vec!["b1_y.sql is listed in retort.sum but no longer exists"]);

        let tampered = sum.replace("b1_y.sql b1 a1", "b1_y.sql b1 -");
        assert!(compare(&tampered, &graph(&[("a1_x.sql", &a), ("b1_y.sql", &b)]))[0].contains("edited by hand"));
    }

    #[test]
    fn a_sum_of_the_content_form_is_read_by_name() {
        let a = file("a1", "", "CREATE TABLE t (id int);");
        let body = "a1_x.sql h1:AAAA";
        let old = format!("{CONTENT_PREFIX}{}\n{body}\n", text_hash(body));
        assert_eq!(compare(&old, &graph(&[("a1_x.sql", &a)])), Vec::<String>::new());
        let b = file("b1", "a1", "");
        let problems = compare(&old, &graph(&[("a1_x.sql", &a), ("b1_y.sql", &b)]));
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
