//! A schema as an entity-relationship diagram: Mermaid (`erDiagram`, which GitHub renders in
//! Markdown) or Graphviz DOT. Tables with their columns and types, primary, foreign and unique
//! keys marked; each foreign key an edge with its cardinality (a NOT NULL key: exactly one parent,
//! else zero or one; a key that is also unique: one child at most, else many).

use std::fmt::Write as _;

use crate::model::{Name, Schema, Table};

/// Which tables a diagram shows: all of them, or the ones named (foreign keys to tables left out
/// are not drawn).
#[derive(Debug, Clone, Copy)]
pub enum Tables<'a> {
    /// Every table of the schema.
    All,
    /// Only these.
    Only(&'a [Name]),
}

impl Tables<'_> {
    fn shows(&self, name: &Name) -> bool {
        match self {
            Tables::All => true,
            Tables::Only(names) => names.contains(name),
        }
    }
}

/// The key marks of a column: `PK`, `FK`, `UK`.
fn keys(table: &Table, column: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if table.primary_key.as_ref().is_some_and(|k| k.columns.iter().any(|c| c == column)) {
        out.push("PK");
    }
    if table.foreign_keys.iter().any(|f| f.columns.iter().any(|c| c == column)) {
        out.push("FK");
    }
    if table.uniques.iter().any(|u| u.columns.iter().any(|c| c == column))
        || table.indexes.iter().any(|i| i.unique && i.predicate.is_none() && i.keys.iter().any(|k| k == column))
    {
        out.push("UK");
    }
    out
}

/// Whether the table holds at most one row per value of exactly these columns.
fn unique_exactly(table: &Table, columns: &[String]) -> bool {
    let same = |other: &[String]| {
        let mut a: Vec<&String> = other.iter().collect();
        let mut b: Vec<&String> = columns.iter().collect();
        a.sort();
        b.sort();
        a == b
    };
    table.primary_key.as_ref().is_some_and(|k| same(&k.columns))
        || table.uniques.iter().any(|u| same(&u.columns))
        || table.indexes.iter().any(|i| i.unique && i.predicate.is_none() && same(&i.keys))
}

/// One foreign-key edge: child table, parent table, its cardinality, its label.
struct Edge<'a> {
    child: &'a Table,
    parent: &'a Name,
    /// The parent row is required (every key column NOT NULL).
    required: bool,
    /// At most one child row per parent (the key columns are unique).
    one_child: bool,
    label: String,
    columns: &'a [String],
    ref_columns: &'a [String],
}

fn edges<'a>(schema: &'a Schema, tables: Tables<'_>) -> Vec<Edge<'a>> {
    let mut out = Vec::new();
    for t in schema.tables.iter().filter(|t| tables.shows(&t.name)) {
        for fk in &t.foreign_keys {
            if !tables.shows(&fk.ref_table) || !schema.tables.iter().any(|p| p.name == fk.ref_table) {
                continue;
            }
            // A primary-key column is never NULL, whatever the catalog says (SQLite's rowid alias).
            let in_key = |c: &String| t.primary_key.as_ref().is_some_and(|k| k.columns.contains(c));
            let required =
                fk.columns.iter().all(|c| in_key(c) || t.columns.iter().any(|col| &col.name == c && !col.nullable));
            out.push(Edge {
                child: t,
                parent: &fk.ref_table,
                required,
                one_child: unique_exactly(t, &fk.columns),
                label: fk.columns.join(", "),
                columns: &fk.columns,
                ref_columns: &fk.ref_columns,
            });
        }
    }
    out
}

/// Whether the names need their schema to be told apart.
fn qualified(schema: &Schema) -> bool {
    let mut schemas: Vec<&Option<String>> = schema.tables.iter().map(|t| &t.name.schema).collect();
    schemas.sort();
    schemas.dedup();
    schemas.len() > 1
}

fn shown_name(name: &Name, qualify: bool) -> String {
    if qualify { name.to_string() } else { name.name.clone() }
}

/// Words Mermaid's diagram grammars reserve (an entity or attribute named so would not parse).
const MERMAID_RESERVED: [&str; 22] = [
    "end",
    "style",
    "class",
    "classdef",
    "subgraph",
    "erdiagram",
    "flowchart",
    "graph",
    "one",
    "many",
    "to",
    "only",
    "zero",
    "or",
    "more",
    "direction",
    "title",
    "acctitle",
    "accdescr",
    "click",
    "pk",
    "fk",
];

/// A plain identifier Mermaid reads as one word: an ASCII letter, then letters, digits and `_`
/// (not at the end, where Markdown would read `_x_` as italics), and not a reserved word.
fn plain_word(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !text.ends_with('_')
        && !MERMAID_RESERVED.contains(&text.to_ascii_lowercase().as_str())
        && !text.eq_ignore_ascii_case("uk")
}

/// Mermaid ids for the tables: the name itself when it is a plain word (and unique), else `t1`,
/// `t2`, ... (the name is then shown through an alias).
fn mermaid_ids(schema: &Schema, qualify: bool) -> Vec<(Name, String)> {
    let mut ids: Vec<(Name, String)> = Vec::new();
    for (i, t) in schema.tables.iter().enumerate() {
        let shown = shown_name(&t.name, qualify);
        let taken = |id: &str| ids.iter().any(|(_, other)| other.eq_ignore_ascii_case(id));
        let id = if plain_word(&shown) && !taken(&shown) { shown } else { format!("t{}", i + 1) };
        ids.push((t.name.clone(), id));
    }
    ids
}

fn id_of<'a>(ids: &'a [(Name, String)], name: &Name) -> &'a str {
    ids.iter().find(|(n, _)| n == name).map_or("unknown", |(_, id)| id.as_str())
}

/// A column name as one Mermaid attribute word: as it is when plain, else with every other
/// character as `-`, a `c-` in front of a leading non-letter, and a number against collisions.
fn attribute_name(name: &str, used: &mut Vec<String>) -> String {
    let mut word: String = if plain_word(name) {
        name.to_string()
    } else {
        let mut dashed: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
        if dashed.ends_with('_') {
            dashed.pop();
            dashed.push('-');
        }
        let reserved =
            MERMAID_RESERVED.contains(&dashed.to_ascii_lowercase().as_str()) || dashed.eq_ignore_ascii_case("uk");
        if dashed.starts_with(|c: char| c.is_ascii_alphabetic()) && !reserved { dashed } else { format!("c-{dashed}") }
    };
    let base = word.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&word)) {
        word = format!("{base}-{n}");
        n += 1;
    }
    used.push(word.clone());
    word
}

/// A type as one Mermaid attribute word (`character varying(20)` -> `character-varying(20)`,
/// `numeric(10, 2)` -> `numeric(10-2)`; none -> `any`).
fn mermaid_type(data_type: &str) -> String {
    let word: String = data_type
        .replace(", ", ",")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "()[]_".contains(c) { c } else { '-' })
        .collect();
    match word.chars().next() {
        None => "any".into(),
        Some(c) if c.is_ascii_alphabetic() => word,
        Some(_) => format!("t-{word}"),
    }
}

/// Text inside a Mermaid label or comment, with the characters Mermaid would read (HTML, its
/// entity codes, directives, Markdown strings) written as entity codes; a line break as a space.
pub fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '%' => out.push_str("#37;"),
            '`' => out.push_str("#96;"),
            '\\' => out.push_str("#92;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The schema as a Mermaid `erDiagram`.
pub fn mermaid(schema: &Schema, tables: Tables<'_>) -> String {
    mermaid_marked(schema, tables, &[], |_, _| None)
}

/// How a table or column of the `to` side of a diff differs from the `from` side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Only on the `to` side.
    Added,
    /// On both, defined differently.
    Changed,
    /// Only on the `from` side (drawn from it).
    Dropped,
}

impl Mark {
    fn sign(self) -> &'static str {
        match self {
            Mark::Added => "+",
            Mark::Changed => "~",
            Mark::Dropped => "-",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Mark::Added => "added",
            Mark::Changed => "changed",
            Mark::Dropped => "dropped",
        }
    }
}

/// The `to` schema as a Mermaid `erDiagram` with what differs from `from` marked, for a pull
/// request: added, changed and dropped tables carry `+`, `~`, `-` before their name (dropped ones
/// are drawn from `from`), and columns say `added`, `changed` or `dropped` in their comment.
/// A rename shows as a drop and an add.
pub fn mermaid_diff(from: &Schema, to: &Schema) -> String {
    let mut shown = to.clone();
    shown.tables.extend(from.tables.iter().filter(|t| !to.tables.iter().any(|o| o.name == t.name)).cloned());
    let table_mark = |t: &Table| -> Option<Mark> {
        match (from.tables.iter().find(|o| o.name == t.name), to.tables.iter().find(|o| o.name == t.name)) {
            (None, _) => Some(Mark::Added),
            (Some(_), None) => Some(Mark::Dropped),
            (Some(old), Some(new)) if old != new => Some(Mark::Changed),
            _ => None,
        }
    };
    let marks: Vec<(Name, Option<Mark>)> = shown.tables.iter().map(|t| (t.name.clone(), table_mark(t))).collect();
    // Dropped columns are drawn too, after the table's own.
    for t in &mut shown.tables {
        if let Some(old) = from.tables.iter().find(|o| o.name == t.name) {
            let gone: Vec<_> =
                old.columns.iter().filter(|c| !t.columns.iter().any(|n| n.name == c.name)).cloned().collect();
            t.columns.extend(gone);
        }
    }
    let column_mark = |table: &Table, column: &str| -> Option<Mark> {
        let old = from.tables.iter().find(|o| o.name == table.name)?;
        let new = to.tables.iter().find(|o| o.name == table.name)?;
        match (old.columns.iter().find(|c| c.name == column), new.columns.iter().find(|c| c.name == column)) {
            (None, Some(_)) => Some(Mark::Added),
            (Some(_), None) => Some(Mark::Dropped),
            (Some(a), Some(b)) if a != b => Some(Mark::Changed),
            _ => None,
        }
    };
    mermaid_marked(&shown, Tables::All, &marks, column_mark)
}

fn mermaid_marked(
    schema: &Schema,
    tables: Tables<'_>,
    marks: &[(Name, Option<Mark>)],
    column_mark: impl Fn(&Table, &str) -> Option<Mark>,
) -> String {
    let qualify = qualified(schema);
    let ids = mermaid_ids(schema, qualify);
    let mut out = String::from("erDiagram\n");
    for t in schema.tables.iter().filter(|t| tables.shows(&t.name)) {
        let id = id_of(&ids, &t.name);
        let shown = match marks.iter().find(|(n, _)| n == &t.name).and_then(|(_, m)| *m) {
            Some(m) => format!("{} {}", m.sign(), shown_name(&t.name, qualify)),
            None => shown_name(&t.name, qualify),
        };
        let alias = if id == shown { String::new() } else { format!("[\"{}\"]", mermaid_text(&shown)) };
        let _ = writeln!(out, "    {id}{alias} {{");
        let mut used = Vec::new();
        for c in &t.columns {
            let column = attribute_name(&c.name, &mut used);
            let keys = keys(t, &c.name);
            let keys = if keys.is_empty() { String::new() } else { format!(" {}", keys.join(", ")) };
            let mut notes = Vec::new();
            if column != c.name {
                notes.push(format!("name: {}", c.name));
            }
            if let Some(m) = column_mark(t, &c.name) {
                notes.push(format!("{} {}", m.sign(), m.word()));
            }
            if !c.nullable {
                notes.push("not null".to_string());
            }
            let notes =
                if notes.is_empty() { String::new() } else { format!(" \"{}\"", mermaid_text(&notes.join(", "))) };
            let _ = writeln!(out, "        {} {column}{keys}{notes}", mermaid_type(&c.data_type));
        }
        out.push_str("    }\n");
    }
    for e in edges(schema, tables) {
        let parent = if e.required { "||" } else { "|o" };
        let child = if e.one_child { "o|" } else { "o{" };
        let _ = writeln!(
            out,
            "    {} {parent}--{child} {} : \"{}\"",
            id_of(&ids, e.parent),
            id_of(&ids, &e.child.name),
            mermaid_text(&e.label)
        );
    }
    out
}

fn html(text: &str) -> String {
    if text.is_empty() {
        // An empty <b></b> is a syntax error in Graphviz's HTML labels.
        return "&#160;".into();
    }
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn dot_id(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The schema as a Graphviz DOT graph: one record-like table per entity (a port per column), an
/// edge per foreign key from its columns to the referenced ones, with crow's-foot arrowheads.
pub fn dot(schema: &Schema, tables: Tables<'_>) -> String {
    let qualify = qualified(schema);
    let mut out = String::from(
        "digraph schema {\n    graph [rankdir=LR, fontname=\"Helvetica\"];\n    node [shape=plain, fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for t in schema.tables.iter().filter(|t| tables.shows(&t.name)) {
        let shown = shown_name(&t.name, qualify);
        let _ = write!(
            out,
            "    {} [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr><td bgcolor=\"#dde4ee\" colspan=\"2\"><b>{}</b></td></tr>",
            dot_id(&shown),
            html(&shown)
        );
        for (i, c) in t.columns.iter().enumerate() {
            let marks = keys(t, &c.name);
            let name = if marks.contains(&"PK") { format!("<b>{}</b>", html(&c.name)) } else { html(&c.name) };
            let marks = if marks.is_empty() { String::new() } else { format!(" {}", marks.join(" ")) };
            let null = if c.nullable { "" } else { " NOT NULL" };
            let _ = write!(
                out,
                "<tr><td align=\"left\" port=\"c{i}\">{name}</td><td align=\"left\">{}{null}{marks}</td></tr>",
                html(&c.data_type)
            );
        }
        out.push_str("</table>>];\n");
    }
    let port = |table: &Table, column: Option<&String>| -> String {
        column
            .and_then(|c| table.columns.iter().position(|col| &col.name == c))
            .map(|i| format!(":c{i}"))
            .unwrap_or_default()
    };
    for e in edges(schema, tables) {
        let Some(parent) = schema.tables.iter().find(|p| &p.name == e.parent) else { continue };
        let head = if e.required { "teetee" } else { "teeodot" };
        let tail = if e.one_child { "teeodot" } else { "crowodot" };
        let _ = writeln!(
            out,
            "    {}{} -> {}{} [dir=both, arrowhead={head}, arrowtail={tail}, tooltip={}];",
            dot_id(&shown_name(&e.child.name, qualify)),
            port(e.child, e.columns.first()),
            dot_id(&shown_name(e.parent, qualify)),
            port(parent, e.ref_columns.first()),
            dot_id(&e.label)
        );
    }
    out.push_str("}\n");
    out
}
