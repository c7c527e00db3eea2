//! `verify --data`: synthetic rows in every table before each step, and what the step did to
//! them. Rows are made from the schema at that point ([`retort_schema::sample`]), parents before
//! children; the values of every column are read before and after each run and compared column
//! by column (as multisets: no row identity is needed, so tables without a key are judged too).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use retort_schema::change::Change;
use retort_schema::diff::{DiffOptions, diff};
use retort_schema::sample::{Sample, sample};
use retort_schema::{Column, Name, Schema, Table};

use crate::dialect::Dialect;
use crate::driver::{DbError, Driver};

/// Puts rows into tables, keeping a counter per table so later top-ups never repeat a value.
pub(crate) struct Filler {
    /// Rows each table should hold.
    rows: usize,
    /// The last row number used per table.
    next: HashMap<Name, u64>,
    /// Tables that could not be filled, with why (reported once each).
    pub(crate) skipped: BTreeMap<String, String>,
}

/// The rows of every table, column by column.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    tables: BTreeMap<Name, Contents>,
}

#[derive(Debug)]
struct Contents {
    /// Each compared column's values, sorted.
    columns: BTreeMap<String, Vec<Option<String>>>,
    rows: usize,
}

/// What a run did to the rows.
#[derive(Debug, Default)]
pub(crate) struct Judgement {
    /// Values lost or changed that the step does not ask for.
    pub(crate) problems: Vec<String>,
    /// Values the step changes itself (it writes the table, or converts the column's type).
    pub(crate) on_purpose: Vec<String>,
    /// Values a downgrade could not bring back because the upgrade dropped them.
    pub(crate) not_restored: Vec<String>,
}

fn qualified(dialect: Dialect, name: &Name) -> String {
    match &name.schema {
        Some(s) => format!("{}.{}", dialect.quote_ident(s), dialect.quote_ident(&name.name)),
        None => dialect.quote_ident(&name.name),
    }
}

/// A table as the report names it: without PostgreSQL's default schema.
fn label(name: &Name) -> String {
    match name.schema.as_deref() {
        None | Some("public") => name.name.clone(),
        Some(_) => name.to_string(),
    }
}

fn first_line(e: &DbError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

impl Filler {
    pub(crate) fn new(rows: usize) -> Self {
        Filler { rows, next: HashMap::new(), skipped: BTreeMap::new() }
    }

    /// Tops every table of `schema` up to the row count, parents before children, and gives a
    /// value to the NULLs of nullable columns (a column added after its table was filled would
    /// otherwise stay NULL in every row, and no step would be judged on its values).
    pub(crate) fn fill(&mut self, driver: &mut dyn Driver, schema: &Schema) -> Result<(), DbError> {
        let dialect = driver.dialect();
        let tables: Vec<&Table> = retort_schema::order::topological(
            schema.tables.iter().filter(|t| t.partition_of.is_none()).collect(),
            |t| t.name.clone(),
            |t| t.foreign_keys.iter().map(|k| k.ref_table.clone()).collect(),
        );
        for table in tables {
            let name = qualified(dialect, &table.name);
            // The columns whose NULLs get a value: nullable, stored, outside foreign keys, of a
            // type a value can be made for. One query counts the rows and each one's values.
            let nullable: Vec<&Column> = table
                .columns
                .iter()
                .filter(|c| c.nullable && !table.foreign_keys.iter().any(|k| k.columns.contains(&c.name)))
                .filter(|c| matches!(sample(schema, table, c, 1), Sample::Literal(_)))
                .collect();
            let counts: Vec<String> = std::iter::once("count(*)".to_string())
                .chain(nullable.iter().map(|c| format!("count({})", dialect.quote_ident(&c.name))))
                .collect();
            let row = driver.query(&format!("SELECT {} FROM {name}", counts.join(", ")))?;
            let numbers: Vec<usize> = row
                .first()
                .map(|r| r.iter().map(|v| v.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0)).collect())
                .unwrap_or_default();
            let count = numbers.first().copied().unwrap_or(0);
            if count < self.rows
                && let Err(why) = self.top_up(driver, schema, table, count)
            {
                self.skipped.entry(label(&table.name)).or_insert(why);
            }
            for (column, &values) in nullable.iter().zip(numbers.iter().skip(1)) {
                self.fill_nulls(driver, schema, table, column, count.saturating_sub(values).min(self.rows));
            }
        }
        Ok(())
    }

    /// Sets `nulls` NULLs of a nullable column to values of its type, one row at a time (each
    /// row its own value, so a unique key holds). A row the table's constraints refuse keeps
    /// its NULL.
    fn fill_nulls(&mut self, driver: &mut dyn Driver, schema: &Schema, table: &Table, column: &Column, nulls: usize) {
        let dialect = driver.dialect();
        let name = qualified(dialect, &table.name);
        let c = dialect.quote_ident(&column.name);
        for _ in 0..nulls {
            let n = self.next.entry(table.name.clone()).or_insert(0);
            *n += 1;
            let Sample::Literal(value) = sample(schema, table, column, *n) else { return };
            let sql = match dialect {
                Dialect::Mysql => format!("UPDATE {name} SET {c} = {value} WHERE {c} IS NULL LIMIT 1"),
                Dialect::Postgres => format!(
                    "UPDATE {name} SET {c} = {value} WHERE ctid = (SELECT ctid FROM {name} WHERE {c} IS NULL LIMIT 1)"
                ),
                Dialect::Sqlite => format!(
                    "UPDATE {name} SET {c} = {value} WHERE rowid = (SELECT rowid FROM {name} WHERE {c} IS NULL LIMIT 1)"
                ),
            };
            if driver.execute(&sql).is_err() {
                return;
            }
        }
    }

    /// Inserts the rows `table` lacks; `Err` says why none could be.
    fn top_up(&mut self, driver: &mut dyn Driver, schema: &Schema, table: &Table, count: usize) -> Result<(), String> {
        let dialect = driver.dialect();
        let needed = self.rows - count;
        // Each foreign key's values: the parent's rows (distinct, complete).
        let mut parents: Vec<Vec<Vec<String>>> = Vec::new();
        for key in &table.foreign_keys {
            let columns: Vec<String> = key.ref_columns.iter().map(|c| dialect.quote_ident(c)).collect();
            let sql = format!(
                "SELECT DISTINCT {} FROM {} WHERE {} ORDER BY {} LIMIT {}",
                columns.join(", "),
                qualified(dialect, &key.ref_table),
                columns.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND "),
                columns.join(", "),
                self.rows
            );
            let rows = driver.query(&sql).map_err(|e| first_line(&e))?;
            parents.push(rows.into_iter().map(|r| r.into_iter().map(Option::unwrap_or_default).collect()).collect());
        }
        let start = self.next.get(&table.name).copied().unwrap_or(0).max(count as u64);
        let mut names: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); needed];
        for column in &table.columns {
            let reference = table
                .foreign_keys
                .iter()
                .enumerate()
                .find_map(|(k, key)| key.columns.iter().position(|c| c == &column.name).map(|at| (k, key, at)));
            let values: Option<Vec<String>> = match reference {
                Some((k, key, at)) => {
                    let found = &parents[k];
                    if found.is_empty() {
                        if column.nullable {
                            Some(vec!["NULL".to_string(); needed])
                        } else if column.default.is_some() {
                            None
                        } else {
                            return Err(format!(
                                "{} has no rows for {} to refer to",
                                label(&key.ref_table),
                                column.name
                            ));
                        }
                    } else {
                        Some((0..needed).map(|i| dialect.literal(&found[i % found.len()][at])).collect())
                    }
                }
                None => {
                    let mut values = Vec::with_capacity(needed);
                    for i in 0..needed {
                        match sample(schema, table, column, start + i as u64 + 1) {
                            Sample::Server => break,
                            Sample::Literal(v) => values.push(v),
                            Sample::Null => values.push("NULL".to_string()),
                            Sample::Impossible(why) => return Err(why),
                        }
                    }
                    (values.len() == needed).then_some(values)
                }
            };
            if let Some(values) = values {
                names.push(dialect.quote_ident(&column.name));
                for (row, value) in rows.iter_mut().zip(values) {
                    row.push(value);
                }
            }
        }
        self.next.insert(table.name.clone(), start + needed as u64);
        let name = qualified(dialect, &table.name);
        let insert = |rows: &[Vec<String>]| {
            if names.is_empty() {
                return match dialect {
                    Dialect::Mysql => format!("INSERT INTO {name} () VALUES {}", vec!["()"; rows.len()].join(", ")),
                    _ => vec![format!("INSERT INTO {name} DEFAULT VALUES"); rows.len()].join(";\n"),
                };
            }
            let tuples: Vec<String> = rows.iter().map(|r| format!("({})", r.join(", "))).collect();
            format!("INSERT INTO {name} ({}) VALUES {}", names.join(", "), tuples.join(", "))
        };
        if driver.execute(&insert(&rows)).is_ok() {
            return Ok(());
        }
        // One row at a time: a check or a key may refuse some rows only.
        let mut last = None;
        let mut any = false;
        for row in &rows {
            match driver.execute(&insert(std::slice::from_ref(row))) {
                Ok(()) => any = true,
                Err(e) => last = Some(first_line(&e)),
            }
        }
        match (any, last) {
            (false, Some(why)) => Err(why),
            _ => Ok(()),
        }
    }
}

/// Reads every table's stored columns (generated ones are derived, so left out).
pub(crate) fn snapshot(driver: &mut dyn Driver, schema: &Schema) -> Result<Snapshot, DbError> {
    let dialect = driver.dialect();
    let mut snapshot = Snapshot::default();
    for table in &schema.tables {
        let columns: Vec<&str> =
            table.columns.iter().filter(|c| c.generated.is_none()).map(|c| c.name.as_str()).collect();
        if columns.is_empty() {
            continue;
        }
        let list: Vec<String> = columns.iter().map(|c| dialect.quote_ident(c)).collect();
        let rows = driver.query(&format!("SELECT {} FROM {}", list.join(", "), qualified(dialect, &table.name)))?;
        let mut by_column: BTreeMap<String, Vec<Option<String>>> =
            columns.iter().map(|c| (c.to_string(), Vec::with_capacity(rows.len()))).collect();
        for row in &rows {
            for (column, value) in columns.iter().zip(row) {
                if let Some(values) = by_column.get_mut(*column) {
                    values.push(value.clone());
                }
            }
        }
        for values in by_column.values_mut() {
            values.sort();
        }
        snapshot.tables.insert(table.name.clone(), Contents { columns: by_column, rows: rows.len() });
    }
    Ok(snapshot)
}

/// Renames between two schemas, found the way autogenerate finds them.
#[derive(Debug, Default)]
pub(crate) struct Renames {
    tables: HashMap<Name, Name>,
    /// (table before, column before) → column after.
    columns: HashMap<(Name, String), String>,
}

impl Renames {
    pub(crate) fn between(from: &Schema, to: &Schema) -> Self {
        let mut renames = Renames::default();
        let options = DiffOptions { detect_renames: true, ..DiffOptions::default() };
        let changes = diff(from, to, &options);
        for change in &changes {
            if let Change::RenameTable { from, to, .. } = change {
                renames.tables.insert(from.clone(), to.clone());
            }
        }
        for change in &changes {
            if let Change::RenameColumn { table, from, to, .. } = change {
                // The change names the table as it is when the rename runs: either name.
                let before = renames.tables.iter().find(|(_, after)| *after == table).map(|(b, _)| b.clone());
                renames.columns.insert((before.unwrap_or_else(|| table.clone()), from.clone()), to.clone());
            }
        }
        renames
    }

    fn table(&self, name: &Name) -> Name {
        self.tables.get(name).cloned().unwrap_or_else(|| name.clone())
    }

    fn column(&self, table: &Name, column: &str) -> String {
        self.columns.get(&(table.clone(), column.to_string())).cloned().unwrap_or_else(|| column.to_string())
    }
}

/// Whether a statement-level table name (`app.items`, `items`) is this table.
fn is_written(written: &BTreeSet<String>, table: &Name) -> bool {
    let full = table.to_string();
    written.iter().any(|w| w.eq_ignore_ascii_case(&full) || w.eq_ignore_ascii_case(&table.name))
}

/// The tables a section's statements write rows of (UPDATE, INSERT, DELETE).
pub(crate) fn written_tables(sections: &[&crate::script::Section], dialect: Dialect) -> BTreeSet<String> {
    sections
        .iter()
        .filter_map(|s| crate::statements::split(s, dialect).ok())
        .flatten()
        .filter_map(|s| crate::lint::written_table(&s.sql))
        .map(|t| t.trim_matches('`').to_string())
        .collect()
}

fn shown(value: &Option<String>) -> String {
    match value {
        None => "NULL".to_string(),
        Some(v) if v.chars().count() > 40 => format!("'{}...'", v.chars().take(40).collect::<String>()),
        Some(v) => format!("'{v}'"),
    }
}

/// How two sorted lists of values differ: how many of `before`'s are missing from `after`, and
/// one example of each side.
fn difference(before: &[Option<String>], after: &[Option<String>]) -> Option<(usize, String)> {
    if before == after {
        return None;
    }
    let mut rest: BTreeMap<&Option<String>, usize> = BTreeMap::new();
    for v in after {
        *rest.entry(v).or_default() += 1;
    }
    let mut missing = Vec::new();
    for v in before {
        match rest.get_mut(v) {
            Some(k) if *k > 0 => *k -= 1,
            _ => missing.push(v),
        }
    }
    let extra = rest.iter().find(|(_, k)| **k > 0).map(|(v, _)| shown(v));
    let example = match (missing.first(), extra) {
        (Some(m), Some(e)) => format!("{} became {e}", shown(m)),
        (Some(m), None) => format!("{} is gone", shown(m)),
        (None, Some(e)) => format!("{e} appeared"),
        (None, None) => String::new(),
    };
    Some((missing.len().max(1), example))
}

/// What a step does to the tables of the schema before it, under their names before it.
#[derive(Debug, Default)]
pub(crate) struct StepFacts {
    /// Tables and columns the upgrade keeps (under a new name, maybe).
    survivors: BTreeSet<(Name, String)>,
    /// Columns whose type the upgrade changes: the old type and the new one.
    converted: BTreeMap<(Name, String), (String, String)>,
    /// Tables the step writes rows of itself (UPDATE, INSERT, DELETE, in either direction).
    written: BTreeSet<String>,
}

impl StepFacts {
    /// The facts of a step from the schemas before and after its upgrade and the tables its
    /// sections write.
    pub(crate) fn new(before: &Schema, after: &Schema, renames: &Renames, written: BTreeSet<String>) -> Self {
        let mut facts = StepFacts { written, ..StepFacts::default() };
        for table in &before.tables {
            let new_name = renames.table(&table.name);
            let Some(now) = after.table(&new_name) else {
                continue;
            };
            facts.survivors.insert((table.name.clone(), String::new()));
            for column in &table.columns {
                let new_column = renames.column(&table.name, &column.name);
                if let Some(c) = now.columns.iter().find(|c| c.name == new_column) {
                    let key = (table.name.clone(), column.name.clone());
                    if c.data_type != column.data_type {
                        facts.converted.insert(key.clone(), (column.data_type.clone(), c.data_type.clone()));
                    }
                    facts.survivors.insert(key);
                }
            }
        }
        facts
    }

    fn kept(&self, table: &Name, column: &str) -> bool {
        self.survivors.contains(&(table.clone(), column.to_string()))
    }
}

/// One run to judge: `what` names it ("the upgrade", "the downgrade"); `renames` maps the names
/// of the rows before onto the names after (none for a downgrade, which goes back).
pub(crate) struct Run<'a> {
    pub(crate) what: &'a str,
    pub(crate) renames: &'a Renames,
    pub(crate) facts: &'a StepFacts,
}

/// What a run did to the rows `before` holds (read under the schema before the step), compared
/// with `after`.
pub(crate) fn judge(run: &Run<'_>, before: &Snapshot, after: &Snapshot, out: &mut Judgement) {
    let facts = run.facts;
    for (table, contents) in &before.tables {
        if contents.rows == 0 {
            continue;
        }
        let new_name = run.renames.table(table);
        let Some(now) = after.tables.get(&new_name) else {
            continue;
        };
        if !facts.kept(table, "") {
            if now.rows != contents.rows || contents.columns.iter().any(|(c, v)| now.columns.get(c) != Some(v)) {
                out.not_restored.push(format!("{}: its rows (the upgrade dropped the table)", label(table)));
            }
            continue;
        }
        let written = is_written(&facts.written, table) || is_written(&facts.written, &new_name);
        if now.rows != contents.rows {
            let line = format!("{}: {} rows became {}", label(table), contents.rows, now.rows);
            if written {
                out.on_purpose.push(format!("{line} (the step writes the table)"));
            } else {
                out.problems.push(format!("{} loses rows: {line}", run.what));
            }
            continue;
        }
        for (column, values) in &contents.columns {
            let new_column = run.renames.column(table, column);
            let Some(now_values) = now.columns.get(&new_column) else {
                continue;
            };
            let Some((count, example)) = difference(values, now_values) else {
                continue;
            };
            let place = format!("{}.{column}", label(table));
            let detail = format!("{count} of {} values differ: {example}", values.len());
            let nulls = |v: &[Option<String>]| v.iter().filter(|x| x.is_none()).count();
            let converted = facts.converted.get(&(table.clone(), column.clone()));
            if !facts.kept(table, column) {
                out.not_restored.push(format!("{place} (the upgrade dropped the column; {detail})"));
            } else if written {
                out.on_purpose.push(format!("{place}: {detail} (the step writes the table)"));
            } else if let Some((was, is)) = converted.filter(|_| nulls(now_values) <= nulls(values)) {
                out.on_purpose.push(format!("{place}: {detail} (the step converts {was} to {is})"));
            } else {
                out.problems.push(format!("{} changes the values of {place}: {detail}", run.what));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: &[Option<&str>]) -> Vec<Option<String>> {
        let mut v: Vec<Option<String>> = v.iter().map(|x| x.map(str::to_string)).collect();
        v.sort();
        v
    }

    #[test]
    fn differences_count_what_is_missing_and_show_an_example() {
        assert_eq!(difference(&values(&[Some("a"), Some("b")]), &values(&[Some("b"), Some("a")])), None);
        assert_eq!(
            difference(&values(&[Some("a"), Some("b")]), &values(&[None, Some("b")])),
            Some((1, "'a' became NULL".to_string()))
        );
        assert_eq!(difference(&values(&[Some("a")]), &values(&[])), Some((1, "'a' is gone".to_string())));
    }
}
