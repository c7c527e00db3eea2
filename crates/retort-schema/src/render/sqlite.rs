//! SQLite DDL. SQLite cannot add constraints to an existing table, so every constraint is written
//! inside its `CREATE TABLE`, followed by the table's indexes; then come the virtual tables, the
//! views in dependency order, and the triggers last (they may name any table or view). Applying the output to an empty database and
//! inspecting it gives back the same model: that is the round trip the tests hold.

use std::fmt::Write as _;

use crate::change::Change;
use crate::model::*;
use crate::order::topological;

/// SQLite's keywords (`sqlite3_keyword_name()` of SQLite 3.54, lower case, sorted): an identifier
/// spelled like one of these must be quoted.
const SQLITE_KEYWORDS: [&str; 147] = [
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "always",
    "analyze",
    "and",
    "as",
    "asc",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclude",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "filter",
    "first",
    "following",
    "for",
    "foreign",
    "from",
    "full",
    "generated",
    "glob",
    "group",
    "groups",
    "having",
    "if",
    "ignore",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "last",
    "left",
    "like",
    "limit",
    "match",
    "materialized",
    "natural",
    "no",
    "not",
    "nothing",
    "notnull",
    "null",
    "nulls",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "others",
    "outer",
    "over",
    "partition",
    "plan",
    "pragma",
    "preceding",
    "primary",
    "query",
    "raise",
    "range",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "set",
    "table",
    "temp",
    "temporary",
    "then",
    "ties",
    "to",
    "transaction",
    "trigger",
    "unbounded",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
];

/// Quotes an identifier with double quotes, only when it is not a plain ASCII word or is a keyword,
/// so the DDL reads like hand-written SQL and still means exactly the stored name.
pub fn quote_ident(ident: &str) -> String {
    let plain = ident.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && SQLITE_KEYWORDS.binary_search(&ident.to_ascii_lowercase().as_str()).is_err();
    if plain { ident.to_string() } else { format!("\"{}\"", ident.replace('"', "\"\"")) }
}

use quote_ident as q;

/// A name, quoted; a schema (an attached database) prefixes it.
pub fn name(n: &Name) -> String {
    match &n.schema {
        Some(s) => format!("{}.{}", q(s), q(&n.name)),
        None => q(&n.name),
    }
}

fn list(items: &[String]) -> String {
    items.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

fn constraint_name(n: &Option<String>) -> String {
    n.as_ref().map(|n| format!("CONSTRAINT {} ", q(n))).unwrap_or_default()
}

/// Whether a default, as SQLite's `PRAGMA table_info` prints it, may follow `DEFAULT` bare:
/// SQLite's grammar takes a literal, a signed number or a single name there, and anything else
/// only in parentheses (which PRAGMA strips, so they are put back here).
fn bare_default(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned.char_indices().all(|(i, c)| {
            c.is_ascii_alphanumeric()
                || c == '.'
                || ((c == '+' || c == '-') && unsigned[..i].ends_with(['e', 'E']) && !unsigned.starts_with("0x"))
        });
    let quoted = |open: char, close: char, body: &str| {
        body.len() >= 2
            && body.starts_with(open)
            && body.ends_with(close)
            && !body[1..body.len() - 1].replace(&format!("{close}{close}"), "").contains(close)
    };
    let word = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let blob = text.len() > 1 && text[..1].eq_ignore_ascii_case("x") && quoted('\'', '\'', &text[1..]);
    number || word || blob || quoted('\'', '\'', text) || quoted('"', '"', text)
}

/// `DEFAULT ...` as SQLite accepts it back.
pub fn default(text: &str) -> String {
    if bare_default(text) { text.to_string() } else { format!("({text})") }
}

/// The column definition inside CREATE TABLE. `autoincrement` is the primary key when it is an
/// `AUTOINCREMENT` key on this column, which SQLite only accepts written on the column itself.
pub fn column(c: &Column, autoincrement: Option<&PrimaryKey>) -> String {
    let mut out = q(&c.name);
    if !c.data_type.is_empty() {
        let _ = write!(out, " {}", c.data_type);
    }
    if let Some(pk) = autoincrement {
        let _ = write!(out, " {}PRIMARY KEY AUTOINCREMENT", constraint_name(&pk.name));
    }
    if !c.nullable {
        out.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        let _ = write!(out, " DEFAULT {}", default(d));
    }
    if let Some(coll) = &c.collation {
        let _ = write!(out, " COLLATE {}", q(coll));
    }
    if let Some(g) = &c.generated {
        let _ = write!(out, " GENERATED ALWAYS AS ({}) {}", g.expr, if g.stored { "STORED" } else { "VIRTUAL" });
    }
    out
}

/// `CONSTRAINT name PRIMARY KEY (...)`.
pub fn primary_key(pk: &PrimaryKey) -> String {
    format!("{}PRIMARY KEY ({})", constraint_name(&pk.name), list(&pk.columns))
}

/// `CONSTRAINT name UNIQUE (...)`.
pub fn unique(u: &Unique) -> String {
    format!("{}UNIQUE ({}){}", constraint_name(&u.name), list(&u.columns), u.deferral.sql())
}

/// `CONSTRAINT name CHECK (...)`: SQLite's expressions are kept without the parentheses.
pub fn check(c: &Check) -> String {
    format!("{}CHECK ({})", constraint_name(&c.name), c.expr)
}

/// `CONSTRAINT name FOREIGN KEY (...) REFERENCES t (...) ...`. No referenced columns means the
/// referenced table's primary key.
pub fn foreign_key(fk: &ForeignKey) -> String {
    let mut out =
        format!("{}FOREIGN KEY ({}) REFERENCES {}", constraint_name(&fk.name), list(&fk.columns), name(&fk.ref_table));
    if !fk.ref_columns.is_empty() {
        let _ = write!(out, " ({})", list(&fk.ref_columns));
    }
    out.push_str(&super::foreign_key_options(fk));
    out
}

/// The primary key when SQLite needs it written on its column (`AUTOINCREMENT`).
fn autoincrement_key(t: &Table) -> Option<&PrimaryKey> {
    t.primary_key.as_ref().filter(|pk| pk.autoincrement && pk.columns.len() == 1)
}

/// `CREATE TABLE ...` with every constraint inline.
pub fn create_table(t: &Table) -> String {
    let auto = autoincrement_key(t);
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|c| column(c, auto.filter(|pk| pk.columns.first().is_some_and(|k| k == &c.name))))
        .collect();
    parts.extend(t.primary_key.iter().filter(|_| auto.is_none()).map(primary_key));
    parts.extend(t.uniques.iter().map(unique));
    parts.extend(t.checks.iter().map(check));
    parts.extend(t.foreign_keys.iter().map(foreign_key));
    let options: Vec<&str> =
        [(t.without_rowid, "WITHOUT ROWID"), (t.strict, "STRICT")].iter().filter(|o| o.0).map(|o| o.1).collect();
    let mut out = format!("CREATE TABLE {} (\n    {}\n)", name(&t.name), parts.join(",\n    "));
    if !options.is_empty() {
        let _ = write!(out, " {}", options.join(", "));
    }
    out
}

/// `CREATE [UNIQUE] INDEX name ON table (keys) [WHERE predicate]`: keys are already SQL.
pub fn index(ix: &Index, table: &Name) -> String {
    let unique = if ix.unique { "UNIQUE " } else { "" };
    let mut out = format!("CREATE {unique}INDEX {} ON {} ({})", q(&ix.name), name(table), ix.keys.join(", "));
    if let Some(p) = &ix.predicate {
        let _ = write!(out, " WHERE {p}");
    }
    out
}

/// `CREATE VIEW name (columns) AS query`, the query as written.
pub fn view(v: &View) -> String {
    let columns = if v.columns.is_empty() { String::new() } else { format!(" ({})", list(&v.columns)) };
    format!("CREATE VIEW {}{columns} AS\n{}", name(&v.name), v.query.trim())
}

/// Every statement creating the schema, in dependency order, without terminators.
pub fn statements(s: &Schema) -> Vec<String> {
    // SQLite does not check references when it creates a table; the order only helps the reader.
    let tables = topological(
        s.tables.iter().collect(),
        |t| t.name.clone(),
        |t| t.foreign_keys.iter().map(|fk| fk.ref_table.clone()).collect(),
    );
    let mut out = Vec::new();
    for t in tables {
        out.push(create_table(t));
        out.extend(t.indexes.iter().map(|ix| index(ix, &t.name)));
    }
    out.extend(s.virtual_tables.iter().map(|v| v.definition.trim().to_string()));
    let views = topological(s.views.iter().collect(), |v| v.name.clone(), |v| v.depends_on.clone());
    out.extend(views.into_iter().map(view));
    out.extend(s.triggers.iter().map(|t| t.definition.trim().to_string()));
    out
}

/// A default `ALTER TABLE ADD COLUMN` accepts: a literal, a signed number, NULL, TRUE or FALSE (not
/// `CURRENT_TIMESTAMP` or an expression, which SQLite refuses on a table with rows).
fn constant_default(d: &str) -> bool {
    let word =
        d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && d.starts_with(|c: char| c.is_ascii_alphabetic());
    bare_default(d) && (!word || ["NULL", "TRUE", "FALSE"].iter().any(|w| d.eq_ignore_ascii_case(w)))
}

/// Whether SQLite can carry out a table-level change in place; everything else rebuilds the table.
fn in_place(change: &Change) -> bool {
    match change {
        Change::AddColumn { column, fill, .. } => {
            // SQLite's ADD COLUMN refuses NOT NULL without a default, stored generated columns and
            // non-constant defaults; those take the rebuild (as a fill does: it is no default).
            fill.is_none()
                && (column.nullable || column.default.is_some())
                && column.generated.as_ref().is_none_or(|g| !g.stored)
                && column.default.as_deref().is_none_or(constant_default)
        }
        Change::CreateIndex { .. }
        | Change::DropIndex { .. }
        | Change::CommentTable { .. }
        | Change::ClusterOn { .. } => true,
        _ => false,
    }
}

/// The table a table-level change belongs to.
fn table_of(change: &Change) -> Option<&Name> {
    match change {
        Change::AddColumn { table, .. }
        | Change::RenameConstraint { table, .. }
        | Change::RenameIndex { table, .. }
        | Change::DropColumn { table, .. }
        | Change::AlterColumn { table, .. }
        | Change::AddPrimaryKey { table, .. }
        | Change::DropPrimaryKey { table, .. }
        | Change::AddUnique { table, .. }
        | Change::DropUnique { table, .. }
        | Change::AddForeignKey { table, .. }
        | Change::DropForeignKey { table, .. }
        | Change::AddCheck { table, .. }
        | Change::DropCheck { table, .. }
        | Change::AddExclusion { table, .. }
        | Change::DropExclusion { table, .. }
        | Change::CreateIndex { table, .. }
        | Change::DropIndex { table, .. }
        | Change::CommentTable { table, .. }
        | Change::ClusterOn { table, .. } => Some(table),
        Change::TableOptions { to, .. } => Some(&to.name),
        _ => None,
    }
}

/// The documented table rebuild (sqlite.org/lang_altertable.html#otheralter): create the new
/// table, copy the rows of the columns both versions have, drop the old table, rename the new one,
/// then recreate its indexes and triggers. `legacy_alter_table` keeps SQLite from rewriting or
/// rejecting views that name the table while it is briefly missing.
fn rebuild(old: &Table, new: &Table, triggers: &[&Trigger], fills: &[(&str, &str)]) -> Vec<String> {
    let temp = Name { schema: None, name: format!("_retort_new_{}", new.name.name) };
    let mut shadow = new.clone();
    shadow.name = temp.clone();
    // Columns both versions have are copied (a formerly generated column keeps its values); a
    // column that becomes NOT NULL takes its default where a row holds NULL.
    // New columns take their fill (a downgrade's NOT NULL column whose values are gone), or NULL
    // when a unique key covers a nullable one with a default (one default in every row collides).
    let copied: Vec<&Column> =
        new.columns.iter().filter(|c| c.generated.is_none() && old.columns.iter().any(|o| o.name == c.name)).collect();
    let unique = |column: &str| new.unique_over(column);
    let added: Vec<(&Column, String)> = new
        .columns
        .iter()
        .filter(|c| c.generated.is_none() && !old.columns.iter().any(|o| o.name == c.name))
        .filter_map(|c| match fills.iter().find(|(name, _)| *name == c.name) {
            Some((_, fill)) => Some((c, fill.to_string())),
            None if c.nullable && c.default.is_some() && unique(&c.name) => Some((c, "NULL".to_string())),
            None => None,
        })
        .collect();
    let mut kept: Vec<String> = copied.iter().map(|c| q(&c.name)).collect();
    let mut values: Vec<String> = copied
        .iter()
        .map(|c| {
            let was_nullable = old.columns.iter().any(|o| o.name == c.name && o.nullable);
            match (&c.default, was_nullable && !c.nullable) {
                (Some(d), true) => format!("coalesce({}, {})", q(&c.name), default(d)),
                _ => q(&c.name),
            }
        })
        .collect();
    for (c, value) in added {
        kept.push(q(&c.name));
        values.push(value);
    }
    let mut out = vec!["PRAGMA legacy_alter_table = ON".to_string(), create_table(&shadow)];
    if !kept.is_empty() {
        out.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            name(&temp),
            kept.join(", "),
            values.join(", "),
            name(&old.name)
        ));
    }
    out.push(format!("DROP TABLE {}", name(&old.name)));
    out.push(format!("ALTER TABLE {} RENAME TO {}", name(&temp), q(&new.name.name)));
    out.push("PRAGMA legacy_alter_table = OFF".to_string());
    out.extend(new.indexes.iter().map(|ix| index(ix, &new.name)));
    out.extend(triggers.iter().map(|t| t.definition.trim().to_string()));
    out
}

/// Renders changes for SQLite: what `ALTER TABLE` can do is done in place; a table with any other
/// change is rebuilt once, from its desired definition, keeping its rows.
pub fn changes(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<crate::render::Rendered> {
    use crate::render::{Rendered, notes};
    // Tables created in this migration get their foreign keys inline and their indexes in place;
    // tables dropped take their constraints with them.
    let created: Vec<&Name> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) | Change::DropTable(t) => Some(&t.name),
            _ => None,
        })
        .collect();
    let rebuilt: Vec<&Name> = {
        let mut names: Vec<&Name> =
            changes.iter().filter(|c| !in_place(c)).filter_map(table_of).filter(|t| !created.contains(t)).collect();
        names.sort();
        names.dedup();
        names
    };
    // Renames run first, so the old table is looked up under its new name.
    let old_table = |n: &Name| -> Option<Table> {
        let mut old_name = n.clone();
        for c in changes {
            if let Change::RenameTable { from, to, .. } = c
                && to == n
            {
                old_name = from.clone();
            }
        }
        let mut t = from.table(&old_name)?.clone();
        t.name = n.clone();
        for c in changes {
            if let Change::RenameColumn { table, from, to, .. } = c
                && table == n
            {
                for col in &mut t.columns {
                    if &col.name == from {
                        col.name = to.clone();
                    }
                }
            }
        }
        Some(t)
    };
    let created_triggers: Vec<&Trigger> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTrigger(t) => Some(t),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    // A rebuild happens where the table's last change would: after renames and after the drops of
    // the triggers and views that read the table, before they are created again.
    let last_change = |table: &Name| changes.iter().rposition(|x| table_of(x) == Some(table));
    for (position, c) in changes.iter().enumerate() {
        if let Some(table) = table_of(c)
            && rebuilt.contains(&table)
        {
            if last_change(table) != Some(position) {
                continue;
            }
            let (Some(old), Some(new)) = (old_table(table), to.table(table)) else { continue };
            let folded: Vec<Change> = changes.iter().filter(|x| table_of(x) == Some(table)).cloned().collect();
            let triggers: Vec<&Trigger> =
                to.triggers.iter().filter(|t| &t.table == table && !created_triggers.contains(t)).collect();
            let mut notes = notes(&folded);
            notes.insert(
                0,
                format!(
                    "rebuild {table} (SQLite cannot ALTER this in place; rows are copied): {}",
                    folded.iter().map(Change::summary).collect::<Vec<_>>().join("; ")
                ),
            );
            let fills: Vec<(&str, &str)> = folded
                .iter()
                .filter_map(|x| match x {
                    Change::AddColumn { column, fill: Some(fill), .. } => Some((column.name.as_str(), fill.as_str())),
                    _ => None,
                })
                .collect();
            out.push(Rendered { notes, statements: rebuild(&old, new, &triggers, &fills) });
            continue;
        }
        let statements = match c {
            Change::CreateTable(t) => {
                // SQLite cannot add foreign keys later: the table is created with them.
                let full = to.table(&t.name).unwrap_or(t);
                let mut bare = full.clone();
                bare.indexes.clear();
                vec![create_table(&bare)]
            }
            Change::AddForeignKey { table, .. } | Change::DropForeignKey { table, .. } if created.contains(&table) => {
                Vec::new()
            }
            Change::DropTable(t) => vec![format!("DROP TABLE {}", name(&t.name))],
            Change::RenameTable { from, to, .. } => {
                vec![format!("ALTER TABLE {} RENAME TO {}", name(from), q(&to.name))]
            }
            Change::RenameColumn { table, from, to, .. } => {
                vec![format!("ALTER TABLE {} RENAME COLUMN {} TO {}", name(table), q(from), q(to))]
            }
            Change::AddColumn { table, column: col, .. } => {
                vec![format!("ALTER TABLE {} ADD COLUMN {}", name(table), column(col, None))]
            }
            Change::CreateIndex { table, index: ix } => vec![index(ix, table)],
            Change::DropIndex { index, .. } => vec![format!("DROP INDEX {}", q(&index.name))],
            // SQLite cannot rename an index: drop it and create it under its new name.
            Change::RenameIndex { table, from, to: new } => {
                match to.table(table).and_then(|t| t.indexes.iter().find(|i| &i.name == new)) {
                    Some(ix) => vec![format!("DROP INDEX {}", q(from)), index(ix, table)],
                    None => Vec::new(),
                }
            }
            Change::CreateView(v) => vec![view(v)],
            Change::DropView(v) => vec![format!("DROP VIEW {}", name(&v.name))],
            Change::CreateTrigger(t) => vec![t.definition.trim().to_string()],
            Change::DropTrigger(t) => vec![format!("DROP TRIGGER {}", q(&t.name))],
            Change::CreateVirtualTable(v) => vec![v.definition.trim().to_string()],
            Change::DropVirtualTable(v) => vec![format!("DROP TABLE {}", name(&v.name))],
            // Comments and clustering do not exist in SQLite; nothing else reaches here from a
            // SQLite schema.
            _ => Vec::new(),
        };
        if !statements.is_empty() {
            out.push(Rendered { notes: notes(std::slice::from_ref(c)), statements });
        }
    }
    out
}

/// The schema as one script. A statement whose last line holds a `--` comment gets its `;` on a
/// line of its own, so the comment cannot swallow it.
pub fn ddl(schema: &Schema) -> String {
    let mut out = String::new();
    for stmt in statements(schema) {
        let stmt = stmt.trim_end().trim_end_matches(';').trim_end();
        out.push_str(stmt);
        if stmt.lines().last().is_some_and(|l| l.contains("--")) {
            out.push('\n');
        }
        out.push_str(";\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, data_type: &str, nullable: bool) -> Column {
        Column { name: name.into(), data_type: data_type.into(), nullable, ..Column::default() }
    }

    fn table(name: &str, columns: Vec<Column>) -> Table {
        Table { name: Name::new(None, name), columns, ..Table::default() }
    }

    #[test]
    fn quoting_only_when_needed() {
        assert!(SQLITE_KEYWORDS.windows(2).all(|w| w[0] < w[1]), "sorted for binary search");
        assert_eq!(q("agents"), "agents");
        assert_eq!(q("CustomerID"), "CustomerID");
        assert_eq!(q("order"), "\"order\"");
        assert_eq!(q("Key"), "\"Key\"");
        assert_eq!(q("Order Details"), "\"Order Details\"");
        assert_eq!(q("1st"), "\"1st\"");
        assert_eq!(q("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(q("café"), "\"café\"");
    }

    #[test]
    fn defaults_are_parenthesized_unless_sqlite_takes_them_bare() {
        let cases = [
            ("0", "0"),
            ("-1", "-1"),
            ("+4.99", "+4.99"),
            ("1e-5", "1e-5"),
            ("0x1F", "0x1F"),
            ("'X'", "'X'"),
            ("'it''s'", "'it''s'"),
            ("''", "''"),
            ("x'ab'", "x'ab'"),
            ("NULL", "NULL"),
            ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
            ("\"dq\"", "\"dq\""),
            ("1+2", "(1+2)"),
            ("0x1-2", "(0x1-2)"),
            ("datetime('now')", "(datetime('now'))"),
            ("'a' || 'b'", "('a' || 'b')"),
            ("-x", "(-x)"),
        ];
        for (text, want) in cases {
            assert_eq!(default(text), want, "default {text}");
        }
    }

    #[test]
    fn tables_carry_every_constraint_inline() {
        let mut parent = table("users", vec![col("id", "INTEGER", false), col("email", "TEXT", false)]);
        parent.primary_key = Some(PrimaryKey { name: None, columns: vec!["id".into()], autoincrement: true });
        parent.uniques.push(Unique {
            name: Some("uq_email".into()),
            columns: vec!["email".into()],
            nulls_not_distinct: false,
            deferral: Deferral::Immediate,
        });
        let mut child = table("order", vec![col("user", "INTEGER", true), col("n", "", true)]);
        child.columns[1].default = Some("datetime('now')".into());
        child.columns[1].collation = Some("NOCASE".into());
        child.primary_key = Some(PrimaryKey {
            name: Some("pk_order".into()),
            columns: vec!["user".into(), "n".into()],
            autoincrement: false,
        });
        child.checks.push(Check {
            name: Some("positive".into()),
            expr: "n > 0".into(),
            no_inherit: false,
            not_valid: false,
        });
        child.foreign_keys.push(ForeignKey {
            name: None,
            columns: vec!["user".into()],
            ref_table: Name::new(None, "users"),
            ref_columns: vec!["id".into()],
            on_delete: Action::Cascade,
            on_update: Action::NoAction,
            match_full: false,
            deferral: Deferral::Deferred,
            not_valid: false,
        });
        child.without_rowid = true;
        child.strict = true;
        child.indexes.push(Index {
            name: "ix_order_n".into(),
            unique: true,
            keys: vec!["lower(n) DESC".into()],
            method: String::new(),
            include: vec![],
            predicate: Some("n IS NOT NULL".into()),
            nulls_not_distinct: false,
            options: vec![],
            comment: None,
            invisible: false,
        });
        // Input order puts the child first; the parent is still created first.
        let schema = Schema { dialect: Dialect::Sqlite, tables: vec![child, parent], ..Schema::default() };
        let want = "\
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL,
    CONSTRAINT uq_email UNIQUE (email)
);

CREATE TABLE \"order\" (
    user INTEGER,
    n DEFAULT (datetime('now')) COLLATE NOCASE,
    CONSTRAINT pk_order PRIMARY KEY (user, n),
    CONSTRAINT positive CHECK (n > 0),
    FOREIGN KEY (user) REFERENCES users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
) WITHOUT ROWID, STRICT;

CREATE UNIQUE INDEX ix_order_n ON \"order\" (lower(n) DESC) WHERE n IS NOT NULL;

";
        assert_eq!(ddl(&schema), want);
    }

    #[test]
    fn generated_columns_and_named_autoincrement_keys() {
        let mut t = table("t", vec![col("id", "INTEGER", true), col("twice", "INT", true)]);
        t.columns[1].generated = Some(Generated { expr: "id * 2".into(), stored: true });
        t.primary_key = Some(PrimaryKey { name: Some("pk".into()), columns: vec!["id".into()], autoincrement: true });
        assert_eq!(
            create_table(&t),
            "CREATE TABLE t (\n    id INTEGER CONSTRAINT pk PRIMARY KEY AUTOINCREMENT,\n    twice INT GENERATED ALWAYS AS (id * 2) STORED\n)"
        );
    }

    #[test]
    fn virtual_tables_then_views_in_dependency_order_then_triggers() {
        let view = |n: &str, query: &str, deps: &[&str]| View {
            name: Name::new(None, n),
            query: query.into(),
            materialized: false,
            columns: vec![],
            options: vec![],
            indexes: vec![],
            cluster_on: None,
            comment: None,
            depends_on: deps.iter().map(|d| Name::new(None, d)).collect(),
        };
        let mut named = view("a", "SELECT x FROM b -- the base view", &["b"]);
        named.columns = vec!["x".into()];
        let schema = Schema {
            dialect: Dialect::Sqlite,
            tables: vec![table("t", vec![col("x", "", true)])],
            virtual_tables: vec![VirtualTable {
                name: Name::new(None, "search"),
                module: "fts5".into(),
                definition: "CREATE VIRTUAL TABLE search USING fts5(x)".into(),
            }],
            views: vec![named, view("b", "SELECT x FROM t", &[])],
            triggers: vec![Trigger {
                name: "tr".into(),
                table: Name::new(None, "a"),
                definition: "CREATE TRIGGER tr INSTEAD OF INSERT ON a BEGIN SELECT 1; END".into(),
                comment: None,
            }],
            ..Schema::default()
        };
        let want = "\
CREATE TABLE t (
    x
);

CREATE VIRTUAL TABLE search USING fts5(x);

CREATE VIEW b AS
SELECT x FROM t;

CREATE VIEW a (x) AS
SELECT x FROM b -- the base view
;

CREATE TRIGGER tr INSTEAD OF INSERT ON a BEGIN SELECT 1; END;

";
        assert_eq!(ddl(&schema), want);
    }

    #[test]
    fn output_is_deterministic() {
        let schema = Schema {
            dialect: Dialect::Sqlite,
            tables: vec![table("b", vec![col("x", "TEXT", true)]), table("a", vec![col("y", "TEXT", true)])],
            ..Schema::default()
        };
        assert_eq!(ddl(&schema), ddl(&schema.clone()));
        assert!(ddl(&schema).starts_with("CREATE TABLE b"), "input order kept among independent tables");
    }
}
