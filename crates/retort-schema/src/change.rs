//! Changes: the closed set of differences between two schemas. Each variant's doc shows the SQL it
//! stands for (PostgreSQL spelling); renderers `match` on it exhaustively, so the compiler names the
//! dialect that misses a change. A downgrade is the diff taken the other way, so every change has
//! its reverse by construction.

use serde::Serialize;

use crate::model::*;

/// One difference between two schemas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// `CREATE SCHEMA s`
    CreateNamespace(Namespace),
    /// `DROP SCHEMA s`
    DropNamespace(Namespace),
    /// `CREATE EXTENSION e`
    CreateExtension(Extension),
    /// `DROP EXTENSION e`
    DropExtension(Extension),
    /// `CREATE TYPE t AS ENUM (...)`
    CreateEnum(EnumType),
    /// `DROP TYPE t`
    DropEnum(EnumType),
    /// `ALTER TYPE t ADD VALUE ...`, or when values are removed or reordered, the safe path:
    /// rename the old type, create the new one, cast every column through text, drop the old type.
    AlterEnum {
        /// The type as it is.
        from: EnumType,
        /// The type as it must become.
        to: EnumType,
        /// Columns of that type, which the recreate path must convert.
        usages: Vec<EnumUsage>,
        /// Take the recreate path even for added values (a new value is used in the same
        /// migration, which `ADD VALUE` inside a transaction does not allow).
        recreate: bool,
    },
    /// `CREATE DOMAIN d AS ...`
    CreateDomain(Domain),
    /// `DROP DOMAIN d`
    DropDomain(Domain),
    /// `ALTER DOMAIN d SET DEFAULT / SET NOT NULL / ADD CONSTRAINT ...`
    AlterDomain {
        /// As it is.
        from: Domain,
        /// As it must become.
        to: Domain,
    },
    /// `CREATE TYPE t AS (...)`
    CreateComposite(Composite),
    /// `DROP TYPE t`
    DropComposite(Composite),
    /// `CREATE SEQUENCE s ...`
    CreateSequence(Sequence),
    /// `DROP SEQUENCE s`
    DropSequence(Sequence),
    /// `ALTER SEQUENCE s ...`
    AlterSequence {
        /// As it is.
        from: Sequence,
        /// As it must become.
        to: Sequence,
    },
    /// `ALTER SEQUENCE s RENAME TO t`: the sequence a renamed table's (or column's) serial owns
    /// keeps its current value (recreating it would restart the ids at 1).
    RenameSequence {
        /// The old name.
        from: Name,
        /// The new name (same schema).
        to: Name,
    },
    /// `CREATE TABLE t (...)` (foreign keys and indexes are separate changes)
    CreateTable(Table),
    /// `DROP TABLE t`
    DropTable(Table),
    /// `ALTER TABLE a RENAME TO b`
    RenameTable {
        /// The old name.
        from: Name,
        /// The new name.
        to: Name,
        /// Found by similarity rather than declared with `-- retort: renamed from`.
        detected: bool,
    },
    /// `ALTER TABLE t ADD COLUMN c ...`; with a fill, `ADD COLUMN c ... DEFAULT fill` then `ALTER
    /// COLUMN c DROP DEFAULT` (SQLite: the rebuild's copy selects the fill).
    AddColumn {
        /// The table.
        table: Name,
        /// The new column.
        column: Column,
        /// For the rows the table holds: a value of the column's type, when a downgrade brings
        /// back a NOT NULL column without a default (its old values are gone; see
        /// [`crate::diff::for_existing_rows`]).
        fill: Option<String>,
    },
    /// `ALTER TABLE t DROP COLUMN c`
    DropColumn {
        /// The table.
        table: Name,
        /// The column as it was.
        column: Column,
    },
    /// `ALTER TABLE t RENAME COLUMN a TO b`
    RenameColumn {
        /// The table.
        table: Name,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
        /// Found by similarity rather than declared.
        detected: bool,
    },
    /// `ALTER TABLE t ALTER COLUMN c TYPE / SET NOT NULL / SET DEFAULT / ...`
    AlterColumn {
        /// The table.
        table: Name,
        /// The column as it is.
        from: Column,
        /// The column as it must become.
        to: Column,
    },
    /// `ALTER TABLE t RENAME CONSTRAINT a TO b`: same definition, new name (also renames the index
    /// of a primary key or unique constraint).
    RenameConstraint {
        /// The table.
        table: Name,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER INDEX a RENAME TO b`: same definition, new name.
    RenameIndex {
        /// The table.
        table: Name,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (...)`
    AddPrimaryKey {
        /// The table.
        table: Name,
        /// The key.
        key: PrimaryKey,
    },
    /// `ALTER TABLE t DROP CONSTRAINT pk`
    DropPrimaryKey {
        /// The table.
        table: Name,
        /// The key.
        key: PrimaryKey,
    },
    /// `ALTER TABLE t ADD CONSTRAINT u UNIQUE (...)`
    AddUnique {
        /// The table.
        table: Name,
        /// The constraint.
        unique: Unique,
    },
    /// `ALTER TABLE t DROP CONSTRAINT u`
    DropUnique {
        /// The table.
        table: Name,
        /// The constraint.
        unique: Unique,
    },
    /// `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (...) REFERENCES ...`
    AddForeignKey {
        /// The table.
        table: Name,
        /// The constraint.
        key: ForeignKey,
    },
    /// `ALTER TABLE t DROP CONSTRAINT fk`
    DropForeignKey {
        /// The table.
        table: Name,
        /// The constraint.
        key: ForeignKey,
    },
    /// `ALTER TABLE t ADD CONSTRAINT c CHECK (...)`
    AddCheck {
        /// The table.
        table: Name,
        /// The constraint.
        check: Check,
    },
    /// `ALTER TABLE t DROP CONSTRAINT c`
    DropCheck {
        /// The table.
        table: Name,
        /// The constraint.
        check: Check,
    },
    /// `ALTER TABLE t ADD CONSTRAINT x EXCLUDE ...`
    AddExclusion {
        /// The table.
        table: Name,
        /// The constraint.
        exclusion: Exclusion,
    },
    /// `ALTER TABLE t DROP CONSTRAINT x`
    DropExclusion {
        /// The table.
        table: Name,
        /// The constraint.
        exclusion: Exclusion,
    },
    /// `CREATE INDEX i ON t ...`
    CreateIndex {
        /// The table (or materialized view).
        table: Name,
        /// The index.
        index: Index,
    },
    /// `DROP INDEX i`
    DropIndex {
        /// The table (or materialized view).
        table: Name,
        /// The index.
        index: Index,
    },
    /// Table-level options: `SET LOGGED`/`SET UNLOGGED`, `INHERIT`/`NO INHERIT`, a partition's
    /// bound (`DETACH` + `ATTACH PARTITION`); SQLite's `WITHOUT ROWID` and `STRICT` (a rebuild).
    TableOptions {
        /// The table as it is.
        from: Box<Table>,
        /// The table as it must become.
        to: Box<Table>,
    },
    /// `COMMENT ON TABLE t IS ...`
    CommentTable {
        /// The table.
        table: Name,
        /// The new comment (`None` removes it).
        comment: Option<String>,
    },
    /// `ALTER TABLE t CLUSTER ON i` / `SET WITHOUT CLUSTER`
    ClusterOn {
        /// The table.
        table: Name,
        /// The index, or `None` for none.
        index: Option<String>,
    },
    /// `CREATE VIRTUAL TABLE v USING module(...)` (SQLite)
    CreateVirtualTable(VirtualTable),
    /// `DROP TABLE v` of a virtual table (SQLite)
    DropVirtualTable(VirtualTable),
    /// `CREATE VIEW v AS ...` / `CREATE MATERIALIZED VIEW ...`
    CreateView(View),
    /// `DROP VIEW v`
    DropView(View),
    /// `CREATE FUNCTION ...` (also a changed definition: `CREATE OR REPLACE`)
    CreateRoutine(Routine),
    /// `DROP FUNCTION f(args)`
    DropRoutine(Routine),
    /// `CREATE TRIGGER ...`
    CreateTrigger(Trigger),
    /// `DROP TRIGGER t ON table`
    DropTrigger(Trigger),
    /// `CREATE RULE ...`
    CreateRule(Rule),
    /// `DROP RULE r ON table`
    DropRule(Rule),
}

/// A column an enum's recreate converts to the new type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumUsage {
    /// Its table, named as it is when the recreate runs (after the migration's renames).
    pub table: Name,
    /// The column, named likewise.
    pub column: String,
    /// Whether it has a default when the recreate runs (a default of the old type blocks the cast).
    pub had_default: bool,
    /// The default it must have afterwards.
    pub default: Option<String>,
    /// An array of the type rather than the type.
    pub array: bool,
}

impl Change {
    /// Why this change can lose data, if it can: dropped tables and columns, narrowed types,
    /// removed enum values. Generated files mark these, and the summary lists them.
    pub fn destructive(&self) -> Option<String> {
        match self {
            Change::DropTable(t) => Some(format!("drops table {} and its rows", t.name)),
            Change::DropVirtualTable(v) => Some(format!("drops virtual table {} and its rows", v.name)),
            Change::DropColumn { table, column } => Some(format!("drops column {table}.{} and its data", column.name)),
            Change::AddColumn { table, column, fill: Some(fill) } => Some(format!(
                "values of {table}.{} are not restored (the upgrade dropped them); filled with {fill}",
                column.name
            )),
            Change::AlterColumn { table, from, to }
                if from.data_type != to.data_type && !widens(&from.data_type, &to.data_type) =>
            {
                Some(format!(
                    "changes the type of {table}.{} from {} to {}: values that do not fit fail or are cut",
                    to.name, from.data_type, to.data_type
                ))
            }
            Change::AlterEnum { from, to, .. } => {
                let removed: Vec<&String> = from.labels.iter().filter(|l| !to.labels.contains(l)).collect();
                (!removed.is_empty()).then(|| {
                    format!(
                        "removes value(s) {removed:?} from enum {}: rows holding them make the migration fail",
                        to.name
                    )
                })
            }
            _ => None,
        }
    }

    /// Why this change can fail on existing rows, if it can: NOT NULL without a value to fill in.
    pub fn caution(&self) -> Option<String> {
        match self {
            Change::AlterColumn { table, from, to } if from.nullable && !to.nullable && to.default.is_none() => {
                Some(format!(
                    "{table}.{} becomes NOT NULL with no default to fill in: fails if a row holds NULL (update those rows first)",
                    to.name
                ))
            }
            Change::AddColumn { table, column, fill: None }
                if !column.nullable
                    && column.default.is_none()
                    && column.identity.is_none()
                    && column.generated.is_none() =>
            {
                Some(format!(
                    "{table}.{} is added NOT NULL with no default: fails if the table has rows (no fill value is generated for a column under a unique key, a foreign key or a check, or of an unknown type)",
                    column.name
                ))
            }
            _ => None,
        }
    }

    /// [`Change::caution`] as it applies on `dialect`: MySQL does not refuse a NOT NULL column
    /// without a default on a table with rows, it fills them with the type's implicit default.
    pub fn caution_in(&self, dialect: Dialect) -> Option<String> {
        match self {
            Change::AddColumn { table, column, fill: None }
                if dialect == Dialect::Mysql && self.caution().is_some() =>
            {
                Some(format!(
                    "{table}.{} is added NOT NULL with no default: MySQL gives the rows the table holds the type's implicit default (0, '', the first ENUM value, a zero date), which fails where a foreign key or a check on the column refuses that value (or a strict NO_ZERO_DATE mode a zero date); give it a default that they should hold",
                    column.name
                ))
            }
            _ => self.caution(),
        }
    }

    /// A one-line summary: `+ table crews`, `~ column agents.goal: nullable -> not null`.
    pub fn summary(&self) -> String {
        match self {
            Change::CreateNamespace(n) => format!("+ schema {}", n.name),
            Change::DropNamespace(n) => format!("- schema {}", n.name),
            Change::CreateExtension(e) => format!("+ extension {}", e.name),
            Change::DropExtension(e) => format!("- extension {}", e.name),
            Change::CreateEnum(e) => format!("+ enum {}", e.name),
            Change::DropEnum(e) => format!("- enum {}", e.name),
            Change::AlterEnum { from, to, .. } => format!("~ enum {}: {:?} -> {:?}", to.name, from.labels, to.labels),
            Change::CreateDomain(d) => format!("+ domain {}", d.name),
            Change::DropDomain(d) => format!("- domain {}", d.name),
            Change::AlterDomain { to, .. } => format!("~ domain {}", to.name),
            Change::CreateComposite(c) => format!("+ type {}", c.name),
            Change::DropComposite(c) => format!("- type {}", c.name),
            Change::CreateSequence(s) => format!("+ sequence {}", s.name),
            Change::DropSequence(s) => format!("- sequence {}", s.name),
            Change::AlterSequence { to, .. } => format!("~ sequence {}", to.name),
            Change::RenameSequence { from, to } => format!("~ sequence {from} renamed to {to}"),
            Change::CreateTable(t) => format!("+ table {}", t.name),
            Change::DropTable(t) => format!("- table {}", t.name),
            Change::RenameTable { from, to, detected } => {
                format!("~ table {from} renamed to {to}{}", if *detected { " (detected: review)" } else { "" })
            }
            Change::AddColumn { table, column, fill } => {
                let filled = fill.as_ref().map(|f| format!(" (existing rows get {f})")).unwrap_or_default();
                format!("+ column {table}.{} {}{filled}", column.name, column_words(column))
            }
            Change::DropColumn { table, column } => format!("- column {table}.{}", column.name),
            Change::RenameColumn { table, from, to, detected } => {
                format!("~ column {table}.{from} renamed to {to}{}", if *detected { " (detected: review)" } else { "" })
            }
            Change::AlterColumn { table, from, to } => {
                format!("~ column {table}.{}: {}", to.name, column_delta(from, to))
            }
            Change::RenameConstraint { table, from, to } => format!("~ constraint {from} on {table} renamed to {to}"),
            Change::RenameIndex { table, from, to } => format!("~ index {from} on {table} renamed to {to}"),
            Change::AddPrimaryKey { table, key } => format!("+ primary key {table} ({})", key.columns.join(", ")),
            Change::DropPrimaryKey { table, key } => format!("- primary key {table} ({})", key.columns.join(", ")),
            Change::AddUnique { table, unique } => format!("+ unique {table} ({})", unique.columns.join(", ")),
            Change::DropUnique { table, unique } => format!("- unique {table} ({})", unique.columns.join(", ")),
            Change::AddForeignKey { table, key } => {
                format!("+ foreign key {table} ({}) -> {}", key.columns.join(", "), key.ref_table)
            }
            Change::DropForeignKey { table, key } => {
                format!("- foreign key {table} ({}) -> {}", key.columns.join(", "), key.ref_table)
            }
            Change::AddCheck { table, check } => format!("+ check {table} {}", check.expr),
            Change::DropCheck { table, check } => format!("- check {table} {}", check.expr),
            Change::AddExclusion { table, exclusion } => format!("+ exclusion {table} {}", exclusion.name),
            Change::DropExclusion { table, exclusion } => format!("- exclusion {table} {}", exclusion.name),
            Change::CreateIndex { table, index } => format!("+ index {} on {table}", index.name),
            Change::DropIndex { table, index } => format!("- index {} on {table}", index.name),
            Change::CommentTable { table, .. } => format!("~ comment on table {table}"),
            Change::TableOptions { to, .. } => format!("~ table options of {}", to.name),
            Change::ClusterOn { table, index } => {
                format!("~ cluster {table} on {}", index.as_deref().unwrap_or("nothing"))
            }
            Change::CreateVirtualTable(v) => format!("+ virtual table {} ({})", v.name, v.module),
            Change::DropVirtualTable(v) => format!("- virtual table {} ({})", v.name, v.module),
            Change::CreateView(v) => {
                format!("+ {} {}", if v.materialized { "materialized view" } else { "view" }, v.name)
            }
            Change::DropView(v) => {
                format!("- {} {}", if v.materialized { "materialized view" } else { "view" }, v.name)
            }
            Change::CreateRoutine(r) => format!("+ {} {}({})", r.kind, r.name, r.arguments),
            Change::DropRoutine(r) => format!("- {} {}({})", r.kind, r.name, r.arguments),
            Change::CreateTrigger(t) => format!("+ trigger {} on {}", t.name, t.table),
            Change::DropTrigger(t) => format!("- trigger {} on {}", t.name, t.table),
            Change::CreateRule(r) => format!("+ rule {} on {}", r.name, r.table),
            Change::DropRule(r) => format!("- rule {} on {}", r.name, r.table),
        }
    }
}

/// A change as fields, for `--json` (the same facts as [`Change::summary`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeFacts {
    /// `add`, `drop`, `alter` or `rename`.
    pub action: &'static str,
    /// The kind of object: `table`, `column`, `index`, `foreign key`, ...
    pub kind: &'static str,
    /// The object's name (qualified on PostgreSQL; `table.column` for a column).
    pub object: String,
    /// The table it belongs to, for columns, keys, constraints, indexes, triggers and rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The column, for column changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What it was (a renamed object's old name, an altered column's definition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What it becomes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A column's definition in a few words: `VARCHAR(20) NOT NULL DEFAULT 'x'`.
fn column_words(c: &Column) -> String {
    let mut out = c.data_type.clone();
    if !c.nullable {
        out.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        out.push_str(&format!(" DEFAULT {d}"));
    }
    out
}

impl Change {
    /// The change as fields: what is done to which object, and from what to what.
    pub fn facts(&self) -> ChangeFacts {
        let base = |action, kind, object: String| ChangeFacts {
            action,
            kind,
            object,
            table: None,
            column: None,
            from: None,
            to: None,
        };
        let on = |action, kind, object: String, table: &Name| ChangeFacts {
            table: Some(table.to_string()),
            ..base(action, kind, object)
        };
        let keyed = |name: &Option<String>, columns: &[String]| {
            name.clone().unwrap_or_else(|| format!("({})", columns.join(", ")))
        };
        let view_kind = |v: &View| if v.materialized { "materialized view" } else { "view" };
        match self {
            Change::CreateNamespace(n) => base("add", "schema", n.name.clone()),
            Change::DropNamespace(n) => base("drop", "schema", n.name.clone()),
            Change::CreateExtension(e) => base("add", "extension", e.name.clone()),
            Change::DropExtension(e) => base("drop", "extension", e.name.clone()),
            Change::CreateEnum(e) => base("add", "enum", e.name.to_string()),
            Change::DropEnum(e) => base("drop", "enum", e.name.to_string()),
            Change::AlterEnum { from, to, .. } => ChangeFacts {
                from: Some(from.labels.join(", ")),
                to: Some(to.labels.join(", ")),
                ..base("alter", "enum", to.name.to_string())
            },
            Change::CreateDomain(d) => base("add", "domain", d.name.to_string()),
            Change::DropDomain(d) => base("drop", "domain", d.name.to_string()),
            Change::AlterDomain { to, .. } => base("alter", "domain", to.name.to_string()),
            Change::CreateComposite(c) => base("add", "type", c.name.to_string()),
            Change::DropComposite(c) => base("drop", "type", c.name.to_string()),
            Change::CreateSequence(s) => base("add", "sequence", s.name.to_string()),
            Change::DropSequence(s) => base("drop", "sequence", s.name.to_string()),
            Change::AlterSequence { to, .. } => base("alter", "sequence", to.name.to_string()),
            Change::RenameSequence { from, to } => ChangeFacts {
                from: Some(from.to_string()),
                to: Some(to.to_string()),
                ..base("rename", "sequence", to.to_string())
            },
            Change::CreateTable(t) => on("add", "table", t.name.to_string(), &t.name),
            Change::DropTable(t) => on("drop", "table", t.name.to_string(), &t.name),
            Change::RenameTable { from, to, .. } => ChangeFacts {
                from: Some(from.to_string()),
                to: Some(to.to_string()),
                ..on("rename", "table", to.to_string(), to)
            },
            Change::AddColumn { table, column, .. } => ChangeFacts {
                column: Some(column.name.clone()),
                to: Some(column_words(column)),
                ..on("add", "column", format!("{table}.{}", column.name), table)
            },
            Change::DropColumn { table, column } => ChangeFacts {
                column: Some(column.name.clone()),
                from: Some(column_words(column)),
                ..on("drop", "column", format!("{table}.{}", column.name), table)
            },
            Change::RenameColumn { table, from, to, .. } => ChangeFacts {
                column: Some(to.clone()),
                from: Some(from.clone()),
                to: Some(to.clone()),
                ..on("rename", "column", format!("{table}.{to}"), table)
            },
            Change::AlterColumn { table, from, to } => ChangeFacts {
                column: Some(to.name.clone()),
                from: Some(column_words(from)),
                to: Some(column_words(to)),
                ..on("alter", "column", format!("{table}.{}", to.name), table)
            },
            Change::RenameConstraint { table, from, to } => ChangeFacts {
                from: Some(from.clone()),
                to: Some(to.clone()),
                ..on("rename", "constraint", to.clone(), table)
            },
            Change::RenameIndex { table, from, to } => ChangeFacts {
                from: Some(from.clone()),
                to: Some(to.clone()),
                ..on("rename", "index", to.clone(), table)
            },
            Change::AddPrimaryKey { table, key } => on("add", "primary key", keyed(&key.name, &key.columns), table),
            Change::DropPrimaryKey { table, key } => on("drop", "primary key", keyed(&key.name, &key.columns), table),
            Change::AddUnique { table, unique } => on("add", "unique", keyed(&unique.name, &unique.columns), table),
            Change::DropUnique { table, unique } => on("drop", "unique", keyed(&unique.name, &unique.columns), table),
            Change::AddForeignKey { table, key } => ChangeFacts {
                to: Some(key.ref_table.to_string()),
                ..on("add", "foreign key", keyed(&key.name, &key.columns), table)
            },
            Change::DropForeignKey { table, key } => ChangeFacts {
                from: Some(key.ref_table.to_string()),
                ..on("drop", "foreign key", keyed(&key.name, &key.columns), table)
            },
            Change::AddCheck { table, check } => ChangeFacts {
                to: Some(check.expr.clone()),
                ..on("add", "check", check.name.clone().unwrap_or_else(|| check.expr.clone()), table)
            },
            Change::DropCheck { table, check } => ChangeFacts {
                from: Some(check.expr.clone()),
                ..on("drop", "check", check.name.clone().unwrap_or_else(|| check.expr.clone()), table)
            },
            Change::AddExclusion { table, exclusion } => on("add", "exclusion", exclusion.name.clone(), table),
            Change::DropExclusion { table, exclusion } => on("drop", "exclusion", exclusion.name.clone(), table),
            Change::CreateIndex { table, index } => on("add", "index", index.name.clone(), table),
            Change::DropIndex { table, index } => on("drop", "index", index.name.clone(), table),
            Change::CommentTable { table, .. } => on("alter", "comment", table.to_string(), table),
            Change::TableOptions { to, .. } => on("alter", "table options", to.name.to_string(), &to.name),
            Change::ClusterOn { table, index } => {
                ChangeFacts { to: index.clone(), ..on("alter", "cluster", table.to_string(), table) }
            }
            Change::CreateVirtualTable(v) => base("add", "virtual table", v.name.to_string()),
            Change::DropVirtualTable(v) => base("drop", "virtual table", v.name.to_string()),
            Change::CreateView(v) => base("add", view_kind(v), v.name.to_string()),
            Change::DropView(v) => base("drop", view_kind(v), v.name.to_string()),
            Change::CreateRoutine(r) => base("add", "routine", format!("{}({})", r.name, r.arguments)),
            Change::DropRoutine(r) => base("drop", "routine", format!("{}({})", r.name, r.arguments)),
            Change::CreateTrigger(t) => on("add", "trigger", t.name.clone(), &t.table),
            Change::DropTrigger(t) => on("drop", "trigger", t.name.clone(), &t.table),
            Change::CreateRule(r) => on("add", "rule", r.name.clone(), &r.table),
            Change::DropRule(r) => on("drop", "rule", r.name.clone(), &r.table),
        }
    }
}

/// Integer-like types from narrowest to widest, as PostgreSQL prints them and as SQLite users
/// write them; a move to the right (or to `numeric`) keeps every value.
const INTEGER_RANKS: [&[&str]; 3] = [&["smallint", "int2"], &["integer", "int", "int4"], &["bigint", "int8"]];

/// Type changes that keep every value: wider integers, longer or unbounded text (any value has
/// an unbounded text form), more numeric precision, `real` to `double precision`.
pub fn widens(from: &str, to: &str) -> bool {
    let (f, t) = (from.to_ascii_lowercase(), to.to_ascii_lowercase());
    if let Some(wider) = mysql_widens(&f, &t) {
        return wider;
    }
    let rank = |ty: &str| INTEGER_RANKS.iter().position(|names| names.contains(&ty));
    let (base_f, len_f) = split_type(&f);
    let (base_t, len_t) = split_type(&t);
    if !t.ends_with("[]")
        && (base_t == "text" || (matches!(base_t.as_str(), "character varying" | "varchar") && len_t.is_empty()))
    {
        return true;
    }
    if let (Some(a), Some(b)) = (rank(&f), rank(&t)) {
        return b >= a;
    }
    let texty = |b: &str| matches!(b, "character varying" | "varchar" | "text" | "character" | "char");
    if rank(&f).is_some() && (base_t == "numeric" || base_t == "decimal") {
        return len_t.is_empty();
    }
    match (base_f.as_str(), base_t.as_str()) {
        (_, "text") if texty(&base_f) => true,
        (a, b) if texty(a) && texty(b) && b != "character" && b != "char" => {
            len_t.is_empty() || number(&len_t).zip(number(&len_f)).is_some_and(|(t, f)| t >= f)
        }
        ("numeric" | "decimal", "numeric" | "decimal") => {
            if len_t.is_empty() {
                return true;
            }
            let parts = |l: &str| {
                let mut it = l.split(',').map(|x| x.trim().parse::<i64>().unwrap_or(0));
                (it.next().unwrap_or(0), it.next().unwrap_or(0))
            };
            let ((pf, sf), (pt, st)) = (parts(&len_f), parts(&len_t));
            !len_f.is_empty() && st >= sf && pt - st >= pf - sf
        }
        ("real" | "float4", "double precision" | "float8") => true,
        _ => false,
    }
}

/// MySQL's integer types from narrowest to widest, and its text and blob types.
const MYSQL_INTEGERS: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];
const MYSQL_TEXTS: [&str; 4] = ["tinytext", "text", "mediumtext", "longtext"];
const MYSQL_BLOBS: [&str; 4] = ["tinyblob", "blob", "mediumblob", "longblob"];

/// MySQL spellings (`int(11) unsigned`, `enum('a','b')`, `mediumtext`): `None` when the types
/// are not MySQL's. Appending ENUM or SET values keeps every value; reordering or removing does not.
fn mysql_widens(f: &str, t: &str) -> Option<bool> {
    for kind in ["enum(", "set("] {
        if let (Some(a), Some(b)) = (f.strip_prefix(kind), t.strip_prefix(kind)) {
            let (a, b) = (a.trim_end_matches(')'), b.trim_end_matches(')'));
            return Some(b.starts_with(a) && (b.len() == a.len() || b[a.len()..].starts_with(',')));
        }
    }
    let base = |ty: &str| ty.split(['(', ' ']).next().unwrap_or("").to_string();
    let unsigned = |ty: &str| ty.contains("unsigned");
    let (bf, bt) = (base(f), base(t));
    let rank = |list: &[&str], b: &str| list.iter().position(|x| *x == b);
    if let (Some(a), Some(b)) = (rank(&MYSQL_INTEGERS, &bf), rank(&MYSQL_INTEGERS, &bt))
        && (f.contains('(') || t.contains('(') || bf == "tinyint" || bf == "mediumint" || unsigned(f) || unsigned(t))
    {
        // Unsigned to signed needs one more rank; signed to unsigned loses the negatives.
        return Some(match (unsigned(f), unsigned(t)) {
            (false, true) => false,
            (true, false) => b > a,
            _ => b >= a,
        });
    }
    for list in [&MYSQL_TEXTS, &MYSQL_BLOBS] {
        if let (Some(a), Some(b)) = (rank(list, &bf), rank(list, &bt)) {
            return Some(b >= a);
        }
    }
    None
}

/// `character varying(20)` into (`character varying`, `20`).
fn split_type(ty: &str) -> (String, String) {
    match ty.split_once('(') {
        Some((base, rest)) => (base.trim().to_string(), rest.trim_end_matches(')').trim().to_string()),
        None => (ty.trim().to_string(), String::new()),
    }
}

fn number(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// What changed in a column, in words: `nullable -> not null`, `type integer -> bigint`.
pub fn column_delta(from: &Column, to: &Column) -> String {
    let mut parts = Vec::new();
    if from.data_type != to.data_type {
        parts.push(format!("type {} -> {}", from.data_type, to.data_type));
    }
    if from.nullable != to.nullable {
        let word = |n: bool| if n { "nullable" } else { "not null" };
        parts.push(format!("{} -> {}", word(from.nullable), word(to.nullable)));
    }
    if from.default != to.default {
        let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".into());
        parts.push(format!("default {} -> {}", show(&from.default), show(&to.default)));
    }
    if from.identity != to.identity {
        parts.push("identity".into());
    }
    if from.generated != to.generated {
        parts.push("generated expression".into());
    }
    if from.collation != to.collation {
        parts.push("collation".into());
    }
    if from.comment != to.comment {
        parts.push("comment".into());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::widens;

    #[test]
    fn widenings_keep_every_value() {
        let cases = [
            ("integer", "bigint", true),
            ("bigint", "integer", false),
            ("smallint", "integer", true),
            ("INTEGER", "BIGINT", true),
            ("character varying(11)", "character varying(20)", true),
            ("character varying(20)", "character varying(11)", false),
            ("VARCHAR(11)", "VARCHAR(20)", true),
            ("character varying(20)", "text", true),
            ("text", "character varying(20)", false),
            ("numeric(5,2)", "numeric(7,2)", true),
            ("numeric(5,2)", "numeric(5,3)", false),
            ("numeric(5,2)", "numeric", true),
            ("integer", "numeric", true),
            ("real", "double precision", true),
            ("text", "integer", false),
            ("timestamp without time zone", "date", false),
            ("integer", "text", true),
            ("INTEGER", "TEXT", true),
            ("timestamp with time zone", "character varying", true),
            ("integer", "character varying(5)", false),
            ("integer", "character(1)", false),
            ("int(11)", "bigint(20)", true),
            ("int(10) unsigned", "int(11)", false),
            ("int(10) unsigned", "bigint(20)", true),
            ("int(11)", "int(10) unsigned", false),
            ("tinyint(1)", "smallint(6)", true),
            ("text", "mediumtext", true),
            ("longtext", "text", false),
            ("varchar(50)", "varchar(100)", true),
            ("enum('a','b')", "enum('a','b','c')", true),
            ("enum('a','b')", "enum('b','a')", false),
            ("enum('a','b')", "enum('a')", false),
            ("enum('a','b')", "enum('a','bc')", false),
        ];
        for (from, to, want) in cases {
            assert_eq!(widens(from, to), want, "{from} -> {to}");
        }
    }
}
