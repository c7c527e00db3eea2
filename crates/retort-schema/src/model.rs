//! The schema model: plain data, sorted and compared field by field.

use serde::{Deserialize, Serialize};

/// Which SQL dialect a schema is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// SQLite 3.
    #[default]
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL 8 and MariaDB 10.5 and later: names are unqualified (one database), types as
    /// `information_schema.COLUMNS.COLUMN_TYPE` prints them, unique keys are unique indexes.
    Mysql,
}

/// A schema-qualified name. SQLite objects have no schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Name {
    /// The namespace (PostgreSQL schema), `None` on SQLite.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub schema: Option<String>,
    /// The object name.
    pub name: String,
}

impl Name {
    /// A name in a schema.
    pub fn new(schema: Option<&str>, name: &str) -> Name {
        Name { schema: schema.map(str::to_string), name: name.to_string() }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A whole database schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Schema {
    /// The dialect.
    pub dialect: Dialect,
    /// Namespaces other than the default one (`public`), with their comments.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub namespaces: Vec<Namespace>,
    /// Installed extensions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub extensions: Vec<Extension>,
    /// Enum types with their ordered labels.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub enums: Vec<EnumType>,
    /// Domains.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub domains: Vec<Domain>,
    /// Composite types.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub composites: Vec<Composite>,
    /// Sequences not owned by an identity column.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sequences: Vec<Sequence>,
    /// Tables.
    pub tables: Vec<Table>,
    /// SQLite virtual tables (FTS, R*Tree, ...), kept as whole definitions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub virtual_tables: Vec<VirtualTable>,
    /// Views and materialized views.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub views: Vec<View>,
    /// Functions, procedures and aggregates, kept as whole definitions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub routines: Vec<Routine>,
    /// Triggers, kept as whole definitions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub triggers: Vec<Trigger>,
    /// Rewrite rules (PostgreSQL `CREATE RULE`), kept as whole definitions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub rules: Vec<Rule>,
}

/// A PostgreSQL schema (namespace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// Its name.
    pub name: String,
    /// `COMMENT ON SCHEMA`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// An extension (`CREATE EXTENSION`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The extension name.
    pub name: String,
    /// The schema it is installed in.
    pub schema: String,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    /// Its name.
    pub name: Name,
    /// Labels in sort order.
    pub labels: Vec<String>,
    /// `COMMENT ON TYPE`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// A domain: a base type with constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Its name.
    pub name: Name,
    /// The base type as the server prints it.
    pub base_type: String,
    /// `NOT NULL`.
    pub not_null: bool,
    /// The default expression.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<String>,
    /// The collation, when not the type's default.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub collation: Option<String>,
    /// Named CHECK constraints.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub checks: Vec<Check>,
    /// `COMMENT ON DOMAIN`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// A composite type (`CREATE TYPE x AS (...)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composite {
    /// Its name.
    pub name: Name,
    /// Attributes: name and type.
    pub attributes: Vec<(String, String)>,
    /// `COMMENT ON TYPE`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// A sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// Its name.
    pub name: Name,
    /// The value type (`bigint` by default).
    pub data_type: String,
    /// START WITH.
    pub start: i64,
    /// INCREMENT BY.
    pub increment: i64,
    /// MINVALUE.
    pub min: i64,
    /// MAXVALUE.
    pub max: i64,
    /// CACHE.
    pub cache: i64,
    /// CYCLE.
    pub cycle: bool,
    /// `OWNED BY table.column` (serial columns).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub owned_by: Option<(Name, String)>,
    /// `COMMENT ON SEQUENCE`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Table {
    /// Its name.
    pub name: Name,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// The primary key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub primary_key: Option<PrimaryKey>,
    /// UNIQUE constraints (not unique indexes).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub uniques: Vec<Unique>,
    /// FOREIGN KEY constraints.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub checks: Vec<Check>,
    /// EXCLUDE constraints, as their full definitions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exclusions: Vec<Exclusion>,
    /// Indexes that are not the implementation of a constraint.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub indexes: Vec<Index>,
    /// `PARTITION BY ...` of a partitioned table.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partition_by: Option<String>,
    /// `PARTITION OF parent FOR VALUES ...` of a partition.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partition_of: Option<Partition>,
    /// `INHERITS (...)` parents (not partitions).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub inherits: Vec<Name>,
    /// `UNLOGGED` (PostgreSQL).
    #[serde(skip_serializing_if = "is_false", default)]
    pub unlogged: bool,
    /// The index `CLUSTER` uses for this table (`ALTER TABLE ... CLUSTER ON`), PostgreSQL.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cluster_on: Option<String>,
    /// `WITHOUT ROWID` (SQLite).
    #[serde(skip_serializing_if = "is_false", default)]
    pub without_rowid: bool,
    /// `STRICT` (SQLite).
    #[serde(skip_serializing_if = "is_false", default)]
    pub strict: bool,
    /// `COMMENT ON TABLE` (MySQL: `COMMENT='...'`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// The storage engine (MySQL: `ENGINE=InnoDB`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub engine: Option<String>,
    /// The default collation of the table's text columns (MySQL: `COLLATE=utf8mb4_bin`; the
    /// character set is the collation's).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub collation: Option<String>,
    /// Other table options as `KEY=value`, in the server's order (MySQL: `ROW_FORMAT=DYNAMIC`,
    /// `STATS_PERSISTENT=0`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub options: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A partition's parent and bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    /// The partitioned table.
    pub parent: Name,
    /// `FOR VALUES ...` or `DEFAULT`, as the server prints it.
    pub bound: String,
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// The type as the server prints it (`character varying(11)`, `integer[]`), or as declared on SQLite.
    pub data_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The default expression, canonical.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<String>,
    /// `GENERATED ... AS IDENTITY`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED` (or VIRTUAL on SQLite).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub generated: Option<Generated>,
    /// The collation, when not the default.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// `ON UPDATE expr` (MySQL: `ON UPDATE current_timestamp()`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub on_update: Option<String>,
    /// `AUTO_INCREMENT` (MySQL).
    #[serde(skip_serializing_if = "is_false", default)]
    pub auto_increment: bool,
    /// `INVISIBLE` (MySQL, MariaDB): left out of `SELECT *`.
    #[serde(skip_serializing_if = "is_false", default)]
    pub invisible: bool,
    /// A column-level `CHECK (expr)` (MariaDB keeps it with the column, named after it; JSON
    /// columns carry `json_valid(col)`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub check: Option<String>,
}

/// An identity column's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `ALWAYS` (true) or `BY DEFAULT`.
    pub always: bool,
    /// Sequence options that differ from the defaults, canonical (`START WITH 10 INCREMENT BY 2`).
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub options: String,
}

/// A generated column's expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The expression, canonical.
    pub expr: String,
    /// STORED (true) or VIRTUAL.
    pub stored: bool,
}

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    /// The constraint name (`None` on SQLite when unnamed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// Columns in key order.
    pub columns: Vec<String>,
    /// SQLite `AUTOINCREMENT`.
    #[serde(skip_serializing_if = "is_false", default)]
    pub autoincrement: bool,
}

/// A UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    /// The constraint name (`None` on SQLite when unnamed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// Columns.
    pub columns: Vec<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15).
    #[serde(skip_serializing_if = "is_false", default)]
    pub nulls_not_distinct: bool,
    /// `DEFERRABLE [INITIALLY DEFERRED]`.
    #[serde(skip_serializing_if = "Deferral::is_immediate", default)]
    pub deferral: Deferral,
}

/// Whether a constraint is checked at once or at commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    /// NOT DEFERRABLE (the default).
    #[default]
    Immediate,
    /// DEFERRABLE INITIALLY IMMEDIATE.
    Deferrable,
    /// DEFERRABLE INITIALLY DEFERRED.
    Deferred,
}

impl Deferral {
    fn is_immediate(&self) -> bool {
        *self == Deferral::Immediate
    }

    /// The SQL clause (empty for the default).
    pub fn sql(self) -> &'static str {
        match self {
            Deferral::Immediate => "",
            Deferral::Deferrable => " DEFERRABLE",
            Deferral::Deferred => " DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// A referential action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// NO ACTION (the default).
    #[default]
    NoAction,
    /// RESTRICT.
    Restrict,
    /// CASCADE.
    Cascade,
    /// SET NULL.
    SetNull,
    /// SET DEFAULT.
    SetDefault,
}

impl Action {
    fn is_default(&self) -> bool {
        *self == Action::NoAction
    }

    /// The SQL words.
    pub fn sql(self) -> &'static str {
        match self {
            Action::NoAction => "NO ACTION",
            Action::Restrict => "RESTRICT",
            Action::Cascade => "CASCADE",
            Action::SetNull => "SET NULL",
            Action::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the SQL words (case-insensitive), as PRAGMA foreign_key_list prints them.
    pub fn parse(words: &str) -> Option<Action> {
        match words.to_ascii_uppercase().as_str() {
            "NO ACTION" | "" => Some(Action::NoAction),
            "RESTRICT" => Some(Action::Restrict),
            "CASCADE" => Some(Action::Cascade),
            "SET NULL" => Some(Action::SetNull),
            "SET DEFAULT" => Some(Action::SetDefault),
            _ => None,
        }
    }
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// The constraint name (`None` on SQLite when unnamed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub ref_table: Name,
    /// Referenced columns.
    pub ref_columns: Vec<String>,
    /// ON DELETE.
    #[serde(skip_serializing_if = "Action::is_default", default)]
    pub on_delete: Action,
    /// ON UPDATE.
    #[serde(skip_serializing_if = "Action::is_default", default)]
    pub on_update: Action,
    /// MATCH FULL.
    #[serde(skip_serializing_if = "is_false", default)]
    pub match_full: bool,
    /// Deferrability.
    #[serde(skip_serializing_if = "Deferral::is_immediate", default)]
    pub deferral: Deferral,
    /// Created `NOT VALID` and not validated since.
    #[serde(skip_serializing_if = "is_false", default)]
    pub not_valid: bool,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The constraint name (`None` on SQLite when unnamed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// The expression, canonical, without the surrounding `CHECK (...)`.
    pub expr: String,
    /// `NO INHERIT`.
    #[serde(skip_serializing_if = "is_false", default)]
    pub no_inherit: bool,
    /// Created `NOT VALID` and not validated since.
    #[serde(skip_serializing_if = "is_false", default)]
    pub not_valid: bool,
}

/// An EXCLUDE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The constraint name.
    pub name: String,
    /// The definition after the name (`EXCLUDE USING gist (...)`), canonical.
    pub definition: String,
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Index {
    /// Its name.
    pub name: String,
    /// UNIQUE.
    pub unique: bool,
    /// Keys: column names or expressions, canonical, with ordering/opclass/collation.
    pub keys: Vec<String>,
    /// The access method (`btree`, `gin`, ...); empty on SQLite.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub method: String,
    /// INCLUDE columns.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub include: Vec<String>,
    /// The partial-index predicate, canonical.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub predicate: Option<String>,
    /// `NULLS NOT DISTINCT`.
    #[serde(skip_serializing_if = "is_false", default)]
    pub nulls_not_distinct: bool,
    /// `WITH (...)` storage parameters.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub options: Vec<String>,
    /// `COMMENT ON INDEX` (MySQL: `COMMENT '...'`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// Not used by the planner (MySQL `INVISIBLE`, MariaDB `IGNORED`).
    #[serde(skip_serializing_if = "is_false", default)]
    pub invisible: bool,
}

/// A SQLite virtual table, kept as its whole `CREATE VIRTUAL TABLE` statement: its columns and
/// options are the module's business. The shadow tables the module keeps its data in are not part
/// of the schema; the module creates them with the virtual table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualTable {
    /// Its name.
    pub name: Name,
    /// The module (`fts5`, `fts4`, `rtree`, ...).
    pub module: String,
    /// The complete `CREATE VIRTUAL TABLE` statement, as SQLite stores it.
    pub definition: String,
}

/// A view or materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Its name.
    pub name: Name,
    /// The query, canonical (PostgreSQL) or as written (SQLite).
    pub query: String,
    /// A materialized view.
    #[serde(skip_serializing_if = "is_false", default)]
    pub materialized: bool,
    /// Explicit column names (SQLite `CREATE VIEW v(a, b)`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub columns: Vec<String>,
    /// `WITH (...)` options, e.g. `security_barrier=true`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub options: Vec<String>,
    /// Indexes (materialized views).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub indexes: Vec<Index>,
    /// The index `CLUSTER` uses (materialized views).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cluster_on: Option<String>,
    /// `COMMENT ON VIEW`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// Objects the query reads, for ordering (not compared: the query says it all).
    #[serde(skip)]
    pub depends_on: Vec<Name>,
}

/// A function, procedure or aggregate, kept as its whole definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine {
    /// Its name.
    pub name: Name,
    /// Its identity arguments (`integer, text`), distinguishing overloads.
    pub arguments: String,
    /// `function`, `procedure` or `aggregate`.
    pub kind: String,
    /// The complete `CREATE ...` statement, canonical.
    pub definition: String,
    /// `COMMENT ON FUNCTION`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// Tables whose row type the signature uses, and functions it calls (known to the server),
    /// for ordering.
    #[serde(skip)]
    pub depends_on: Vec<Name>,
}

impl Routine {
    /// True when the routine needs a table or view of `schema` to exist (its signature uses a
    /// row type): it is created after the tables.
    pub fn needs_relations(&self, schema: &Schema) -> bool {
        self.depends_on.iter().any(|d| schema.table(d).is_some() || schema.views.iter().any(|v| &v.name == d))
    }
}

/// A trigger, kept as its whole definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Its name.
    pub name: String,
    /// The table or view it is on.
    pub table: Name,
    /// The complete `CREATE TRIGGER` statement, canonical.
    pub definition: String,
    /// `COMMENT ON TRIGGER`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// A rewrite rule, kept as its whole definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// The table or view it is on.
    pub table: Name,
    /// The complete `CREATE RULE` statement, canonical.
    pub definition: String,
}

impl Table {
    /// Whether a primary key, a unique constraint or a unique index (an expression one too)
    /// covers the column: then one value in every row collides.
    pub fn unique_over(&self, column: &str) -> bool {
        self.primary_key.as_ref().is_some_and(|k| k.columns.iter().any(|c| c == column))
            || self.uniques.iter().any(|u| u.columns.iter().any(|c| c == column))
            || self.indexes.iter().any(|i| i.unique && i.keys.iter().any(|k| mentions(k, column)))
    }
}

/// Whether an expression names a column: the name as a whole word, quoted or not.
pub(crate) fn mentions(expr: &str, column: &str) -> bool {
    let quoted = format!("\"{column}\"");
    if expr.contains(&quoted) {
        return true;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    expr.match_indices(column).any(|(at, _)| {
        let before = expr[..at].chars().next_back();
        let after = expr[at + column.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

impl Schema {
    /// Sorts every list by name so two equal schemas compare equal regardless of discovery order.
    /// Column order is kept: it is part of a table's definition.
    pub fn normalize(&mut self) {
        self.namespaces.sort_by(|a, b| a.name.cmp(&b.name));
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.domains.sort_by(|a, b| a.name.cmp(&b.name));
        self.composites.sort_by(|a, b| a.name.cmp(&b.name));
        self.sequences.sort_by(|a, b| a.name.cmp(&b.name));
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.virtual_tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.tables {
            t.uniques.sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
            t.foreign_keys
                .sort_by(|a, b| (&a.name, &a.columns, &a.ref_table).cmp(&(&b.name, &b.columns, &b.ref_table)));
            t.checks.sort_by(|a, b| (&a.name, &a.expr).cmp(&(&b.name, &b.expr)));
            t.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        for d in &mut self.domains {
            d.checks.sort_by(|a, b| (&a.name, &a.expr).cmp(&(&b.name, &b.expr)));
        }
        self.views.sort_by(|a, b| a.name.cmp(&b.name));
        for v in &mut self.views {
            v.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            v.depends_on.sort();
            v.depends_on.dedup();
        }
        for r in &mut self.routines {
            r.depends_on.sort();
            r.depends_on.dedup();
        }
        self.routines.sort_by(|a, b| (&a.name, &a.arguments).cmp(&(&b.name, &b.arguments)));
        self.triggers.sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        self.rules.sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
    }

    /// Looks up a table.
    pub fn table(&self, name: &Name) -> Option<&Table> {
        self.tables.iter().find(|t| &t.name == name)
    }
}
