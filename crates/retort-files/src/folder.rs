//! A migrations folder read and checked at once, from disk or from texts compiled into a binary:
//! every file parses, the files form a valid graph, and the graph matches `retort.sum`.

use std::path::Path;

use crate::graph::{GraphError, RevisionGraph};
use crate::script::{Script, ScriptError, chain_dbmate, read_dir};

/// Why a folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// A migration file is unreadable or malformed.
    #[error(transparent)]
    Script(#[from] ScriptError),
    /// The files do not form a valid graph.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// Files differ from `retort.sum`.
    #[error(
        "the migration files do not match {file}:\n  {problems}\nNothing was run. If the files are as intended, run `retort rehash` (when two branches each added a revision, `retort merge heads` rewrites it)."
    )]
    Sum {
        /// The sum file (`retort.sum`).
        file: String,
        /// What differs, one line per problem.
        problems: String,
    },
}

/// Reads every migration file of `dir`, builds the graph and checks it against `retort.sum`
/// (when the folder has one).
pub fn read(dir: &Path) -> Result<RevisionGraph, FolderError> {
    let graph = RevisionGraph::build(read_dir(dir)?)?;
    let sum = std::fs::read_to_string(crate::sum::path(dir)).ok();
    check_sum(dir, &graph, sum.as_deref())?;
    Ok(graph)
}

/// Builds the graph from files given as `(file name, text)` (`dir` names their folder in
/// messages), exactly as [`read`] would from the same files on disk.
pub fn from_texts(dir: &Path, files: &[(&str, &str)], sum: Option<&str>) -> Result<RevisionGraph, FolderError> {
    let mut files: Vec<&(&str, &str)> = files.iter().filter(|(name, _)| name.ends_with(".sql")).collect();
    files.sort_by_key(|(name, _)| *name);
    let mut scripts =
        files.iter().map(|(name, text)| Script::parse(text, &dir.join(name))).collect::<Result<Vec<_>, _>>()?;
    chain_dbmate(&mut scripts);
    let graph = RevisionGraph::build(scripts)?;
    check_sum(dir, &graph, sum)?;
    Ok(graph)
}

fn check_sum(dir: &Path, graph: &RevisionGraph, sum: Option<&str>) -> Result<(), FolderError> {
    let problems = sum.map(|text| crate::sum::compare(text, graph)).unwrap_or_default();
    if problems.is_empty() {
        return Ok(());
    }
    Err(FolderError::Sum { file: crate::sum::path(dir).display().to_string(), problems: problems.join("\n  ") })
}
