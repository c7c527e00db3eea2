//! Autogenerate: compare the live database with the desired schema and write the migration that
//! moves one to the other, with its exact reverse as the downgrade.
//!
//! inspect (live) + load (desired) -> diff -> render, both ways: the downgrade is the diff taken
//! from the desired schema back to the live one, with the upgrade's renames turned around, so it
//! restores the previous schema exactly (dropped columns come back with their type, default and
//! constraints; types created for a table go away with it).

use retort_schema::change::Change;
use retort_schema::diff::{DiffOptions, Renames, diff, for_existing_rows};
use retort_schema::render::{changes as render_changes, section};
use retort_schema::{Name, Schema};

use crate::driver::{Access, ConnectError, connect};
use crate::executor::{ApplyError, Migrator};
use crate::inspect::InspectError;
use crate::load::{LoadError, SourceFile, load, read_sources};
use crate::project::Project;
use crate::url::DatabaseUrl;

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AutogenError {
    /// The database could not be opened.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The desired schema could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The database could not be inspected.
    #[error(transparent)]
    Inspect(#[from] InspectError),
    /// `[schema] dev_url` is malformed.
    #[error(transparent)]
    DevUrl(#[from] crate::url::UrlError),
    /// The version table could not be read.
    #[error(transparent)]
    State(#[from] ApplyError),
    /// The database is not at the head revision(s), so a diff would mix pending migrations in.
    #[error(
        "Target database is not up to date.\n  current: {current}\n  heads:   {heads}\n  pending: {}\nRun `retort upgrade heads` first, then generate the new revision.",
        pending.join(", ")
    )]
    NotUpToDate {
        /// The revisions the database is at, comma-separated (`<base>` when none).
        current: String,
        /// The head revisions, comma-separated.
        heads: String,
        /// The ids of the revisions an upgrade to the heads would apply.
        pending: Vec<String>,
    },
}

/// The live schema, the desired one, and the migration between them.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// What the database holds.
    pub live: Schema,
    /// What the schema files describe.
    pub desired: Schema,
    /// The migration from live to desired.
    pub generated: Generated,
}

/// Inspects the database at `url`, loads the project's desired schema, and diffs them.
/// With `require_head`, refuses when the database is not at the head revision(s).
pub fn compare(
    project: &Project,
    url: &DatabaseUrl,
    detect_renames: bool,
    require_head: bool,
) -> Result<Comparison, AutogenError> {
    compare_in(project, url, None, detect_renames, require_head)
}

/// [`compare`] for one schema of the database (a tenant's, PostgreSQL): the schema is inspected
/// instead of `[schema] schemas`, and the desired schema is loaded with its unqualified names in
/// that schema, as the tenant's migrations created them.
pub fn compare_in(
    project: &Project,
    url: &DatabaseUrl,
    schema: Option<&str>,
    detect_renames: bool,
    require_head: bool,
) -> Result<Comparison, AutogenError> {
    let dialect = url.dialect();
    let mut options = project.inspect_options(dialect);
    if let Some(schema) = schema {
        options.schemas = vec![schema.to_string()];
    }
    // One connection reads both the version table and the schema.
    let driver = crate::driver::connect_in(url, schema, Access::ReadOnly, project.lock_timeout())?;
    let mut migrator = Migrator::new(&project.graph, driver, project.tables(dialect), project.run_options(false));
    if require_head {
        let (current, _) = migrator.state()?;
        let heads = project.graph.heads();
        let mut sorted_current = current.clone();
        sorted_current.sort();
        let mut sorted_heads = heads.clone();
        sorted_heads.sort();
        if sorted_current != sorted_heads {
            let ids = |revs: &[usize]| {
                if revs.is_empty() {
                    "<base>".to_string()
                } else {
                    revs.iter().map(|&r| project.graph.id(r)).collect::<Vec<_>>().join(", ")
                }
            };
            let (_, applied) = migrator.state()?;
            let pending =
                crate::plan::plan(&project.graph, &current, &crate::target::Operation::Upgrade(heads.clone()))
                    .into_iter()
                    .filter(|s| !applied[s.rev])
                    .map(|s| project.graph.id(s.rev).to_string())
                    .collect();
            return Err(AutogenError::NotUpToDate { current: ids(&current), heads: ids(&heads), pending });
        }
    }
    // The desired schema is loaded on its own connection while this one inspects the database:
    // the two are independent, and together they are most of the time `check` takes.
    let scratch_url = project.scratch_url(url)?;
    let (live, loaded) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| -> Result<_, LoadError> {
            let mut sources = read_sources(&project.config, url.dialect())?;
            if let Some(schema) = schema {
                sources.insert(0, in_schema(schema));
            }
            let desired = load(&sources, &scratch_url, &options)?;
            Ok((sources, desired))
        });
        let live = migrator.inspect(&options);
        let loaded = loading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (live, loaded)
    });
    let live = live?;
    let (sources, desired) = loaded?;
    let renames = rename_hints(&sources, options.schemas.first().map(String::as_str));
    let generated = generate(&live, &desired, &renames, detect_renames);
    Ok(Comparison { live, desired, generated })
}

/// The first source of a tenant's desired schema: what follows goes into its schema, as the
/// tenant's migrations ran with `search_path` set to it.
fn in_schema(schema: &str) -> SourceFile {
    let quoted = crate::dialect::Dialect::Postgres.quote_ident(schema);
    SourceFile {
        name: format!("(the tenant's schema {schema})"),
        text: format!("CREATE SCHEMA {quoted};\nSET search_path TO {quoted};\n"),
    }
}

/// A generated migration, before it is written.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The changes the upgrade makes, in order.
    pub up: Vec<Change>,
    /// The changes the downgrade makes, in order.
    pub down: Vec<Change>,
    /// The upgrade section.
    pub upgrade_sql: String,
    /// The downgrade section.
    pub downgrade_sql: String,
    /// The dialect the sections are written in (what fails on existing rows depends on it).
    pub dialect: retort_schema::Dialect,
}

impl Generated {
    /// True when the schemas already match.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// Descriptions of the steps that can lose data.
    pub fn destructive(&self) -> Vec<String> {
        self.up.iter().filter_map(Change::destructive).collect()
    }

    /// What the downgrade cannot restore: the values of columns the upgrade dropped, which it
    /// brings back filled (its drops of what the upgrade created are the point of a downgrade).
    pub fn downgrade_fills(&self) -> Vec<String> {
        self.down
            .iter()
            .filter(|c| matches!(c, Change::AddColumn { fill: Some(_), .. }))
            .filter_map(Change::destructive)
            .collect()
    }

    /// What the file marks `CAUTION` (statements that fail on some data, such as a NOT NULL
    /// column without a default on a table with rows), the downgrade's prefixed with `downgrade:`.
    pub fn cautions(&self) -> Vec<String> {
        let up = self.up.iter().filter_map(|c| c.caution_in(self.dialect));
        let down = self.down.iter().filter_map(|c| c.caution_in(self.dialect)).map(|c| format!("downgrade: {c}"));
        up.chain(down).collect()
    }

    /// The upgrade's changes, for a reader: one line each, a sequence created and then owned by
    /// its new column (a serial) listed once.
    pub fn summary(&self) -> Vec<&Change> {
        let created: Vec<&Name> = self
            .up
            .iter()
            .filter_map(|c| match c {
                Change::CreateSequence(s) => Some(&s.name),
                _ => None,
            })
            .collect();
        self.up
            .iter()
            .filter(|c| !matches!(c, Change::AlterSequence { to, .. } if created.contains(&&to.name)))
            .collect()
    }
}

/// Diffs `live` against `desired` both ways and renders the two sections.
pub fn generate(live: &Schema, desired: &Schema, renames: &Renames, detect_renames: bool) -> Generated {
    let up = diff(live, desired, &DiffOptions { renames: renames.clone(), detect_renames });
    let back = DiffOptions { renames: renames.reversed(&up), detect_renames: false };
    let down = diff(desired, live, &back);
    let up = for_existing_rows(up, desired, false);
    let down = for_existing_rows(down, live, true);
    let upgrade_sql = section(&render_changes(live, desired, &up));
    let downgrade_sql = section(&render_changes(desired, live, &down));
    Generated { up, down, upgrade_sql, downgrade_sql, dialect: desired.dialect }
}

/// The marker of a rename hint in the desired schema's DDL.
const HINT: &str = "retort: renamed from";

/// Reads `-- retort: renamed from old_name` hints: on a `CREATE TABLE` line it names the table's
/// old name; on a column's line, the column's. Unqualified names take `default_schema`.
pub fn rename_hints(sources: &[SourceFile], default_schema: Option<&str>) -> Renames {
    let mut renames = Renames::default();
    for source in sources {
        let mut table: Option<Name> = None;
        for line in source.text.lines() {
            // Only the hint's own `--` ends the code: a `--` inside a string literal does not.
            let (code, comment) = match line.find(&format!("-- {HINT}")) {
                Some(pos) => (line[..pos].trim(), Some(line[pos + 2..].trim())),
                None => (line.trim(), None),
            };
            let upper = code.to_ascii_uppercase();
            if let Some(pos) = upper.find("CREATE TABLE") {
                let rest = code[pos + "CREATE TABLE".len()..].trim();
                let rest = rest
                    .strip_prefix("IF NOT EXISTS")
                    .map_or(rest, str::trim)
                    .trim_start_matches(|c: char| c.is_ascii_whitespace());
                let raw = rest.split(|c: char| c == '(' || c.is_whitespace()).next().unwrap_or("");
                let name = qualified(raw, default_schema);
                if let Some(old) = comment.and_then(|c| c.strip_prefix(HINT)) {
                    renames.tables.push((name.clone(), qualified(old.trim(), name.schema.as_deref())));
                }
                table = Some(name);
                continue;
            }
            if code.starts_with(')') {
                table = None;
                continue;
            }
            if let (Some(t), Some(old)) = (&table, comment.and_then(|c| c.strip_prefix(HINT))) {
                let column = unquote(code.split_whitespace().next().unwrap_or(""));
                if !column.is_empty() {
                    renames.columns.push((t.clone(), column, unquote(old.trim())));
                }
            }
        }
    }
    renames
}

fn unquote(ident: &str) -> String {
    let ident = ident.trim_end_matches(',');
    match ident.strip_prefix('"').and_then(|i| i.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => ident.to_ascii_lowercase(),
    }
}

fn qualified(raw: &str, default_schema: Option<&str>) -> Name {
    match raw.split_once('.') {
        Some((s, n)) => Name::new(Some(&unquote(s)), &unquote(n)),
        None => Name::new(default_schema, &unquote(raw)),
    }
}

/// One side of `retort diff`.
#[derive(Debug, Clone)]
pub enum Side {
    /// A live database.
    Database(DatabaseUrl),
    /// The project's desired schema (materialized in a scratch database on the server of `url`).
    Desired,
}

/// Reads one side of a diff, with the rename hints it declares (only the desired schema has any).
pub fn read_side(project: &Project, side: &Side, url: &DatabaseUrl) -> Result<(Schema, Renames), AutogenError> {
    let options = project.inspect_options(url.dialect());
    match side {
        Side::Database(db) => {
            let mut driver = connect(db, Access::ReadOnly, project.lock_timeout())?;
            Ok((driver.inspect(&options)?, Renames::default()))
        }
        Side::Desired => {
            let sources = read_sources(&project.config, url.dialect())?;
            let schema = load(&sources, &project.scratch_url(url)?, &options)?;
            Ok((schema, rename_hints(&sources, options.schemas.first().map(String::as_str))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_read_from_table_and_column_lines() {
        let text = "CREATE TABLE public.members ( -- retort: renamed from users\n  id int,\n  full_name text DEFAULT 'a--b', -- retort: renamed from name\n  \"Mixed\" int -- retort: renamed from \"Old\"\n);\nCREATE TABLE other (x int);";
        let renames = rename_hints(&[SourceFile { name: "a.sql".into(), text: text.into() }], Some("public"));
        let members = Name::new(Some("public"), "members");
        assert_eq!(renames.tables, vec![(members.clone(), Name::new(Some("public"), "users"))]);
        assert_eq!(
            renames.columns,
            vec![
                (members.clone(), "full_name".to_string(), "name".to_string()),
                (members, "Mixed".into(), "Old".into())
            ]
        );
    }
}
