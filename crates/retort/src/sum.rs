//! The sum file, `migrations/retort.sum`: a hash of every migration file in graph order, and a
//! hash of those lines on the first line. Two developers who add revisions on the same parent both
//! change the first and last lines, so git shows a conflict instead of silently keeping two heads;
//! and a file edited (or added by hand) after the sum was written is detected by name.
//! `retort revision` and `retort merge` keep it current; `retort rehash` rewrites it.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::graph::RevisionGraph;

/// The file name of the sum file, in the migrations folder.
pub const SUM_FILE: &str = "retort.sum";

/// The hash of a file's text, insensitive to line endings and trailing whitespace.
pub(crate) fn file_hash(text: &str) -> String {
    let mut hasher = Sha256::new();
    for line in text.lines() {
        hasher.update(line.trim_end().as_bytes());
        hasher.update(b"\n");
    }
    format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The sum file's content for the graph's current files.
pub fn render(graph: &RevisionGraph) -> Result<String, std::io::Error> {
    let mut lines = Vec::new();
    for &rev in graph.topological() {
        let path = &graph.script(rev).path;
        let text = std::fs::read_to_string(path)?;
        lines.push(format!("{} {}", file_name(path), file_hash(&text)));
    }
    let body = lines.join("\n");
    Ok(format!("{}\n{}{}", file_hash(&body), body, if body.is_empty() { "" } else { "\n" }))
}

/// Where the sum file of a migrations folder is.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(SUM_FILE)
}

/// Writes the sum file.
pub fn write(dir: &Path, graph: &RevisionGraph) -> Result<(), std::io::Error> {
    std::fs::write(path(dir), render(graph)?)
}

/// What does not match the sum file; empty when it matches or there is none.
pub fn check(dir: &Path, graph: &RevisionGraph) -> Vec<String> {
    let Ok(recorded) = std::fs::read_to_string(path(dir)) else { return Vec::new() };
    let mut problems = Vec::new();
    let mut lines = recorded.lines();
    let head = lines.next().unwrap_or_default();
    let body: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    if file_hash(&body.join("\n")) != head.trim() {
        problems.push(format!(
            "{SUM_FILE} was edited by hand or merged with conflicts; run `retort rehash` once the files are right"
        ));
    }
    let recorded: Vec<(&str, &str)> = body.iter().filter_map(|l| l.rsplit_once(' ')).collect();
    let by_name: std::collections::HashMap<&str, &str> = recorded.iter().copied().collect();
    let mut present = std::collections::HashSet::new();
    for &rev in graph.topological() {
        let script = graph.script(rev);
        let name = file_name(&script.path);
        let now = &script.text_hash;
        match by_name.get(name.as_str()) {
            None => problems.push(format!(
                "{name} is not in {SUM_FILE}: it was added without `retort revision` (or the sum file is stale)"
            )),
            Some(hash) if *hash != now => problems.push(format!("{name} was changed after {SUM_FILE} was written")),
            _ => {}
        }
        present.insert(name);
    }
    for (name, _) in &recorded {
        if !present.contains(*name) {
            problems.push(format!("{name} is listed in {SUM_FILE} but no longer exists"));
        }
    }
    problems
}
