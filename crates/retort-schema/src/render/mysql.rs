//! MySQL and MariaDB DDL. Tables are written the way the server's `SHOW CREATE TABLE` prints them
//! (the same clauses in the same order), so the inspector's model can be checked against the
//! server's own text ([`show_create_table`]), and `retort inspect` reads like a `mysqldump`.
//! Several changes to one table go into one `ALTER TABLE` (one rebuild rather than many).

use std::fmt::Write as _;

use super::Rendered;
use crate::change::Change;
use crate::model::*;
use crate::order::topological;

/// Quotes an identifier with backticks (always: MySQL has hundreds of reserved words, and
/// double quotes make a string unless `ANSI_QUOTES` is set).
pub fn q(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

fn name(n: &Name) -> String {
    q(&n.name)
}

/// A string literal, escaped the way the server prints one in `SHOW CREATE TABLE` (quotes
/// doubled; backslash, newline, carriage return, NUL and Ctrl-Z as backslash escapes), which
/// reads back the same under the default `sql_mode`.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{1a}' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The character set a collation belongs to (`utf8mb4_bin` is utf8mb4's; `binary` is its own).
pub fn charset_of(collation: &str) -> &str {
    collation.split('_').next().unwrap_or(collation)
}

fn list(columns: &[String]) -> String {
    columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(",")
}

/// Whether values of this type print `NULL DEFAULT NULL` rather than `DEFAULT NULL` when
/// nullable (a TIMESTAMP is NOT NULL unless said otherwise, on servers that keep that rule).
fn says_null(data_type: &str) -> bool {
    data_type.starts_with("timestamp")
}

/// A column definition, as `SHOW CREATE TABLE` prints it.
pub fn column(c: &Column) -> String {
    let mut out = format!("{} {}", q(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        let _ = write!(out, " CHARACTER SET {} COLLATE {coll}", charset_of(coll));
    }
    if let Some(g) = &c.generated {
        let _ = write!(out, " GENERATED ALWAYS AS ({}) {}", g.expr, if g.stored { "STORED" } else { "VIRTUAL" });
    }
    if !c.nullable {
        out.push_str(" NOT NULL");
    } else if says_null(&c.data_type) && c.generated.is_none() {
        out.push_str(" NULL");
    }
    if c.invisible {
        out.push_str(" INVISIBLE");
    }
    match &c.default {
        Some(d) => {
            let _ = write!(out, " DEFAULT {d}");
        }
        None if c.nullable && c.generated.is_none() && !c.auto_increment => out.push_str(" DEFAULT NULL"),
        None => {}
    }
    if let Some(u) = &c.on_update {
        let _ = write!(out, " ON UPDATE {u}");
    }
    if c.auto_increment {
        out.push_str(" AUTO_INCREMENT");
    }
    if let Some(text) = &c.comment {
        let _ = write!(out, " COMMENT {}", literal(text));
    }
    if let Some(check) = &c.check {
        let _ = write!(out, " CHECK ({check})");
    }
    out
}

/// An index as a line of `CREATE TABLE`: `UNIQUE KEY `name` (`a`,`b`(10) DESC)`.
pub fn key(ix: &Index) -> String {
    let kind = match ix.method.as_str() {
        "FULLTEXT" => "FULLTEXT KEY",
        "SPATIAL" => "SPATIAL KEY",
        _ if ix.unique => "UNIQUE KEY",
        _ => "KEY",
    };
    let mut out = format!("{kind} {} ({})", q(&ix.name), ix.keys.join(","));
    if ix.method == "HASH" || ix.method == "BTREE" {
        let _ = write!(out, " USING {}", ix.method);
    }
    if let Some(text) = &ix.comment {
        let _ = write!(out, " COMMENT {}", literal(text));
    }
    if ix.invisible {
        out.push_str(" IGNORED");
    }
    out
}

/// The words that add an index in `ALTER TABLE`: `ADD UNIQUE INDEX ...`.
fn add_index(ix: &Index) -> String {
    let line = key(ix);
    let rest = line.split_once("KEY ").map_or(line.as_str(), |(_, rest)| rest);
    let kind = match ix.method.as_str() {
        "FULLTEXT" => "FULLTEXT INDEX",
        "SPATIAL" => "SPATIAL INDEX",
        _ if ix.unique => "UNIQUE INDEX",
        _ => "INDEX",
    };
    format!("ADD {kind} {rest}")
}

/// `PRIMARY KEY (...)`.
pub fn primary_key(pk: &PrimaryKey) -> String {
    format!("PRIMARY KEY ({})", list(&pk.columns))
}

/// `CONSTRAINT name FOREIGN KEY (...) REFERENCES t (...)`, actions in the server's order.
pub fn foreign_key(fk: &ForeignKey) -> String {
    let mut out = String::new();
    if let Some(n) = &fk.name {
        let _ = write!(out, "CONSTRAINT {} ", q(n));
    }
    let _ = write!(
        out,
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        list(&fk.columns),
        name(&fk.ref_table),
        list(&fk.ref_columns)
    );
    if fk.on_delete != Action::NoAction {
        let _ = write!(out, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.on_update != Action::NoAction {
        let _ = write!(out, " ON UPDATE {}", fk.on_update.sql());
    }
    out
}

/// `CONSTRAINT name CHECK (expr)`.
pub fn check(c: &Check) -> String {
    match &c.name {
        Some(n) => format!("CONSTRAINT {} CHECK ({})", q(n), c.expr),
        None => format!("CHECK ({})", c.expr),
    }
}

/// The table options after the closing parenthesis, in the server's order.
pub fn table_options(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = &t.engine {
        out.push(format!("ENGINE={e}"));
    }
    if let Some(c) = &t.collation {
        out.push(format!("DEFAULT CHARSET={}", charset_of(c)));
        out.push(format!("COLLATE={c}"));
    }
    out.extend(t.options.iter().cloned());
    if let Some(text) = &t.comment {
        out.push(format!("COMMENT={}", literal(text)));
    }
    out
}

/// The lines inside `CREATE TABLE (...)`: columns, keys, then (optionally) foreign keys and checks.
fn body(t: &Table, foreign_keys: bool) -> Vec<String> {
    let mut lines: Vec<String> = t.columns.iter().map(column).collect();
    lines.extend(t.primary_key.iter().map(primary_key));
    lines.extend(t.uniques.iter().map(|u| {
        let ix = Index {
            name: u.name.clone().unwrap_or_default(),
            unique: true,
            keys: u.columns.iter().map(|c| q(c)).collect(),
            ..Index::default()
        };
        key(&ix)
    }));
    // The server lists unique keys before the others.
    let (unique, other): (Vec<&Index>, Vec<&Index>) =
        t.indexes.iter().partition(|ix| ix.unique && ix.method != "FULLTEXT" && ix.method != "SPATIAL");
    lines.extend(unique.into_iter().chain(other).map(key));
    if foreign_keys {
        lines.extend(t.foreign_keys.iter().map(foreign_key));
    }
    lines.extend(t.checks.iter().map(check));
    lines
}

/// The table as `SHOW CREATE TABLE` prints it (without the `AUTO_INCREMENT=` counter): the
/// guardrail compares the two, so a clause the inspector did not read is never diffed silently.
pub fn show_create_table(t: &Table) -> String {
    format!("CREATE TABLE {} (\n  {}\n) {}", name(&t.name), body(t, true).join(",\n  "), table_options(t).join(" "))
}

/// `CREATE TABLE` with keys and checks but without foreign keys (added once every table exists).
pub fn create_table(t: &Table) -> String {
    format!("CREATE TABLE {} (\n  {}\n) {}", name(&t.name), body(t, false).join(",\n  "), table_options(t).join(" "))
}

/// `CREATE VIEW`, with the options the inspector keeps (`ALGORITHM=MERGE`, `SQL SECURITY
/// INVOKER`, `WITH CASCADED CHECK OPTION`).
pub fn create_view(v: &View) -> String {
    let before: Vec<&str> = v
        .options
        .iter()
        .map(String::as_str)
        .filter(|o| o.starts_with("ALGORITHM") || o.starts_with("SQL SECURITY"))
        .collect();
    let after: Vec<&str> = v.options.iter().map(String::as_str).filter(|o| o.starts_with("WITH")).collect();
    let mut out = String::from("CREATE ");
    for o in before {
        let _ = write!(out, "{o} ");
    }
    let _ = write!(out, "VIEW {} AS {}", name(&v.name), v.query.trim_end().trim_end_matches(';'));
    for o in after {
        let _ = write!(out, " {o}");
    }
    out
}

fn routine_keyword(r: &Routine) -> &'static str {
    if r.kind == "procedure" { "PROCEDURE" } else { "FUNCTION" }
}

/// Every statement creating the schema: tables (with their keys), routines, views in dependency
/// order, foreign keys, triggers.
pub fn statements(s: &Schema) -> Vec<String> {
    let mut out: Vec<String> = s.tables.iter().map(create_table).collect();
    out.extend(s.routines.iter().map(|r| r.definition.clone()));
    let views = topological(s.views.iter().collect(), |v| v.name.clone(), |v| v.depends_on.clone());
    out.extend(views.into_iter().map(create_view));
    for t in &s.tables {
        for fk in &t.foreign_keys {
            out.push(format!("ALTER TABLE {} ADD {}", name(&t.name), foreign_key(fk)));
        }
    }
    out.extend(s.triggers.iter().map(|t| t.definition.clone()));
    out
}

/// The schema as one script.
pub fn ddl(s: &Schema) -> String {
    let mut out = String::new();
    for stmt in statements(s) {
        out.push_str(stmt.trim_end().trim_end_matches(';'));
        out.push_str(";\n\n");
    }
    out
}

/// `ALTER TABLE t <clause>`.
fn alter(table: &Name, clause: impl std::fmt::Display) -> String {
    format!("ALTER TABLE {} {clause}", name(table))
}

/// Where an added column goes: after the column before it in the table that is wanted.
fn position(to: &Schema, table: &Name, column: &str) -> String {
    let Some(t) = to.table(table) else { return String::new() };
    let Some(at) = t.columns.iter().position(|c| c.name == column) else { return String::new() };
    match at {
        0 => " FIRST".to_string(),
        _ if at + 1 == t.columns.len() => String::new(),
        _ => format!(" AFTER {}", q(&t.columns[at - 1].name)),
    }
}

/// The statements of one change. `to` is the schema being reached (for column positions and the
/// full definition of a created table).
pub fn change(c: &Change, to: &Schema) -> Vec<String> {
    match c {
        Change::CreateTable(t) => {
            // The diff creates keys and the comment as separate changes; MySQL takes them in one
            // statement, so the table is created whole (foreign keys still come later).
            let whole = to.table(&t.name).cloned().unwrap_or_else(|| t.clone());
            vec![create_table(&Table { foreign_keys: Vec::new(), ..whole })]
        }
        Change::DropTable(t) => vec![format!("DROP TABLE {}", name(&t.name))],
        Change::RenameTable { from, to, .. } => vec![alter(from, format!("RENAME TO {}", name(to)))],
        Change::AddColumn { table, column: col, fill } => {
            let filled = Column { default: fill.clone().or_else(|| col.default.clone()), ..col.clone() };
            let mut out =
                vec![alter(table, format!("ADD COLUMN {}{}", column(&filled), position(to, table, &col.name)))];
            if fill.is_some() {
                out.push(alter(table, format!("ALTER COLUMN {} DROP DEFAULT", q(&col.name))));
            }
            out
        }
        Change::DropColumn { table, column } => vec![alter(table, format!("DROP COLUMN {}", q(&column.name)))],
        Change::RenameColumn { table, from, to, .. } => {
            vec![alter(table, format!("RENAME COLUMN {} TO {}", q(from), q(to)))]
        }
        Change::AlterColumn { table, from, to } => {
            let only_default = only_default(from, to);
            let mut out = Vec::new();
            if from.nullable
                && !to.nullable
                && let Some(d) = &to.default
            {
                // Rows that hold NULL take the default first, as new rows would (strict mode
                // refuses the MODIFY otherwise).
                out.push(format!("UPDATE {} SET {c} = {d} WHERE {c} IS NULL", name(table), c = q(&to.name)));
            }
            out.push(alter(
                table,
                match (&to.default, only_default) {
                    (Some(d), true) => format!("ALTER COLUMN {} SET DEFAULT {d}", q(&to.name)),
                    (None, true) => format!("ALTER COLUMN {} DROP DEFAULT", q(&to.name)),
                    _ => format!("MODIFY COLUMN {}", column(to)),
                },
            ));
            out
        }
        // Foreign key and check renames were expanded into drops and adds (see
        // `expand_constraint_renames`); what is left names an index.
        Change::RenameConstraint { table, from, to: new } => {
            vec![alter(table, format!("RENAME INDEX {} TO {}", q(from), q(new)))]
        }
        Change::RenameIndex { table, from, to } => vec![alter(table, format!("RENAME INDEX {} TO {}", q(from), q(to)))],
        Change::AddPrimaryKey { table, key } => vec![alter(table, format!("ADD {}", primary_key(key)))],
        Change::DropPrimaryKey { table, .. } => vec![alter(table, "DROP PRIMARY KEY")],
        Change::AddUnique { table, unique } => vec![alter(
            table,
            format!(
                "ADD {}UNIQUE ({})",
                unique.name.as_ref().map(|n| format!("CONSTRAINT {} ", q(n))).unwrap_or_default(),
                list(&unique.columns)
            ),
        )],
        Change::DropUnique { table, unique } => match &unique.name {
            Some(n) => vec![alter(table, format!("DROP INDEX {}", q(n)))],
            None => Vec::new(),
        },
        Change::AddForeignKey { table, key } => vec![alter(table, format!("ADD {}", foreign_key(key)))],
        Change::DropForeignKey { table, key } => match &key.name {
            Some(n) => vec![alter(table, format!("DROP FOREIGN KEY {}", q(n)))],
            None => Vec::new(),
        },
        Change::AddCheck { table, check: c } => vec![alter(table, format!("ADD {}", check(c)))],
        Change::DropCheck { table, check } => match &check.name {
            Some(n) => vec![alter(table, format!("DROP CONSTRAINT {}", q(n)))],
            None => Vec::new(),
        },
        Change::CreateIndex { table, index } => vec![alter(table, add_index(index))],
        Change::DropIndex { table, index } => vec![alter(table, format!("DROP INDEX {}", q(&index.name)))],
        Change::TableOptions { from, to } => alter_options(from, to),
        Change::CommentTable { table, comment } => {
            vec![alter(table, format!("COMMENT={}", literal(comment.as_deref().unwrap_or(""))))]
        }
        Change::CreateView(v) => vec![create_view(v)],
        Change::DropView(v) => vec![format!("DROP VIEW {}", name(&v.name))],
        // No CREATE OR REPLACE for routines on MySQL: a changed one is dropped first.
        Change::CreateRoutine(r) => {
            vec![format!("DROP {} IF EXISTS {}", routine_keyword(r), name(&r.name)), r.definition.clone()]
        }
        Change::DropRoutine(r) => vec![format!("DROP {} {}", routine_keyword(r), name(&r.name))],
        Change::CreateTrigger(t) => vec![t.definition.clone()],
        Change::DropTrigger(t) => vec![format!("DROP TRIGGER {}", q(&t.name))],
        // Objects MySQL does not have; its inspector never produces them.
        Change::CreateNamespace(_)
        | Change::DropNamespace(_)
        | Change::CreateExtension(_)
        | Change::DropExtension(_)
        | Change::CreateEnum(_)
        | Change::DropEnum(_)
        | Change::AlterEnum { .. }
        | Change::CreateDomain(_)
        | Change::DropDomain(_)
        | Change::AlterDomain { .. }
        | Change::CreateComposite(_)
        | Change::DropComposite(_)
        | Change::CreateSequence(_)
        | Change::DropSequence(_)
        | Change::AlterSequence { .. }
        | Change::RenameSequence { .. }
        | Change::AddExclusion { .. }
        | Change::DropExclusion { .. }
        | Change::ClusterOn { .. }
        | Change::CreateVirtualTable(_)
        | Change::DropVirtualTable(_)
        | Change::CreateRule(_)
        | Change::DropRule(_) => Vec::new(),
    }
}

/// The column a key names (`` `a`(10) DESC `` names `a`), `None` for an expression.
fn key_column(key: &str) -> Option<String> {
    let rest = key.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

/// A foreign key needs an index over its columns, and MySQL refuses to drop the one it uses
/// (`Cannot drop index 'fk': needed in a foreign key constraint`). When the wanted schema serves
/// a kept foreign key with another index, that index is created just before the drop if it can
/// be (its columns exist already and its name is free); else the drop waits until the table's
/// last new index exists (a new unique key over a column added in the same migration, say).
fn drop_foreign_key_indexes_late(changes: Vec<Change>, from: &Schema, to: &Schema) -> Vec<Change> {
    let serves = |table: &Name, index: &Index| {
        let kept =
            |fk: &ForeignKey| to.table(table).is_some_and(|t| t.foreign_keys.iter().any(|k| k.columns == fk.columns));
        from.table(table).is_some_and(|t| {
            t.foreign_keys.iter().any(|fk| {
                let columns: Vec<String> = fk.columns.iter().map(|c| q(c)).collect();
                kept(fk) && index.keys.starts_with(&columns)
            })
        })
    };
    // Whether an index can be created before anything else of the migration runs on its table.
    let creatable_now = |table: &Name, index: &Index| {
        from.table(table).is_some_and(|t| {
            !t.indexes.iter().any(|i| i.name == index.name)
                && index.keys.iter().all(|k| key_column(k).is_some_and(|c| t.columns.iter().any(|x| x.name == c)))
        })
    };
    let mut out = changes;
    let mut at = 0;
    while at < out.len() {
        let Change::DropIndex { table, index } = &out[at] else {
            at += 1;
            continue;
        };
        if !serves(table, index) {
            at += 1;
            continue;
        }
        let table = table.clone();
        let replacement = out.iter().enumerate().skip(at + 1).find_map(|(j, c)| match c {
            Change::CreateIndex { table: t, index: new } if *t == table => {
                let fk_first = from.table(&table).is_some_and(|ft| {
                    ft.foreign_keys.iter().any(|fk| {
                        let columns: Vec<String> = fk.columns.iter().map(|c| q(c)).collect();
                        new.keys.starts_with(&columns)
                    })
                });
                fk_first.then(|| (j, creatable_now(&table, new)))
            }
            _ => None,
        });
        match replacement {
            Some((j, true)) => {
                let early = out.remove(j);
                out.insert(at, early);
                at += 2;
            }
            _ => {
                let last = out.iter().rposition(|c| {
                    matches!(c, Change::CreateIndex { table: t, .. } | Change::AddPrimaryKey { table: t, .. } if *t == table)
                });
                match last {
                    Some(last) if last > at => {
                        let moved = out.remove(at);
                        out.insert(last, moved);
                    }
                    _ => at += 1,
                }
            }
        }
    }
    out
}

/// MySQL renames neither foreign keys nor checks: each such rename becomes a drop under the old
/// name and an add under the new one (with the definition of the schema being reached). In a run
/// of renames every drop goes first, so names that swap (`t_ibfk_1` and `t_ibfk_2`, numbered by
/// the order the foreign keys were declared in) never collide.
fn expand_constraint_renames(changes: &[Change], to: &Schema) -> Vec<Change> {
    let mut out = Vec::with_capacity(changes.len());
    let mut adds: Vec<Change> = Vec::new();
    for c in changes {
        let expanded = match c {
            Change::RenameConstraint { table, from, to: new } => to.table(table).and_then(|t| {
                if let Some(fk) = t.foreign_keys.iter().find(|k| k.name.as_deref() == Some(new)) {
                    let old = ForeignKey { name: Some(from.clone()), ..fk.clone() };
                    Some((
                        Change::DropForeignKey { table: table.clone(), key: old },
                        Change::AddForeignKey { table: table.clone(), key: fk.clone() },
                    ))
                } else {
                    t.checks.iter().find(|k| k.name.as_deref() == Some(new)).map(|ck| {
                        let old = Check { name: Some(from.clone()), ..ck.clone() };
                        (
                            Change::DropCheck { table: table.clone(), check: old },
                            Change::AddCheck { table: table.clone(), check: ck.clone() },
                        )
                    })
                }
            }),
            _ => None,
        };
        match expanded {
            Some((drop, add)) => {
                out.push(drop);
                adds.push(add);
            }
            None => {
                out.append(&mut adds);
                out.push(c.clone());
            }
        }
    }
    out.append(&mut adds);
    out
}

/// Engine, default collation and other options. A new default collation converts the text
/// columns (`CONVERT TO`), which also widens text types when the new character set takes more
/// bytes (`text` becomes `mediumtext` from utf8mb3 to utf8mb4); then every text column is
/// given its wanted definition again, in one statement.
fn alter_options(from: &Table, to: &Table) -> Vec<String> {
    let mut clauses = Vec::new();
    if from.engine != to.engine
        && let Some(e) = &to.engine
    {
        clauses.push(format!("ENGINE={e}"));
    }
    let key = |o: &str| o.split('=').next().unwrap_or(o).to_string();
    for o in &to.options {
        if !from.options.contains(o) {
            clauses.push(o.clone());
        }
    }
    for o in &from.options {
        if !to.options.iter().any(|n| key(n) == key(o)) {
            clauses.push(format!("{}=DEFAULT", key(o)));
        }
    }
    let mut out = Vec::new();
    if !clauses.is_empty() {
        out.push(alter(&to.name, clauses.join(" ")));
    }
    if from.collation != to.collation
        && let Some(c) = &to.collation
    {
        out.push(alter(&to.name, format!("CONVERT TO CHARACTER SET {} COLLATE {c}", charset_of(c))));
        let textual = |c: &Column| {
            let base = c.data_type.split(['(', ' ']).next().unwrap_or("");
            matches!(base, "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set")
        };
        let modify: Vec<String> =
            to.columns.iter().filter(|c| textual(c)).map(|c| format!("MODIFY COLUMN {}", column(c))).collect();
        if !modify.is_empty() {
            out.push(alter(&to.name, modify.join(",\n  ")));
        }
    }
    out
}

/// Renders changes: each change's statements with its notes; added columns of one table in the
/// order the table wants them (so each `AFTER` names a column that exists); then consecutive
/// `ALTER TABLE`s of one table folded into one statement.
pub fn changes(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Rendered> {
    let expanded = drop_foreign_key_indexes_late(expand_constraint_renames(changes, to), from, to);
    let mut ordered: Vec<&Change> = expanded.iter().collect();
    let position_of = |c: &Change| match c {
        Change::AddColumn { table, column, .. } => {
            to.table(table).and_then(|t| t.columns.iter().position(|x| x.name == column.name))
        }
        _ => None,
    };
    let mut at = 0;
    while at < ordered.len() {
        let table = match ordered[at] {
            Change::AddColumn { table, .. } => table,
            _ => {
                at += 1;
                continue;
            }
        };
        let end = ordered[at..]
            .iter()
            .position(|c| !matches!(c, Change::AddColumn { table: t, .. } if t == table))
            .map_or(ordered.len(), |n| at + n);
        ordered[at..end].sort_by_key(|c| position_of(c));
        at = end;
    }
    let mut out: Vec<Rendered> = Vec::new();
    let mut last_folds = false;
    // A created table is created whole: its indexes and comment are already in CREATE TABLE.
    let mut created: std::collections::BTreeSet<&Name> = std::collections::BTreeSet::new();
    let mut new_indexes: Vec<(&Name, &str)> = Vec::new();
    for c in ordered {
        match c {
            Change::CreateTable(t) => {
                created.insert(&t.name);
            }
            Change::CreateIndex { table, .. } | Change::CommentTable { table, .. } if created.contains(table) => {
                continue;
            }
            Change::CreateIndex { table, index } => new_indexes.push((table, &index.name)),
            _ => {}
        }
        let mut statements = change(c, to);
        if statements.is_empty() {
            continue;
        }
        if let Change::AddForeignKey { table, key } = c
            && !created.contains(table)
        {
            let keep = keep_index_names(table, key, to, |ix| new_indexes.contains(&(table, ix)));
            statements.splice(0..0, keep);
        }
        let notes = super::notes_in(Dialect::Mysql, std::slice::from_ref(c));
        let foldable = statements.len() == 1 && folds(c);
        if foldable
            && last_folds
            && let Some(last) = out.last_mut()
            && let Some(merged) = fold(last, &statements[0])
        {
            last.statements = vec![merged];
            last.notes.extend(notes);
            continue;
        }
        last_folds = foldable;
        out.push(Rendered { notes, statements });
    }
    out
}

/// MariaDB gives an index it created for a foreign key (`KEY `agent_id``, made for an unnamed
/// `FOREIGN KEY (agent_id)`) the name of the next foreign key added over those columns
/// (`t_ibfk_1`). Renaming the index to its own name first makes it an index of its own, which
/// keeps its name (a metadata change, instant).
/// Indexes this migration creates are its own already (`created`).
fn keep_index_names(table: &Name, key: &ForeignKey, to: &Schema, created: impl Fn(&str) -> bool) -> Vec<String> {
    let Some(t) = to.table(table) else { return Vec::new() };
    let columns: Vec<String> = key.columns.iter().map(|c| q(c)).collect();
    t.indexes
        .iter()
        .filter(|ix| Some(&ix.name) != key.name.as_ref() && ix.keys.starts_with(&columns) && !created(&ix.name))
        .map(|ix| alter(table, format!("RENAME INDEX {} TO {}", q(&ix.name), q(&ix.name))))
        .collect()
}

/// Whether a column change is only of its default (`ALTER COLUMN c SET DEFAULT`, instant).
fn only_default(from: &Column, to: &Column) -> bool {
    Column { default: to.default.clone(), ..from.clone() } == *to
}

/// Changes whose clause may share an `ALTER TABLE` with others of the same table. Renames stay
/// apart: the clauses of one statement all name columns and indexes as they were before it, so a
/// clause after a rename could not use the new name (and swaps need their steps in order); so do
/// foreign keys (the server refuses some combinations of them) and a new default (in one
/// statement with the column's ADD, every existing row would get it).
fn folds(c: &Change) -> bool {
    if let Change::AlterColumn { from, to, .. } = c {
        return !only_default(from, to);
    }
    matches!(
        c,
        Change::AddColumn { fill: None, .. }
            | Change::DropColumn { .. }
            | Change::CreateIndex { .. }
            | Change::DropIndex { .. }
            | Change::AddCheck { .. }
            | Change::DropCheck { .. }
            | Change::AddPrimaryKey { .. }
            | Change::DropPrimaryKey { .. }
            | Change::CommentTable { .. }
    )
}

/// `ALTER TABLE t a` and `ALTER TABLE t b` into `ALTER TABLE t a, b`, when `last` is one foldable
/// statement on the same table.
fn fold(last: &Rendered, next: &str) -> Option<String> {
    let [prev] = last.statements.as_slice() else { return None };
    let head = |s: &str| -> Option<usize> {
        let rest = s.strip_prefix("ALTER TABLE `")?;
        let mut i = 0;
        let bytes = rest.as_bytes();
        while i < bytes.len() {
            if bytes[i] == b'`' {
                if bytes.get(i + 1) == Some(&b'`') {
                    i += 2;
                    continue;
                }
                return Some("ALTER TABLE `".len() + i + 1);
            }
            i += 1;
        }
        None
    };
    let (a, b) = (head(prev)?, head(next)?);
    if prev[..a] != next[..b] {
        return None;
    }
    Some(format!("{},\n  {}", prev.trim_end(), next[b..].trim_start()))
}
