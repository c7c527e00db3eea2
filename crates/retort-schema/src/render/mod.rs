//! Canonical DDL for a schema, one module per dialect: applying the output to an empty database
//! reproduces the schema (the round-trip invariant the tests hold).

pub mod mysql;
pub mod postgres;
pub mod sqlite;

use crate::change::Change;
use crate::model::{Dialect, Schema};

/// The SQL of one change (or, on SQLite, of one table rebuild that folds several), with the
/// review notes a generated migration shows above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Comment lines: destructive-step warnings, detected renames.
    pub notes: Vec<String>,
    /// The statements, without terminators.
    pub statements: Vec<String>,
}

/// Renders changes (from `diff(from, to)`) in the dialect of the schemas.
pub fn changes(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Rendered> {
    match to.dialect {
        Dialect::Postgres => changes
            .iter()
            .map(|c| Rendered { notes: notes(std::slice::from_ref(c)), statements: postgres::change(c) })
            .filter(|r| !r.statements.is_empty())
            .collect(),
        Dialect::Sqlite => sqlite::changes(from, to, changes),
        Dialect::Mysql => mysql::changes(from, to, changes),
    }
}

/// The review notes for a group of changes.
pub fn notes(changes: &[Change]) -> Vec<String> {
    notes_in(Dialect::Postgres, changes)
}

/// The review notes for a group of changes, as they apply on `dialect`.
pub fn notes_in(dialect: Dialect, changes: &[Change]) -> Vec<String> {
    let mut out = Vec::new();
    for c in changes {
        if let Some(why) = c.destructive() {
            out.push(format!("WARNING: destructive: {why}"));
        }
        if let Some(why) = c.caution_in(dialect) {
            out.push(format!("CAUTION: {why}"));
        }
        if matches!(c, Change::RenameTable { detected: true, .. } | Change::RenameColumn { detected: true, .. }) {
            out.push(format!("review: detected rename: {}", c.summary().trim_start_matches("~ ")));
        }
    }
    out
}

/// Renders changes as a migration section: each change's notes as `--` comments, then its
/// statements, each terminated.
pub fn section(rendered: &[Rendered]) -> String {
    let mut out = String::new();
    for r in rendered {
        for note in &r.notes {
            out.push_str(&format!("-- {note}\n"));
        }
        for stmt in &r.statements {
            let stmt = stmt.trim_end().trim_end_matches(';').trim_end();
            out.push_str(stmt);
            if stmt.lines().last().is_some_and(|l| l.contains("--")) {
                out.push('\n');
            }
            out.push_str(";\n");
        }
        out.push('\n');
    }
    out
}

/// The whole schema as DDL in dependency order.
pub fn ddl(schema: &Schema) -> String {
    match schema.dialect {
        Dialect::Postgres => postgres::ddl(schema),
        Dialect::Sqlite => sqlite::ddl(schema),
        Dialect::Mysql => mysql::ddl(schema),
    }
}

/// PostgreSQL's keywords that are not "unreserved" (`pg_get_keywords()` with catcode <> 'U',
/// PostgreSQL 15): an identifier spelled like one of these must be quoted.
const PG_KEYWORDS: [&str; 151] = [
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Quotes an identifier the way PostgreSQL's `quote_ident` does: only when needed.
pub fn quote_ident(ident: &str) -> String {
    let plain = ident.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && PG_KEYWORDS.binary_search(&ident).is_err();
    if plain { ident.to_string() } else { format!("\"{}\"", ident.replace('"', "\"\"")) }
}

/// What follows a foreign key's `REFERENCES t (cols)`: match, actions, deferrability (the same
/// words in both dialects).
pub fn foreign_key_options(fk: &crate::model::ForeignKey) -> String {
    use crate::model::Action;
    let mut out = String::new();
    if fk.match_full {
        out.push_str(" MATCH FULL");
    }
    if fk.on_update != Action::NoAction {
        out.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.on_delete != Action::NoAction {
        out.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    out.push_str(fk.deferral.sql());
    out
}

/// Quotes a string literal.
pub fn literal(text: &str) -> String {
    if text.contains('\\') {
        format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_quote_ident() {
        assert!(PG_KEYWORDS.windows(2).all(|w| w[0] < w[1]), "sorted for binary search");
        assert_eq!(quote_ident("agents"), "agents");
        assert_eq!(quote_ident("verbose"), "\"verbose\"");
        assert_eq!(quote_ident("Mixed"), "\"Mixed\"");
        assert_eq!(quote_ident("has space"), "\"has space\"");
        assert_eq!(quote_ident("1abc"), "\"1abc\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b"), "E'a\\\\b'");
    }
}
