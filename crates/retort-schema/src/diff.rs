//! The diff: what changes turn one schema into another, in an order the database accepts
//! (create before reference, drop references before targets; foreign keys last, so cycles need
//! no special case), with table and column renames declared by hints or detected by similarity.

use std::collections::{BTreeMap, BTreeSet};

use crate::change::{Change, EnumUsage};
use crate::model::*;
use crate::order::topological;

/// Renames known before diffing: from `-- retort: renamed from old` hints in the desired schema,
/// or, for a downgrade, the renames of the upgrade turned around.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// Tables: (new name, old name).
    pub tables: Vec<(Name, Name)>,
    /// Columns: (table's new name, new column, old column).
    pub columns: Vec<(Name, String, String)>,
}

impl Renames {
    /// The same renames seen from the other side (for the downgrade). Renames that went through a
    /// temporary name (swaps) are followed to their final names first.
    pub fn reversed(&self, changes: &[Change]) -> Renames {
        // original -> final, following chains of moves in order.
        let mut tables: Vec<(Name, Name)> = Vec::new();
        let mut columns: Vec<(Name, String, String)> = Vec::new(); // (table as renamed, original, current)
        for c in changes {
            match c {
                Change::RenameTable { from, to, .. } => match tables.iter_mut().find(|(_, now)| now == from) {
                    Some(entry) => entry.1 = to.clone(),
                    None => tables.push((from.clone(), to.clone())),
                },
                Change::RenameColumn { table, from, to, .. } => {
                    match columns.iter_mut().find(|(t, _, now)| t == table && now == from) {
                        Some(entry) => entry.2 = to.clone(),
                        None => columns.push((table.clone(), from.clone(), to.clone())),
                    }
                }
                _ => {}
            }
        }
        let old_table = |table: &Name| {
            tables.iter().find(|(_, now)| now == table).map(|(orig, _)| orig.clone()).unwrap_or_else(|| table.clone())
        };
        Renames {
            tables: tables.iter().filter(|(a, b)| a != b).map(|(orig, now)| (orig.clone(), now.clone())).collect(),
            columns: columns
                .iter()
                .filter(|(_, a, b)| a != b)
                .map(|(table, orig, now)| (old_table(table), orig.clone(), now.clone()))
                .collect(),
        }
    }
}

/// How to diff.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Renames declared in advance.
    pub renames: Renames,
    /// Whether to detect renames by similarity (`--no-renames` turns it off).
    pub detect_renames: bool,
}

/// The changes, in phases the database accepts in this order.
#[derive(Default)]
struct Phases {
    drop_dependents: Vec<Change>,
    drop_views: Vec<Change>,
    drop_foreign_keys: Vec<Change>,
    drop_constraints: Vec<Change>,
    /// Constraint and index renames: after the drops (of constraints and of tables), so a name a
    /// dropped one held is free.
    constraint_renames: Vec<Change>,
    create_types: Vec<Change>,
    renames: Vec<Change>,
    routines: Vec<Change>,
    tables: Vec<Change>,
    drops: Vec<Change>,
    constraints: Vec<Change>,
    foreign_keys: Vec<Change>,
    create_views: Vec<Change>,
    create_dependents: Vec<Change>,
    drop_types: Vec<Change>,
}

impl Phases {
    fn into_changes(mut self) -> Vec<Change> {
        // Types go from the most dependent to the least: sequences and domains before the enums
        // they may use, extensions and schemas last.
        let rank = |c: &Change| match c {
            Change::DropDomain(_) => 1,
            Change::DropComposite(_) => 2,
            Change::DropEnum(_) => 3,
            Change::DropExtension(_) => 4,
            Change::DropNamespace(_) => 5,
            _ => 0,
        };
        self.drop_types.sort_by_key(rank);
        [
            self.renames,
            self.drop_dependents,
            self.drop_views,
            self.drop_foreign_keys,
            self.drop_constraints,
            // Dropped tables and columns go before anything is created, so a new object may
            // reuse a name (an index or constraint name) that a dropped one held.
            self.drops,
            self.constraint_renames,
            self.create_types,
            self.routines,
            self.tables,
            self.constraints,
            self.foreign_keys,
            self.create_views,
            self.create_dependents,
            self.drop_types,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// SQLite's type affinity of a declared type (the rules of "Datatypes In SQLite", 3.1, in their
/// order): what the column stores, whatever the declared name or length says.
pub(crate) fn sqlite_affinity(declared: &str) -> &'static str {
    let upper = declared.to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| upper.contains(w));
    match () {
        _ if has(&["INT"]) => "INTEGER",
        _ if has(&["CHAR", "CLOB", "TEXT"]) => "TEXT",
        _ if upper.trim().is_empty() || has(&["BLOB"]) => "BLOB",
        _ if has(&["REAL", "FLOA", "DOUB"]) => "REAL",
        _ => "NUMERIC",
    }
}

/// Columns that differ only in a declared type SQLite stores the same way (`TEXT` and
/// `VARCHAR(100)`: SQLite enforces no length): no change is needed, and a table rebuild for it
/// would only cost time and warn about values being cut that never are. `INTEGER` is kept apart:
/// spelled exactly so, a primary key column is the rowid itself, which `BIGINT` is not.
fn same_storage(dialect: Dialect, x: &Column, y: &Column) -> bool {
    let rowid_spelling = |c: &Column| c.data_type.eq_ignore_ascii_case("INTEGER");
    dialect == Dialect::Sqlite
        && x.data_type != y.data_type
        && rowid_spelling(x) == rowid_spelling(y)
        && sqlite_affinity(&x.data_type) == sqlite_affinity(&y.data_type)
        && Column { data_type: y.data_type.clone(), ..x.clone() } == *y
}

/// The changes that turn `from` into `to`.
pub fn diff(from: &Schema, to: &Schema, options: &DiffOptions) -> Vec<Change> {
    let mut p = Phases::default();
    diff_by_key(
        &from.namespaces,
        &to.namespaces,
        |n| n.name.clone(),
        |a, b| match (a, b) {
            (None, Some(n)) => p.create_types.push(Change::CreateNamespace(n.clone())),
            (Some(n), None) => p.drop_types.push(Change::DropNamespace(n.clone())),
            _ => {}
        },
    );
    diff_by_key(
        &from.extensions,
        &to.extensions,
        |e| e.name.clone(),
        |a, b| match (a, b) {
            (None, Some(e)) => p.create_types.push(Change::CreateExtension(e.clone())),
            (Some(e), None) => p.drop_types.push(Change::DropExtension(e.clone())),
            _ => {}
        },
    );
    diff_by_key(
        &from.enums,
        &to.enums,
        |e| e.name.clone(),
        |a, b| match (a, b) {
            (None, Some(e)) => p.create_types.push(Change::CreateEnum(e.clone())),
            (Some(e), None) => p.drop_types.push(Change::DropEnum(e.clone())),
            // The columns a recreate must recast are found once renames are known (below).
            (Some(f), Some(t)) if f.labels != t.labels => p.create_types.push(Change::AlterEnum {
                from: f.clone(),
                to: t.clone(),
                usages: Vec::new(),
                recreate: new_label_used(f, t, to),
            }),
            (Some(f), Some(t)) if f.comment != t.comment => p.create_types.push(Change::AlterEnum {
                from: f.clone(),
                to: t.clone(),
                usages: Vec::new(),
                recreate: false,
            }),
            _ => {}
        },
    );
    diff_by_key(
        &from.domains,
        &to.domains,
        |d| d.name.clone(),
        |a, b| match (a, b) {
            (None, Some(d)) => p.create_types.push(Change::CreateDomain(d.clone())),
            (Some(d), None) => p.drop_types.push(Change::DropDomain(d.clone())),
            (Some(f), Some(t)) if f != t => p.create_types.push(Change::AlterDomain { from: f.clone(), to: t.clone() }),
            _ => {}
        },
    );
    diff_by_key(
        &from.composites,
        &to.composites,
        |c| c.name.clone(),
        |a, b| match (a, b) {
            (None, Some(c)) => p.create_types.push(Change::CreateComposite(c.clone())),
            (Some(c), None) => p.drop_types.push(Change::DropComposite(c.clone())),
            (Some(f), Some(t)) if f != t => {
                p.create_types.push(Change::DropComposite(f.clone()));
                p.create_types.push(Change::CreateComposite(t.clone()));
            }
            _ => {}
        },
    );
    diff_by_key(
        &from.sequences,
        &to.sequences,
        |s| s.name.clone(),
        |a, b| match (a, b) {
            (None, Some(s)) if s.owned_by.is_some() => {
                // OWNED BY needs the table: create the sequence first, attach it once tables exist.
                let bare = Sequence { owned_by: None, ..s.clone() };
                p.create_types.push(Change::CreateSequence(bare.clone()));
                p.constraints.push(Change::AlterSequence { from: bare, to: s.clone() });
            }
            (None, Some(s)) => p.create_types.push(Change::CreateSequence(s.clone())),
            (Some(s), None) => p.drop_types.push(Change::DropSequence(s.clone())),
            (Some(f), Some(t)) if f != t => {
                p.create_types.push(Change::AlterSequence { from: f.clone(), to: t.clone() })
            }
            _ => {}
        },
    );

    let (changed_tables, renamed_tables) = diff_tables(from, to, options, &mut p);
    // Triggers and rules move with a renamed table: compare them under the new name.
    let moved = |n: &Name| renamed_tables.get(n).cloned().unwrap_or_else(|| n.clone());
    let from_triggers: Vec<Trigger> =
        from.triggers.iter().map(|t| Trigger { table: moved(&t.table), ..t.clone() }).collect();
    let from_rules: Vec<Rule> = from.rules.iter().map(|r| Rule { table: moved(&r.table), ..r.clone() }).collect();
    diff_by_key(
        &from.virtual_tables,
        &to.virtual_tables,
        |v| v.name.clone(),
        |a, b| {
            if a != b {
                if let Some(v) = a {
                    p.drops.push(Change::DropVirtualTable(v.clone()));
                }
                if let Some(v) = b {
                    p.tables.push(Change::CreateVirtualTable(v.clone()));
                }
            }
        },
    );
    diff_views(from, to, &changed_tables, &mut p);

    // Functions that need no table come before the tables (defaults and checks may call them);
    // those whose signature uses a table's row type come after the tables, with the views. Dropped
    // ones go after everything that may call them (dropped columns' and tables' defaults and
    // checks), except those using a dropped table's row type, which go before the tables.
    let mut early_routines = Vec::new();
    let mut late_routines = Vec::new();
    let mut dropped_routines = Vec::new();
    diff_by_key(
        &from.routines,
        &to.routines,
        |r| (r.name.clone(), r.arguments.clone()),
        |a, b| match (a, b) {
            (Some(r), None) => dropped_routines.push(r.clone()),
            (None, Some(r)) => {
                let phase = if r.needs_relations(to) { &mut late_routines } else { &mut early_routines };
                phase.push(r.clone())
            }
            (Some(f), Some(t)) if f.definition != t.definition || f.comment != t.comment => {
                let phase = if t.needs_relations(to) { &mut late_routines } else { &mut early_routines };
                phase.push(t.clone())
            }
            _ => {}
        },
    );
    // Functions that call other functions come after them, and are dropped before them.
    let in_order = |routines: Vec<Routine>| topological(routines, |r| r.name.clone(), |r| r.depends_on.clone());
    p.routines.extend(in_order(early_routines).into_iter().map(Change::CreateRoutine));
    p.create_views.splice(0..0, in_order(late_routines).into_iter().map(Change::CreateRoutine));
    let (typed, untyped): (Vec<Change>, Vec<Change>) = in_order(dropped_routines)
        .into_iter()
        .rev()
        .map(Change::DropRoutine)
        .partition(|c| matches!(c, Change::DropRoutine(r) if r.needs_relations(from)));
    let first_table_drop = p.drops.iter().position(|c| matches!(c, Change::DropTable(_))).unwrap_or(p.drops.len());
    p.drops.splice(first_table_drop..first_table_drop, typed);
    p.drops.extend(untyped);
    diff_by_key(
        &from_triggers,
        &to.triggers,
        |t| (t.table.clone(), t.name.clone()),
        |a, b| match (a, b) {
            (None, Some(t)) => p.create_dependents.push(Change::CreateTrigger(t.clone())),
            (Some(t), None) => p.drop_dependents.push(Change::DropTrigger(t.clone())),
            (Some(f), Some(t)) if f != t => {
                p.drop_dependents.push(Change::DropTrigger(f.clone()));
                p.create_dependents.push(Change::CreateTrigger(t.clone()));
            }
            _ => {}
        },
    );
    diff_by_key(
        &from_rules,
        &to.rules,
        |r| (r.table.clone(), r.name.clone()),
        |a, b| match (a, b) {
            (None, Some(r)) => p.create_dependents.push(Change::CreateRule(r.clone())),
            (Some(r), None) => p.drop_dependents.push(Change::DropRule(r.clone())),
            (Some(f), Some(t)) if f != t => {
                p.drop_dependents.push(Change::DropRule(f.clone()));
                p.create_dependents.push(Change::CreateRule(t.clone()));
            }
            _ => {}
        },
    );
    keep_owned_sequences(from, to, &renamed_tables, &mut p);
    enum_usages(from, to, &renamed_tables, &mut p);
    free_identity_sequence_names(&mut p);
    p.into_changes()
}

/// A serial column whose table or column is renamed owns a sequence named after the old names;
/// the desired schema names it after the new ones. Diffed by name, that is a new sequence
/// starting at 1 and the old one dropped, and the next insert collides with the existing ids.
/// Such a pair (same options, owned by the same column under its new name) becomes a rename of
/// the sequence, which keeps its value; the column's default follows the rename by itself.
fn keep_owned_sequences(from: &Schema, to: &Schema, renamed_tables: &BTreeMap<Name, Name>, p: &mut Phases) {
    let renamed_column = |table: &Name, column: &str| {
        p.renames
            .iter()
            .find_map(|c| match c {
                Change::RenameColumn { table: t, from, to, .. } if t == table && from == column => Some(to.clone()),
                _ => None,
            })
            .unwrap_or_else(|| column.to_string())
    };
    let mut pairs: Vec<(Sequence, Sequence)> = Vec::new();
    for old in &from.sequences {
        let Some((old_table, old_column)) = &old.owned_by else { continue };
        let table = renamed_tables.get(old_table).cloned().unwrap_or_else(|| old_table.clone());
        let column = renamed_column(&table, old_column);
        if (&table, &column) == (old_table, old_column) {
            continue;
        }
        let dropped = p.drop_types.iter().any(|c| matches!(c, Change::DropSequence(s) if s.name == old.name));
        let new = to.sequences.iter().find(|s| {
            s.owned_by.as_ref() == Some(&(table.clone(), column.clone()))
                && s.name != old.name
                && s.name.schema == old.name.schema
                && Sequence { name: s.name.clone(), owned_by: s.owned_by.clone(), ..old.clone() } == **s
                && !from.sequences.iter().any(|f| f.name == s.name)
        });
        if let (true, Some(new)) = (dropped, new) {
            pairs.push((old.clone(), new.clone()));
        }
    }
    for (old, new) in pairs {
        p.drop_types.retain(|c| !matches!(c, Change::DropSequence(s) if s.name == old.name));
        p.create_types.retain(|c| !matches!(c, Change::CreateSequence(s) if s.name == new.name));
        p.constraints.retain(|c| !matches!(c, Change::AlterSequence { to, .. } if to.name == new.name));
        // The default `nextval('old'::regclass)` reads `nextval('new'::regclass)` once renamed.
        let (old_ref, new_ref) = (format!("'{}'::regclass", old.name), format!("'{}'::regclass", new.name));
        p.tables.retain_mut(|c| match c {
            Change::AlterColumn { from, to, .. } => {
                if let Some(d) = &from.default {
                    from.default = Some(d.replace(&old_ref, &new_ref));
                }
                from != to
            }
            _ => true,
        });
        p.renames.push(Change::RenameSequence { from: old.name, to: new.name });
    }
}

/// Makes changes run on tables that hold rows. Columns added NOT NULL without a default fail on
/// any row: in a downgrade (`readding`, the upgrade dropped them and their values are gone) each
/// gets a fill value of its type for the existing rows, unless a unique key covers it (one value
/// for every row would collide) or its type has no obvious value; an upgrade's stay as they are,
/// marked CAUTION, for `retort lint` to weigh against the data. A nullable column added with a
/// default and covered by a unique key is added without the default (every row would get the same
/// value, and NULLs never collide) and the default is set once the key exists.
pub fn for_existing_rows(changes: Vec<Change>, target: &Schema, readding: bool) -> Vec<Change> {
    let unique = |table: &Name, column: &str| target.table(table).is_some_and(|t| t.unique_over(column));
    // A fill of the type's zero would break a foreign key or (likely) a check on the column:
    // no fill then, and the CAUTION stays.
    let constrained = |table: &Name, column: &str| {
        target.table(table).is_some_and(|t| {
            t.foreign_keys.iter().any(|k| k.columns.iter().any(|c| c == column))
                || t.checks.iter().any(|c| crate::model::mentions(&c.expr, column))
        })
    };
    let mut out = Vec::with_capacity(changes.len());
    let mut defaults_later: Vec<(Name, Column)> = Vec::new();
    for change in changes {
        match change {
            Change::AddColumn { table, column, fill: None }
                if readding
                    && !column.nullable
                    && column.default.is_none()
                    && column.identity.is_none()
                    && column.generated.is_none()
                    && column.check.is_none()
                    && !unique(&table, &column.name)
                    && !constrained(&table, &column.name) =>
            {
                let fill = fill_value(target, &column.data_type);
                out.push(Change::AddColumn { table, column, fill });
            }
            Change::AddColumn { table, column, fill: None }
                if column.nullable && column.default.is_some() && unique(&table, &column.name) =>
            {
                let bare = Column { default: None, ..column.clone() };
                defaults_later.push((table.clone(), column));
                out.push(Change::AddColumn { table, column: bare, fill: None });
            }
            other => out.push(other),
        }
    }
    // Each postponed default goes after the last change of its table (its keys included).
    for (table, column) in defaults_later {
        let last = out.iter().rposition(|c| touches(c, &table)).map_or(out.len(), |i| i + 1);
        let bare = Column { default: None, ..column.clone() };
        out.insert(last, Change::AlterColumn { table, from: bare, to: column });
    }
    out
}

/// Whether a change is about this table (its columns, keys, constraints or indexes).
fn touches(change: &Change, table: &Name) -> bool {
    match change {
        Change::AddColumn { table: t, .. }
        | Change::AlterColumn { table: t, .. }
        | Change::AddUnique { table: t, .. }
        | Change::AddPrimaryKey { table: t, .. }
        | Change::CreateIndex { table: t, .. } => t == table,
        _ => false,
    }
}

/// A value of a type for rows that must hold one: the type's zero, empty or first value. `None`
/// for types with no obvious value (domains, composites, ranges, user types).
fn fill_value(schema: &Schema, data_type: &str) -> Option<String> {
    let lower = data_type.trim().to_ascii_lowercase();
    // MySQL's TIMESTAMP starts one second after the epoch (UTC), and a session's time zone may
    // move that: the next day fits everywhere.
    if schema.dialect == Dialect::Mysql && lower.starts_with("timestamp") {
        return Some("'1970-01-02 00:00:00'".to_string());
    }
    if lower.ends_with("[]") {
        return Some("'{}'".to_string());
    }
    if let Some(fill) = crate::sample::zero(&lower) {
        return Some(fill.to_string());
    }
    if lower == "bytea" || lower == "blob" {
        return Some(if schema.dialect == Dialect::Sqlite { "X''" } else { "''" }.to_string());
    }
    // A MySQL ENUM: its first value, as the server prints the list (`enum('a','b')`).
    if data_type.trim().starts_with("enum(") {
        let first = crate::sample::quoted_literals(data_type).into_iter().next()?;
        return Some(format!("'{}'", first.replace('\'', "''")));
    }
    // An enum: its first label.
    let enum_type = schema
        .enums
        .iter()
        .find(|e| e.name.to_string().eq_ignore_ascii_case(data_type) || e.name.name.eq_ignore_ascii_case(data_type));
    if let Some(label) = enum_type.and_then(|e| e.labels.first()) {
        return Some(format!("'{}'", label.replace('\'', "''")));
    }
    // SQLite declares anything: fall back on the type's affinity.
    (schema.dialect == Dialect::Sqlite).then(|| match sqlite_affinity(data_type) {
        "TEXT" => "''".to_string(),
        "BLOB" => "X''".to_string(),
        _ => "0".to_string(),
    })
}

/// An identity column becoming a serial: its new sequence usually takes the name the identity's
/// own sequence holds (`t_id_seq`) until `DROP IDENTITY`. The new one is created under a
/// temporary name and renamed once the identity is gone (the column's default follows the rename).
fn free_identity_sequence_names(p: &mut Phases) {
    let mut at = 0;
    while at < p.tables.len() {
        let Change::AlterColumn { from, to, .. } = &p.tables[at] else {
            at += 1;
            continue;
        };
        let target = match (&from.identity, &to.identity, &to.default) {
            (Some(_), None, Some(d)) => p.create_types.iter().find_map(|c| match c {
                Change::CreateSequence(s) if d == &format!("nextval('{}'::regclass)", s.name) => Some(s.name.clone()),
                _ => None,
            }),
            _ => None,
        };
        let Some(target) = target else {
            at += 1;
            continue;
        };
        let temporary = Name { schema: target.schema.clone(), name: format!("{}__retort_new", target.name) };
        for c in &mut p.create_types {
            if let Change::CreateSequence(s) = c
                && s.name == target
            {
                s.name = temporary.clone();
            }
        }
        if let Change::AlterColumn { to, .. } = &mut p.tables[at] {
            to.default = Some(format!("nextval('{temporary}'::regclass)"));
        }
        p.tables.insert(at + 1, Change::RenameSequence { from: temporary, to: target });
        at += 2;
    }
}

/// Calls `each` with the items of `from` and `to` paired by key (`None` where one side lacks it),
/// in key order.
fn diff_by_key<T, K: Ord>(from: &[T], to: &[T], key: impl Fn(&T) -> K, mut each: impl FnMut(Option<&T>, Option<&T>)) {
    let mut pairs: BTreeMap<K, (Option<&T>, Option<&T>)> = BTreeMap::new();
    for f in from {
        pairs.entry(key(f)).or_default().0 = Some(f);
    }
    for t in to {
        pairs.entry(key(t)).or_default().1 = Some(t);
    }
    for (_, (a, b)) in pairs {
        each(a, b);
    }
}

/// Columns of `to` whose type is the given one (or an array of it) and that already exist in
/// `from` (columns added by the migration get the new type directly), with their defaults.
/// Partitions are left out: altering the partitioned table converts them.
fn usages(
    from: &Schema,
    to: &Schema,
    type_name: &Name,
    renamed_tables: &BTreeMap<Name, Name>,
    renames: &[Change],
) -> Vec<EnumUsage> {
    let spelled = match &type_name.schema {
        Some(s) => format!("{}.{}", crate::render::quote_ident(s), crate::render::quote_ident(&type_name.name)),
        None => crate::render::quote_ident(&type_name.name),
    };
    let array = format!("{spelled}[]");
    // The table and column a column of `to` had in `from` (renames run before the recreate).
    let old_table = |new: &Name| {
        renamed_tables.iter().find(|(_, n)| *n == new).map(|(old, _)| old.clone()).unwrap_or_else(|| new.clone())
    };
    let old_column = |table: &Name, column: &str| {
        renames
            .iter()
            .find_map(|c| match c {
                Change::RenameColumn { table: t, from, to, .. } if t == table && to == column => Some(from.clone()),
                _ => None,
            })
            .unwrap_or_else(|| column.to_string())
    };
    let mut found = Vec::new();
    for t in to.tables.iter().filter(|t| t.partition_of.is_none()) {
        let Some(before) = from.table(&old_table(&t.name)) else { continue };
        for c in t.columns.iter().filter(|c| c.data_type == spelled || c.data_type == array) {
            let was = old_column(&t.name, &c.name);
            let Some(old) = before.columns.iter().find(|x| x.name == was) else { continue };
            found.push(EnumUsage {
                table: t.name.clone(),
                column: c.name.clone(),
                had_default: old.default.is_some(),
                default: c.default.clone(),
                array: c.data_type == array,
            });
        }
    }
    found
}

/// Fills in the columns each enum change recasts when the type is recreated: those of the
/// desired schema that already existed, found under their new names when their table or the
/// column itself is renamed in the same migration (the renames run first).
fn enum_usages(from: &Schema, to: &Schema, renamed_tables: &BTreeMap<Name, Name>, p: &mut Phases) {
    let renames = p.renames.clone();
    for change in &mut p.create_types {
        if let Change::AlterEnum { from: f, usages: found, .. } = change {
            *found = usages(from, to, &f.name, renamed_tables, &renames);
        }
    }
}

/// True when a label added to an enum is already used by the desired schema (a default, check,
/// index predicate, view or function): `ADD VALUE` inside the migration's transaction would make
/// that use fail, so the type is recreated instead.
fn new_label_used(from: &EnumType, to: &EnumType, schema: &Schema) -> bool {
    let added: Vec<String> =
        to.labels.iter().filter(|l| !from.labels.contains(l)).map(|l| format!("'{}'", l.replace('\'', "''"))).collect();
    if added.is_empty() {
        return false;
    }
    let mut texts: Vec<&str> = Vec::new();
    for t in &schema.tables {
        texts.extend(t.columns.iter().filter_map(|c| c.default.as_deref()));
        texts.extend(t.checks.iter().map(|c| c.expr.as_str()));
        texts.extend(t.indexes.iter().filter_map(|i| i.predicate.as_deref()));
    }
    texts.extend(schema.views.iter().map(|v| v.query.as_str()));
    texts.extend(schema.routines.iter().map(|r| r.definition.as_str()));
    texts.iter().any(|t| added.iter().any(|a| t.contains(a.as_str())))
}

/// Levenshtein distance, for "similar name" in rename detection.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j])).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn similar(a: &str, b: &str) -> bool {
    let longest = a.chars().count().max(b.chars().count()).max(1);
    a.contains(b) || b.contains(a) || edit_distance(a, b) * 2 <= longest
}

/// The same column, ignoring its name and comment: what a rename keeps.
fn same_shape(a: &Column, b: &Column) -> bool {
    a.data_type == b.data_type
        && a.nullable == b.nullable
        && a.default == b.default
        && a.identity == b.identity
        && a.generated == b.generated
        && a.collation == b.collation
}

/// Tables that must not be recreated under a view that reads them: altered, renamed or dropped.
type Touched = BTreeSet<Name>;

fn diff_tables(from: &Schema, to: &Schema, options: &DiffOptions, p: &mut Phases) -> (Touched, BTreeMap<Name, Name>) {
    let mut touched = Touched::new();
    let to_names: BTreeSet<&Name> = to.tables.iter().map(|t| &t.name).collect();
    let from_names: BTreeSet<&Name> = from.tables.iter().map(|t| &t.name).collect();
    // Which old table each new one continues: a hint says so even when names are swapped or
    // taken over from a dropped table; otherwise the same name; then detected renames among the
    // leftovers (only unambiguous pairs).
    // A hint already carried out (the new table stands as the models say, the old one is gone or
    // as wanted) is not applied again: hints stay in the models after they ran.
    let same_columns = |a: Option<&Table>, b: Option<&Table>| match (a, b) {
        (Some(a), Some(b)) => {
            a.columns.len() == b.columns.len()
                && a.columns.iter().zip(&b.columns).all(|(x, y)| x.name == y.name && same_shape(x, y))
        }
        _ => false,
    };
    let done = |new: &Name, old: &Name| {
        same_columns(from.table(new), to.table(new))
            && (to.table(old).is_none() || same_columns(from.table(old), to.table(old)))
    };
    let hinted: BTreeMap<Name, Name> = options
        .renames
        .tables
        .iter()
        .filter(|(new, old)| {
            new != old
                && from_names.contains(old)
                && to_names.contains(new)
                && !(to_names.contains(old) && done(new, old))
        })
        .cloned()
        .collect();
    let claimed: BTreeSet<&Name> = hinted.values().collect();
    let mut source_of: BTreeMap<Name, Name> = BTreeMap::new(); // new -> old
    let mut detected: BTreeSet<Name> = BTreeSet::new();
    for t in &to.tables {
        if let Some(old) = hinted.get(&t.name) {
            source_of.insert(t.name.clone(), old.clone());
        } else if from_names.contains(&t.name) && !claimed.contains(&t.name) {
            source_of.insert(t.name.clone(), t.name.clone());
        }
    }
    if options.detect_renames {
        let used: BTreeSet<&Name> = source_of.values().collect();
        let dropped: Vec<&Table> =
            from.tables.iter().filter(|t| !used.contains(&t.name) && !to_names.contains(&t.name)).collect();
        let added: Vec<&Table> = to.tables.iter().filter(|t| !source_of.contains_key(&t.name)).collect();
        let same = |a: &Table, b: &Table| {
            a.columns.len() == b.columns.len()
                && a.columns.iter().zip(&b.columns).all(|(x, y)| x.name == y.name && same_shape(x, y))
                && a.name.schema == b.name.schema
        };
        let mut pairs = Vec::new();
        for d in &dropped {
            let candidates: Vec<&&Table> = added.iter().filter(|a| same(d, a)).collect();
            if let [only] = candidates.as_slice()
                && dropped.iter().filter(|o| same(o, only)).count() == 1
            {
                pairs.push((only.name.clone(), d.name.clone()));
            }
        }
        for (new, old) in pairs {
            detected.insert(new.clone());
            source_of.insert(new, old);
        }
    }
    let used: BTreeSet<Name> = source_of.values().cloned().collect();
    // An old table nobody continues is dropped; if a new table takes its name, it first moves
    // aside to a temporary name.
    let mut drop_name: BTreeMap<Name, Name> = BTreeMap::new();
    let mut moves: Vec<(Name, Name, bool)> = Vec::new();
    for f in &from.tables {
        if !used.contains(&f.name) {
            let aside = if to_names.contains(&f.name) {
                let temp = Name { schema: f.name.schema.clone(), name: format!("__retort_dropped_{}", f.name.name) };
                moves.push((f.name.clone(), temp.clone(), false));
                temp
            } else {
                f.name.clone()
            };
            drop_name.insert(f.name.clone(), aside);
        }
    }
    for (new, old) in &source_of {
        if new != old {
            moves.push((old.clone(), new.clone(), detected.contains(new)));
        }
    }
    let occupied: BTreeSet<Name> = from_names.iter().map(|n| (*n).clone()).collect();
    for (from_name, to_name, was_detected) in
        sequence_moves(moves, occupied, |n| Name { schema: n.schema.clone(), name: format!("__retort_tmp_{}", n.name) })
    {
        p.renames.push(Change::RenameTable { from: from_name, to: to_name, detected: was_detected });
    }
    let renamed: BTreeMap<Name, Name> =
        source_of.iter().filter(|(new, old)| new != old).map(|(new, old)| (old.clone(), new.clone())).collect();
    touched.extend(renamed.keys().cloned());

    let from_tables: BTreeMap<&Name, &Table> = from.tables.iter().map(|t| (&t.name, t)).collect();
    for t in &to.tables {
        let source = source_of.get(&t.name).and_then(|old| from_tables.get(old).copied());
        match source {
            None => {
                let mut bare = t.clone();
                bare.foreign_keys.clear();
                bare.indexes.clear();
                bare.comment = None;
                bare.cluster_on = None;
                p.tables.push(Change::CreateTable(bare));
                for index in &t.indexes {
                    p.constraints.push(Change::CreateIndex { table: t.name.clone(), index: index.clone() });
                }
                if t.comment.is_some() {
                    p.constraints.push(Change::CommentTable { table: t.name.clone(), comment: t.comment.clone() });
                }
                if t.cluster_on.is_some() {
                    p.constraints.push(Change::ClusterOn { table: t.name.clone(), index: t.cluster_on.clone() });
                }
                for key in &t.foreign_keys {
                    p.foreign_keys.push(Change::AddForeignKey { table: t.name.clone(), key: key.clone() });
                }
            }
            Some(f) => {
                // A renamed table is compared under its new name; the others as they are.
                let renamed_copy;
                let f = if f.name == t.name {
                    f
                } else {
                    renamed_copy = Table { name: t.name.clone(), ..f.clone() };
                    &renamed_copy
                };
                if diff_table(f, t, options, from.dialect, p) {
                    touched.insert(t.name.clone());
                }
            }
        }
    }
    for f in &from.tables {
        if let Some(aside) = drop_name.get(&f.name) {
            touched.insert(f.name.clone());
            let f = Table { name: aside.clone(), ..f.clone() };
            // Its foreign keys go first, so dropped tables that reference each other (or a
            // surviving table) can be dropped in any order.
            for key in &f.foreign_keys {
                p.drop_foreign_keys.push(Change::DropForeignKey { table: f.name.clone(), key: key.clone() });
            }
            p.drops.push(Change::DropTable(f));
        }
    }
    // Tables go away after everything that reads them, children before partitioned parents.
    let drops: Vec<Change> = std::mem::take(&mut p.drops);
    let (tables, others): (Vec<Change>, Vec<Change>) =
        drops.into_iter().partition(|c| matches!(c, Change::DropTable(_)));
    let tables = topological(
        tables,
        |c| match c {
            Change::DropTable(t) => t.name.clone(),
            _ => Name::default(),
        },
        |c| match c {
            // Reverse order: a parent depends on its partitions being gone.
            Change::DropTable(t) => from
                .tables
                .iter()
                .filter(|child| {
                    child.partition_of.as_ref().is_some_and(|p| p.parent == t.name) || child.inherits.contains(&t.name)
                })
                .map(|child| child.name.clone())
                .collect(),
            _ => Vec::new(),
        },
    );
    p.drops = others.into_iter().chain(tables).collect();
    (touched, renamed)
}

/// Diffs two versions of one table (already under the same name); true when columns changed in
/// a way a view reading the table would notice.
fn diff_table(f: &Table, t: &Table, options: &DiffOptions, dialect: Dialect, p: &mut Phases) -> bool {
    let table = &t.name;
    let mut columns_changed = false;
    // Column renames: declared (even swapped names, or a name taken over from a dropped column),
    // then detected (same shape, similar name or same position).
    let has = |tab: &Table, c: &str| tab.columns.iter().any(|x| x.name == c);
    // Hints stay in the models after they were applied. A hint whose old column is gone was
    // carried out; for a swap (both names still wanted), one whose columns already stand as the
    // models say was carried out too, and is not applied again.
    // A rename keeps a column's position, so position tells a carried-out swap of two columns of
    // the same shape from one still to do.
    let column =
        |tab: &Table, c: &str| tab.columns.iter().enumerate().find(|(_, x)| x.name == c).map(|(i, x)| (i, x.clone()));
    let stands = |c: &str| column(f, c).zip(column(t, c)).is_some_and(|((i, a), (j, b))| i == j && same_shape(&a, &b));
    let done = |new: &str, old: &str| stands(new) && stands(old);
    let hinted: BTreeMap<String, String> = options
        .renames
        .columns
        .iter()
        .filter(|(tname, new, old)| {
            // Only a swap (the old name still wanted) can be mistaken for work still to do.
            tname == table && new != old && has(f, old) && has(t, new) && !(has(t, old) && done(new, old))
        })
        .map(|(_, new, old)| (new.clone(), old.clone()))
        .collect();
    let claimed: BTreeSet<&String> = hinted.values().collect();
    let mut source_of: BTreeMap<String, String> = BTreeMap::new(); // new -> old
    for c in &t.columns {
        if let Some(old) = hinted.get(&c.name) {
            source_of.insert(c.name.clone(), old.clone());
        } else if has(f, &c.name) && !claimed.contains(&c.name) {
            source_of.insert(c.name.clone(), c.name.clone());
        }
    }
    let mut detected: BTreeSet<String> = BTreeSet::new();
    if options.detect_renames {
        let used: BTreeSet<&String> = source_of.values().collect();
        let dropped: Vec<(usize, &Column)> =
            f.columns.iter().enumerate().filter(|(_, c)| !used.contains(&c.name) && !has(t, &c.name)).collect();
        let added: Vec<(usize, &Column)> =
            t.columns.iter().enumerate().filter(|(_, c)| !source_of.contains_key(&c.name)).collect();
        // Same position only counts when it is the table's single swap: two in-place changes are
        // too easy to pair wrongly.
        let single = dropped.len() == 1 && added.len() == 1;
        let fits = |(i, d): &(usize, &Column), (j, a): &(usize, &Column)| {
            same_shape(d, a) && ((i == j && single) || similar(&d.name, &a.name))
        };
        let mut pairs = Vec::new();
        for d in &dropped {
            let candidates: Vec<&(usize, &Column)> = added.iter().filter(|a| fits(d, a)).collect();
            if let [only] = candidates.as_slice()
                && dropped.iter().filter(|o| fits(o, only)).count() == 1
            {
                pairs.push((only.1.name.clone(), d.1.name.clone()));
            }
        }
        for (new, old) in pairs {
            detected.insert(new.clone());
            source_of.insert(new, old);
        }
    }
    let used: BTreeSet<String> = source_of.values().cloned().collect();
    let mut moves: Vec<(String, String, bool)> = Vec::new();
    // old -> the name it has once the renames ran (a dropped column whose name is taken moves aside).
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for c in &f.columns {
        if !used.contains(&c.name) && has(t, &c.name) {
            let temp = format!("__retort_dropped_{}", c.name);
            moves.push((c.name.clone(), temp.clone(), false));
            renamed.insert(c.name.clone(), temp);
        }
    }
    for (new, old) in &source_of {
        if new != old {
            moves.push((old.clone(), new.clone(), detected.contains(new)));
            renamed.insert(old.clone(), new.clone());
        }
    }
    let occupied: BTreeSet<String> = f.columns.iter().map(|c| c.name.clone()).collect();
    for (from_name, to_name, was_detected) in sequence_moves(moves, occupied, |n| format!("__retort_tmp_{n}")) {
        p.renames.push(Change::RenameColumn {
            table: table.clone(),
            from: from_name,
            to: to_name,
            detected: was_detected,
        });
    }
    columns_changed |= !renamed.is_empty();
    // See the old table through the renames, so constraints on renamed columns compare equal.
    let rename = |c: &String| renamed.get(c).cloned().unwrap_or_else(|| c.clone());
    let mut f = f.clone();
    for c in &mut f.columns {
        c.name = rename(&c.name);
    }
    if let Some(pk) = &mut f.primary_key {
        pk.columns = pk.columns.iter().map(rename).collect();
    }
    for u in &mut f.uniques {
        u.columns = u.columns.iter().map(rename).collect();
    }
    for k in &mut f.foreign_keys {
        k.columns = k.columns.iter().map(rename).collect();
    }
    for ix in &mut f.indexes {
        ix.keys = ix.keys.iter().map(|k| rename_key(k, &renamed)).collect();
        ix.include = ix.include.iter().map(rename).collect();
    }

    diff_by_key(
        &f.columns,
        &t.columns,
        |c| c.name.clone(),
        |a, b| match (a, b) {
            (None, Some(c)) => p.tables.push(Change::AddColumn { table: table.clone(), column: c.clone(), fill: None }),
            (Some(c), None) => {
                columns_changed = true;
                p.drops.push(Change::DropColumn { table: table.clone(), column: c.clone() })
            }
            (Some(x), Some(y)) if x != y && !same_storage(dialect, x, y) => {
                columns_changed |=
                    x.data_type != y.data_type || x.collation != y.collation || x.generated != y.generated;
                p.tables.push(Change::AlterColumn { table: table.clone(), from: x.clone(), to: y.clone() })
            }
            _ => {}
        },
    );
    // Constraints and indexes: paired by name; a dropped and an added one that differ only in
    // their names become a rename (no rebuild, and nothing that depends on them breaks).
    let pk_renamed = match (&f.primary_key, &t.primary_key) {
        (Some(a), Some(b))
            if a.name.is_some()
                && b.name.is_some()
                && a.name != b.name
                && a.columns == b.columns
                && a.autoincrement == b.autoincrement =>
        {
            p.constraint_renames.push(rename_constraint(table, &a.name, &b.name));
            true
        }
        _ => false,
    };
    if f.primary_key != t.primary_key && !pk_renamed {
        if let Some(key) = &f.primary_key {
            p.drop_constraints.push(Change::DropPrimaryKey { table: table.clone(), key: key.clone() });
        }
        if let Some(key) = &t.primary_key {
            p.constraints.push(Change::AddPrimaryKey { table: table.clone(), key: key.clone() });
        }
    }
    let unique_key = |u: &Unique| u.name.clone().unwrap_or_else(|| format!("({})", u.columns.join(",")));
    let (dropped, added) = split_changed(&f.uniques, &t.uniques, unique_key);
    let (a, b) = pair_renames(dropped, added, |u| Unique { name: None, ..u.clone() }, |u| &u.name, p, table);
    {
        a.into_iter().for_each(|u| p.drop_constraints.push(Change::DropUnique { table: table.clone(), unique: u }));
        b.into_iter().for_each(|u| p.constraints.push(Change::AddUnique { table: table.clone(), unique: u }));
    }
    let fk_key =
        |k: &ForeignKey| k.name.clone().unwrap_or_else(|| format!("({})->{}", k.columns.join(","), k.ref_table));
    let wanted_keys = match dialect {
        Dialect::Mysql => adopt_generated_names(&f.foreign_keys, &t.foreign_keys),
        _ => t.foreign_keys.clone(),
    };
    let (dropped, added) = split_changed(&f.foreign_keys, &wanted_keys, fk_key);
    let (a, b) = pair_renames(dropped, added, |k| ForeignKey { name: None, ..k.clone() }, |k| &k.name, p, table);
    {
        a.into_iter().for_each(|k| p.drop_foreign_keys.push(Change::DropForeignKey { table: table.clone(), key: k }));
        b.into_iter().for_each(|k| p.foreign_keys.push(Change::AddForeignKey { table: table.clone(), key: k }));
    }
    let check_key = |c: &Check| c.name.clone().unwrap_or_else(|| c.expr.clone());
    let (dropped, added) = split_changed(&f.checks, &t.checks, check_key);
    let (a, b) = pair_renames(dropped, added, |c| Check { name: None, ..c.clone() }, |c| &c.name, p, table);
    {
        a.into_iter().for_each(|c| p.drop_constraints.push(Change::DropCheck { table: table.clone(), check: c }));
        b.into_iter().for_each(|c| p.constraints.push(Change::AddCheck { table: table.clone(), check: c }));
    }
    let (dropped, added) = split_changed(&f.exclusions, &t.exclusions, |x| x.name.clone());
    for x in dropped {
        p.drop_constraints.push(Change::DropExclusion { table: table.clone(), exclusion: x });
    }
    for x in added {
        p.constraints.push(Change::AddExclusion { table: table.clone(), exclusion: x });
    }
    let (dropped, added) = split_changed(&f.indexes, &t.indexes, |i| i.name.clone());
    let unnamed_index = |i: &Index| Index { name: String::new(), ..i.clone() };
    let (dropped, added): (Vec<Index>, Vec<Index>) = {
        let mut dropped = dropped;
        let mut added = added;
        let mut i = 0;
        while i < dropped.len() {
            if let Some(j) = added.iter().position(|a| unnamed_index(a) == unnamed_index(&dropped[i])) {
                let (d, a) = (dropped.remove(i), added.remove(j));
                p.constraint_renames.push(Change::RenameIndex { table: table.clone(), from: d.name, to: a.name });
            } else {
                i += 1;
            }
        }
        (dropped, added)
    };
    for i in dropped {
        p.drop_constraints.push(Change::DropIndex { table: table.clone(), index: i });
    }
    for i in added {
        p.constraints.push(Change::CreateIndex { table: table.clone(), index: i });
    }
    let options = |x: &Table| {
        (
            (x.unlogged, x.without_rowid, x.strict, x.partition_of.clone(), x.inherits.clone(), x.partition_by.clone()),
            (x.engine.clone(), x.collation.clone(), x.options.clone()),
        )
    };
    if options(&f) != options(t) {
        p.tables.push(Change::TableOptions { from: Box::new(f.clone()), to: Box::new(t.clone()) });
    }
    if f.comment != t.comment {
        p.constraints.push(Change::CommentTable { table: table.clone(), comment: t.comment.clone() });
    }
    if f.cluster_on != t.cluster_on {
        p.constraints.push(Change::ClusterOn { table: table.clone(), index: t.cluster_on.clone() });
    }
    columns_changed
}

/// Whether a foreign key name is one MySQL made up (`orders_ibfk_2`, for an unnamed `FOREIGN KEY`).
fn generated_name(name: &Option<String>) -> bool {
    name.as_deref()
        .and_then(|n| n.rsplit_once("_ibfk_"))
        .is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// MySQL numbers unnamed foreign keys in the order a table declares them (`t_ibfk_1`,
/// `t_ibfk_2`), and SQLAlchemy declares them in no fixed order: such a name is not part of the
/// schema. A wanted foreign key with a made-up name takes the name of the existing one with the
/// same definition (also made up), so equal keys compare equal instead of being dropped and added
/// (which rebuilds the table) to swap two numbers.
fn adopt_generated_names(existing: &[ForeignKey], wanted: &[ForeignKey]) -> Vec<ForeignKey> {
    let unnamed = |k: &ForeignKey| ForeignKey { name: None, ..k.clone() };
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut adopted: Vec<(ForeignKey, bool)> = wanted
        .iter()
        .map(|w| {
            if !generated_name(&w.name) || existing.iter().any(|e| e.name == w.name && unnamed(e) == unnamed(w)) {
                return (w.clone(), false);
            }
            let same = existing.iter().find(|e| {
                generated_name(&e.name)
                    && unnamed(e) == unnamed(w)
                    && e.name.as_deref().is_some_and(|n| !taken.contains(n))
                    && !wanted.iter().any(|o| o.name == e.name && unnamed(o) == unnamed(e))
            });
            match same {
                Some(e) => {
                    taken.extend(e.name.as_deref());
                    (ForeignKey { name: e.name.clone(), ..w.clone() }, true)
                }
                None => (w.clone(), false),
            }
        })
        .collect();
    // A made-up name another key has now adopted moves to the next free number.
    let number = |k: &ForeignKey| {
        k.name.as_deref().and_then(|n| n.rsplit_once("_ibfk_")).and_then(|(_, n)| n.parse::<u64>().ok()).unwrap_or(0)
    };
    let mut next = existing.iter().chain(wanted).map(number).max().unwrap_or(0) + 1;
    let adopted_names: BTreeSet<Option<String>> =
        adopted.iter().filter(|(_, a)| *a).map(|(k, _)| k.name.clone()).collect();
    for (key, was_adopted) in &mut adopted {
        if !*was_adopted && generated_name(&key.name) && adopted_names.contains(&key.name) {
            let prefix = key.name.as_deref().and_then(|n| n.rsplit_once("_ibfk_")).map(|(p, _)| p.to_string());
            key.name = prefix.map(|p| format!("{p}_ibfk_{next}"));
            next += 1;
        }
    }
    adopted.into_iter().map(|(k, _)| k).collect()
}

/// Orders renames that happen "at once" (swaps, a name taken over from a dropped object) into a
/// sequence the database accepts: a move waits until its target name is free, and a cycle is
/// broken by moving one object to a temporary name first.
fn sequence_moves<N: Ord + Clone>(
    moves: Vec<(N, N, bool)>,
    mut occupied: BTreeSet<N>,
    temporary: impl Fn(&N) -> N,
) -> Vec<(N, N, bool)> {
    let mut pending = moves;
    let mut out = Vec::new();
    while !pending.is_empty() {
        match pending.iter().position(|(_, to, _)| !occupied.contains(to)) {
            Some(i) => {
                let (from, to, detected) = pending.remove(i);
                occupied.remove(&from);
                occupied.insert(to.clone());
                out.push((from, to, detected));
            }
            None => {
                let (from, to, detected) = pending.remove(0);
                let temp = temporary(&from);
                occupied.remove(&from);
                occupied.insert(temp.clone());
                out.push((from, temp.clone(), false));
                pending.push((temp, to, detected));
            }
        }
    }
    out
}

fn rename_constraint(table: &Name, from: &Option<String>, to: &Option<String>) -> Change {
    Change::RenameConstraint {
        table: table.clone(),
        from: from.clone().unwrap_or_default(),
        to: to.clone().unwrap_or_default(),
    }
}

/// Items that differ between two lists keyed by `key`: (only or changed in `from`, only or changed in `to`).
fn split_changed<T: Clone + PartialEq, K: Ord>(from: &[T], to: &[T], key: impl Fn(&T) -> K) -> (Vec<T>, Vec<T>) {
    let (mut dropped, mut added) = (Vec::new(), Vec::new());
    diff_by_key(from, to, key, |a, b| {
        if a != b {
            dropped.extend(a.cloned());
            added.extend(b.cloned());
        }
    });
    (dropped, added)
}

/// Pairs dropped and added named constraints whose definitions match without their names into
/// `RenameConstraint` changes; returns what is left to drop and to add.
fn pair_renames<T: Clone + PartialEq>(
    mut dropped: Vec<T>,
    mut added: Vec<T>,
    unnamed: impl Fn(&T) -> T,
    name: impl Fn(&T) -> &Option<String>,
    p: &mut Phases,
    table: &Name,
) -> (Vec<T>, Vec<T>) {
    let mut i = 0;
    while i < dropped.len() {
        let found = added
            .iter()
            .position(|a| unnamed(a) == unnamed(&dropped[i]) && name(a).is_some() && name(&dropped[i]).is_some());
        match found {
            Some(j) => {
                let (d, a) = (dropped.remove(i), added.remove(j));
                p.constraint_renames.push(rename_constraint(table, name(&d), name(&a)));
            }
            None => i += 1,
        }
    }
    (dropped, added)
}

/// An index key with renamed columns: only a bare column name (with an optional ordering) is
/// rewritten; expressions are left to the database to print.
fn rename_key(key: &str, renamed: &BTreeMap<String, String>) -> String {
    // MySQL keys: `name`, `name`(10), `name` DESC (backticks doubled inside).
    if let Some(rest) = key.strip_prefix('`') {
        let mut name = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '`' {
                if chars.peek().is_some_and(|(_, n)| *n == '`') {
                    chars.next();
                    name.push('`');
                    continue;
                }
                return match renamed.get(&name) {
                    Some(new) => format!("{}{}", crate::render::mysql::q(new), &rest[i + 1..]),
                    None => key.to_string(),
                };
            }
            name.push(c);
        }
        return key.to_string();
    }
    let (head, tail) = key.split_once(' ').map_or((key, ""), |(h, t)| (h, t));
    let bare = head.trim_matches('"');
    match renamed.get(bare) {
        Some(new) => {
            let quoted = crate::render::quote_ident(new);
            if tail.is_empty() { quoted } else { format!("{quoted} {tail}") }
        }
        None => key.to_string(),
    }
}

/// Views: changed or dropped ones are dropped first (with every view that reads them, and every
/// view reading a table whose columns change), created last in dependency order.
fn diff_views(from: &Schema, to: &Schema, touched: &Touched, p: &mut Phases) {
    let mut rebuild: BTreeSet<Name> = BTreeSet::new();
    for f in &from.views {
        let same = to.views.iter().find(|t| t.name == f.name).is_some_and(|t| t == f);
        if !same || f.depends_on.iter().any(|d| touched.contains(d)) {
            rebuild.insert(f.name.clone());
        }
    }
    // Views reading a rebuilt view are rebuilt too.
    loop {
        let before = rebuild.len();
        for f in &from.views {
            if f.depends_on.iter().any(|d| rebuild.contains(d)) {
                rebuild.insert(f.name.clone());
            }
        }
        if rebuild.len() == before {
            break;
        }
    }
    let drops: Vec<&View> = from.views.iter().filter(|v| rebuild.contains(&v.name)).collect();
    let drops = topological(drops, |v| v.name.clone(), |v| v.depends_on.clone());
    p.drop_views.extend(drops.into_iter().rev().map(|v| Change::DropView(v.clone())));
    let creates: Vec<&View> =
        to.views.iter().filter(|v| rebuild.contains(&v.name) || !from.views.iter().any(|f| f.name == v.name)).collect();
    let creates = topological(creates, |v| v.name.clone(), |v| v.depends_on.clone());
    p.create_views.extend(creates.into_iter().map(|v| Change::CreateView(v.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A foreign key `name (column) -> table (id)`, with the default actions.
    fn fk_to(name: &str, column: &str, table: Name) -> ForeignKey {
        ForeignKey {
            name: Some(name.into()),
            columns: vec![column.into()],
            ref_table: table,
            ref_columns: vec!["id".into()],
            on_delete: Action::NoAction,
            on_update: Action::NoAction,
            match_full: false,
            deferral: Deferral::Immediate,
            not_valid: false,
        }
    }

    #[test]
    fn made_up_foreign_key_names_follow_the_definitions() {
        let fk = |name: &str, column: &str| fk_to(name, column, Name::new(None, column));
        let existing = [fk("t_ibfk_1", "a"), fk("t_ibfk_2", "b")];
        // Swapped numbers: nothing to do.
        let mut got = adopt_generated_names(&existing, &[fk("t_ibfk_1", "b"), fk("t_ibfk_2", "a")]);
        got.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(got, existing.to_vec());
        // A new key whose number an adopted one takes moves on.
        let got = adopt_generated_names(&[fk("t_ibfk_1", "a")], &[fk("t_ibfk_1", "b"), fk("t_ibfk_2", "a")]);
        assert_eq!(got, vec![fk("t_ibfk_3", "b"), fk("t_ibfk_1", "a")]);
        // Names a person chose are kept.
        let named = [fk("fk_a", "a")];
        assert_eq!(adopt_generated_names(&[fk("t_ibfk_1", "a")], &named), named.to_vec());
        assert!(!generated_name(&Some("t_ibfk_x".into())) && generated_name(&Some("my_t_ibfk_12".into())));
    }

    fn col(name: &str, ty: &str, nullable: bool) -> Column {
        Column { name: name.into(), data_type: ty.into(), nullable, ..Column::default() }
    }

    fn table(name: &str, columns: Vec<Column>) -> Table {
        Table { name: Name::new(Some("public"), name), columns, ..Table::default() }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema { dialect: Dialect::Postgres, tables, ..Schema::default() }
    }

    fn summaries(changes: &[Change]) -> Vec<String> {
        changes.iter().map(Change::summary).collect()
    }

    fn detect() -> DiffOptions {
        DiffOptions { detect_renames: true, ..DiffOptions::default() }
    }

    #[test]
    fn dropped_functions_go_after_the_tables_that_call_them() {
        let routine = |name: &str, depends_on: Vec<Name>| Routine {
            name: Name::new(Some("public"), name),
            arguments: String::new(),
            kind: "function".into(),
            definition: format!("CREATE FUNCTION public.{name}() ..."),
            comment: None,
            depends_on,
        };
        // t's default calls make_id(); row_of() takes t's row type (lemmy has both kinds).
        let t = Table {
            columns: vec![Column { default: Some("make_id()".into()), ..col("id", "text", false) }],
            ..table("t", Vec::new())
        };
        let mut from = schema(vec![t]);
        from.routines = vec![routine("make_id", Vec::new()), routine("row_of", vec![Name::new(Some("public"), "t")])];
        let order: Vec<String> = summaries(&diff(&from, &schema(Vec::new()), &detect()));
        let at = |what: &str| order.iter().position(|s| s.contains(what)).unwrap_or(usize::MAX);
        assert!(at("row_of") < at("table public.t"), "{order:?}");
        assert!(at("table public.t") < at("make_id"), "{order:?}");
    }

    #[test]
    fn sqlite_type_changes_within_one_affinity_are_no_change() {
        let sqlite = |ty: &str, nullable: bool| Schema {
            dialect: Dialect::Sqlite,
            tables: vec![Table {
                name: Name::new(None, "t"),
                columns: vec![col("c", ty, nullable)],
                ..Table::default()
            }],
            ..Schema::default()
        };
        let changes = |a: &str, b: &str| summaries(&diff(&sqlite(a, true), &sqlite(b, true), &detect())).len();
        assert_eq!(changes("TEXT", "VARCHAR(100)"), 0);
        assert_eq!(changes("VARCHAR(11)", "VARCHAR(20)"), 0);
        assert_eq!(changes("INT", "BIGINT"), 0);
        assert_eq!(changes("INTEGER", "BIGINT"), 1, "INTEGER PRIMARY KEY is the rowid; BIGINT is not");
        assert_eq!(changes("TEXT", "INTEGER"), 1);
        assert_eq!(changes("REAL", "NUMERIC(10,2)"), 1);
        // Any other difference still counts (and the rebuild then writes the new type too).
        assert_eq!(summaries(&diff(&sqlite("TEXT", true), &sqlite("VARCHAR(9)", false), &detect())).len(), 1);
        // PostgreSQL stores varchar(n) with its limit: a real change.
        let pg = |ty: &str| schema(vec![table("t", vec![col("c", ty, true)])]);
        assert_eq!(summaries(&diff(&pg("text"), &pg("character varying(100)"), &detect())).len(), 1);
    }

    #[test]
    fn table_driven_cases() {
        let a = schema(vec![table("agents", vec![col("id", "integer", false), col("goal", "text", true)])]);
        let cases: Vec<(Schema, Vec<&str>)> = vec![
            (a.clone(), vec![]),
            (
                schema(vec![table("agents", vec![col("id", "integer", false), col("goal", "text", false)])]),
                vec!["~ column public.agents.goal: nullable -> not null"],
            ),
            (
                schema(vec![table(
                    "agents",
                    vec![col("id", "integer", false), col("goal", "text", true), col("x", "integer", true)],
                )]),
                vec!["+ column public.agents.x integer"],
            ),
            (schema(vec![table("agents", vec![col("id", "integer", false)])]), vec!["- column public.agents.goal"]),
            (
                schema(vec![table("agents", vec![col("id", "bigint", false), col("goal", "text", true)])]),
                vec!["~ column public.agents.id: type integer -> bigint"],
            ),
            (
                schema(vec![table("agents", vec![col("id", "integer", false), col("goals", "text", true)])]),
                vec!["~ column public.agents.goal renamed to goals (detected: review)"],
            ),
            (
                schema(vec![table("agent", vec![col("id", "integer", false), col("goal", "text", true)])]),
                vec!["~ table public.agents renamed to public.agent (detected: review)"],
            ),
        ];
        for (b, want) in cases {
            assert_eq!(summaries(&diff(&a, &b, &detect())), want);
        }
    }

    #[test]
    fn no_rename_detection_when_ambiguous_or_disabled() {
        let a = schema(vec![table("t", vec![col("a", "text", true), col("b", "text", true)])]);
        let b = schema(vec![table("t", vec![col("x", "text", true), col("y", "text", true)])]);
        let changes = summaries(&diff(&a, &b, &detect()));
        assert!(changes.iter().all(|c| !c.contains("renamed")), "{changes:?}");
        let c = schema(vec![table("t", vec![col("a", "text", true), col("bb", "text", true)])]);
        let off = summaries(&diff(&a, &c, &DiffOptions::default()));
        assert_eq!(off, vec!["- column public.t.b", "+ column public.t.bb text"]);
    }

    #[test]
    fn foreign_keys_come_after_every_table() {
        let fk = |n: &str, to: &str| fk_to(n, "other", Name::new(Some("public"), to));
        let mut x = table("x", vec![col("id", "integer", false), col("other", "integer", true)]);
        x.foreign_keys.push(fk("x_fk", "y"));
        let mut y = table("y", vec![col("id", "integer", false), col("other", "integer", true)]);
        y.foreign_keys.push(fk("y_fk", "x"));
        let changes = summaries(&diff(&schema(vec![]), &schema(vec![x, y]), &detect()));
        assert_eq!(
            changes,
            vec![
                "+ table public.x",
                "+ table public.y",
                "+ foreign key public.x (other) -> public.y",
                "+ foreign key public.y (other) -> public.x"
            ]
        );
    }

    #[test]
    fn similarity() {
        assert!(similar("goal", "goals"));
        assert!(similar("workspace", "workspace_id"));
        assert!(!similar("name", "created_at"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
