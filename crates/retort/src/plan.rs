//! Plans: the ordered steps that carry out an [`Operation`] from a given set of version rows, and
//! how each step moves the version rows (Alembic's semantics: one row per applied head).

use serde::Serialize;

use crate::graph::{Rev, RevisionGraph};
use crate::target::Operation;

/// Which way a step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Run the upgrade section.
    Upgrade,
    /// Run the downgrade section.
    Downgrade,
}

impl Direction {
    /// The word stored in the history table.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

/// How the version table changes: rows removed and rows added (one each is an UPDATE).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowChange {
    /// Revision ids whose rows go away.
    pub delete: Vec<String>,
    /// Revision ids whose rows are added.
    pub insert: Vec<String>,
}

/// One migration to run, and how it moves the version rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The revision.
    pub rev: Rev,
    /// Upgrade or downgrade.
    pub direction: Direction,
    /// The version-table change that commits with it.
    pub rows: RowChange,
}

impl Step {
    /// `Running upgrade a -> b, message`: the line Alembic prints for a step.
    pub fn describe(&self, graph: &RevisionGraph) -> String {
        let s = graph.script(self.rev);
        let parents = if s.parents.is_empty() { "<base>".to_string() } else { s.parents.join(", ") };
        let (from, to) = match self.direction {
            Direction::Upgrade => (parents, s.revision.clone()),
            Direction::Downgrade => (s.revision.clone(), parents),
        };
        let message: String = s.message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        format!("Running {} {from} -> {to}, {message}", self.direction.as_str())
    }
}

/// The steps that carry out `op` when the version table holds `current`, in order.
pub fn plan(graph: &RevisionGraph, current: &[Rev], op: &Operation) -> Vec<Step> {
    let mut applied = graph.ancestors_closure(current);
    let mut rows: Vec<Rev> = current.to_vec();
    let mut steps = Vec::new();
    match op {
        Operation::Upgrade(targets) => {
            let needed = graph.ancestors_closure(targets);
            for &rev in graph.topological() {
                if !needed[rev] || applied[rev] {
                    continue;
                }
                // Rows of the revisions it revises or depends on are absorbed by the new one.
                let needs: Vec<Rev> = graph.parents(rev).iter().chain(graph.depends_on(rev)).copied().collect();
                let delete: Vec<Rev> = rows.iter().copied().filter(|r| needs.contains(r)).collect();
                rows.retain(|r| !delete.contains(r));
                rows.push(rev);
                applied[rev] = true;
                steps.push(Step { rev, direction: Direction::Upgrade, rows: change(graph, &delete, &[rev]) });
            }
        }
        Operation::Downgrade(roots) => {
            let doomed = graph.descendants_closure(roots);
            for &rev in graph.topological().iter().rev() {
                if !doomed[rev] || !applied[rev] {
                    continue;
                }
                applied[rev] = false;
                rows.retain(|&r| r != rev);
                // What it revised or depended on becomes a row again unless something applied still needs it.
                let mut insert: Vec<Rev> = Vec::new();
                for &p in graph.parents(rev).iter().chain(graph.depends_on(rev)) {
                    let needed = graph.children(p).iter().chain(graph.depends_on_me(p)).any(|&c| applied[c]);
                    if applied[p] && !needed && !rows.contains(&p) && !insert.contains(&p) {
                        insert.push(p);
                    }
                }
                rows.extend(&insert);
                steps.push(Step { rev, direction: Direction::Downgrade, rows: change(graph, &[rev], &insert) });
            }
        }
    }
    steps
}

/// The row change that replaces the rows `from` by `to`, without the rows they share.
pub fn change(graph: &RevisionGraph, from: &[Rev], to: &[Rev]) -> RowChange {
    RowChange {
        delete: from.iter().filter(|r| !to.contains(r)).map(|&r| graph.id(r).to_string()).collect(),
        insert: to.iter().filter(|r| !from.contains(r)).map(|&r| graph.id(r).to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::graph;

    fn describe(g: &RevisionGraph, steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| format!("{} {} -{:?} +{:?}", s.direction.as_str(), g.id(s.rev), s.rows.delete, s.rows.insert))
            .collect()
    }

    fn revs(g: &RevisionGraph, ids: &[&str]) -> Vec<Rev> {
        ids.iter().filter_map(|id| g.get(id)).collect()
    }

    #[test]
    fn linear_up_and_down() {
        let g = graph(&[("a", &[]), ("b", &["a"]), ("c", &["b"])]);
        let up = plan(&g, &[], &Operation::Upgrade(revs(&g, &["c"])));
        assert_eq!(
            describe(&g, &up),
            vec!["upgrade a -[] +[\"a\"]", "upgrade b -[\"a\"] +[\"b\"]", "upgrade c -[\"b\"] +[\"c\"]"]
        );
        let down = plan(&g, &revs(&g, &["c"]), &Operation::Downgrade(revs(&g, &["b"])));
        assert_eq!(describe(&g, &down), vec!["downgrade c -[\"c\"] +[\"b\"]", "downgrade b -[\"b\"] +[\"a\"]"]);
    }

    #[test]
    fn branches_add_rows_and_merges_remove_them() {
        let g = graph(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("m", &["b", "c"])]);
        let up = plan(&g, &revs(&g, &["b"]), &Operation::Upgrade(revs(&g, &["c"])));
        assert_eq!(describe(&g, &up), vec!["upgrade c -[] +[\"c\"]"]);
        let merge = plan(&g, &revs(&g, &["b", "c"]), &Operation::Upgrade(revs(&g, &["m"])));
        assert_eq!(describe(&g, &merge), vec!["upgrade m -[\"b\", \"c\"] +[\"m\"]"]);
        let unmerge = plan(&g, &revs(&g, &["m"]), &Operation::Downgrade(revs(&g, &["m"])));
        assert_eq!(describe(&g, &unmerge), vec!["downgrade m -[\"m\"] +[\"b\", \"c\"]"]);
        let drop_branch = plan(&g, &revs(&g, &["b", "c"]), &Operation::Downgrade(revs(&g, &["c"])));
        assert_eq!(describe(&g, &drop_branch), vec!["downgrade c -[\"c\"] +[]"]);
    }
}
