//! Reading a MySQL or MariaDB database into the schema model, from `information_schema` (one query
//! per kind of object), normalized so that equal schemas compare equal on the same server. Then a
//! guardrail, as Skeema has: every table is rendered back as `SHOW CREATE TABLE` would print it and
//! compared with the server's own text, so a clause the inspector does not read (a partitioning, an
//! engine option, a flavor's spelling) is refused by name instead of being diffed away by omission.

use std::collections::{BTreeMap, BTreeSet};

use retort_schema::render::mysql as render;
use retort_schema::{
    Action, Check, Column, ForeignKey, Generated, Index, Name, PrimaryKey, Routine, Schema, Table, Trigger, View,
};

use super::MysqlDriver;
use crate::driver::{DbError, Driver};
use crate::inspect::{InspectError, InspectOptions};

type Row = Vec<Option<String>>;

fn text(row: &Row, i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

fn opt(row: &Row, i: usize) -> Option<String> {
    row.get(i).cloned().flatten()
}

/// The whole database the connection is on.
pub(super) fn inspect(driver: &mut MysqlDriver, options: &InspectOptions) -> Result<Schema, InspectError> {
    let mariadb = driver.is_mariadb()?;
    let mut tables = read_tables(driver, options)?;
    read_columns(driver, &mut tables, mariadb)?;
    read_indexes(driver, &mut tables, mariadb)?;
    read_foreign_keys(driver, &mut tables)?;
    read_checks(driver, &mut tables, mariadb)?;
    let names: BTreeSet<String> = tables.keys().cloned().collect();
    let views = read_views(driver, &names)?;
    let triggers = read_triggers(driver, options)?;
    let routines = read_routines(driver)?;
    let mut schema = Schema {
        dialect: retort_schema::Dialect::Mysql,
        tables: tables.into_values().collect(),
        views,
        triggers,
        routines,
        ..Schema::default()
    };
    schema.normalize();
    for table in &schema.tables {
        guardrail(driver, table)?;
    }
    Ok(schema)
}

fn read_tables(driver: &mut MysqlDriver, options: &InspectOptions) -> Result<BTreeMap<String, Table>, InspectError> {
    let rows = driver.query(
        "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT
           FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE <> 'VIEW'",
    )?;
    let mut tables = BTreeMap::new();
    for row in rows {
        let name = text(&row, 0);
        if options.excluded(&name) {
            continue;
        }
        let kind = text(&row, 1);
        if kind != "BASE TABLE" {
            return Err(InspectError::Unsupported { object: format!("table {name}"), what: format!("a {kind}") });
        }
        let mut table_options = Vec::new();
        for option in text(&row, 4).split_whitespace() {
            if option == "partitioned" {
                return Err(InspectError::Unsupported {
                    object: format!("table {name}"),
                    what: "a partitioned table".into(),
                });
            }
            let (key, value) = option.split_once('=').unwrap_or((option, ""));
            table_options.push(format!("{}={value}", key.to_ascii_uppercase()));
        }
        let comment = Some(text(&row, 5)).filter(|c| !c.is_empty());
        let table = Table {
            name: Name::new(None, &name),
            engine: opt(&row, 2),
            collation: opt(&row, 3),
            options: table_options,
            comment,
            ..Table::default()
        };
        tables.insert(name, table);
    }
    Ok(tables)
}

/// Numeric types, whose defaults MySQL 8 prints unquoted.
fn numeric(data_type: &str) -> bool {
    let base = data_type.split(['(', ' ']).next().unwrap_or("");
    matches!(
        base,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" | "decimal" | "float" | "double" | "bit" | "year"
    )
}

/// A column default as `SHOW CREATE TABLE` prints it. MariaDB's `information_schema` already
/// does (literals quoted, `NULL` as text for "no default" on a nullable column); MySQL 8 gives
/// the bare value and marks expressions `DEFAULT_GENERATED`.
fn default_of(raw: Option<String>, data_type: &str, extra: &str, nullable: bool, mariadb: bool) -> Option<String> {
    let raw = raw?;
    if mariadb {
        return (!(nullable && raw == "NULL")).then_some(raw);
    }
    let upper = raw.to_ascii_uppercase();
    if extra.contains("DEFAULT_GENERATED") {
        return Some(if upper.starts_with("CURRENT_TIMESTAMP") { raw } else { format!("({raw})") });
    }
    if numeric(data_type) {
        return Some(raw);
    }
    Some(render::literal(&raw))
}

fn read_columns(
    driver: &mut MysqlDriver,
    tables: &mut BTreeMap<String, Table>,
    mariadb: bool,
) -> Result<(), InspectError> {
    let rows = driver.query(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION,
                COLLATION_NAME, COLUMN_COMMENT
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION",
    )?;
    for row in rows {
        let Some(table) = tables.get_mut(&text(&row, 0)) else { continue };
        let data_type = text(&row, 2);
        let nullable = text(&row, 3) == "YES";
        let extra = text(&row, 5);
        let lower_extra = extra.to_ascii_lowercase();
        let generated = (lower_extra.contains("generated") && !lower_extra.contains("default_generated"))
            .then(|| Generated { expr: text(&row, 6), stored: lower_extra.contains("stored") });
        let on_update = lower_extra.find("on update ").map(|at| extra[at + "on update ".len()..].trim().to_string());
        let collation = opt(&row, 7).filter(|c| Some(c) != table.collation.as_ref());
        let default =
            if generated.is_some() { None } else { default_of(opt(&row, 4), &data_type, &extra, nullable, mariadb) };
        table.columns.push(Column {
            name: text(&row, 1),
            data_type,
            nullable,
            default,
            generated,
            collation,
            comment: Some(text(&row, 8)).filter(|c| !c.is_empty()),
            on_update,
            auto_increment: lower_extra.contains("auto_increment"),
            invisible: lower_extra.split_whitespace().any(|w| w == "invisible"),
            ..Column::default()
        });
    }
    Ok(())
}

fn read_indexes(
    driver: &mut MysqlDriver,
    tables: &mut BTreeMap<String, Table>,
    mariadb: bool,
) -> Result<(), InspectError> {
    let flavored = if mariadb { "IGNORED = 'YES', NULL" } else { "IS_VISIBLE = 'NO', EXPRESSION" };
    let rows = driver.query(&format!(
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE, INDEX_COMMENT, {flavored}
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
    ))?;
    for row in rows {
        let Some(table) = tables.get_mut(&text(&row, 0)) else { continue };
        let index_name = text(&row, 1);
        let mut key = match opt(&row, 9) {
            Some(expr) => format!("({expr})"),
            None => render::q(&text(&row, 3)),
        };
        // A spatial index covers the whole value; STATISTICS reports a length all the same.
        if let Some(part) = opt(&row, 4).filter(|_| text(&row, 6) != "SPATIAL") {
            key.push_str(&format!("({part})"));
        }
        if text(&row, 5) == "D" {
            key.push_str(" DESC");
        }
        if index_name == "PRIMARY" {
            if opt(&row, 4).is_some() || text(&row, 5) == "D" || opt(&row, 9).is_some() {
                return Err(InspectError::Unsupported {
                    object: format!("table {}", table.name),
                    what: "a primary key on a column prefix, an expression or a descending column".into(),
                });
            }
            let pk = table.primary_key.get_or_insert_with(|| PrimaryKey {
                name: None,
                columns: Vec::new(),
                autoincrement: false,
            });
            pk.columns.push(text(&row, 3));
            continue;
        }
        match table.indexes.iter_mut().find(|ix| ix.name == index_name) {
            Some(ix) => ix.keys.push(key),
            None => {
                let method = text(&row, 6);
                table.indexes.push(Index {
                    name: index_name,
                    unique: text(&row, 2) == "0",
                    keys: vec![key],
                    // BTREE is InnoDB's only kind; on MEMORY tables (HASH by default) it is said.
                    method: if method == "BTREE" && table.engine.as_deref() != Some("MEMORY") {
                        String::new()
                    } else {
                        method
                    },
                    comment: Some(text(&row, 7)).filter(|c| !c.is_empty()),
                    invisible: text(&row, 8) == "1",
                    ..Index::default()
                });
            }
        }
    }
    Ok(())
}

/// RESTRICT is what MySQL does when no action is given (it checks at once, as NO ACTION does in
/// InnoDB): both read as the default.
fn action(rule: &str) -> Action {
    match Action::parse(rule) {
        Some(Action::Restrict) | None => Action::NoAction,
        Some(a) => a,
    }
}

fn read_foreign_keys(driver: &mut MysqlDriver, tables: &mut BTreeMap<String, Table>) -> Result<(), InspectError> {
    let rows = driver.query(
        "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
                k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE, k.REFERENCED_TABLE_SCHEMA = DATABASE()
           FROM information_schema.KEY_COLUMN_USAGE k
           JOIN information_schema.REFERENTIAL_CONSTRAINTS r
             ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
          WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
          ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
    )?;
    for row in rows {
        let Some(table) = tables.get_mut(&text(&row, 0)) else { continue };
        let name = text(&row, 1);
        if text(&row, 8) != "1" {
            return Err(InspectError::Unsupported {
                object: format!("foreign key {name} on {}", table.name),
                what: format!("a reference to another database ({})", text(&row, 3)),
            });
        }
        match table.foreign_keys.iter_mut().find(|k| k.name.as_deref() == Some(name.as_str())) {
            Some(fk) => {
                fk.columns.push(text(&row, 2));
                fk.ref_columns.push(text(&row, 5));
            }
            None => table.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns: vec![text(&row, 2)],
                ref_table: Name::new(None, &text(&row, 4)),
                ref_columns: vec![text(&row, 5)],
                on_delete: action(&text(&row, 7)),
                on_update: action(&text(&row, 6)),
                match_full: false,
                deferral: retort_schema::Deferral::Immediate,
                not_valid: false,
            }),
        }
    }
    Ok(())
}

fn read_checks(
    driver: &mut MysqlDriver,
    tables: &mut BTreeMap<String, Table>,
    mariadb: bool,
) -> Result<(), InspectError> {
    // MariaDB names checks per table and keeps column-level ones apart; MySQL names them per
    // database and lists their tables in TABLE_CONSTRAINTS.
    let sql = if mariadb {
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME"
    } else {
        "SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE, 'Table'
           FROM information_schema.TABLE_CONSTRAINTS t
           JOIN information_schema.CHECK_CONSTRAINTS c ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME
          WHERE t.TABLE_SCHEMA = DATABASE() AND t.CONSTRAINT_TYPE = 'CHECK' ORDER BY t.TABLE_NAME, c.CONSTRAINT_NAME"
    };
    for row in driver.query(sql)? {
        let Some(table) = tables.get_mut(&text(&row, 0)) else { continue };
        let (name, expr) = (text(&row, 1), text(&row, 2));
        if text(&row, 3) == "Column" {
            match table.columns.iter_mut().find(|c| c.name == name) {
                Some(column) => column.check = Some(expr),
                None => {
                    return Err(InspectError::Malformed {
                        object: format!("check {name} on {}", table.name),
                        message: "a column-level check whose column is missing".into(),
                    });
                }
            }
            continue;
        }
        table.checks.push(Check { name: Some(name), expr, no_inherit: false, not_valid: false });
    }
    Ok(())
}

/// The identifiers a query names in backticks: what a view may depend on.
fn quoted_names(query: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut chars = query.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' => in_string = !in_string,
            '\\' if in_string => {
                chars.next();
            }
            '`' if !in_string => {
                let mut name = String::new();
                while let Some(n) = chars.next() {
                    if n == '`' {
                        if chars.peek() == Some(&'`') {
                            chars.next();
                            name.push('`');
                            continue;
                        }
                        break;
                    }
                    name.push(n);
                }
                out.insert(name);
            }
            _ => {}
        }
    }
    out
}

/// `CREATE ... DEFINER=`u`@`h` ...`: the text with the definer left out (a schema does not say
/// who created it; the connected user becomes the definer when it is applied).
fn without_definer(sql: &str) -> String {
    let Some(at) = sql.find("DEFINER=") else { return sql.to_string() };
    let rest = &sql[at + "DEFINER=".len()..];
    // user@host, each part backticked (or bare): skip to the first space outside backticks.
    let mut in_tick = false;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            '`' => in_tick = !in_tick,
            ' ' if !in_tick => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    format!("{}{}", &sql[..at], rest[end..].trim_start())
}

fn read_views(driver: &mut MysqlDriver, tables: &BTreeSet<String>) -> Result<Vec<View>, InspectError> {
    let rows = driver.query(
        "SELECT TABLE_NAME, CHECK_OPTION, SECURITY_TYPE FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
    )?;
    let view_names: BTreeSet<String> = rows.iter().map(|r| text(r, 0)).collect();
    let mut views = Vec::new();
    for row in rows {
        let name = text(&row, 0);
        let created = driver.query(&format!("SHOW CREATE VIEW {}", render::q(&name)))?;
        let definition = created.first().map(|r| text(r, 1)).unwrap_or_default();
        let marker = format!(" VIEW {} AS ", render::q(&name));
        let Some(at) = definition.find(&marker) else {
            return Err(InspectError::Malformed {
                object: format!("view {name}"),
                message: format!("unexpected SHOW CREATE VIEW text: {definition}"),
            });
        };
        let head = &definition[..at];
        let mut query = definition[at + marker.len()..].trim().to_string();
        let mut options = Vec::new();
        if let Some(algorithm) = head.split_whitespace().find_map(|w| w.strip_prefix("ALGORITHM="))
            && algorithm != "UNDEFINED"
        {
            options.push(format!("ALGORITHM={algorithm}"));
        }
        if text(&row, 2) == "INVOKER" {
            options.push("SQL SECURITY INVOKER".into());
        }
        let check = text(&row, 1);
        if check != "NONE" && !check.is_empty() {
            let clause = format!("WITH {check} CHECK OPTION");
            if let Some(stripped) = query.strip_suffix(&clause) {
                query = stripped.trim_end().to_string();
            }
            options.push(clause);
        }
        let depends_on = quoted_names(&query)
            .into_iter()
            .filter(|n| *n != name && (tables.contains(n) || view_names.contains(n)))
            .map(|n| Name::new(None, &n))
            .collect();
        views.push(View {
            name: Name::new(None, &name),
            query,
            materialized: false,
            columns: Vec::new(),
            options,
            indexes: Vec::new(),
            cluster_on: None,
            comment: None,
            depends_on,
        });
    }
    Ok(views)
}

fn read_triggers(driver: &mut MysqlDriver, options: &InspectOptions) -> Result<Vec<Trigger>, InspectError> {
    let rows = driver.query(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
           FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER",
    )?;
    Ok(rows
        .into_iter()
        .filter(|row| !options.excluded(&text(row, 1)))
        .map(|row| {
            let (name, table) = (text(&row, 0), text(&row, 1));
            let definition = format!(
                "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
                render::q(&name),
                text(&row, 2),
                text(&row, 3),
                render::q(&table),
                text(&row, 4)
            );
            Trigger { name, table: Name::new(None, &table), definition, comment: None }
        })
        .collect())
}

fn read_routines(driver: &mut MysqlDriver) -> Result<Vec<Routine>, InspectError> {
    let rows = driver.query(
        "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME",
    )?;
    let mut routines = Vec::new();
    for row in rows {
        let (name, kind) = (text(&row, 0), text(&row, 1));
        if kind != "FUNCTION" && kind != "PROCEDURE" {
            return Err(InspectError::Unsupported { object: format!("routine {name}"), what: format!("a {kind}") });
        }
        let created = driver.query(&format!("SHOW CREATE {kind} {}", render::q(&name)))?;
        let Some(definition) = created.first().and_then(|r| opt(r, 2)) else {
            return Err(InspectError::Malformed {
                object: format!("{} {name}", kind.to_ascii_lowercase()),
                message: "SHOW CREATE returned no definition (the user may lack the privilege to read it)".into(),
            });
        };
        routines.push(Routine {
            name: Name::new(None, &name),
            arguments: String::new(),
            kind: kind.to_ascii_lowercase(),
            definition: without_definer(&definition),
            comment: None,
            depends_on: Vec::new(),
        });
    }
    Ok(routines)
}

/// `SHOW CREATE TABLE` text, normalized the way the renderer writes it: no `AUTO_INCREMENT=`
/// counter, and the referential actions that mean the default left out.
fn normalize_show_create(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut line = line.to_string();
        // An explicit `USING BTREE` is InnoDB's default (and read back as such); MEMORY tables'
        // keys say theirs on both sides.
        if line.trim_start().contains("KEY ") && line.contains(" USING BTREE") {
            line = line.replace(" USING BTREE", "");
        }
        if line.trim_start().starts_with("CONSTRAINT ") && line.contains(" FOREIGN KEY ") {
            for noise in [" ON DELETE RESTRICT", " ON UPDATE RESTRICT", " ON DELETE NO ACTION", " ON UPDATE NO ACTION"]
            {
                line = line.replace(noise, "");
            }
        }
        if line.starts_with(") ") {
            line = line
                .split(' ')
                .filter(|w| !(w.starts_with("AUTO_INCREMENT=") && w[15..].chars().all(|c| c.is_ascii_digit())))
                .collect::<Vec<_>>()
                .join(" ");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// The parts of a `CREATE TABLE` text that must agree: the column lines in order, the other
/// lines as a set (the server orders keys by kind), the table options as a set plus the comment.
#[derive(PartialEq)]
struct Shape {
    columns: Vec<String>,
    others: BTreeSet<String>,
    options: BTreeSet<String>,
    comment: String,
}

fn shape(text: &str) -> Shape {
    let mut columns = Vec::new();
    let mut others = BTreeSet::new();
    let mut options = BTreeSet::new();
    let mut comment = String::new();
    for line in text.lines().skip(1) {
        let trimmed = line.trim().trim_end_matches(',').to_string();
        if let Some(rest) = line.strip_prefix(") ") {
            let (head, tail) = match rest.find("COMMENT='") {
                Some(at) => (&rest[..at], &rest[at..]),
                None => (rest, ""),
            };
            options.extend(head.split_whitespace().map(str::to_string));
            comment = tail.to_string();
        } else if trimmed.starts_with('`') {
            columns.push(trimmed);
        } else {
            others.insert(trimmed);
        }
    }
    Shape { columns, others, options, comment }
}

/// Compares the model of one table with the server's `SHOW CREATE TABLE`; refuses the table,
/// naming the first clause that differs, when they disagree.
fn guardrail(driver: &mut MysqlDriver, table: &Table) -> Result<(), InspectError> {
    let rows = driver.query(&format!("SHOW CREATE TABLE {}", render::q(&table.name.name)))?;
    let server = normalize_show_create(&rows.first().map(|r| text(r, 1)).unwrap_or_default());
    let ours = normalize_show_create(&render::show_create_table(table));
    let (a, b) = (shape(&server), shape(&ours));
    if a == b {
        return Ok(());
    }
    Err(InspectError::Misread {
        object: format!("table {}", table.name),
        clause: first_difference(&a, &b),
        server,
        ours,
    })
}

fn first_difference(server: &Shape, ours: &Shape) -> String {
    for (s, o) in server.columns.iter().zip(&ours.columns) {
        if s != o {
            return format!("server: {s} / retort: {o}");
        }
    }
    if server.columns.len() != ours.columns.len() {
        return "the number of columns".into();
    }
    if let Some(line) = server.others.difference(&ours.others).next() {
        return format!("server: {line}");
    }
    if let Some(line) = ours.others.difference(&server.others).next() {
        return format!("retort: {line}");
    }
    if let Some(word) = server.options.symmetric_difference(&ours.options).next() {
        return format!("table option {word}");
    }
    format!("server: {} / retort: {}", server.comment, ours.comment)
}

/// The database's default character set and collation, for a scratch database that must default
/// to the same (so an environment's default never shows up as a difference).
pub(crate) fn database_defaults(driver: &mut MysqlDriver) -> Result<(String, String), DbError> {
    let rows = driver.query(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
    )?;
    let row = rows.into_iter().next().ok_or_else(|| DbError::msg("no database selected: name one in the URL"))?;
    Ok((text(&row, 0), text(&row, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definers_are_left_out() {
        assert_eq!(
            without_definer("CREATE DEFINER=`root`@`127.0.0.1` FUNCTION `f1`(a int) RETURNS int(11)"),
            "CREATE FUNCTION `f1`(a int) RETURNS int(11)"
        );
        assert_eq!(without_definer("CREATE DEFINER=`a b`@`%` PROCEDURE p() SELECT 1"), "CREATE PROCEDURE p() SELECT 1");
        assert_eq!(
            without_definer("CREATE FUNCTION f() RETURNS int RETURN 1"),
            "CREATE FUNCTION f() RETURNS int RETURN 1"
        );
    }

    #[test]
    fn view_dependencies_are_backticked_names() {
        let names = quoted_names("select `p`.`id` AS `id`, 'a `q` b' from `p` join `we``ird` w");
        assert!(names.contains("p") && names.contains("id") && names.contains("we`ird"));
        assert!(!names.contains("q"), "inside a string");
    }

    #[test]
    fn show_create_is_normalized() {
        let text = "CREATE TABLE `c` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE\n) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4";
        let want = "CREATE TABLE `c` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON UPDATE CASCADE\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        assert_eq!(normalize_show_create(text), want);
    }
}
