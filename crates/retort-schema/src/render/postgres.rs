//! PostgreSQL DDL, in the order pg_dump uses: schemas, extensions, types, sequences, functions,
//! tables, sequence ownership, dependent functions and views, foreign keys, indexes, triggers,
//! rules, comments. Foreign keys come last so cycles need no special case.

use std::fmt::Write as _;

use super::{literal, quote_ident as q};
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
        let _ = write!(out, " GENERATED ALWAYS AS {} STORED", g.expr);
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
    if fk.match_full {
        out.push_str(" MATCH FULL");
    }
    if fk.on_update != Action::NoAction {
        let _ = write!(out, " ON UPDATE {}", fk.on_update.sql());
    }
    if fk.on_delete != Action::NoAction {
        let _ = write!(out, " ON DELETE {}", fk.on_delete.sql());
    }
    out.push_str(fk.deferral.sql());
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
        out.push(sql);
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
    let (early, late): (Vec<&Routine>, Vec<&Routine>) = s.routines.iter().partition(|r| r.depends_on.is_empty());
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
                let kind = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
                let with =
                    if v.options.is_empty() { String::new() } else { format!(" WITH ({})", v.options.join(", ")) };
                let query = v.query.trim_end().trim_end_matches(';');
                out.push(format!("CREATE {kind} {}{with} AS\n{query}", name(&v.name)));
                comment(&mut comments, kind, &name(&v.name), &v.comment);
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
