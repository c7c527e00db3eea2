//! The revision graph: which migration follows which, built once from the files and validated.
//!
//! Revisions are addressed by their index in the graph's list of scripts (a [`Rev`]); every walk is
//! linear in the size of the graph (bitsets, no repeated searches), so 10,000 revisions load and
//! resolve in milliseconds.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::script::Script;

/// A revision, as its index in the graph.
pub type Rev = usize;

/// A graph that cannot be built from the files.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Two files declare the same revision id.
    #[error("{second}:{line}: revision '{revision}' is declared twice (also in {first}); give one of them a new id")]
    Duplicate {
        /// The revision id declared twice.
        revision: String,
        /// The file that declares it first.
        first: String,
        /// The file that declares it again.
        second: String,
        /// The line of `Revision:` in the second file.
        line: usize,
    },
    /// A `Revises:` or `Depends On:` entry names no known revision.
    #[error("{file}:{line}: revision '{revision}' {key} '{missing}', which no migration file declares{hint}")]
    MissingParent {
        /// The migration file.
        file: String,
        /// The line of its `Revises:` or `Depends On:` header.
        line: usize,
        /// The revision whose header names the missing one.
        revision: String,
        /// `revises` or `depends on`, for the message.
        key: &'static str,
        /// The id no migration file declares.
        missing: String,
        /// What to do next (close ids, or restore the file), starting with `; `.
        hint: String,
    },
    /// Revisions that (transitively) revise or depend on themselves.
    #[error(
        "the revisions form a cycle: {members}; fix the 'Revises:' lines of these files so history only goes forward"
    )]
    Cycle {
        /// The revisions of the cycle, each with the `file:line` of its `Revises:` line, joined by ` -> `.
        members: String,
    },
    /// A branch label used by two revisions, or equal to a revision id.
    #[error("{file}:{line}: branch label '{label}' is already {other}; labels must be unique")]
    Label {
        /// The migration file.
        file: String,
        /// The line of its `Revision:` header.
        line: usize,
        /// The branch label.
        label: String,
        /// What already has the label: `used by revision ...` or `the id of revision ...`.
        other: String,
    },
}

/// Which labels each revision carries, by Alembic's rule: a label applies to the revision that
/// declares it and to every revision after it (through parents, not dependencies); when nothing
/// after it branches or merges, it also applies to the revisions before it, up to the nearest
/// branch point or merge.
fn carried_labels(
    labels: &HashMap<String, Rev>,
    parents: &[Vec<Rev>],
    children: &[Vec<Rev>],
    dependents: &[Vec<Rev>],
) -> Vec<Vec<String>> {
    let n = parents.len();
    let mut carried: Vec<Vec<String>> = vec![Vec::new(); n];
    let forks = |r: Rev| children[r].len() + dependents[r].len() > 1 || parents[r].len() > 1;
    for (label, &start) in labels {
        let mut after = vec![false; n];
        let mut stack = vec![start];
        while let Some(r) = stack.pop() {
            if !std::mem::replace(&mut after[r], true) {
                stack.extend(&children[r]);
            }
        }
        for (r, _) in after.iter().enumerate().filter(|(_, a)| **a) {
            carried[r].push(label.clone());
        }
        if (0..n).filter(|&r| after[r]).any(forks) {
            continue;
        }
        let mut r = start;
        while let [parent] = parents[r][..] {
            if forks(parent) {
                break;
            }
            carried[parent].push(label.clone());
            r = parent;
        }
    }
    for set in &mut carried {
        set.sort();
        set.dedup();
    }
    carried
}

/// The revision graph of a project.
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    scripts: Vec<Script>,
    index: HashMap<String, Rev>,
    parents: Vec<Vec<Rev>>,
    children: Vec<Vec<Rev>>,
    depends_on: Vec<Vec<Rev>>,
    dependents: Vec<Vec<Rev>>,
    labels: HashMap<String, Rev>,
    carried: Vec<Vec<String>>,
    /// Every revision, ancestors (and dependencies) before descendants.
    order: Vec<Rev>,
    /// The position of each revision in `order`.
    position: Vec<usize>,
    /// Ids sorted, for prefix lookups.
    sorted_ids: Vec<(String, Rev)>,
}

impl RevisionGraph {
    /// Builds and validates the graph: unique ids and labels, known parents and dependencies, no cycle.
    pub fn build(scripts: Vec<Script>) -> Result<RevisionGraph, GraphError> {
        let mut index: HashMap<String, Rev> = HashMap::with_capacity(scripts.len());
        for (i, s) in scripts.iter().enumerate() {
            if let Some(&first) = index.get(&s.revision) {
                return Err(GraphError::Duplicate {
                    revision: s.revision.clone(),
                    first: scripts[first].file_name(),
                    second: s.file_name(),
                    line: s.lines.revision,
                });
            }
            index.insert(s.revision.clone(), i);
        }
        let lookup = |s: &Script, id: &str, key: &'static str, line: usize| -> Result<Rev, GraphError> {
            index.get(id).copied().ok_or_else(|| {
                let close = closest(id, index.keys().map(String::as_str));
                GraphError::MissingParent {
                    file: s.file_name(),
                    line,
                    revision: s.revision.clone(),
                    key,
                    missing: id.to_string(),
                    hint: if close.is_empty() {
                        "; restore the missing file or fix the line".to_string()
                    } else {
                        format!("; did you mean {}?", close.join(", "))
                    },
                }
            })
        };
        let n = scripts.len();
        let mut parents = vec![Vec::new(); n];
        let mut children = vec![Vec::new(); n];
        let mut depends_on = vec![Vec::new(); n];
        let mut dependents = vec![Vec::new(); n];
        for (i, s) in scripts.iter().enumerate() {
            for p in &s.parents {
                let p = lookup(s, p, "revises", s.lines.parents)?;
                parents[i].push(p);
                children[p].push(i);
            }
            for d in &s.depends_on {
                let d = match index.get(d.as_str()) {
                    Some(&d) => d,
                    None => lookup(s, d, "depends on", s.lines.depends_on)?,
                };
                depends_on[i].push(d);
                dependents[d].push(i);
            }
        }
        let mut labels: HashMap<String, Rev> = HashMap::new();
        for (i, s) in scripts.iter().enumerate() {
            for label in &s.branch_labels {
                let other = match (labels.get(label), index.get(label)) {
                    (Some(&o), _) => {
                        Some(format!("used by revision {} ({})", scripts[o].revision, scripts[o].file_name()))
                    }
                    (None, Some(&o)) => {
                        Some(format!("the id of revision {} ({})", scripts[o].revision, scripts[o].file_name()))
                    }
                    (None, None) => None,
                };
                if let Some(other) = other {
                    return Err(GraphError::Label {
                        file: s.file_name(),
                        line: s.lines.revision,
                        label: label.clone(),
                        other,
                    });
                }
                labels.insert(label.clone(), i);
            }
        }

        // Kahn's algorithm over parents and dependencies; ties broken by creation date, then id,
        // so the order is the same on every machine.
        let mut pending: Vec<usize> = (0..n).map(|i| parents[i].len() + depends_on[i].len()).collect();
        let key = |i: Rev| Reverse((scripts[i].created.clone().unwrap_or_default(), scripts[i].revision.clone(), i));
        let mut ready: BinaryHeap<_> = (0..n).filter(|&i| pending[i] == 0).map(key).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse((_, _, i))) = ready.pop() {
            order.push(i);
            for &next in children[i].iter().chain(&dependents[i]) {
                pending[next] -= 1;
                if pending[next] == 0 {
                    ready.push(key(next));
                }
            }
        }
        if order.len() < n {
            return Err(GraphError::Cycle { members: find_cycle(&scripts, &parents, &depends_on, &pending) });
        }
        let mut position = vec![0; n];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }
        let mut sorted_ids: Vec<(String, Rev)> = index.iter().map(|(k, v)| (k.clone(), *v)).collect();
        sorted_ids.sort();
        let carried = carried_labels(&labels, &parents, &children, &dependents);
        Ok(RevisionGraph {
            scripts,
            index,
            parents,
            children,
            depends_on,
            dependents,
            labels,
            carried,
            order,
            position,
            sorted_ids,
        })
    }

    /// The branch labels a revision carries, as Alembic shows them (`history`, `heads`): its own
    /// and those of the branch it lies on (see the private `carried_labels` function), sorted.
    pub fn carried_labels(&self, rev: Rev) -> &[String] {
        &self.carried[rev]
    }

    /// Number of revisions.
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    /// True when the project has no migration yet.
    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// The script of a revision.
    pub fn script(&self, rev: Rev) -> &Script {
        &self.scripts[rev]
    }

    /// The revision id of a revision.
    pub fn id(&self, rev: Rev) -> &str {
        &self.scripts[rev].revision
    }

    /// Looks up an exact revision id.
    pub fn get(&self, id: &str) -> Option<Rev> {
        self.index.get(id).copied()
    }

    /// Revisions whose id starts with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> Vec<Rev> {
        let start = self.sorted_ids.partition_point(|(id, _)| id.as_str() < prefix);
        self.sorted_ids[start..].iter().take_while(|(id, _)| id.starts_with(prefix)).map(|(_, r)| *r).collect()
    }

    /// The revision carrying a branch label.
    pub fn label(&self, label: &str) -> Option<Rev> {
        self.labels.get(label).copied()
    }

    /// All branch labels with the revision carrying each.
    pub fn labels(&self) -> impl Iterator<Item = (&str, Rev)> {
        self.labels.iter().map(|(l, r)| (l.as_str(), *r))
    }

    /// Parent revisions (the `Revises:` line).
    pub fn parents(&self, rev: Rev) -> &[Rev] {
        &self.parents[rev]
    }

    /// Child revisions (those that revise this one).
    pub fn children(&self, rev: Rev) -> &[Rev] {
        &self.children[rev]
    }

    /// Revisions this one depends on (the `Depends On:` line).
    pub fn depends_on(&self, rev: Rev) -> &[Rev] {
        &self.depends_on[rev]
    }

    /// Revisions that depend on this one (their `Depends On:` line names it).
    pub fn depends_on_me(&self, rev: Rev) -> &[Rev] {
        &self.dependents[rev]
    }

    /// Revisions without children, in graph order.
    pub fn heads(&self) -> Vec<Rev> {
        self.order.iter().copied().filter(|&r| self.children[r].is_empty()).collect()
    }

    /// Revisions without parents, in graph order.
    pub fn bases(&self) -> Vec<Rev> {
        self.order.iter().copied().filter(|&r| self.parents[r].is_empty()).collect()
    }

    /// Every revision, ancestors first.
    pub fn topological(&self) -> &[Rev] {
        &self.order
    }

    /// The position of a revision in [`Self::topological`].
    pub fn position(&self, rev: Rev) -> usize {
        self.position[rev]
    }

    /// True when more than one revision revises this one.
    pub fn is_branchpoint(&self, rev: Rev) -> bool {
        self.children[rev].len() > 1
    }

    /// True when this revision merges two or more parents.
    pub fn is_mergepoint(&self, rev: Rev) -> bool {
        self.parents[rev].len() > 1
    }

    /// The given revisions and all their ancestors, following parents and dependencies.
    pub fn ancestors_closure(&self, revs: &[Rev]) -> Vec<bool> {
        self.closure(revs, |r| self.parents[r].iter().chain(&self.depends_on[r]))
    }

    /// The given revisions and all their descendants, following children and dependents.
    pub fn descendants_closure(&self, revs: &[Rev]) -> Vec<bool> {
        self.closure(revs, |r| self.children[r].iter().chain(&self.dependents[r]))
    }

    fn closure<'a, I: Iterator<Item = &'a Rev>>(&'a self, revs: &[Rev], next: impl Fn(Rev) -> I) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<Rev> = revs.to_vec();
        while let Some(r) = stack.pop() {
            if !std::mem::replace(&mut seen[r], true) {
                stack.extend(next(r).copied().filter(|&n| !seen[n]));
            }
        }
        seen
    }

    /// The given revisions and their descendants along `Revises:` lines only: a branch, without the
    /// revisions on other branches that merely depend on it.
    pub fn branch_closure(&self, revs: &[Rev]) -> Vec<bool> {
        self.closure(revs, |r| self.children[r].iter())
    }

    /// The revisions of the branch a label names: the labelled revision, its descendants, and the
    /// straight run of ancestors above it up to (not including) the nearest branch or merge point.
    pub fn branch_members(&self, labelled: Rev) -> Vec<bool> {
        let mut members = self.branch_closure(&[labelled]);
        let mut at = labelled;
        while let [parent] = self.parents[at][..] {
            if self.children[parent].len() != 1 || self.parents[parent].len() > 1 {
                break;
            }
            members[parent] = true;
            at = parent;
        }
        members
    }

    /// The minimal set that stands for an applied set: applied revisions that no applied revision
    /// revises or depends on. This is what the version table holds (Alembic's semantics).
    pub fn heads_of(&self, applied: &[bool]) -> Vec<Rev> {
        self.order
            .iter()
            .copied()
            .filter(|&r| applied[r] && !self.children[r].iter().chain(&self.dependents[r]).any(|&c| applied[c]))
            .collect()
    }
}

/// Names one actual cycle among the revisions left over by the topological sort, with the
/// `file:line` of each `Revises:` (or `Depends On:`) line that closes it.
fn find_cycle(scripts: &[Script], parents: &[Vec<Rev>], depends_on: &[Vec<Rev>], pending: &[usize]) -> String {
    let Some(start) = (0..scripts.len()).find(|&i| pending[i] > 0) else { return String::new() };
    // Walking "needs" edges among unfinished revisions must revisit one: that is the cycle.
    let mut seen: Vec<Option<usize>> = vec![None; scripts.len()];
    let mut path = Vec::new();
    let mut at = start;
    while seen[at].is_none() {
        seen[at] = Some(path.len());
        path.push(at);
        let Some(&next) = parents[at].iter().chain(&depends_on[at]).find(|&&p| pending[p] > 0) else { break };
        at = next;
    }
    let from = seen[at].unwrap_or(0);
    path[from..]
        .iter()
        .map(|&i| {
            let s = &scripts[i];
            format!("{} ({}:{})", s.revision, s.file_name(), s.lines.parents)
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Up to three candidates close to `wanted` by edit distance or prefix, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let score = if c.starts_with(wanted) || wanted.starts_with(c) {
                1.0
            } else {
                strsim::normalized_damerau_levenshtein(wanted, c)
            };
            (score, c)
        })
        .filter(|(s, _)| *s >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
}

/// Graphs written in one line, for tests (here and in `retort`'s planner and target tests).
#[doc(hidden)]
pub mod test_support {
    use std::path::Path;

    use super::*;

    /// Builds a script from `id`, its parents and extra header lines. Panics on a malformed one.
    pub fn script(id: &str, parents: &[&str], extra: &str) -> Script {
        let text = format!(
            "-- {id}\n--\n-- Revision: {id}\n-- Revises: {}\n-- Create Date: 2026-01-01 00:00:{:02}\n{extra}\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\nSELECT 1;\n",
            parents.join(", "),
            id.len()
        );
        match Script::parse(&text, Path::new(&format!("{id}.sql"))) {
            Ok(s) => s,
            Err(e) => panic!("test script {id}: {e}"),
        }
    }

    /// Builds a graph of `(id, parents)`. Panics on an invalid one.
    pub fn graph(specs: &[(&str, &[&str])]) -> RevisionGraph {
        let scripts = specs.iter().map(|(id, parents)| script(id, parents, "")).collect();
        match RevisionGraph::build(scripts) {
            Ok(g) => g,
            Err(e) => panic!("test graph: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{graph, script};
    use super::*;

    fn ids(g: &RevisionGraph, revs: &[Rev]) -> Vec<String> {
        revs.iter().map(|&r| g.id(r).to_string()).collect()
    }

    #[test]
    fn heads_bases_and_order() {
        let g = graph(&[("d", &["b", "c"]), ("a", &[]), ("b", &["a"]), ("c", &["a"]), ("e", &["a"])]);
        assert_eq!(ids(&g, &g.bases()), vec!["a"]);
        let mut heads = ids(&g, &g.heads());
        heads.sort();
        assert_eq!(heads, vec!["d", "e"]);
        let pos = |id: &str| g.get(id).map(|r| g.position(r));
        assert!(pos("a") < pos("b") && pos("b") < pos("d") && pos("c") < pos("d"));
        assert!(g.get("a").is_some_and(|a| g.is_branchpoint(a)));
        assert!(g.get("d").is_some_and(|d| g.is_mergepoint(d)));
    }

    #[test]
    fn validation_errors_name_the_file() {
        let dup = RevisionGraph::build(vec![script("a", &[], ""), script("a", &[], "")]);
        assert!(dup.is_err_and(|e| e.to_string().contains("declared twice")));
        let missing = RevisionGraph::build(vec![script("abc1", &[], ""), script("b", &["abc2"], "")]);
        assert!(missing.is_err_and(|e| {
            let m = e.to_string();
            m.starts_with("b.sql:4:") && m.contains("'abc2'") && m.contains("did you mean abc1")
        }));
        let cycle =
            RevisionGraph::build(vec![script("a", &["c"], ""), script("b", &["a"], ""), script("c", &["b"], "")]);
        assert!(cycle.is_err_and(|e| e.to_string().contains("cycle")));
        let label = RevisionGraph::build(vec![
            script("a", &[], "-- Branch Labels: x"),
            script("b", &["a"], "-- Branch Labels: x"),
        ]);
        assert!(label.is_err_and(|e| e.to_string().contains("label 'x'")));
        let missing_dep = RevisionGraph::build(vec![script("a", &[], "-- Depends On: zz")]);
        assert!(missing_dep.is_err_and(|e| e.to_string().contains("depends on 'zz'")));
    }

    #[test]
    fn closures_and_version_heads() {
        let g = graph(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["b", "c"])]);
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|id| g.get(id).unwrap_or(usize::MAX));
        let up_to_b = g.ancestors_closure(&[b]);
        assert_eq!(ids(&g, &g.heads_of(&up_to_b)), vec!["b"]);
        let both = g.ancestors_closure(&[b, c]);
        let mut heads = ids(&g, &g.heads_of(&both));
        heads.sort();
        assert_eq!(heads, vec!["b", "c"]);
        assert_eq!(ids(&g, &g.heads_of(&g.ancestors_closure(&[d]))), vec!["d"]);
        let desc = g.descendants_closure(&[c]);
        assert!(desc[c] && desc[d] && !desc[a] && !desc[b]);
    }

    #[test]
    fn prefix_lookup() {
        let g = graph(&[("ab12", &[]), ("ab34", &["ab12"]), ("cd", &["ab34"])]);
        assert_eq!(g.with_prefix("ab").len(), 2);
        assert_eq!(g.with_prefix("ab3").len(), 1);
        assert!(g.with_prefix("x").is_empty());
    }

    #[test]
    fn ten_thousand_revisions_build_linearly() {
        let scripts: Vec<Script> = (0..10_000)
            .map(|i| {
                let id = format!("r{i:05}");
                let parent = if i == 0 { String::new() } else { format!("r{:05}", i - 1) };
                let mut s = script(&id, &[], "");
                s.parents = if parent.is_empty() { vec![] } else { vec![parent] };
                s
            })
            .collect();
        let g = RevisionGraph::build(scripts);
        assert!(g.is_ok_and(|g| g.heads().len() == 1 && g.topological().len() == 10_000));
    }
}
