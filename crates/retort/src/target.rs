//! Targets: the words a user gives `upgrade`, `downgrade` and `stamp` (`head`, `base`, `ae1f`, `-1`,
//! `ae1f+2`, `auth@head`, `auth@-1`, ...), parsed, then resolved against the graph and the
//! current version rows into an [`Operation`].

use std::fmt;

use crate::graph::{Rev, RevisionGraph, closest};

/// A target that cannot be resolved, with the message Alembic users know and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The target text does not follow the grammar.
    #[error("target '{target}' is not understood: {message}")]
    Syntax {
        /// The target text.
        target: String,
        /// What is wrong with it, and what to write instead.
        message: String,
    },
    /// No revision has this id, prefix or label.
    #[error("Can't locate revision identified by '{id}'{suggest}")]
    Unknown {
        /// The id, prefix or label that matched nothing.
        id: String,
        /// What to try next (close ids and labels, or `retort history`), starting with `; `.
        suggest: String,
    },
    /// A prefix that matches several revisions.
    #[error("revision prefix '{prefix}' is ambiguous: it matches {candidates}; type more characters")]
    Ambiguous {
        /// The prefix.
        prefix: String,
        /// The revisions it matches, each with its file, comma-separated.
        candidates: String,
    },
    /// `head` where several heads exist.
    #[error(
        "Multiple head revisions are present for given argument '{arg}': {heads}; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads (or run `retort merge heads -m \"merge\"` to join them)"
    )]
    MultipleHeads {
        /// The target text.
        arg: String,
        /// The heads, comma-separated.
        heads: String,
    },
    /// A relative move from several current revisions, or across a branch or merge point.
    #[error("Ambiguous walk for '{target}': {message}")]
    AmbiguousWalk {
        /// The target text.
        target: String,
        /// Why the walk has no single path.
        message: String,
    },
    /// A relative move past the first or last revision.
    #[error("Relative revision {target} didn't produce {wanted} migrations: {message}")]
    TooFar {
        /// The target text.
        target: String,
        /// How many steps it asks for.
        wanted: u64,
        /// How many revisions lie in that direction.
        message: String,
    },
    /// A downgrade to a revision that is not applied.
    #[error(
        "Destination {target} is not a valid downgrade target from current head(s) ({current}); it is not applied, so there is nothing to roll back to (did you mean `retort upgrade {target}`?)"
    )]
    NotDowngradeTarget {
        /// The target text.
        target: String,
        /// The current revisions, comma-separated (`<base>` when none).
        current: String,
    },
    /// The version table names a revision no file declares.
    #[error(
        "Can't locate revision identified by '{id}': the version table {table} records it as applied, but no migration file declares it{suggest}. Restore the file (e.g. from git), or if it was removed on purpose, point the database at a known revision with `retort stamp --purge <revision>`"
    )]
    UnknownCurrent {
        /// The revision id the version row holds.
        id: String,
        /// The version table.
        table: String,
        /// Similar ids, as ` (similar ids: ...)`, or empty.
        suggest: String,
    },
    /// The version table holds a revision and one of its ancestors.
    #[error(
        "Requested revision {descendant} overlaps with other requested revisions {ancestor}: the version table {table} names both, but {ancestor} is an ancestor of {descendant}. Fix it with `retort stamp --purge {descendant}`"
    )]
    Overlap {
        /// The revision that descends from the other.
        descendant: String,
        /// The revision that is its ancestor.
        ancestor: String,
        /// The version table.
        table: String,
    },
    /// The project has no migrations.
    #[error("there are no migrations yet: create one with `retort revision -m \"message\"`")]
    Empty,
}

/// Where a target starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The database's current revision (`+1`, `-2`, `label@-1`).
    Current,
    /// The single head (`head`).
    Head,
    /// Every head (`heads`).
    Heads,
    /// Before the first revision (`base`).
    Base,
    /// A revision id, unique prefix or branch label.
    Rev(String),
}

/// A parsed target: `[label@](head|heads|base|REV)[+N|-N]` or `[label@](+N|-N)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The branch label before `@`, narrowing heads and walks to one branch.
    pub branch: Option<String>,
    /// Where the target starts.
    pub anchor: Anchor,
    /// Steps forward (positive) or back (negative) from the anchor.
    pub offset: i64,
    /// The text the user typed, for messages.
    pub text: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Target {
    /// Parses a target.
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let syntax = |message: &str| TargetError::Syntax { target: text.to_string(), message: message.to_string() };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(syntax("empty target; use head, heads, base, a revision id, +N or -N"));
        }
        let (branch, rest) = match trimmed.split_once('@') {
            Some((b, r)) => {
                crate::script::check_label(b).map_err(|m| syntax(&m))?;
                (Some(b.to_string()), r)
            }
            None => (None, trimmed),
        };
        if rest.is_empty() {
            return Err(syntax("nothing after '@'; write label@head, label@+1 or label@-1"));
        }
        // The offset is a trailing +N or -N.
        let (anchor_text, offset) = match rest.rfind(['+', '-']) {
            Some(pos) => {
                let digits = &rest[pos + 1..];
                let n: i64 =
                    digits.parse().map_err(|_| syntax("expected a number after + or -, as in +1, -2 or head-1"))?;
                if n == 0 {
                    return Err(syntax("a relative step of 0 moves nowhere"));
                }
                (&rest[..pos], if rest.as_bytes()[pos] == b'-' { -n } else { n })
            }
            None => (rest, 0),
        };
        let anchor = match anchor_text {
            "" => Anchor::Current,
            "head" => Anchor::Head,
            "heads" => Anchor::Heads,
            "base" => Anchor::Base,
            other => {
                crate::script::check_label(other).map_err(|m| syntax(&m))?;
                Anchor::Rev(other.to_string())
            }
        };
        if matches!(anchor, Anchor::Heads) && offset != 0 {
            return Err(syntax("'heads' cannot take a relative step; name one head"));
        }
        Ok(Target { branch, anchor, offset, text: trimmed.to_string() })
    }
}

/// Parses `FROM:TO` (for `--sql`): either side may be empty (`:head`, `ae1f:`).
pub fn parse_range(text: &str) -> Result<(Option<Target>, Option<Target>), TargetError> {
    let (from, to) = text.split_once(':').unwrap_or(("", text));
    let parse = |s: &str| if s.is_empty() { Ok(None) } else { Target::parse(s).map(Some) };
    Ok((parse(from)?, parse(to)?))
}

/// What a resolved command must do, as absolute revisions so that it can be re-planned safely
/// when another process moved the database in between (see the executor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Apply these revisions and everything they need.
    Upgrade(Vec<Rev>),
    /// Roll back these revisions and every applied revision that needs them.
    Downgrade(Vec<Rev>),
}

/// Resolves a revision id, unique prefix or branch label.
pub fn resolve_id(graph: &RevisionGraph, id: &str) -> Result<Rev, TargetError> {
    if let Some(rev) = graph.get(id).or_else(|| graph.label(id)) {
        return Ok(rev);
    }
    let matches = graph.with_prefix(id);
    match matches.len() {
        1 => Ok(matches[0]),
        0 => Err(TargetError::Unknown { id: id.to_string(), suggest: suggestions(graph, id) }),
        _ => Err(TargetError::Ambiguous {
            prefix: id.to_string(),
            candidates: matches
                .iter()
                .map(|&r| format!("{} ({})", graph.id(r), graph.script(r).file_name()))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn suggestions(graph: &RevisionGraph, id: &str) -> String {
    let ids = (0..graph.len()).map(|r| graph.id(r));
    let labels = graph.labels().map(|(l, _)| l);
    let keywords = ["head", "heads", "base"].into_iter();
    let close = closest(id, ids.chain(labels).chain(keywords));
    if close.is_empty() {
        "; run `retort history` to list the revisions".to_string()
    } else {
        format!("; did you mean {}?", close.join(", "))
    }
}

/// Turns version rows into revisions and the applied set, checking that every row names a known
/// revision and that no row is an ancestor of another.
pub fn applied_from_rows(
    graph: &RevisionGraph,
    rows: &[String],
    table: &str,
) -> Result<(Vec<Rev>, Vec<bool>), TargetError> {
    let mut revs = Vec::with_capacity(rows.len());
    for row in rows {
        let rev = graph.get(row).ok_or_else(|| TargetError::UnknownCurrent {
            id: row.clone(),
            table: table.to_string(),
            suggest: {
                let close = closest(row, (0..graph.len()).map(|r| graph.id(r)));
                if close.is_empty() { String::new() } else { format!(" (similar ids: {})", close.join(", ")) }
            },
        })?;
        revs.push(rev);
    }
    for &rev in &revs {
        let ancestors = graph.ancestors_closure(graph.parents(rev));
        if let Some(&other) = revs.iter().find(|&&o| o != rev && ancestors[o]) {
            return Err(TargetError::Overlap {
                descendant: graph.id(rev).to_string(),
                ancestor: graph.id(other).to_string(),
                table: table.to_string(),
            });
        }
    }
    revs.sort_by_key(|&r| graph.position(r));
    let applied = graph.ancestors_closure(&revs);
    Ok((revs, applied))
}

/// A branch named by a label: its members, and what leads to it.
struct Branch {
    /// The revision carrying the label.
    labelled: Rev,
    /// The branch itself (see [`RevisionGraph::branch_members`]).
    members: Vec<bool>,
    /// The branch and every ancestor of the labelled revision: where forward walks may go.
    reach: Vec<bool>,
}

/// Resolves targets against the graph and the current version rows.
pub struct Resolver<'a> {
    graph: &'a RevisionGraph,
    current: &'a [Rev],
    applied: &'a [bool],
}

impl<'a> Resolver<'a> {
    /// A resolver for a database whose version rows are `current` (closure `applied`).
    pub fn new(graph: &'a RevisionGraph, current: &'a [Rev], applied: &'a [bool]) -> Self {
        Resolver { graph, current, applied }
    }

    fn ids(&self, revs: &[Rev]) -> String {
        if revs.is_empty() {
            return "<base>".to_string();
        }
        revs.iter().map(|&r| self.graph.id(r)).collect::<Vec<_>>().join(", ")
    }

    /// The branch a label narrows to, or `None` without a label.
    fn branch_filter(&self, target: &Target) -> Result<Option<Branch>, TargetError> {
        let Some(label) = &target.branch else { return Ok(None) };
        let labelled = resolve_id(self.graph, label)?;
        let members = self.graph.branch_members(labelled);
        let mut reach = self.graph.ancestors_closure(&[labelled]);
        for (r, m) in reach.iter_mut().zip(&members) {
            *r |= *m;
        }
        Ok(Some(Branch { labelled, members, reach }))
    }

    /// The points a target names, before any relative step. Empty means base.
    fn anchor_points(&self, target: &Target, branch: &Option<Branch>) -> Result<Vec<Rev>, TargetError> {
        match &target.anchor {
            Anchor::Rev(id) => Ok(vec![resolve_id(self.graph, id)?]),
            Anchor::Base => Ok(Vec::new()),
            Anchor::Heads => Ok(self.branch_heads(branch)),
            Anchor::Head => {
                if self.graph.is_empty() {
                    return Err(TargetError::Empty);
                }
                let heads = self.branch_heads(branch);
                if heads.len() > 1 {
                    return Err(TargetError::MultipleHeads { arg: target.text.clone(), heads: self.ids(&heads) });
                }
                Ok(heads)
            }
            Anchor::Current => {
                let current: Vec<Rev> = match branch {
                    None => self.current.to_vec(),
                    Some(b) => {
                        let on_branch: Vec<Rev> = self.current.iter().copied().filter(|&r| b.members[r]).collect();
                        if on_branch.is_empty() {
                            // Nothing of the branch is applied: start where it forks off.
                            let below: Vec<bool> = self
                                .graph
                                .ancestors_closure(&[b.labelled])
                                .iter()
                                .zip(self.applied)
                                .map(|(a, p)| *a && *p)
                                .collect();
                            self.graph.heads_of(&below)
                        } else {
                            on_branch
                        }
                    }
                };
                if current.len() > 1 {
                    let verb = if target.offset > 0 { "upgrade" } else { "downgrade" };
                    return Err(TargetError::AmbiguousWalk {
                        target: target.text.clone(),
                        message: format!(
                            "Ambiguous {verb} from multiple current revisions ({}); use <branchname>@{:+} or <revision>{:+}",
                            self.ids(&current),
                            target.offset,
                            target.offset
                        ),
                    });
                }
                Ok(current)
            }
        }
    }

    /// Heads, or the heads of one branch (reached along `Revises:` lines from the labelled revision).
    fn branch_heads(&self, branch: &Option<Branch>) -> Vec<Rev> {
        let heads = self.graph.heads();
        match branch {
            Some(b) => {
                let below = self.graph.branch_closure(&[b.labelled]);
                heads.into_iter().filter(|&h| below[h]).collect()
            }
            None => heads,
        }
    }

    /// Walks `steps` forward (positive) or back from `from` (empty = base). With a branch, forward
    /// steps stay on the way to and along it, and backward steps stop at the branch's first revision.
    /// Returns where it lands (several revisions when the last step back leaves a merge) and the
    /// revisions it passed.
    fn walk(
        &self,
        target: &Target,
        from: &[Rev],
        steps: i64,
        branch: &Option<Branch>,
    ) -> Result<(Vec<Rev>, Vec<Rev>), TargetError> {
        if from.len() > 1 {
            return Err(TargetError::AmbiguousWalk {
                target: target.text.clone(),
                message: format!("it starts from several revisions ({})", self.ids(from)),
            });
        }
        let forward = |r: &Rev| branch.as_ref().is_none_or(|b| b.reach[*r]);
        let backward = |r: &Rev| branch.as_ref().is_none_or(|b| b.members[*r]);
        let wanted = steps.unsigned_abs();
        let mut at: Vec<Rev> = from.to_vec();
        let mut walked = Vec::new();
        for done in 0..wanted {
            let origin = self.ids(&at);
            if at.len() > 1 {
                return Err(TargetError::AmbiguousWalk {
                    target: target.text.clone(),
                    message: format!("the walk reaches several revisions ({origin}); name the revision to go to"),
                });
            }
            if steps > 0 {
                let next: Vec<Rev> = match at.first() {
                    None => self.graph.bases().into_iter().filter(forward).collect(),
                    Some(&r) => self.graph.children(r).iter().copied().filter(forward).collect(),
                };
                match next.as_slice() {
                    [] => {
                        return Err(TargetError::TooFar {
                            target: target.text.clone(),
                            wanted,
                            message: format!("only {} lie ahead of {origin}", crate::text::count(done, "revision")),
                        });
                    }
                    [one] => {
                        walked.push(*one);
                        at = next;
                    }
                    many => {
                        return Err(TargetError::AmbiguousWalk {
                            target: target.text.clone(),
                            message: format!(
                                "{origin} is followed by several revisions ({}); use <branchname>@{steps:+} or a revision id",
                                self.ids(many)
                            ),
                        });
                    }
                }
            } else {
                let Some(&r) = at.first() else {
                    let end = if branch.is_some() { "the start of the branch" } else { "<base>" };
                    return Err(TargetError::TooFar {
                        target: target.text.clone(),
                        wanted,
                        message: format!(
                            "only {} lie between the start and {end}",
                            crate::text::count(done, "revision")
                        ),
                    });
                };
                walked.push(r);
                let parents: Vec<Rev> = self.graph.parents(r).iter().copied().filter(backward).collect();
                if parents.len() > 1 && done + 1 < wanted {
                    return Err(TargetError::AmbiguousWalk {
                        target: target.text.clone(),
                        message: format!(
                            "{origin} is a merge of {}; name the revision to go back to",
                            self.ids(&parents)
                        ),
                    });
                }
                at = parents;
            }
        }
        Ok((at, walked))
    }

    /// The revisions a target names (empty = base), for `upgrade`, `stamp` and `--sql` ranges.
    pub fn points(&self, target: &Target) -> Result<Vec<Rev>, TargetError> {
        let branch = self.branch_filter(target)?;
        let start = self.anchor_points(target, &branch)?;
        if target.offset == 0 {
            return Ok(start);
        }
        Ok(self.walk(target, &start, target.offset, &branch)?.0)
    }

    /// Resolves an `upgrade` target.
    pub fn upgrade(&self, target: &Target) -> Result<Operation, TargetError> {
        if self.graph.is_empty() {
            return Err(TargetError::Empty);
        }
        // A target that is already applied plans no step, as in Alembic: deploy scripts that
        // run `upgrade X` twice must not fail.
        Ok(Operation::Upgrade(self.points(target)?))
    }

    /// Resolves a `downgrade` target.
    pub fn downgrade(&self, target: &Target) -> Result<Operation, TargetError> {
        let branch = self.branch_filter(target)?;
        if target.anchor == Anchor::Current {
            if target.offset > 0 {
                return Err(TargetError::Syntax {
                    target: target.text.clone(),
                    message: "downgrade goes back: use -N (or `retort upgrade +N`)".into(),
                });
            }
            let start = self.anchor_points(target, &branch)?;
            let (_, walked) = self.walk(target, &start, target.offset, &branch)?;
            return Ok(Operation::Downgrade(walked));
        }
        if target.anchor == Anchor::Base {
            if target.offset != 0 {
                return Err(TargetError::Syntax {
                    target: target.text.clone(),
                    message: "base cannot take a relative step".into(),
                });
            }
            return Ok(Operation::Downgrade(match &branch {
                // The branch's first revisions: members whose parents are not members.
                Some(b) => (0..self.graph.len())
                    .filter(|&r| b.members[r] && !self.graph.parents(r).iter().any(|&p| b.members[p]))
                    .collect(),
                None => self.graph.bases(),
            }));
        }
        let points = self.points(target)?;
        if points.iter().any(|&p| !self.applied[p]) {
            return Err(TargetError::NotDowngradeTarget {
                target: target.text.clone(),
                current: self.ids(self.current),
            });
        }
        if points.is_empty() {
            return Ok(Operation::Downgrade(self.graph.bases()));
        }
        let roots = points
            .iter()
            .flat_map(|&p| self.graph.children(p).iter().chain(self.graph.depends_on_me(p)))
            .copied()
            .collect();
        Ok(Operation::Downgrade(roots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::graph;

    #[test]
    fn grammar() {
        let t = |s: &str| Target::parse(s).map(|t| (t.branch, t.anchor, t.offset));
        assert_eq!(t("head"), Ok((None, Anchor::Head, 0)));
        assert_eq!(t("heads"), Ok((None, Anchor::Heads, 0)));
        assert_eq!(t("base"), Ok((None, Anchor::Base, 0)));
        assert_eq!(t("+2"), Ok((None, Anchor::Current, 2)));
        assert_eq!(t("-1"), Ok((None, Anchor::Current, -1)));
        assert_eq!(t("ae1f+2"), Ok((None, Anchor::Rev("ae1f".into()), 2)));
        assert_eq!(t("ae1f-3"), Ok((None, Anchor::Rev("ae1f".into()), -3)));
        assert_eq!(t("head-1"), Ok((None, Anchor::Head, -1)));
        assert_eq!(t("auth@head"), Ok((Some("auth".into()), Anchor::Head, 0)));
        assert_eq!(t("auth@+1"), Ok((Some("auth".into()), Anchor::Current, 1)));
        assert_eq!(t("auth@-2"), Ok((Some("auth".into()), Anchor::Current, -2)));
        for bad in ["", "@head", "auth@", "+x", "-0", "a b", "heads+1", "a+"] {
            assert!(matches!(Target::parse(bad), Err(TargetError::Syntax { .. })), "{bad:?}");
        }
        let range = parse_range("ae1f:head").map(|(a, b)| (a.map(|t| t.text), b.map(|t| t.text)));
        assert_eq!(range, Ok((Some("ae1f".into()), Some("head".into()))));
    }

    fn ids(g: &RevisionGraph, revs: &[Rev]) -> Vec<String> {
        revs.iter().map(|&r| g.id(r).to_string()).collect()
    }

    /// a - b - c (linear), then c branches into d1 and e1 - e2.
    fn branched() -> RevisionGraph {
        graph(&[("a1", &[]), ("b1", &["a1"]), ("c1", &["b1"]), ("d1", &["c1"]), ("e1", &["c1"]), ("e2", &["e1"])])
    }

    fn resolve(g: &RevisionGraph, current: &[&str], target: &str, up: bool) -> Result<Vec<String>, TargetError> {
        let rows: Vec<String> = current.iter().map(|s| s.to_string()).collect();
        let (cur, applied) = applied_from_rows(g, &rows, "v")?;
        let r = Resolver::new(g, &cur, &applied);
        let t = Target::parse(target)?;
        let op = if up { r.upgrade(&t)? } else { r.downgrade(&t)? };
        let (Operation::Upgrade(revs) | Operation::Downgrade(revs)) = op;
        let mut out = ids(g, &revs);
        out.sort();
        Ok(out)
    }

    #[test]
    fn upgrade_targets() {
        let g = branched();
        assert_eq!(resolve(&g, &[], "+1", true), Ok(vec!["a1".into()]));
        assert_eq!(resolve(&g, &["a1"], "+2", true), Ok(vec!["c1".into()]));
        assert_eq!(resolve(&g, &[], "heads", true), Ok(vec!["d1".into(), "e2".into()]));
        assert!(matches!(resolve(&g, &[], "head", true), Err(TargetError::MultipleHeads { .. })));
        assert!(matches!(resolve(&g, &["b1"], "+2", true), Err(TargetError::AmbiguousWalk { .. })));
        assert!(matches!(resolve(&g, &["d1"], "+1", true), Err(TargetError::TooFar { .. })));
        assert_eq!(resolve(&g, &[], "a1+1", true), Ok(vec!["b1".into()]));
        assert_eq!(resolve(&g, &[], "e2-1", true), Ok(vec!["e1".into()]));
        assert_eq!(resolve(&g, &[], "c", true), Ok(vec!["c1".into()]));
        assert!(matches!(resolve(&g, &[], "zz", true), Err(TargetError::Unknown { .. })));
        let typo = resolve(&g, &[], "haed", true).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(typo.ends_with("did you mean head, heads?"), "{typo}");
        assert!(matches!(resolve(&g, &[], "e", true), Err(TargetError::Ambiguous { .. })));
        assert_eq!(resolve(&g, &["c1"], "a1", true), Ok(vec!["a1".into()]));
    }

    #[test]
    fn labels() {
        let g = graph(&[("a1", &[]), ("b1", &["a1"]), ("c1", &["a1"])]);
        let mut scripts: Vec<_> = (0..g.len()).map(|r| g.script(r).clone()).collect();
        scripts[2].branch_labels = vec!["auth".into()];
        let g = match RevisionGraph::build(scripts) {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(resolve(&g, &[], "auth@head", true), Ok(vec!["c1".into()]));
        assert_eq!(resolve(&g, &["a1"], "auth@+1", true), Ok(vec!["c1".into()]));
        assert_eq!(resolve(&g, &["b1", "c1"], "auth@-1", false), Ok(vec!["c1".into()]));
        assert!(matches!(resolve(&g, &["b1", "c1"], "-1", false), Err(TargetError::AmbiguousWalk { .. })));
        assert_eq!(resolve(&g, &["b1", "c1"], "auth@base", false), Ok(vec!["c1".into()]));
    }

    #[test]
    fn downgrade_targets() {
        let g = branched();
        assert_eq!(resolve(&g, &["c1"], "-1", false), Ok(vec!["c1".into()]));
        assert_eq!(resolve(&g, &["c1"], "-3", false), Ok(vec!["a1".into(), "b1".into(), "c1".into()]));
        assert!(matches!(resolve(&g, &["c1"], "-4", false), Err(TargetError::TooFar { .. })));
        assert_eq!(resolve(&g, &["c1"], "a1", false), Ok(vec!["b1".into()]));
        assert_eq!(resolve(&g, &["d1", "e2"], "c1", false), Ok(vec!["d1".into(), "e1".into()]));
        assert_eq!(resolve(&g, &["d1"], "base", false), Ok(vec!["a1".into()]));
        assert!(matches!(resolve(&g, &["b1"], "d1", false), Err(TargetError::NotDowngradeTarget { .. })));
        assert!(matches!(resolve(&g, &["b1"], "+1", false), Err(TargetError::Syntax { .. })));
    }

    #[test]
    fn version_rows_are_checked() {
        let g = branched();
        let rows = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches!(applied_from_rows(&g, &rows(&["zz"]), "v"), Err(TargetError::UnknownCurrent { .. })));
        assert!(matches!(applied_from_rows(&g, &rows(&["c1", "a1"]), "v"), Err(TargetError::Overlap { .. })));
        assert!(applied_from_rows(&g, &rows(&["d1", "e1"]), "v").is_ok());
    }
}
