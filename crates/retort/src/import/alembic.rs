//! `retort import alembic`: an Alembic project's revisions as retort migration files, with the
//! same ids, parents, labels and dependencies, and the SQL Alembic itself renders for them.
//!
//! The rendering is done by Alembic, in one Python process (the project's own Python, so its
//! packages import), by a small program shipped inside retort (`alembic.py`): it runs each
//! revision module under Alembic's `MigrationContext` and `Operations` in offline mode, without the
//! project's `env.py`. A revision that cannot render offline (it reads rows through
//! `op.get_bind()`, reflects, commits) is captured online instead: a second pass runs the whole
//! chain, in graph order, on an empty scratch database of the same dialect and records what each
//! such revision executed. A downgrade that raises there too is imported as irreversible.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dialect::Dialect;
use crate::graph::RevisionGraph;
use crate::project::Project;
use crate::script::{Script, Section, check_id, check_label, file_stem, slugify};
use crate::statements::split;
use crate::url::DatabaseUrl;

/// The program that renders the revisions (sent to Python on stdin, after the request).
const PROGRAM: &str = include_str!("alembic.py");

/// The comment that opens a section captured online.
pub const CAPTURED_ONLINE: &str = "-- review: captured online, on a scratch database holding only what earlier revisions wrote; statements and values that depend on your rows may be missing or wrong (delete this line once checked)";

/// Why an Alembic project could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// PATH is neither an ini file nor a versions folder.
    #[error("{path}: {message}")]
    Locate {
        /// The PATH given.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// Python did not render the project (not found, Alembic missing, the ini unreadable, ...).
    #[error(transparent)]
    Python(#[from] crate::python::PythonError),
    /// Some revisions could not be imported at all; nothing was written.
    #[error(
        "{} could not be imported, so nothing was written:\n{}",
        if problems.len() == 1 { "1 revision".to_string() } else { format!("{} revisions", problems.len()) },
        problems.iter().map(|p| format!("  {}: {}", p.revision, p.reason)).collect::<Vec<_>>().join("\n")
    )]
    Unimportable {
        /// Each revision that could not be imported, and why.
        problems: Vec<Problem>,
    },
    /// The migrations folder already holds revisions.
    #[error(
        "{dir} already holds {count} revisions; `retort import alembic` starts a project from an Alembic history: run it in a new project (`retort init`), or move those files away"
    )]
    NotEmpty {
        /// The migrations folder.
        dir: String,
        /// How many revisions it holds.
        count: usize,
    },
    /// The scratch database for online capture could not be created.
    #[error("cannot create a scratch database to capture revisions that do not render offline: {0}")]
    Scratch(String),
    /// The imported files do not form a valid graph (should not happen for a valid Alembic project).
    #[error("the imported revisions do not form a valid graph: {0}")]
    Graph(#[from] crate::graph::GraphError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file (or folder) being written.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A revision that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The Alembic revision id (or its file, when the id is unusable).
    pub revision: String,
    /// What went wrong.
    pub reason: String,
}

/// Where the Alembic project is: its ini file and/or its versions folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlembicSource {
    /// `alembic.ini` (its `script_location`, `version_locations` and `prepend_sys_path` apply).
    pub ini: Option<PathBuf>,
    /// A versions folder given directly.
    pub versions: Option<PathBuf>,
}

impl AlembicSource {
    /// Reads PATH: an ini file, a folder holding `alembic.ini`, or a versions folder.
    pub fn locate(path: &Path) -> Result<AlembicSource, ImportError> {
        let err = |message: &str| ImportError::Locate { path: path.display().to_string(), message: message.into() };
        let absolute = std::path::absolute(path).map_err(|e| err(&e.to_string()))?;
        if absolute.is_file() {
            return Ok(AlembicSource { ini: Some(absolute), versions: None });
        }
        if !absolute.is_dir() {
            return Err(err(
                "no such file or folder; pass the Alembic project's alembic.ini or its versions/ folder (default: ./alembic.ini)",
            ));
        }
        if absolute.join("alembic.ini").is_file() {
            return Ok(AlembicSource { ini: Some(absolute.join("alembic.ini")), versions: None });
        }
        let has_py = |dir: &Path| {
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries.filter_map(Result::ok).any(|e| e.path().extension().is_some_and(|x| x == "py"))
            })
        };
        // The script folder (env.py, versions/): its project's ini when it sits above, else versions/.
        let script_folder = absolute.join("env.py").is_file() || !has_py(&absolute);
        if absolute.join("versions").is_dir() && script_folder {
            if let Some(ini) = absolute.parent().map(|p| p.join("alembic.ini")).filter(|p| p.is_file()) {
                return Ok(AlembicSource { ini: Some(ini), versions: None });
            }
            return Ok(AlembicSource { ini: None, versions: Some(absolute.join("versions")) });
        }
        if has_py(&absolute) {
            return Ok(AlembicSource { ini: None, versions: Some(absolute) });
        }
        Err(err("holds neither alembic.ini nor Alembic revision files (*.py)"))
    }

    /// The folder Python runs in (and where the application's packages import from): the ini's (Alembic resolves `prepend_sys_path = .` from there,
    /// as when `alembic` runs next to its ini), else the versions folder's parent.
    pub fn workdir(&self) -> PathBuf {
        let anchor = self.ini.as_deref().or(self.versions.as_deref()).unwrap_or(Path::new("."));
        anchor.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
    }

    /// The Python to use when none is configured: the project's virtualenv when there is one
    /// (`.venv/bin/python` next to the ini or a folder up), else `python3` on PATH.
    pub fn default_python(&self) -> String {
        let mut dir = Some(self.workdir());
        for _ in 0..3 {
            let Some(d) = dir else { break };
            for venv in [".venv", "venv"] {
                let python = d.join(venv).join("bin").join("python");
                if python.is_file() {
                    return python.display().to_string();
                }
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        "python3".into()
    }
}

/// How one section (upgrade or downgrade) was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendering {
    /// Alembic's offline (`--sql`) rendering.
    Offline,
    /// Recorded while it ran on an empty scratch database.
    Online,
    /// Run on the empty scratch database, where it executed nothing that writes: what it does
    /// depends on rows, and its SQL must be written by hand.
    OnlineEmpty,
    /// The downgrade raises (on purpose, or it cannot run): imported as an empty section.
    Irreversible(String),
}

/// One imported revision.
#[derive(Debug, Clone)]
pub struct ImportedFile {
    /// The revision id (Alembic's, unchanged).
    pub revision: String,
    /// The file written.
    pub path: PathBuf,
    /// The Alembic file it came from.
    pub source: PathBuf,
    /// How the upgrade was obtained.
    pub upgrade: Rendering,
    /// How the downgrade was obtained.
    pub downgrade: Rendering,
}

impl ImportedFile {
    /// Why a person should read this file before trusting it (empty: nothing to review).
    pub fn review(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, r) in [("upgrade", &self.upgrade), ("downgrade", &self.downgrade)] {
            match r {
                Rendering::Offline => {}
                Rendering::Online => out.push(format!("{name} captured online")),
                Rendering::OnlineEmpty => {
                    out.push(format!("{name} captured online, where it wrote nothing: write its SQL by hand"))
                }
                Rendering::Irreversible(why) => out.push(format!("irreversible ({why})")),
            }
        }
        out
    }
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The files written, in graph order.
    pub files: Vec<ImportedFile>,
    /// Alembic's version, as the renderer reported it.
    pub alembic: String,
    /// SQLAlchemy's version.
    pub sqlalchemy: String,
    /// The version table the project's env.py configures (`alembic_version` unless it says otherwise).
    pub version_table: String,
    /// Why the project's env.py could not be run to learn its options (its `target_metadata`,
    /// whose naming convention names constraints, and the version table); None when it was.
    pub env_problem: Option<String>,
    /// The schema env.py keeps its version table in (`version_table_schema`), when it sets one.
    pub version_table_schema: Option<String>,
}

impl ImportReport {
    /// How many sections were obtained each way: (offline revisions, online revisions, irreversible).
    pub fn counts(&self) -> ImportCounts {
        let mut c = ImportCounts { imported: self.files.len(), ..ImportCounts::default() };
        for f in &self.files {
            if f.upgrade == Rendering::Offline && !matches!(f.downgrade, Rendering::Online | Rendering::OnlineEmpty) {
                c.offline += 1;
            } else {
                c.online += 1;
            }
            if matches!(f.downgrade, Rendering::Irreversible(_)) {
                c.irreversible += 1;
            }
            if !f.review().is_empty() {
                c.review += 1;
            }
        }
        c
    }
}

/// The numbers of the import's summary table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Revisions written.
    pub imported: usize,
    /// Revisions rendered entirely offline.
    pub offline: usize,
    /// Revisions with a section captured online.
    pub online: usize,
    /// Revisions without a downgrade.
    pub irreversible: usize,
    /// Revisions that need a person's review.
    pub review: usize,
}

/// How to run the import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The Python interpreter (with Alembic and the project's packages).
    pub python: String,
    /// The database the project targets: its dialect is rendered for, and online capture runs
    /// next to it (a temporary SQLite file; a temporary database on the same PostgreSQL server,
    /// or `[schema] dev_url`'s).
    pub scratch: DatabaseUrl,
}

// What the Python program answers.

#[derive(Debug, Deserialize)]
struct Answer {
    /// The version table env.py configures (None: Alembic's default, `alembic_version`).
    #[serde(default)]
    version_table: Option<String>,
    /// Why env.py could not be run to learn its options (None: it was).
    #[serde(default)]
    env_problem: Option<String>,
    /// The schema env.py keeps the version table in (`version_table_schema`).
    #[serde(default)]
    version_table_schema: Option<String>,
    #[serde(default)]
    alembic: String,
    #[serde(default)]
    sqlalchemy: String,
    #[serde(default)]
    revisions: Vec<Rendered>,
}

#[derive(Debug, Clone, Deserialize)]
struct Rendered {
    revision: String,
    parents: Vec<String>,
    branch_labels: Vec<String>,
    depends_on: Vec<String>,
    message: String,
    created: Option<String>,
    path: PathBuf,
    upgrade: RenderedSection,
    downgrade: RenderedSection,
    #[serde(default)]
    blocked: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct RenderedSection {
    mode: Mode,
    #[serde(default)]
    sql: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    online_error: Option<String>,
    /// Statements whose bound parameters could not be written as SQL.
    #[serde(default)]
    unrendered: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Offline,
    Online,
    Failed,
    Irreversible,
    Missing,
}

/// A scratch database for online capture, removed when dropped.
enum Scratch {
    Sqlite(tempfile::TempDir),
    Postgres { database: Box<crate::dialect::postgres::ScratchDatabase>, url: String },
}

impl Scratch {
    fn create(near: &DatabaseUrl) -> Result<Scratch, ImportError> {
        match near {
            DatabaseUrl::Sqlite(_) => {
                let dir = tempfile::tempdir().map_err(|e| ImportError::Scratch(e.to_string()))?;
                Ok(Scratch::Sqlite(dir))
            }
            DatabaseUrl::Postgres(url) => {
                let mut database = crate::dialect::postgres::ScratchDatabase::create(url)
                    .map_err(|e| ImportError::Scratch(e.to_string()))?;
                // Python connects on its own; this connection would only hold the database open.
                database.driver = None;
                Ok(Scratch::Postgres { database: Box::new(database), url: url.clone() })
            }
            DatabaseUrl::Mysql(_) => Err(ImportError::Scratch(
                "capturing revisions online on MySQL/MariaDB is not supported yet; point [database] url at SQLite or PostgreSQL for the import, or make the revisions render offline (alembic upgrade --sql)".into(),
            )),
        }
    }

    /// The request's `scratch` object: how the Python program connects.
    fn request(&self) -> Result<serde_json::Value, ImportError> {
        Ok(match self {
            Scratch::Sqlite(dir) => serde_json::json!({
                "dialect": "sqlite",
                "path": dir.path().join("scratch.db").display().to_string(),
            }),
            Scratch::Postgres { database, url } => {
                let parts = crate::dialect::postgres::connection_parts(url, database.name())
                    .map_err(|e| ImportError::Scratch(e.to_string()))?;
                let mut value = serde_json::to_value(parts).map_err(|e| ImportError::Scratch(e.to_string()))?;
                value["dialect"] = "postgresql".into();
                value
            }
        })
    }
}

/// Runs the rendering program once.
fn run_python(
    source: &AlembicSource,
    options: &ImportOptions,
    scratch: Option<&Scratch>,
) -> Result<Answer, ImportError> {
    let request = serde_json::json!({
        "ini": source.ini.as_ref().map(|p| p.display().to_string()),
        "versions": source.versions.as_ref().map(|p| p.display().to_string()),
        "dialect": crate::dialect::Dialect::sqlalchemy_name(options.scratch.dialect()),
        "scratch": match scratch { Some(s) => s.request()?, None => serde_json::Value::Null },
    });
    Ok(crate::python::run(&options.python, &source.workdir(), "import alembic", PROGRAM, request)?)
}

/// Renders every revision of the Alembic project (offline, then online where needed).
fn render(source: &AlembicSource, options: &ImportOptions) -> Result<Answer, ImportError> {
    let answer = run_python(source, options, None)?;
    let failed = answer.revisions.iter().any(|r| r.upgrade.mode == Mode::Failed || r.downgrade.mode == Mode::Failed);
    if !failed {
        return Ok(answer);
    }
    let scratch = Scratch::create(&options.scratch)?;
    run_python(source, options, Some(&scratch))
}

/// A section's SQL as a retort migration holds it: one statement per paragraph, without
/// Alembic's bookkeeping (transaction control, the `alembic_version` table), which retort's
/// executor does itself. Returns the text and whether statements ran outside a transaction
/// (Alembic's `autocommit_block`).
fn clean(sql: &str, dialect: Dialect) -> Result<(String, bool), String> {
    let section = Section { sql: sql.to_string(), first_line: 1 };
    let statements = split(&section, dialect).map_err(|e| format!("line {}: {}", e.line, e.message))?;
    let mut out = Vec::new();
    let mut outside = false;
    for s in statements {
        if s.is_transaction_control() {
            outside = true;
            continue;
        }
        if mentions_alembic_version(&s.sql) {
            continue;
        }
        // The text as Alembic rendered it (a string literal may hold trailing spaces).
        out.push(format!("{};", s.sql.trim()));
    }
    let mut text = out.join("\n\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok((text, outside))
}

/// Alembic's own bookkeeping statements (its version table).
fn mentions_alembic_version(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| w.trim_matches(['"', '`']).to_ascii_lowercase())
        .collect();
    let head: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        head.as_slice(),
        ["create", "table", "alembic_version", ..]
            | ["insert", "into", "alembic_version", ..]
            | ["update", "alembic_version", ..]
            | ["delete", "from", "alembic_version", ..]
    )
}

/// Imports the Alembic project at `source` into `project` (whose migrations folder must hold no
/// revisions yet): writes one file per revision and the sum file. Nothing is written when a
/// revision cannot be imported.
pub fn import(project: &Project, source: &AlembicSource, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let dir = project.config.migrations_dir();
    if !project.graph.is_empty() {
        return Err(ImportError::NotEmpty { dir: dir.display().to_string(), count: project.graph.len() });
    }
    let dialect = options.scratch.dialect();
    let answer = render(source, options)?;
    let mut problems = Vec::new();
    let mut scripts = Vec::new();
    let mut files = Vec::new();
    let mut stems = std::collections::HashSet::new();
    for r in &answer.revisions {
        let problem = |reason: String| Problem { revision: r.revision.clone(), reason };
        let ids = std::iter::once(&r.revision).chain(&r.parents).chain(&r.depends_on);
        let bad =
            ids.filter_map(|id| check_id(id).err()).chain(r.branch_labels.iter().filter_map(|l| check_label(l).err()));
        if let Some(message) = bad.into_iter().next() {
            problems.push(problem(format!("{} ({})", message, r.path.display())));
            continue;
        }
        let upgrade = match section(&r.upgrade, "upgrade", dialect) {
            Ok(s) => s,
            Err(reason) => {
                problems.push(problem(format!("{reason} ({})", r.path.display())));
                continue;
            }
        };
        let downgrade = match section(&r.downgrade, "downgrade", dialect) {
            Ok(s) => s,
            Err(reason) => {
                problems.push(problem(format!("{reason} ({})", r.path.display())));
                continue;
            }
        };
        let slug = slugify(&r.message);
        let mut stem = file_stem(&r.revision);
        while !stems.insert(stem.clone()) {
            stem.push('_');
        }
        let name =
            if slug.is_empty() || stem.ends_with(&slug) { format!("{stem}.sql") } else { format!("{stem}_{slug}.sql") };
        let path = dir.join(name);
        let script = Script {
            revision: r.revision.clone(),
            parents: r.parents.clone(),
            branch_labels: r.branch_labels.clone(),
            depends_on: r.depends_on.clone(),
            message: r.message.clone(),
            created: r.created.clone(),
            transactional: upgrade.transactional && downgrade.transactional,
            upgrade: Section { sql: upgrade.sql, first_line: 0 },
            downgrade: Section { sql: downgrade.sql, first_line: 0 },
            path: path.clone(),
            chained: false,
            lines: Default::default(),
        };
        // The file must read back as written (a message that reads as a header key would not).
        let text = script.render();
        match Script::parse(&text, &path) {
            Ok(back) if back.revision == script.revision && back.parents == script.parents => {}
            Ok(_) => {
                problems.push(problem(format!("its message {:?} reads as a header line", r.message)));
                continue;
            }
            Err(e) => {
                problems.push(problem(e.to_string()));
                continue;
            }
        }
        files.push(ImportedFile {
            revision: r.revision.clone(),
            path,
            source: r.path.clone(),
            upgrade: upgrade.rendering,
            downgrade: downgrade.rendering,
        });
        scripts.push((script, text));
    }
    if let Some(at) = answer.revisions.iter().position(|r| r.blocked) {
        // The online run stopped there: name it, and say why the ones after it were not captured.
        let blocked = &answer.revisions[at];
        let reason = blocked.upgrade.online_error.as_deref().or(blocked.downgrade.online_error.as_deref());
        problems.retain(|p| p.revision != blocked.revision);
        problems
            .insert(0, Problem { revision: blocked.revision.clone(), reason: reason.unwrap_or_default().to_string() });
        for p in &mut problems {
            let later = answer.revisions[at + 1..].iter().any(|r| r.revision == p.revision);
            if later {
                p.reason = format!("not captured: the online run stopped at {} (above)", blocked.revision);
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Unimportable { problems });
    }
    let graph = RevisionGraph::build(scripts.iter().map(|(s, _)| s.clone()).collect())?;
    let werr = |path: &Path| {
        let path = path.display().to_string();
        move |source| ImportError::Write { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(werr(&dir))?;
    for (script, text) in &scripts {
        std::fs::write(&script.path, text).map_err(werr(&script.path))?;
    }
    crate::sum::write(&dir, &graph).map_err(werr(&crate::sum::path(&dir)))?;
    Ok(ImportReport {
        files,
        alembic: answer.alembic,
        sqlalchemy: answer.sqlalchemy,
        version_table: answer.version_table.unwrap_or_else(|| "alembic_version".into()),
        env_problem: answer.env_problem,
        version_table_schema: answer.version_table_schema,
    })
}

/// One section, ready for the file.
struct Imported {
    sql: String,
    rendering: Rendering,
    transactional: bool,
}

fn section(r: &RenderedSection, name: &str, dialect: Dialect) -> Result<Imported, String> {
    if let Some(statement) = r.unrendered.first() {
        return Err(format!(
            "its {name} ran {} whose bound parameters retort cannot write as SQL (the driver offers no way to), e.g.: {}; install psycopg2 in that Python, or write the revision's SQL by hand",
            crate::text::count(r.unrendered.len(), "statement"),
            statement.lines().next().unwrap_or_default()
        ));
    }
    let rendered = |rendering: Rendering, note: Option<&str>| -> Result<Imported, String> {
        let (sql, outside) =
            clean(r.sql.as_deref().unwrap_or_default(), dialect).map_err(|e| format!("its {name} SQL: {e}"))?;
        let sql = match note {
            Some(note) => format!("{note}\n{sql}"),
            None => sql,
        };
        Ok(Imported { sql, rendering, transactional: !outside })
    };
    match r.mode {
        Mode::Offline => rendered(Rendering::Offline, None),
        Mode::Online if r.sql.as_deref().is_none_or(|s| s.trim().is_empty()) => Ok(Imported {
            sql: format!(
                "{CAPTURED_ONLINE}\n-- review: it executed no writing statement there; write the SQL this {name} must run by hand\n"
            ),
            rendering: Rendering::OnlineEmpty,
            transactional: true,
        }),
        Mode::Online => rendered(Rendering::Online, Some(CAPTURED_ONLINE)),
        Mode::Irreversible if name == "downgrade" => {
            let why = r.error.clone().unwrap_or_else(|| "its downgrade raised".into());
            Ok(Imported {
                sql: format!(
                    "-- irreversible: Alembic's downgrade() raised {why}\n-- (an empty downgrade section: retort refuses to downgrade past this revision)\n"
                ),
                rendering: Rendering::Irreversible(first_line(&why)),
                transactional: true,
            })
        }
        Mode::Failed if name == "downgrade" => {
            // Not reached online (an earlier revision failed there); reported by `blocked`.
            let why = r.error.clone().unwrap_or_default();
            Err(format!("its downgrade does not render offline ({})", first_line(&why)))
        }
        Mode::Missing if name == "downgrade" => Ok(Imported {
            sql: "-- irreversible: the Alembic revision defines no downgrade()\n".into(),
            rendering: Rendering::Irreversible("no downgrade()".into()),
            transactional: true,
        }),
        _ => {
            let why = r.online_error.as_deref().or(r.error.as_deref()).unwrap_or("it defines no upgrade()");
            Err(format!("its {name} could not be rendered: {}", first_line(why)))
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_drops_alembic_bookkeeping_only() {
        let sql = "BEGIN;\n\nCREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL\n);\n\n\
                   CREATE TABLE t (\n    id INTEGER NOT NULL, \n    PRIMARY KEY (id)\n);\n\n\
                   INSERT INTO alembic_version (version_num) VALUES ('a');\n\n\
                   UPDATE alembic_versions SET x = 1;\n\nCOMMIT;\n";
        let (text, outside) = clean(sql, Dialect::Postgres).unwrap();
        // Statements keep their text as rendered (a string literal may end lines with spaces).
        assert_eq!(
            text,
            "CREATE TABLE t (\n    id INTEGER NOT NULL, \n    PRIMARY KEY (id)\n);\n\nUPDATE alembic_versions SET x = 1;\n"
        );
        assert!(outside, "BEGIN/COMMIT inside a section mean Alembic's autocommit_block");
        let (text, outside) = clean("ALTER TABLE a ADD COLUMN b INT;\n", Dialect::Sqlite).unwrap();
        assert_eq!(text, "ALTER TABLE a ADD COLUMN b INT;\n");
        assert!(!outside);
    }

    #[test]
    fn file_names_keep_ids_readable() {
        assert_eq!(file_stem("ws.members_2"), "ws.members_2");
        assert_eq!(file_stem("a*b%c"), "a_b_c");
    }
}
