//! PostgreSQL DDL, in the order pg_dump uses: schemas, extensions, types, sequences, functions,
//! tables, sequence ownership, dependent functions and views, foreign keys, indexes, triggers,
//! rules, comments. Foreign keys come last so cycles need no special case.

use std::fmt::Write as _;

use super::{literal, quote_ident as q};
use crate::change::{Change, EnumUsage};
use crate::model::*;
use crate::order::topological;

/// A qualified name, quoted.
pub fn name(n: &Name) -> String {
    match &n.schema {
        Some(s) => format!("{}.{}", q(s), q(&n.name)),
        None => q(&n.name),
    }
}

fn list(items: &[String]) -> String {
    items.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

/// The column definition inside CREATE TABLE.
pub fn column(c: &Column) -> String {
    let mut out = format!("{} {}", q(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        let _ = write!(out, " COLLATE {coll}");
    }
    if let Some(g) = &c.generated {
        // The server prints the expression without the parentheses it requires around it
        // (`round((a * 1.5))`); doubled ones (`((a * 2))`) are harmless.
        let _ = write!(out, " GENERATED ALWAYS AS ({}) {}", g.expr, if g.stored { "STORED" } else { "VIRTUAL" });
    }
    if let Some(id) = &c.identity {
        let _ = write!(out, " GENERATED {} AS IDENTITY", if id.always { "ALWAYS" } else { "BY DEFAULT" });
        if !id.options.is_empty() {
            let _ = write!(out, " ({})", id.options);
        }
    }
    if let Some(d) = &c.default {
        let _ = write!(out, " DEFAULT {d}");
    }
    if !c.nullable {
        out.push_str(" NOT NULL");
    }
    out
}

/// `CONSTRAINT name CHECK (...)`.
pub fn check(c: &Check) -> String {
    let mut out = String::new();
    if let Some(n) = &c.name {
        let _ = write!(out, "CONSTRAINT {} ", q(n));
    }
    let _ = write!(out, "CHECK {}", c.expr);
    if c.no_inherit {
        out.push_str(" NO INHERIT");
    }
    if c.not_valid {
        out.push_str(" NOT VALID");
    }
    out
}

/// `CONSTRAINT name PRIMARY KEY (...)`.
pub fn primary_key(pk: &PrimaryKey) -> String {
    let prefix = pk.name.as_ref().map(|n| format!("CONSTRAINT {} ", q(n))).unwrap_or_default();
    format!("{prefix}PRIMARY KEY ({})", list(&pk.columns))
}

/// `CONSTRAINT name UNIQUE (...)`.
pub fn unique(u: &Unique) -> String {
    let prefix = u.name.as_ref().map(|n| format!("CONSTRAINT {} ", q(n))).unwrap_or_default();
    let nnd = if u.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
    format!("{prefix}UNIQUE{nnd} ({}){}", list(&u.columns), u.deferral.sql())
}

/// `CONSTRAINT name FOREIGN KEY (...) REFERENCES t (...) ...`.
pub fn foreign_key(fk: &ForeignKey) -> String {
    let mut out = fk.name.as_ref().map(|n| format!("CONSTRAINT {} ", q(n))).unwrap_or_default();
    let _ = write!(
        out,
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        list(&fk.columns),
        name(&fk.ref_table),
        list(&fk.ref_columns)
    );
    out.push_str(&super::foreign_key_options(fk));
    if fk.not_valid {
        out.push_str(" NOT VALID");
    }
    out
}

/// `CREATE [UNIQUE] INDEX name ON table USING method (keys) ...`.
pub fn index(ix: &Index, table: &Name) -> String {
    let mut out = format!(
        "CREATE {}INDEX {} ON {} USING {} ({})",
        if ix.unique { "UNIQUE " } else { "" },
        q(&ix.name),
        name(table),
        ix.method,
        ix.keys.join(", ")
    );
    if !ix.include.is_empty() {
        let _ = write!(out, " INCLUDE ({})", list(&ix.include));
    }
    if ix.nulls_not_distinct {
        out.push_str(" NULLS NOT DISTINCT");
    }
    if !ix.options.is_empty() {
        let _ = write!(out, " WITH ({})", ix.options.join(", "));
    }
    if let Some(p) = &ix.predicate {
        let _ = write!(out, " WHERE {p}");
    }
    out
}

/// `CREATE TABLE ...` without foreign keys and indexes.
pub fn create_table(t: &Table) -> String {
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    if let Some(p) = &t.partition_of {
        let mut out = format!("CREATE {unlogged}TABLE {} PARTITION OF {}", name(&t.name), name(&p.parent));
        let constraints: Vec<String> = t
            .primary_key
            .iter()
            .map(primary_key)
            .chain(t.uniques.iter().map(unique))
            .chain(t.checks.iter().map(check))
            .collect();
        if !constraints.is_empty() {
            let _ = write!(out, " (\n    {}\n)", constraints.join(",\n    "));
        }
        let _ = write!(out, " {}", p.bound);
        if let Some(by) = &t.partition_by {
            let _ = write!(out, " PARTITION BY {by}");
        }
        return out;
    }
    let mut parts: Vec<String> = t.columns.iter().map(column).collect();
    parts.extend(t.primary_key.iter().map(primary_key));
    parts.extend(t.uniques.iter().map(unique));
    parts.extend(t.checks.iter().map(check));
    parts.extend(t.exclusions.iter().map(|x| format!("CONSTRAINT {} {}", q(&x.name), x.definition)));
    let mut out = format!("CREATE {unlogged}TABLE {} (\n    {}\n)", name(&t.name), parts.join(",\n    "));
    if !t.inherits.is_empty() {
        let _ = write!(out, " INHERITS ({})", t.inherits.iter().map(name).collect::<Vec<_>>().join(", "));
    }
    if let Some(by) = &t.partition_by {
        let _ = write!(out, " PARTITION BY {by}");
    }
    out
}

/// `CREATE DOMAIN ...`.
pub fn create_domain(d: &Domain) -> String {
    let mut sql = format!("CREATE DOMAIN {} AS {}", name(&d.name), d.base_type);
    if let Some(c) = &d.collation {
        let _ = write!(sql, " COLLATE {c}");
    }
    if let Some(def) = &d.default {
        let _ = write!(sql, " DEFAULT {def}");
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for c in &d.checks {
        let _ = write!(sql, " {}", check(c));
    }
    sql
}

fn view_kind(v: &View) -> &'static str {
    if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" }
}

/// `CREATE [MATERIALIZED] VIEW ... AS query`.
pub fn create_view(v: &View) -> String {
    let with = if v.options.is_empty() { String::new() } else { format!(" WITH ({})", v.options.join(", ")) };
    let query = v.query.trim_end().trim_end_matches(';');
    format!("CREATE {} {}{with} AS\n{query}", view_kind(v), name(&v.name))
}

fn sequence_options(s: &Sequence) -> String {
    let mut out = format!("AS {} START WITH {} INCREMENT BY {}", s.data_type, s.start, s.increment);
    let _ = write!(out, " MINVALUE {} MAXVALUE {} CACHE {}", s.min, s.max, s.cache);
    if s.cycle {
        out.push_str(" CYCLE");
    }
    out
}

fn comment(out: &mut Vec<String>, kind: &str, target: &str, text: &Option<String>) {
    if let Some(c) = text {
        out.push(format!("COMMENT ON {kind} {target} IS {}", literal(c)));
    }
}

/// Every statement creating the schema, in dependency order, without terminators.
pub fn statements(s: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let mut comments = Vec::new();
    for ns in &s.namespaces {
        out.push(format!("CREATE SCHEMA {}", q(&ns.name)));
        comment(&mut comments, "SCHEMA", &q(&ns.name), &ns.comment);
    }
    for e in &s.extensions {
        out.push(format!("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}", q(&e.name), q(&e.schema)));
    }
    for e in &s.enums {
        let labels: Vec<String> = e.labels.iter().map(|l| literal(l)).collect();
        out.push(format!("CREATE TYPE {} AS ENUM ({})", name(&e.name), labels.join(", ")));
        comment(&mut comments, "TYPE", &name(&e.name), &e.comment);
    }
    for d in &s.domains {
        out.push(create_domain(d));
        comment(&mut comments, "DOMAIN", &name(&d.name), &d.comment);
    }
    for c in &s.composites {
        let attrs: Vec<String> = c.attributes.iter().map(|(n, t)| format!("{} {t}", q(n))).collect();
        out.push(format!("CREATE TYPE {} AS ({})", name(&c.name), attrs.join(", ")));
        comment(&mut comments, "TYPE", &name(&c.name), &c.comment);
    }
    for seq in &s.sequences {
        out.push(format!("CREATE SEQUENCE {} {}", name(&seq.name), sequence_options(seq)));
        comment(&mut comments, "SEQUENCE", &name(&seq.name), &seq.comment);
    }
    let routines = topological(s.routines.iter().collect(), |r| r.name.clone(), |r| r.depends_on.clone());
    let (late, early): (Vec<&Routine>, Vec<&Routine>) = routines.into_iter().partition(|r| r.needs_relations(s));
    out.extend(early.iter().map(|r| r.definition.clone()));
    // Parents (partitioned or inherited) before their children.
    let tables = topological(
        s.tables.iter().collect(),
        |t| t.name.clone(),
        |t| t.partition_of.iter().map(|p| p.parent.clone()).chain(t.inherits.iter().cloned()).collect(),
    );
    for t in &tables {
        out.push(create_table(t));
        comment(&mut comments, "TABLE", &name(&t.name), &t.comment);
        for c in &t.columns {
            comment(&mut comments, "COLUMN", &format!("{}.{}", name(&t.name), q(&c.name)), &c.comment);
        }
    }
    for seq in &s.sequences {
        if let Some((table, col)) = &seq.owned_by {
            out.push(format!("ALTER SEQUENCE {} OWNED BY {}.{}", name(&seq.name), name(table), q(col)));
        }
    }
    // Views and the functions that need relations, interleaved by their dependencies.
    enum Dependent<'a> {
        Routine(&'a Routine),
        View(&'a View),
    }
    let dependents: Vec<Dependent> =
        late.into_iter().map(Dependent::Routine).chain(s.views.iter().map(Dependent::View)).collect();
    let sorted = topological(
        dependents,
        |d| match d {
            Dependent::Routine(r) => r.name.clone(),
            Dependent::View(v) => v.name.clone(),
        },
        |d| match d {
            Dependent::Routine(r) => r.depends_on.clone(),
            Dependent::View(v) => v.depends_on.clone(),
        },
    );
    for d in sorted {
        match d {
            Dependent::Routine(r) => out.push(r.definition.clone()),
            Dependent::View(v) => {
                out.push(create_view(v));
                for ix in &v.indexes {
                    out.push(index(ix, &v.name));
                    if v.cluster_on.as_ref() == Some(&ix.name) {
                        out.push(format!("ALTER MATERIALIZED VIEW {} CLUSTER ON {}", name(&v.name), q(&ix.name)));
                    }
                    comment(
                        &mut comments,
                        "INDEX",
                        &name(&Name { schema: v.name.schema.clone(), name: ix.name.clone() }),
                        &ix.comment,
                    );
                }
                comment(&mut comments, view_kind(v), &name(&v.name), &v.comment);
            }
        }
    }
    for r in &s.routines {
        let kind = match r.kind.as_str() {
            "procedure" => "PROCEDURE",
            "aggregate" => "AGGREGATE",
            _ => "FUNCTION",
        };
        comment(&mut comments, kind, &format!("{}({})", name(&r.name), r.arguments), &r.comment);
    }
    for t in &tables {
        for fk in &t.foreign_keys {
            out.push(format!("ALTER TABLE {} ADD {}", name(&t.name), foreign_key(fk)));
        }
    }
    for t in &tables {
        for ix in &t.indexes {
            out.push(index(ix, &t.name));
            comment(
                &mut comments,
                "INDEX",
                &name(&Name { schema: t.name.schema.clone(), name: ix.name.clone() }),
                &ix.comment,
            );
        }
    }
    for t in &tables {
        if let Some(ix) = &t.cluster_on {
            out.push(format!("ALTER TABLE {} CLUSTER ON {}", name(&t.name), q(ix)));
        }
    }
    for tr in &s.triggers {
        out.push(tr.definition.clone());
        comment(&mut comments, "TRIGGER", &format!("{} ON {}", q(&tr.name), name(&tr.table)), &tr.comment);
    }
    for r in &s.rules {
        out.push(r.definition.trim_end().trim_end_matches(';').to_string());
    }
    out.extend(comments);
    out
}

fn comment_sql(kind: &str, target: &str, text: &Option<String>) -> String {
    format!("COMMENT ON {kind} {target} IS {}", text.as_deref().map_or_else(|| "NULL".to_string(), literal))
}

fn index_name(table: &Name, index: &str) -> String {
    name(&Name { schema: table.schema.clone(), name: index.to_string() })
}

fn column_ref(table: &Name, column: &str) -> String {
    format!("{}.{}", name(table), q(column))
}

/// `ALTER TYPE ... ADD VALUE` for labels added without reordering; `None` when the change
/// removes or reorders labels (which needs the recreate path).
fn enum_additions(from: &EnumType, to: &EnumType) -> Option<Vec<String>> {
    let kept: Vec<&String> = to.labels.iter().filter(|l| from.labels.contains(l)).collect();
    if kept.len() != from.labels.len() || kept.iter().zip(&from.labels).any(|(a, b)| *a != b) {
        return None;
    }
    let mut out = Vec::new();
    for (i, label) in to.labels.iter().enumerate() {
        if from.labels.contains(label) {
            continue;
        }
        let position = match to.labels[i + 1..].iter().find(|l| from.labels.contains(l)) {
            Some(next) => format!(" BEFORE {}", literal(next)),
            None => match to.labels[..i].last() {
                Some(prev) => format!(" AFTER {}", literal(prev)),
                None => String::new(),
            },
        };
        out.push(format!("ALTER TYPE {} ADD VALUE {}{position}", name(&to.name), literal(label)));
    }
    Some(out)
}

fn alter_column(table: &Name, from: &Column, to: &Column) -> Vec<String> {
    let t = name(table);
    let c = q(&to.name);
    let mut out = Vec::new();
    if from.generated.is_some() && to.generated.is_none() && from.data_type == to.data_type {
        // A generated column becomes a plain one keeping its values (PostgreSQL 13+).
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP EXPRESSION"));
        let plain = Column { generated: None, ..from.clone() };
        out.extend(alter_column(table, &plain, to));
        return out;
    }
    if from.generated != to.generated {
        // A generation expression cannot be altered in place: the column is computed, so
        // dropping and adding it loses nothing.
        out.push(format!("ALTER TABLE {t} DROP COLUMN {c}"));
        out.push(format!("ALTER TABLE {t} ADD COLUMN {}", column(to)));
        return out;
    }
    let retype = from.data_type != to.data_type || from.collation != to.collation;
    if retype && from.default.is_some() {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
    }
    if retype {
        let collate = to.collation.as_ref().map(|x| format!(" COLLATE {x}")).unwrap_or_default();
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} TYPE {}{collate} USING {c}::{}",
            to.data_type, to.data_type
        ));
    }
    // The column's own sequence (identity), by name at run time.
    let own_sequence = format!(
        "pg_catalog.pg_get_serial_sequence({}, {})",
        crate::render::literal(&t),
        crate::render::literal(&to.name)
    );
    let mut default_dropped = false;
    if from.identity != to.identity {
        match (&from.identity, &to.identity) {
            (Some(_), None) => {
                // An identity becoming a serial: its new sequence continues where the identity's
                // stopped (nextval on a sequence about to be dropped costs nothing).
                if let Some(d) = to.default.as_deref().filter(|d| d.starts_with("nextval(")) {
                    let target = d.trim_start_matches("nextval(").trim_end_matches(')');
                    out.push(format!("SELECT pg_catalog.setval({target}, pg_catalog.nextval({own_sequence}), false)"));
                }
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY"));
            }
            (None, Some(id)) => {
                // A serial becoming an identity: its default goes first (an identity column has
                // none), and the identity continues where the serial's sequence stopped.
                if from.default.is_some() {
                    out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
                    default_dropped = true;
                }
                // Detached, the serial's sequence no longer answers pg_get_serial_sequence for the
                // column (the identity's does); it is dropped later.
                let serial =
                    from.default.as_deref().filter(|d| d.starts_with("nextval('") && d.ends_with("'::regclass)"));
                if let Some(d) = serial {
                    let sequence = d.trim_start_matches("nextval('").trim_end_matches("'::regclass)");
                    out.push(format!("ALTER SEQUENCE {sequence} OWNED BY NONE"));
                }
                let opts = if id.options.is_empty() { String::new() } else { format!(" ({})", id.options) };
                let how = if id.always { "ALWAYS" } else { "BY DEFAULT" };
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {how} AS IDENTITY{opts}"));
                if let Some(d) = from.default.as_deref().filter(|d| d.starts_with("nextval(")) {
                    out.push(format!("SELECT pg_catalog.setval({own_sequence}, pg_catalog.{d}, false)"));
                }
            }
            (Some(_), Some(id)) => {
                let how = if id.always { "ALWAYS" } else { "BY DEFAULT" };
                let mut sql = format!("ALTER TABLE {t} ALTER COLUMN {c} SET GENERATED {how}");
                for option in identity_options(&id.options) {
                    let _ = write!(sql, " SET {option}");
                }
                out.push(sql);
            }
            (None, None) => {}
        }
    }
    if from.default != to.default || (retype && to.default.is_some()) {
        match &to.default {
            Some(d) => out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}")),
            None if from.default.is_some() && !retype && !default_dropped => {
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"))
            }
            None => {}
        }
    }
    if from.nullable
        && !to.nullable
        && let Some(d) = &to.default
    {
        // Rows that hold NULL take the default first, as new rows would.
        out.push(format!("UPDATE {t} SET {c} = {d} WHERE {c} IS NULL"));
    }
    if from.nullable != to.nullable {
        let verb = if to.nullable { "DROP" } else { "SET" };
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} {verb} NOT NULL"));
    }
    if from.comment != to.comment {
        out.push(comment_sql("COLUMN", &column_ref(table, &to.name), &to.comment));
    }
    out
}

/// Splits identity options (`START WITH 10 INCREMENT BY 2 CYCLE`) into separate options.
fn identity_options(options: &str) -> Vec<String> {
    const STARTS: [&str; 7] = ["AS", "START", "INCREMENT", "MINVALUE", "MAXVALUE", "CACHE", "CYCLE"];
    let mut out: Vec<String> = Vec::new();
    for word in options.split_whitespace() {
        match out.last_mut() {
            Some(last) if !STARTS.contains(&word) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out.retain(|o| !o.starts_with("AS "));
    out
}

fn alter_sequence(from: &Sequence, to: &Sequence) -> Vec<String> {
    let mut out = Vec::new();
    let n = name(&to.name);
    let mut opts = Vec::new();
    if from.data_type != to.data_type {
        opts.push(format!("AS {}", to.data_type));
    }
    if from.increment != to.increment {
        opts.push(format!("INCREMENT BY {}", to.increment));
    }
    if from.min != to.min {
        opts.push(format!("MINVALUE {}", to.min));
    }
    if from.max != to.max {
        opts.push(format!("MAXVALUE {}", to.max));
    }
    if from.start != to.start {
        opts.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        opts.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        opts.push(if to.cycle { "CYCLE".into() } else { "NO CYCLE".into() });
    }
    if from.owned_by != to.owned_by {
        opts.push(match &to.owned_by {
            Some((t, c)) => format!("OWNED BY {}", column_ref(t, c)),
            None => "OWNED BY NONE".into(),
        });
    }
    if !opts.is_empty() {
        out.push(format!("ALTER SEQUENCE {n} {}", opts.join(" ")));
    }
    if from.comment != to.comment {
        out.push(comment_sql("SEQUENCE", &n, &to.comment));
    }
    out
}

fn alter_domain(from: &Domain, to: &Domain) -> Vec<String> {
    let n = name(&to.name);
    if from.base_type != to.base_type || from.collation != to.collation {
        // Not alterable in place: recreate (fails, with the server's message, while a column uses it).
        return vec![format!("DROP DOMAIN {n}"), create_domain(to)];
    }
    let mut out = Vec::new();
    if from.default != to.default {
        out.push(match &to.default {
            Some(d) => format!("ALTER DOMAIN {n} SET DEFAULT {d}"),
            None => format!("ALTER DOMAIN {n} DROP DEFAULT"),
        });
    }
    if from.not_null != to.not_null {
        out.push(format!("ALTER DOMAIN {n} {} NOT NULL", if to.not_null { "SET" } else { "DROP" }));
    }
    for c in from.checks.iter().filter(|c| !to.checks.contains(c)) {
        if let Some(cn) = &c.name {
            out.push(format!("ALTER DOMAIN {n} DROP CONSTRAINT {}", q(cn)));
        }
    }
    for c in to.checks.iter().filter(|c| !from.checks.contains(c)) {
        out.push(format!("ALTER DOMAIN {n} ADD {}", check(c)));
    }
    if from.comment != to.comment {
        out.push(comment_sql("DOMAIN", &n, &to.comment));
    }
    out
}

fn recreate_enum(from: &EnumType, to: &EnumType, usages: &[EnumUsage]) -> Vec<String> {
    let n = name(&to.name);
    let old = Name { schema: to.name.schema.clone(), name: format!("{}__retort_old", to.name.name) };
    let labels: Vec<String> = to.labels.iter().map(|l| literal(l)).collect();
    let mut out = vec![
        format!("ALTER TYPE {n} RENAME TO {}", q(&old.name)),
        format!("CREATE TYPE {n} AS ENUM ({})", labels.join(", ")),
    ];
    for u in usages {
        let (t, c) = (name(&u.table), q(&u.column));
        if u.had_default {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
        }
        let (ty, via) = if u.array { (format!("{n}[]"), "text[]") } else { (n.clone(), "text") };
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{via}::{ty}"));
        if let Some(d) = &u.default {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}"));
        }
    }
    out.push(format!("DROP TYPE {}", name(&old)));
    if from.comment != to.comment || to.comment.is_some() {
        out.push(comment_sql("TYPE", &n, &to.comment));
    }
    out
}

/// The statements carrying out one change.
pub fn change(c: &Change) -> Vec<String> {
    match c {
        Change::CreateNamespace(ns) => {
            let mut out = vec![format!("CREATE SCHEMA {}", q(&ns.name))];
            if ns.comment.is_some() {
                out.push(comment_sql("SCHEMA", &q(&ns.name), &ns.comment));
            }
            out
        }
        Change::DropNamespace(ns) => vec![format!("DROP SCHEMA {}", q(&ns.name))],
        Change::CreateExtension(e) => {
            vec![format!("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}", q(&e.name), q(&e.schema))]
        }
        Change::DropExtension(e) => vec![format!("DROP EXTENSION IF EXISTS {}", q(&e.name))],
        Change::CreateEnum(e) => {
            let labels: Vec<String> = e.labels.iter().map(|l| literal(l)).collect();
            let mut out = vec![format!("CREATE TYPE {} AS ENUM ({})", name(&e.name), labels.join(", "))];
            if e.comment.is_some() {
                out.push(comment_sql("TYPE", &name(&e.name), &e.comment));
            }
            out
        }
        Change::DropEnum(e) => vec![format!("DROP TYPE {}", name(&e.name))],
        Change::AlterEnum { from, to, usages, recreate } => match enum_additions(from, to).filter(|_| !*recreate) {
            Some(mut adds) => {
                if from.comment != to.comment {
                    adds.push(comment_sql("TYPE", &name(&to.name), &to.comment));
                }
                adds
            }
            None => recreate_enum(from, to, usages),
        },
        Change::CreateDomain(d) => {
            let mut out = vec![create_domain(d)];
            if d.comment.is_some() {
                out.push(comment_sql("DOMAIN", &name(&d.name), &d.comment));
            }
            out
        }
        Change::DropDomain(d) => vec![format!("DROP DOMAIN {}", name(&d.name))],
        Change::AlterDomain { from, to } => alter_domain(from, to),
        Change::CreateComposite(ct) => {
            let attrs: Vec<String> = ct.attributes.iter().map(|(n, t)| format!("{} {t}", q(n))).collect();
            vec![format!("CREATE TYPE {} AS ({})", name(&ct.name), attrs.join(", "))]
        }
        Change::DropComposite(ct) => vec![format!("DROP TYPE {}", name(&ct.name))],
        Change::CreateSequence(seq) => {
            let mut out = vec![format!("CREATE SEQUENCE {} {}", name(&seq.name), sequence_options(seq))];
            if seq.comment.is_some() {
                out.push(comment_sql("SEQUENCE", &name(&seq.name), &seq.comment));
            }
            out
        }
        // Owned sequences go with their table, hence IF EXISTS.
        Change::DropSequence(seq) => vec![format!("DROP SEQUENCE IF EXISTS {}", name(&seq.name))],
        Change::AlterSequence { from, to } => alter_sequence(from, to),
        Change::CreateTable(t) => {
            let mut out = vec![create_table(t)];
            for col in t.columns.iter().filter(|col| col.comment.is_some()) {
                out.push(comment_sql("COLUMN", &column_ref(&t.name, &col.name), &col.comment));
            }
            out
        }
        Change::DropTable(t) => vec![format!("DROP TABLE {}", name(&t.name))],
        Change::RenameTable { from, to, .. } => {
            let mut out = vec![format!("ALTER TABLE {} RENAME TO {}", name(from), q(&to.name))];
            if from.schema != to.schema {
                let moved = Name { schema: from.schema.clone(), name: to.name.clone() };
                out.push(format!(
                    "ALTER TABLE {} SET SCHEMA {}",
                    name(&moved),
                    to.schema.as_deref().map(q).unwrap_or_default()
                ));
            }
            out
        }
        Change::AddColumn { table, column: col, fill } => {
            let filled = Column { default: fill.clone().or_else(|| col.default.clone()), ..col.clone() };
            let mut out = vec![format!("ALTER TABLE {} ADD COLUMN {}", name(table), column(&filled))];
            if fill.is_some() {
                out.push(format!("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", name(table), q(&col.name)));
            }
            if col.comment.is_some() {
                out.push(comment_sql("COLUMN", &column_ref(table, &col.name), &col.comment));
            }
            out
        }
        Change::DropColumn { table, column } => {
            vec![format!("ALTER TABLE {} DROP COLUMN {}", name(table), q(&column.name))]
        }
        Change::RenameColumn { table, from, to, .. } => {
            vec![format!("ALTER TABLE {} RENAME COLUMN {} TO {}", name(table), q(from), q(to))]
        }
        Change::AlterColumn { table, from, to } => alter_column(table, from, to),
        Change::RenameSequence { from, to } => {
            vec![format!("ALTER SEQUENCE {} RENAME TO {}", name(from), q(&to.name))]
        }
        Change::RenameConstraint { table, from, to } => {
            vec![format!("ALTER TABLE {} RENAME CONSTRAINT {} TO {}", name(table), q(from), q(to))]
        }
        Change::RenameIndex { table, from, to } => {
            vec![format!("ALTER INDEX {} RENAME TO {}", index_name(table, from), q(to))]
        }
        Change::AddPrimaryKey { table, key } => vec![format!("ALTER TABLE {} ADD {}", name(table), primary_key(key))],
        Change::DropPrimaryKey { table, key } => drop_constraint(table, key.name.as_deref()),
        Change::AddUnique { table, unique: u } => vec![format!("ALTER TABLE {} ADD {}", name(table), unique(u))],
        Change::DropUnique { table, unique } => drop_constraint(table, unique.name.as_deref()),
        Change::AddForeignKey { table, key } => vec![format!("ALTER TABLE {} ADD {}", name(table), foreign_key(key))],
        Change::DropForeignKey { table, key } => drop_constraint(table, key.name.as_deref()),
        Change::AddCheck { table, check: c } => vec![format!("ALTER TABLE {} ADD {}", name(table), check(c))],
        Change::DropCheck { table, check } => drop_constraint(table, check.name.as_deref()),
        Change::AddExclusion { table, exclusion } => {
            vec![format!("ALTER TABLE {} ADD CONSTRAINT {} {}", name(table), q(&exclusion.name), exclusion.definition)]
        }
        Change::DropExclusion { table, exclusion } => drop_constraint(table, Some(&exclusion.name)),
        Change::CreateIndex { table, index: ix } => {
            let mut out = vec![index(ix, table)];
            if ix.comment.is_some() {
                out.push(comment_sql("INDEX", &index_name(table, &ix.name), &ix.comment));
            }
            out
        }
        Change::DropIndex { table, index } => vec![format!("DROP INDEX {}", index_name(table, &index.name))],
        Change::CommentTable { table, comment } => vec![comment_sql("TABLE", &name(table), comment)],
        Change::TableOptions { from, to } => table_options(from, to),
        Change::ClusterOn { table, index } => vec![match index {
            Some(ix) => format!("ALTER TABLE {} CLUSTER ON {}", name(table), q(ix)),
            None => format!("ALTER TABLE {} SET WITHOUT CLUSTER", name(table)),
        }],
        // PostgreSQL has no virtual tables; the inspector never produces them.
        Change::CreateVirtualTable(_) | Change::DropVirtualTable(_) => Vec::new(),
        Change::CreateView(v) => {
            let mut out = vec![create_view(v)];
            for ix in &v.indexes {
                out.push(index(ix, &v.name));
            }
            if let Some(ix) = &v.cluster_on {
                out.push(format!("ALTER MATERIALIZED VIEW {} CLUSTER ON {}", name(&v.name), q(ix)));
            }
            if v.comment.is_some() {
                out.push(comment_sql(view_kind(v), &name(&v.name), &v.comment));
            }
            out
        }
        Change::DropView(v) => vec![format!("DROP {} {}", view_kind(v), name(&v.name))],
        Change::CreateRoutine(r) => {
            // Bodies may name tables created later in the same migration (as pg_dump does).
            let mut out = vec!["SET check_function_bodies = false".to_string()];
            if r.kind == "aggregate" {
                out.push(format!("DROP AGGREGATE IF EXISTS {}({})", name(&r.name), r.arguments));
            }
            out.push(r.definition.clone());
            if r.comment.is_some() {
                out.push(comment_sql(
                    &r.kind.to_ascii_uppercase(),
                    &format!("{}({})", name(&r.name), r.arguments),
                    &r.comment,
                ));
            }
            out
        }
        Change::DropRoutine(r) => {
            vec![format!("DROP {} {}({})", r.kind.to_ascii_uppercase(), name(&r.name), r.arguments)]
        }
        Change::CreateTrigger(tr) => {
            let mut out = vec![tr.definition.clone()];
            if tr.comment.is_some() {
                out.push(comment_sql("TRIGGER", &format!("{} ON {}", q(&tr.name), name(&tr.table)), &tr.comment));
            }
            out
        }
        Change::DropTrigger(tr) => vec![format!("DROP TRIGGER {} ON {}", q(&tr.name), name(&tr.table))],
        Change::CreateRule(r) => vec![r.definition.trim_end().trim_end_matches(';').to_string()],
        Change::DropRule(r) => vec![format!("DROP RULE {} ON {}", q(&r.name), name(&r.table))],
    }
}

/// Logged/unlogged, inheritance and a partition's bound. A change of partitioning cannot be done
/// in place: the statement fails with a message saying so rather than doing something else.
fn table_options(from: &Table, to: &Table) -> Vec<String> {
    let t = name(&to.name);
    let mut out = Vec::new();
    if from.unlogged != to.unlogged {
        out.push(format!("ALTER TABLE {t} SET {}", if to.unlogged { "UNLOGGED" } else { "LOGGED" }));
    }
    for parent in from.inherits.iter().filter(|p| !to.inherits.contains(p)) {
        out.push(format!("ALTER TABLE {t} NO INHERIT {}", name(parent)));
    }
    for parent in to.inherits.iter().filter(|p| !from.inherits.contains(p)) {
        out.push(format!("ALTER TABLE {t} INHERIT {}", name(parent)));
    }
    if from.partition_of != to.partition_of {
        if let Some(p) = &from.partition_of {
            out.push(format!("ALTER TABLE {} DETACH PARTITION {t}", name(&p.parent)));
        }
        if let Some(p) = &to.partition_of {
            out.push(format!("ALTER TABLE {} ATTACH PARTITION {t} {}", name(&p.parent), p.bound));
        }
    }
    if from.partition_by != to.partition_by {
        let message = format!(
            "retort cannot change how {} is partitioned in place: create a new table, move the rows, and swap the names in a hand-written migration",
            to.name
        );
        out.push(format!("DO $retort$ BEGIN RAISE EXCEPTION {}; END $retort$", literal(&message)));
    }
    out
}

fn drop_constraint(table: &Name, constraint: Option<&str>) -> Vec<String> {
    match constraint {
        Some(c) => vec![format!("ALTER TABLE {} DROP CONSTRAINT {}", name(table), q(c))],
        None => Vec::new(),
    }
}

/// The schema as one script.
pub fn ddl(s: &Schema) -> String {
    let mut out = String::from("SET check_function_bodies = false;\n\n");
    for stmt in statements(s) {
        let stmt = stmt.trim_end();
        out.push_str(stmt);
        if !stmt.ends_with(';') {
            out.push(';');
        }
        out.push_str("\n\n");
    }
    out
}
