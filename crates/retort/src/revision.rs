//! Writing new migration files: `retort revision` and `retort merge`.

use std::io::Write;
use std::path::PathBuf;

use crate::graph::Rev;
use crate::project::Project;
use crate::script::{Script, Section, check_id, check_label, file_stem, slugify};
use crate::target::{Resolver, Target, TargetError, resolve_id};

/// Why a new revision could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    /// The parent could not be settled.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// Several heads and no `--head`.
    #[error(
        "Multiple heads are present ({heads}); please specify the head revision on which the new revision should be based with --head REV (or label@head), or perform a merge first: `retort merge heads -m \"merge\"`"
    )]
    MultipleHeads {
        /// The head revisions, comma-separated.
        heads: String,
    },
    /// `--head` names a revision that already has children.
    #[error("Revision {revision} is not a head revision; pass --splice to start a new branch from it")]
    NotAHead {
        /// The revision `--head` names.
        revision: String,
    },
    /// `--rev-id` is invalid or taken.
    #[error("--rev-id {id}: {message}")]
    BadId {
        /// The id (or branch label) asked for.
        id: String,
        /// Why it cannot be used.
        message: String,
    },
    /// A merge needs two revisions or more.
    #[error("a merge needs at least two revisions to join; `retort heads` lists them ({found} given or found)")]
    NothingToMerge {
        /// How many distinct revisions were given or found.
        found: usize,
    },
    /// The new file would not read back as written (a message line that reads as a header key).
    #[error(
        "the new revision would not read back as written: {0}; reword the message or the option and retry (nothing was written)"
    )]
    Unreadable(String),
    /// The new revision would make the graph invalid (a duplicate branch label, say).
    #[error("{0} (nothing was written)")]
    Graph(#[from] crate::graph::GraphError),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file being written (the new revision, or `retort.sum`).
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What `retort revision` was asked for.
#[derive(Debug, Clone, Default)]
pub struct NewRevision {
    /// The message (any language; the file name slug keeps its ASCII words).
    pub message: String,
    /// The parent: a head, `label@head`, `base` for a new root; default: the single head.
    pub head: Option<String>,
    /// Allow `head` to name a revision that is not a head (starts a branch).
    pub splice: bool,
    /// Branch labels for the new revision.
    pub branch_labels: Vec<String>,
    /// Revisions the new one depends on.
    pub depends_on: Vec<String>,
    /// A chosen id instead of a random one.
    pub rev_id: Option<String>,
    /// Upgrade SQL to start with.
    pub upgrade: String,
    /// Downgrade SQL to start with.
    pub downgrade: String,
    /// Run outside a transaction.
    pub non_transactional: bool,
}

fn ids(project: &Project, revs: &[Rev]) -> Vec<String> {
    revs.iter().map(|&r| project.graph.id(r).to_string()).collect()
}

/// Settles the parent revisions of a new revision.
fn parents(project: &Project, head: Option<&str>, splice: bool) -> Result<Vec<String>, RevisionError> {
    let graph = &project.graph;
    let Some(head) = head else {
        let heads = graph.heads();
        if heads.len() > 1 {
            return Err(RevisionError::MultipleHeads { heads: ids(project, &heads).join(", ") });
        }
        return Ok(ids(project, &heads));
    };
    let target = Target::parse(head)?;
    let resolver = Resolver::new(graph, &[], &[]);
    let points = resolver.points(&target)?;
    if let [one] = points.as_slice()
        && !graph.children(*one).is_empty()
        && !splice
    {
        return Err(RevisionError::NotAHead { revision: graph.id(*one).to_string() });
    }
    Ok(ids(project, &points))
}

fn new_id(project: &Project, wanted: Option<&str>) -> Result<String, RevisionError> {
    if let Some(id) = wanted {
        check_id(id).map_err(|message| RevisionError::BadId { id: id.to_string(), message })?;
        if project.graph.get(id).is_some() || project.graph.label(id).is_some() {
            return Err(RevisionError::BadId {
                id: id.to_string(),
                message: "a revision or label with this id exists already".into(),
            });
        }
        return Ok(id.to_string());
    }
    loop {
        let id: String = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        if project.graph.get(&id).is_none() {
            return Ok(id);
        }
    }
}

fn write(project: &Project, script: &mut Script) -> Result<PathBuf, RevisionError> {
    let dir = project.config.migrations_dir();
    let slug = slugify(&script.message);
    let stem = file_stem(&script.revision);
    let name = if slug.is_empty() { format!("{stem}.sql") } else { format!("{stem}_{slug}.sql") };
    let path = dir.join(name);
    // Refuse to write a file that would not parse back the same, or would break the graph.
    let text = script.render();
    let back = Script::parse(&text, &path).map_err(|e| RevisionError::Unreadable(e.to_string()))?;
    let same = back.revision == script.revision
        && back.parents == script.parents
        && back.branch_labels == script.branch_labels
        && back.depends_on == script.depends_on
        && back.message == script.message.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    if !same {
        return Err(RevisionError::Unreadable(format!(
            "a message line reads as a header key or section marker ({:?})",
            script.message
        )));
    }
    let mut all: Vec<Script> = (0..project.graph.len()).map(|r| project.graph.script(r).clone()).collect();
    all.push(back);
    let graph = crate::graph::RevisionGraph::build(all)?;
    let werr = |source| RevisionError::Write { path: path.display().to_string(), source };
    std::fs::create_dir_all(&dir).map_err(werr)?;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(werr)?;
    file.write_all(text.as_bytes()).map_err(werr)?;
    drop(file);
    crate::sum::write(&dir, &graph)
        .map_err(|source| RevisionError::Write { path: crate::sum::path(&dir).display().to_string(), source })?;
    script.path = path.clone();
    Ok(path)
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%:z").to_string()
}

/// Writes a new revision file and returns it.
pub fn create(project: &Project, new: &NewRevision) -> Result<Script, RevisionError> {
    let parents = parents(project, new.head.as_deref(), new.splice)?;
    let depends_on = new
        .depends_on
        .iter()
        .map(|d| resolve_id(&project.graph, d).map(|r| project.graph.id(r).to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    for label in &new.branch_labels {
        check_label(label).map_err(|message| RevisionError::BadId { id: label.clone(), message })?;
    }
    let mut script = Script {
        revision: new_id(project, new.rev_id.as_deref())?,
        parents,
        branch_labels: new.branch_labels.clone(),
        depends_on,
        message: new.message.clone(),
        created: Some(now()),
        transactional: !new.non_transactional,
        upgrade: Section { sql: new.upgrade.clone(), first_line: 0 },
        downgrade: Section { sql: new.downgrade.clone(), first_line: 0 },
        path: PathBuf::new(),
        chained: false,
        lines: Default::default(),
    };
    write(project, &mut script)?;
    Ok(script)
}

/// Writes a merge revision joining `revisions` (`heads` means every head).
pub fn merge(
    project: &Project,
    revisions: &[String],
    message: &str,
    branch_labels: &[String],
    rev_id: Option<&str>,
) -> Result<Script, RevisionError> {
    let graph = &project.graph;
    let mut parents: Vec<Rev> = Vec::new();
    let resolver = Resolver::new(graph, &[], &[]);
    for r in revisions {
        for p in resolver.points(&Target::parse(r)?)? {
            if !parents.contains(&p) {
                parents.push(p);
            }
        }
    }
    if parents.len() < 2 {
        return Err(RevisionError::NothingToMerge { found: parents.len() });
    }
    for label in branch_labels {
        check_label(label).map_err(|message| RevisionError::BadId { id: label.clone(), message })?;
    }
    let parent_ids = ids(project, &parents);
    let message = if message.is_empty() { format!("merge {}", parent_ids.join(", ")) } else { message.to_string() };
    let mut script = Script {
        revision: new_id(project, rev_id)?,
        parents: parent_ids,
        branch_labels: branch_labels.to_vec(),
        depends_on: Vec::new(),
        message,
        created: Some(now()),
        transactional: true,
        upgrade: Section::default(),
        downgrade: Section::default(),
        path: PathBuf::new(),
        chained: false,
        lines: Default::default(),
    };
    write(project, &mut script)?;
    Ok(script)
}
