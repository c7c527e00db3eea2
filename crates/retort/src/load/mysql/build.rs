//! The statements into the model, one at a time, as MariaDB would store them.

use retort_schema::render::mysql::q;
use retort_schema::{Action, Column, ForeignKey, Index, Name, PrimaryKey, Schema, Table};
use sqlparser::ast::{self, ColumnOption, Expr, Spanned, TableConstraint, Value};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

use super::types::{Kind, column_type};
use super::{Decline, Server, SourceFile};
use crate::dialect::Dialect;
use crate::load::expand_executable;
use crate::script::Section;
use crate::statements::split;

type Step = Result<(), Decline>;

/// A foreign key's reference, to check against its parent.
struct Reference {
    child: usize,
    parent: String,
    columns: Vec<String>,
    referred: Vec<String>,
    /// Where the key is declared.
    at: String,
}

/// A key of a `CREATE TABLE`: a column's own `UNIQUE`, or a table constraint.
enum KeyDef {
    Inline(String),
    Table(Box<TableConstraint>),
}

/// A table being built, with what the rules of the later statements need.
struct Building {
    table: Table,
    /// The indexes InnoDB added for foreign keys (their names): dropped when another index
    /// covers the key.
    implicit: Vec<String>,
    /// How many unnamed foreign keys were named `<table>_ibfk_<n>`.
    unnamed_fks: usize,
}

/// The database the files build.
pub struct Builder<'s> {
    server: &'s Server,
    tables: Vec<Building>,
    /// `SET FOREIGN_KEY_CHECKS`.
    foreign_key_checks: bool,
    /// References declared while the checks were off.
    deferred: Vec<Reference>,
    /// `SET default_storage_engine`, else the server's.
    engine: String,
    /// `file:line` of the statement at hand.
    at: String,
}

impl<'s> Builder<'s> {
    /// An empty database on `server`.
    pub fn new(server: &'s Server) -> Builder<'s> {
        Builder {
            server,
            tables: Vec::new(),
            foreign_key_checks: true,
            deferred: Vec::new(),
            engine: server.engine.clone(),
            at: String::new(),
        }
    }

    fn decline<T>(&self, reason: impl Into<String>) -> Result<T, Decline> {
        Err(Decline::new(Some(self.at.clone()), reason))
    }

    /// Applies every statement of one file.
    pub fn source(&mut self, source: &SourceFile) -> Step {
        let section = Section { sql: source.text.clone(), first_line: 1 };
        let statements = split(&section, Dialect::Mysql)
            .map_err(|e| Decline::new(Some(source.name.clone()), format!("the splitter: {e}")))?;
        for statement in statements {
            self.at = format!("{}:{}", source.name, statement.line);
            let expanded = expand_executable(&statement.sql, self.server.version);
            let sql = expanded.trim();
            if sql.is_empty() {
                continue;
            }
            let first = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            if first == "SET" {
                self.session_setting(sql)?;
                continue;
            }
            let rewritten = binary_attribute(sql);
            let sql = rewritten.as_deref().unwrap_or(sql);
            let parsed = match Parser::parse_sql(&MySqlDialect {}, sql) {
                Ok(parsed) => parsed,
                Err(e) => return self.decline(format!("sqlparser: {e}")),
            };
            let [one] = <[ast::Statement; 1]>::try_from(parsed)
                .map_err(|_| Decline::new(Some(self.at.clone()), "not exactly one statement".to_string()))?;
            match one {
                ast::Statement::CreateTable(create) => self.create_table(create)?,
                ast::Statement::CreateIndex(create) => self.create_index(create)?,
                ast::Statement::AlterTable(alter) => self.alter_table(alter)?,
                ast::Statement::Drop { object_type: ast::ObjectType::Table, if_exists: true, names, .. } => {
                    // A dump's DROP TABLE IF EXISTS before each CREATE: nothing to drop yet.
                    for name in &names {
                        let name = self.table_name(name)?;
                        if self.position(&name).is_some() {
                            return self.decline(format!("DROP TABLE {name}, which the files create"));
                        }
                    }
                }
                other => {
                    return self.decline(format!("{} is left to the scratch database", first_words(&other)));
                }
            }
        }
        Ok(())
    }

    /// The model, the tables in the order the files create them, once the references declared
    /// with the checks off hold.
    pub fn finish(self) -> Result<Schema, Decline> {
        self.deferred.iter().try_for_each(|r| self.check_reference(r))?;
        Ok(Schema {
            dialect: retort_schema::Dialect::Mysql,
            tables: self.tables.into_iter().map(|b| b.table).collect(),
            ..Schema::default()
        })
    }

    /// `SET a = x, b = y`: `FOREIGN_KEY_CHECKS` and `default_storage_engine` are followed; the
    /// settings that change nothing the model holds, and user variables, are skipped; anything
    /// else (an `sql_mode`, say) declines.
    fn session_setting(&mut self, sql: &str) -> Step {
        let body = sql.trim().trim_end_matches(';');
        let body = body.get(3..).unwrap_or("").trim();
        if body.to_ascii_lowercase().starts_with("names ") {
            return Ok(());
        }
        for assignment in body.split(',') {
            let Some((name, value)) = assignment.split_once('=') else {
                return self.decline(format!("the setting {assignment}"));
            };
            let name = name.trim().to_ascii_lowercase();
            let name = name.trim_start_matches("@@").trim_start_matches("session.").trim_start_matches("session ");
            let value = value.trim().trim_matches('\'').to_string();
            match name {
                n if n.starts_with('@') => {}
                // Restoring what a dump saved in a user variable: the checks come back on.
                "foreign_key_checks" if value.starts_with('@') => self.foreign_key_checks = true,
                "sql_mode" if value.starts_with('@') => {}
                "foreign_key_checks" => self.foreign_key_checks = !matches!(value.as_str(), "0" | "OFF" | "off"),
                "default_storage_engine" if value.eq_ignore_ascii_case("innodb") => self.engine = "InnoDB".into(),
                "sql_mode" if value.eq_ignore_ascii_case("NO_AUTO_VALUE_ON_ZERO") => {}
                n if HARMLESS_SETTINGS.contains(&n) => {}
                _ => return self.decline(format!("the setting {}", assignment.trim())),
            }
        }
        Ok(())
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|b| b.table.name.name == name)
    }

    /// A one-part table name, exactly as written (MariaDB on Linux tells case apart).
    fn table_name(&self, name: &ast::ObjectName) -> Result<String, Decline> {
        match name.0.as_slice() {
            [part] => match part.as_ident() {
                Some(ident) => Ok(ident.value.clone()),
                None => self.decline(format!("the name {name}")),
            },
            _ => self.decline(format!("the name {name}, with a database")),
        }
    }

    fn create_table(&mut self, create: ast::CreateTable) -> Step {
        let ast::CreateTable {
            or_replace,
            temporary,
            if_not_exists,
            name,
            columns,
            constraints,
            table_options,
            query,
            like,
            clone,
            comment,
            partition_by,
            ..
        } = create;
        if or_replace || temporary || if_not_exists || query.is_some() || like.is_some() || clone.is_some() {
            return self.decline("a CREATE TABLE that is not a plain definition");
        }
        if partition_by.is_some() || columns.is_empty() {
            return self.decline("a partitioned table or a table without columns");
        }
        let name = self.table_name(&name)?;
        if self.position(&name).is_some() {
            return self.decline(format!("table {name} created twice"));
        }
        let mut table = Table {
            name: Name::new(None, &name),
            engine: Some(self.engine.clone()),
            collation: Some(self.server.collation.clone()),
            comment: comment.and_then(|c| self.comment_text(&c)),
            ..Table::default()
        };
        self.table_options(&mut table, table_options)?;
        let mut building = Building { table, implicit: Vec::new(), unnamed_fks: 0 };
        // The server names unnamed keys in the order the statement defines them, inline UNIQUEs
        // among the table's keys: the source positions put them back in that order.
        let mut keys: Vec<((u64, u64), KeyDef)> = Vec::new();
        let start = |span: sqlparser::tokenizer::Span| (span.start.line, span.start.column);
        for column in columns {
            let at = start(column.span());
            let (col, unique) = self.column(column, &mut building)?;
            if unique {
                keys.push((at, KeyDef::Inline(col.name.clone())));
            }
            building.table.columns.push(col);
        }
        keys.extend(constraints.into_iter().map(|c| (start(c.span()), KeyDef::Table(Box::new(c)))));
        if keys.iter().any(|(at, _)| at.0 == 0) {
            return self.decline("a key without its position in the statement");
        }
        keys.sort_by_key(|(at, _)| *at);
        let mut foreign_keys = Vec::new();
        for (_, key) in keys {
            let constraint = match key {
                KeyDef::Inline(column) => {
                    self.add_index(&mut building, None, vec![column], true, true)?;
                    continue;
                }
                KeyDef::Table(constraint) => *constraint,
            };
            match constraint {
                TableConstraint::PrimaryKey(pk) => {
                    if !pk.include.is_empty() || !plain_options(&pk.index_options) || !plain_index_type(&pk.index_type)
                    {
                        return self.decline("a primary key with options");
                    }
                    let columns = self.key_columns(&building, &pk.columns)?;
                    self.primary_key(&mut building, columns)?;
                }
                TableConstraint::Unique(_) | TableConstraint::Index(_) => self.table_key(&mut building, constraint)?,
                TableConstraint::ForeignKey(fk) => foreign_keys.push(fk),
                other => {
                    return self.decline(format!("{} is left to the scratch database", first_words(&other)));
                }
            }
        }
        if let Some(column) = building.table.columns.iter().find(|c| c.auto_increment)
            && building.table.primary_key.as_ref().is_none_or(|pk| pk.columns.first() != Some(&column.name))
        {
            return self.decline(format!("AUTO_INCREMENT on {} outside the primary key", column.name));
        }
        // The table exists before its foreign keys are checked: a key may reference it.
        self.tables.push(building);
        let index = self.tables.len() - 1;
        for fk in foreign_keys {
            self.foreign_key(index, fk)?;
        }
        Ok(())
    }

    fn comment_text(&self, comment: &ast::CommentDef) -> Option<String> {
        let text = match comment {
            ast::CommentDef::WithEq(t) | ast::CommentDef::WithoutEq(t) => t.clone(),
        };
        Some(text).filter(|t| !t.is_empty())
    }

    /// `ENGINE`, `CHARSET` with `COLLATE`, `COMMENT`, `AUTO_INCREMENT` (a counter, never a
    /// difference); anything else declines.
    fn table_options(&self, table: &mut Table, options: ast::CreateTableOptions) -> Step {
        let options = match options {
            ast::CreateTableOptions::None => return Ok(()),
            ast::CreateTableOptions::Plain(options) => options,
            _ => return self.decline("table options"),
        };
        let (mut charset, mut collate) = (None, None);
        for option in options {
            if let ast::SqlOption::Comment(c) = &option {
                table.comment = self.comment_text(c);
                continue;
            }
            let printed = option.to_string();
            let Some((key, value)) = printed.split_once(" = ") else {
                return self.decline(format!("the table option {printed}"));
            };
            let value = value.trim().trim_matches('`').to_string();
            match key.trim().to_ascii_uppercase().as_str() {
                "ENGINE" if value.eq_ignore_ascii_case("innodb") => table.engine = Some("InnoDB".into()),
                "ROW_FORMAT" if ROW_FORMATS.contains(&value.to_ascii_uppercase().as_str()) => {
                    table.options.push(format!("ROW_FORMAT={}", value.to_ascii_uppercase()))
                }
                "DEFAULT CHARSET" | "CHARSET" | "CHARACTER SET" | "DEFAULT CHARACTER SET" => {
                    charset = Some(self.server.charset_name(&value))
                }
                "COLLATE" | "DEFAULT COLLATE" => collate = Some(self.server.collation_name(&value)),
                "AUTO_INCREMENT" => {}
                _ => return self.decline(format!("the table option {printed}")),
            }
        }
        if let Some(collation) = self.collation_of(charset, collate)? {
            table.collation = Some(collation);
        }
        Ok(())
    }

    /// A `UNIQUE` or `KEY`/`INDEX` definition, in a `CREATE TABLE` or an `ALTER TABLE ... ADD`;
    /// unnamed, it is named and numbered by its first column.
    fn table_key(&self, building: &mut Building, constraint: TableConstraint) -> Step {
        match constraint {
            TableConstraint::Unique(u) => {
                if !u.include.is_empty() || !plain_options(&u.index_options) || !plain_index_type(&u.index_type) {
                    return self.decline("a unique key with options");
                }
                if u.name.is_some() && u.index_name.is_some() {
                    return self.decline("a unique key with both a constraint and an index name");
                }
                let columns = self.key_columns(building, &u.columns)?;
                let given = u.name.or(u.index_name).map(|i| i.value);
                self.add_index(building, given, columns, true, true)
            }
            TableConstraint::Index(ix) => {
                if !plain_options(&ix.index_options) || !plain_index_type(&ix.index_type) {
                    return self.decline("an index with options");
                }
                let columns = self.key_columns(building, &ix.columns)?;
                self.add_index(building, ix.name.map(|i| i.value), columns, false, true)
            }
            other => self.decline(format!("the key {other}")),
        }
    }

    /// `ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY ...`, `ADD [UNIQUE] KEY ...`: keys added
    /// after the table, as schema exports write them; any other alteration declines.
    fn alter_table(&mut self, alter: ast::AlterTable) -> Step {
        if alter.if_exists
            || alter.only
            || alter.location.is_some()
            || alter.on_cluster.is_some()
            || alter.table_type.is_some()
        {
            return self.decline("an ALTER TABLE with options");
        }
        let name = self.table_name(&alter.name)?;
        let Some(at) = self.position(&name) else {
            return self.decline(format!("ALTER TABLE {name}, which the files do not create before it"));
        };
        // As in CREATE TABLE, a foreign key gets its own index only if none of the statement's
        // keys covers it: the keys first.
        let mut foreign_keys = Vec::new();
        for operation in alter.operations {
            match operation {
                ast::AlterTableOperation::AddConstraint {
                    constraint: TableConstraint::ForeignKey(fk),
                    not_valid: false,
                } => foreign_keys.push(fk),
                ast::AlterTableOperation::AddConstraint {
                    constraint: constraint @ (TableConstraint::Unique(_) | TableConstraint::Index(_)),
                    not_valid: false,
                } => {
                    let mut building = self.take(at);
                    let added = self.table_key(&mut building, constraint);
                    if added.is_ok() {
                        Self::drop_covered_implicit(&mut building);
                    }
                    self.tables[at] = building;
                    added?
                }
                other => return self.decline(format!("ALTER TABLE {name} {other}")),
            }
        }
        foreign_keys.into_iter().try_for_each(|fk| self.foreign_key(at, fk))
    }

    /// A table out of the list while a method that reads the others changes it (put it back).
    fn take(&mut self, at: usize) -> Building {
        std::mem::replace(
            &mut self.tables[at],
            Building { table: Table::default(), implicit: Vec::new(), unnamed_fks: 0 },
        )
    }

    /// An index InnoDB added for a foreign key goes once another index leads with its columns.
    fn drop_covered_implicit(building: &mut Building) {
        let implicit = std::mem::take(&mut building.implicit);
        for ix_name in implicit {
            let keys = building.table.indexes.iter().find(|ix| ix.name == ix_name).map(|ix| ix.keys.clone());
            let columns: Vec<String> =
                keys.unwrap_or_default().iter().map(|k| k.trim_matches('`').replace("``", "`")).collect();
            if Self::covered(building, &columns, Some(&ix_name)) {
                building.table.indexes.retain(|ix| ix.name != ix_name);
            } else {
                building.implicit.push(ix_name);
            }
        }
    }

    /// The collation `CHARACTER SET cs COLLATE co` gives (`None` when neither is said): a
    /// character set alone takes its default collation, as the server lists it.
    fn collation_of(&self, charset: Option<String>, collate: Option<String>) -> Result<Option<String>, Decline> {
        match (charset, collate) {
            (None, None) => Ok(None),
            (Some(cs), Some(co)) if co.starts_with(&format!("{cs}_")) => Ok(Some(co)),
            (None, Some(co)) => Ok(Some(co)),
            (Some(cs), None) => match self.server.default_collation(&cs) {
                Some(co) => Ok(Some(co)),
                None => self.decline(format!("CHARSET {cs}, whose default collation the server does not say")),
            },
            (Some(cs), Some(co)) => self.decline(format!("COLLATE {co}, not of CHARSET {cs}")),
        }
    }

    /// One column: its model, and whether it says `UNIQUE`.
    fn column(&self, def: ast::ColumnDef, building: &mut Building) -> Result<(Column, bool), Decline> {
        let name = def.name.value.clone();
        let printed = def.data_type.to_string();
        let special = match &def.data_type {
            ast::DataType::Enum(members, None) => self.enum_type(members).map(|t| (t, Kind::Enum)),
            // MariaDB's JSON: longtext in utf8mb4's binary collation, checked by json_valid.
            ast::DataType::JSON if building.table.collation.as_deref().is_some_and(|c| c.starts_with("utf8mb4_")) => {
                Some(("longtext".to_string(), Kind::Json))
            }
            _ => None,
        };
        // NVARCHAR, NCHAR, NATIONAL ...: the national character set, utf8mb3.
        let lower = printed.to_ascii_lowercase();
        let national =
            ["nvarchar", "nchar", "national "].iter().find_map(|p| lower.strip_prefix(p).map(|rest| (*p, rest)));
        let printed = match national {
            Some(("nvarchar", rest)) => format!("varchar{rest}"),
            Some(("nchar", rest)) => format!("char{rest}"),
            Some((_, rest)) => rest.to_string(),
            None => printed,
        };
        let Some((data_type, kind)) = special.or_else(|| column_type(&printed)) else {
            return self.decline(format!("the type {printed} of {name}"));
        };
        let mut column = Column { name: name.clone(), data_type, nullable: true, ..Column::default() };
        if kind == Kind::Json {
            column.collation = Some("utf8mb4_bin".to_string()).filter(|c| building.table.collation.as_ref() != Some(c));
            column.check = Some(format!("json_valid({})", q(&name)));
        }
        let (mut not_null, mut default, mut primary, mut unique) = (false, None, false, false);
        let (mut charset, mut collate): (Option<String>, Option<String>) = (None, None);
        let mut binary = false;
        if national.is_some() {
            charset = Some(self.server.charset_name("utf8"));
        }
        for option in def.options {
            match option.option {
                ColumnOption::Null => {}
                ColumnOption::NotNull => not_null = true,
                ColumnOption::Default(expr) => default = Some(expr),
                ColumnOption::PrimaryKey(_) => primary = true,
                ColumnOption::Unique(_) => unique = true,
                ColumnOption::Comment(text) => column.comment = Some(text).filter(|t| !t.is_empty()),
                ColumnOption::CharacterSet(name) => charset = Some(self.server.charset_name(&name.to_string())),
                ColumnOption::Collation(name) if name.to_string() == BINARY_MARK => binary = true,
                ColumnOption::Collation(name) => collate = Some(self.server.collation_name(&name.to_string())),
                ColumnOption::DialectSpecific(tokens)
                    if tokens.len() == 1 && tokens[0].to_string().eq_ignore_ascii_case("AUTO_INCREMENT") =>
                {
                    column.auto_increment = true
                }
                other => return self.decline(format!("the column option {other} of {name}")),
            }
        }
        column.nullable = !(not_null || primary);
        if binary {
            // `varchar(n) BINARY`: the binary collation of the column's character set.
            if collate.is_some() {
                return self.decline(format!("BINARY and COLLATE on {name}"));
            }
            let table = building.table.collation.clone().unwrap_or_default();
            let set = charset.clone().unwrap_or_else(|| table.split('_').next().unwrap_or("").to_string());
            collate = Some(format!("{set}_bin"));
        }
        if charset.is_some() || collate.is_some() {
            if !is_string(&column.data_type) || kind == Kind::Enum {
                return self.decline(format!("a character set on {name}, of type {}", column.data_type));
            }
            let table = building.table.collation.clone().unwrap_or_default();
            let collation = self.collation_of(charset, collate)?.unwrap_or_else(|| table.clone());
            column.collation = Some(collation).filter(|c| *c != table);
        }
        if column.auto_increment && (kind != Kind::Integer || default.is_some()) {
            return self.decline(format!("AUTO_INCREMENT on {name} of type {}", column.data_type));
        }
        if let Some(expr) = default {
            column.default = self.default_text(&expr, kind, &column)?;
        }
        if primary {
            if building.table.primary_key.is_some() {
                return self.decline("two primary keys");
            }
            building.table.primary_key = Some(PrimaryKey { name: None, columns: vec![name], autoincrement: false });
        }
        Ok((column, unique))
    }

    /// `enum('a','it''s')`, as the server prints it; members it would print otherwise (escapes,
    /// other characters, duplicates) decline.
    fn enum_type(&self, members: &[ast::EnumMember]) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        for member in members {
            match member {
                ast::EnumMember::Name(n)
                    if !n.contains('\\')
                        && n.chars().all(|c| c.is_ascii_graphic() || c == ' ')
                        && !names.contains(&n.as_str()) =>
                {
                    names.push(n)
                }
                _ => return None,
            }
        }
        (!names.is_empty()).then(|| {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{}'", n.replace('\'', "''"))).collect();
            format!("enum({})", quoted.join(","))
        })
    }

    /// A default as MariaDB's `information_schema.COLUMNS` prints it (`None`: no default).
    fn default_text(&self, expr: &Expr, kind: Kind, column: &Column) -> Result<Option<String>, Decline> {
        let refuse = || self.decline(format!("the default {expr} of {}", column.name));
        let number = |text: &str, negative: bool| -> Option<String> {
            let value: i128 = text.parse().ok()?;
            Some(if negative { (-value).to_string() } else { value.to_string() })
        };
        let decimal = |text: &str, negative: bool, scale: u32| -> Option<String> {
            let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
            let whole: u128 = whole.parse().ok()?;
            if fraction.len() > scale as usize || !fraction.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let zero = whole == 0 && fraction.chars().all(|c| c == '0');
            let sign = if negative && !zero { "-" } else { "" };
            let fraction = format!("{fraction:0<width$}", width = scale as usize);
            Some(if scale == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") })
        };
        let (value, negative) = match expr {
            Expr::Value(v) => (&v.value, false),
            Expr::UnaryOp { op: ast::UnaryOperator::Minus, expr } => match expr.as_ref() {
                Expr::Value(v) => (&v.value, true),
                _ => return refuse(),
            },
            Expr::Function(f) if kind == Kind::Datetime && f.to_string().eq_ignore_ascii_case("CURRENT_TIMESTAMP") => {
                return Ok(Some("current_timestamp()".into()));
            }
            Expr::Function(f)
                if kind == Kind::Datetime && f.to_string().eq_ignore_ascii_case("CURRENT_TIMESTAMP()") =>
            {
                return Ok(Some("current_timestamp()".into()));
            }
            _ => return refuse(),
        };
        let printed = match (value, kind) {
            (Value::Null, _) if !negative => {
                if !column.nullable {
                    return refuse();
                }
                return Ok(None);
            }
            (Value::Number(n, _), Kind::Integer) => number(n, negative),
            (Value::Number(n, _), Kind::Decimal { scale }) => decimal(n, negative, scale),
            (Value::SingleQuotedString(s), Kind::Integer) if !negative => number(s.trim(), false),
            (Value::Boolean(b), Kind::Integer) if !negative => Some(if *b { "1" } else { "0" }.to_string()),
            (Value::SingleQuotedString(s), Kind::Text)
                if !negative && !s.contains(['\'', '\\']) && s.chars().all(|c| c.is_ascii_graphic() || c == ' ') =>
            {
                Some(format!("'{s}'"))
            }
            (Value::SingleQuotedString(s), Kind::Datetime) if !negative && is_datetime_literal(s) => {
                Some(format!("'{s}'"))
            }
            (Value::SingleQuotedString(s), Kind::Enum) if !negative && enum_members(&column.data_type).contains(s) => {
                Some(format!("'{}'", s.replace('\'', "''")))
            }
            _ => None,
        };
        match printed {
            Some(p) => Ok(Some(p)),
            None => refuse(),
        }
    }

    /// The columns of a key: plain names of the table's columns, in order.
    fn key_columns(&self, building: &Building, columns: &[ast::IndexColumn]) -> Result<Vec<String>, Decline> {
        let (mut out, mut bytes) = (Vec::new(), 0);
        for c in columns {
            let plain = c.operator_class.is_none()
                && c.column.with_fill.is_none()
                && c.column.options.sort.is_none()
                && c.column.options.nulls_first.is_none();
            let Expr::Identifier(ident) = &c.column.expr else {
                return self.decline(format!("the key part {}", c.column));
            };
            let Some(column) = building.table.columns.iter().find(|col| col.name == ident.value) else {
                return self.decline(format!("the key part {}", c.column));
            };
            if !plain || KEYLESS.iter().any(|t| column.data_type.ends_with(t)) {
                return self.decline(format!("the key part {}", c.column));
            }
            bytes += key_bytes(&column.data_type);
            out.push(ident.value.clone());
        }
        // InnoDB's limit for a key (DYNAMIC rows), at 4 bytes a character.
        if out.is_empty() || bytes > 3072 {
            return self.decline("a key without columns or longer than InnoDB takes");
        }
        Ok(out)
    }

    fn primary_key(&self, building: &mut Building, columns: Vec<String>) -> Step {
        if building.table.primary_key.is_some() {
            return self.decline("two primary keys");
        }
        for column in building.table.columns.iter_mut().filter(|c| columns.contains(&c.name)) {
            column.nullable = false;
        }
        building.table.primary_key = Some(PrimaryKey { name: None, columns, autoincrement: false });
        Ok(())
    }

    /// Adds an index; without a name, it is named after its first column (`a`, then `a_2`...),
    /// as the server names it, when `may_number` (else a clash declines).
    fn add_index(
        &self,
        building: &mut Building,
        name: Option<String>,
        columns: Vec<String>,
        unique: bool,
        may_number: bool,
    ) -> Step {
        let taken = |n: &str| {
            n.eq_ignore_ascii_case("PRIMARY") || building.table.indexes.iter().any(|ix| ix.name.eq_ignore_ascii_case(n))
        };
        let name = match name {
            Some(n) if taken(&n) => return self.decline(format!("two keys named {n}")),
            Some(n) => n,
            None => {
                let first = columns.first().cloned().unwrap_or_default();
                let numbered = (2..100).map(|i| format!("{first}_{i}"));
                match std::iter::once(first.clone()).chain(numbered).find(|n| !taken(n)) {
                    Some(n) if may_number || n == first => n,
                    _ => return self.decline(format!("an unnamed key on {first} whose name another key takes")),
                }
            }
        };
        building.table.indexes.push(Index {
            name,
            unique,
            keys: columns.iter().map(|c| q(c)).collect(),
            ..Index::default()
        });
        Ok(())
    }

    /// The key columns of every index of a table that starts with `columns`, the primary key
    /// included, leaving out the implicit index `except`.
    fn covered(building: &Building, columns: &[String], except: Option<&str>) -> bool {
        let quoted: Vec<String> = columns.iter().map(|c| q(c)).collect();
        let by_pk = building.table.primary_key.as_ref().is_some_and(|pk| pk.columns.starts_with(columns));
        by_pk
            || building
                .table
                .indexes
                .iter()
                .filter(|ix| Some(ix.name.as_str()) != except)
                .any(|ix| ix.keys.starts_with(&quoted))
    }

    fn foreign_key(&mut self, child: usize, fk: ast::ForeignKeyConstraint) -> Step {
        if fk.index_name.is_some() || fk.match_kind.is_some() || fk.characteristics.is_some() {
            return self.decline("a foreign key with an index name, MATCH or characteristics");
        }
        let parent_name = self.table_name(&fk.foreign_table)?;
        let columns: Vec<String> = fk.columns.iter().map(|i| i.value.clone()).collect();
        let referred: Vec<String> = fk.referred_columns.iter().map(|i| i.value.clone()).collect();
        if columns.is_empty() || columns.len() != referred.len() {
            return self.decline("a foreign key whose column lists differ in length");
        }
        if !columns.iter().all(|c| self.tables[child].table.columns.iter().any(|col| col.name == *c)) {
            return self
                .decline(format!("a foreign key on columns table {} does not have", self.tables[child].table.name));
        }
        let reference = Reference {
            child,
            parent: parent_name.clone(),
            columns: columns.clone(),
            referred: referred.clone(),
            at: self.at.clone(),
        };
        // With FOREIGN_KEY_CHECKS=0 (as dumps start), the parent may come later: it is checked
        // once every file is read.
        if self.foreign_key_checks {
            self.check_reference(&reference)?;
        } else {
            self.deferred.push(reference);
        }
        let action = |a: &Option<ast::ReferentialAction>| -> Option<Action> {
            let words = a.as_ref().map(|a| a.to_string()).unwrap_or_default();
            match Action::parse(&words)? {
                Action::Restrict | Action::NoAction => Some(Action::NoAction),
                Action::SetDefault => None,
                other => Some(other),
            }
        };
        let (Some(on_delete), Some(on_update)) = (action(&fk.on_delete), action(&fk.on_update)) else {
            return self.decline("ON DELETE/UPDATE SET DEFAULT, which InnoDB refuses");
        };
        let nullable =
            |b: &Building| columns.iter().all(|c| b.table.columns.iter().any(|col| col.name == *c && col.nullable));
        if (on_delete == Action::SetNull || on_update == Action::SetNull) && !nullable(&self.tables[child]) {
            return self.decline("SET NULL on a NOT NULL column");
        }
        let table_name = self.tables[child].table.name.name.clone();
        let generated_prefix = format!("{table_name}_ibfk_");
        let named = fk.name.map(|n| n.value);
        if let Some(n) = &named
            && (n.starts_with(&generated_prefix)
                || self.tables[child].table.foreign_keys.iter().any(|k| k.name.as_ref() == Some(n)))
        {
            return self.decline(format!("the foreign key name {n}"));
        }
        let building = &mut self.tables[child];
        // An unnamed key is `<table>_ibfk_<n>`, its index named after its first column; a named
        // key's index takes the key's name.
        let (name, index_name) = match named {
            Some(n) => (n.clone(), Some(n)),
            None => {
                building.unnamed_fks += 1;
                (format!("{generated_prefix}{}", building.unnamed_fks), None)
            }
        };
        building.table.foreign_keys.push(ForeignKey {
            name: Some(name),
            columns: columns.clone(),
            ref_table: Name::new(None, &parent_name),
            ref_columns: referred,
            on_delete,
            on_update,
            match_full: false,
            deferral: retort_schema::Deferral::Immediate,
            not_valid: false,
        });
        if !Self::covered(&self.tables[child], &columns, None) {
            let mut building = self.take(child);
            let added = self.add_index(&mut building, index_name, columns, false, false);
            if added.is_ok()
                && let Some(ix) = building.table.indexes.last()
            {
                building.implicit.push(ix.name.clone());
            }
            self.tables[child] = building;
            added?;
        }
        Ok(())
    }

    /// A foreign key's parent side as the server checks it (errno 150 otherwise): the parent
    /// exists, each pair of columns has one type and one collation, and the referenced columns
    /// lead one of the parent's keys.
    fn check_reference(&self, r: &Reference) -> Step {
        let refuse = |why: String| Err(Decline::new(Some(r.at.clone()), why));
        let Some(parent) = self.position(&r.parent) else {
            return refuse(format!("a foreign key to {}, which the files do not create before it", r.parent));
        };
        let parent_building = &self.tables[parent];
        let (child, parent) = (&self.tables[r.child].table, &parent_building.table);
        let collation = |t: &Table, c: &Column| c.collation.clone().or_else(|| t.collation.clone());
        for (c, p) in r.columns.iter().zip(&r.referred) {
            let a = child.columns.iter().find(|col| col.name == *c);
            let b = parent.columns.iter().find(|col| col.name == *p);
            match (a, b) {
                (Some(a), Some(b))
                    if a.data_type == b.data_type
                        && (!is_string(&a.data_type) || collation(child, a) == collation(parent, b)) => {}
                _ => return refuse(format!("a foreign key from {c} to {}.{p}", r.parent)),
            }
        }
        if !Self::covered(parent_building, &r.referred, None) {
            return refuse(format!("a foreign key to {} columns no key of it leads with", r.parent));
        }
        Ok(())
    }

    fn create_index(&mut self, create: ast::CreateIndex) -> Step {
        let plain = !create.concurrently
            && !create.if_not_exists
            && create.include.is_empty()
            && create.with.is_empty()
            && create.predicate.is_none()
            && plain_options(&create.index_options)
            && create.alter_options.is_empty()
            && create.using.as_ref().is_none_or(|u| u.to_string().eq_ignore_ascii_case("BTREE"));
        if !plain {
            return self.decline("a CREATE INDEX with options");
        }
        let Some(name) = &create.name else { return self.decline("a CREATE INDEX without a name") };
        let name = self.table_name(name)?;
        let table_name = self.table_name(&create.table_name)?;
        let Some(at) = self.position(&table_name) else {
            return self.decline(format!("an index on {table_name}, which is not created before it"));
        };
        let mut building = self.take(at);
        let result = self
            .key_columns(&building, &create.columns)
            .and_then(|columns| self.add_index(&mut building, Some(name), columns, create.unique, false));
        if result.is_ok() {
            Self::drop_covered_implicit(&mut building);
        }
        self.tables[at] = building;
        result
    }
}

/// The members of an `enum(...)` type as this parser prints it.
fn enum_members(data_type: &str) -> Vec<String> {
    let inner = data_type.strip_prefix("enum(").and_then(|r| r.strip_suffix(')')).unwrap_or("");
    let mut members = Vec::new();
    let mut current = String::new();
    let mut chars = inner.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('\'', false) => quoted = true,
            ('\'', true) if chars.peek() == Some(&'\'') => {
                chars.next();
                current.push('\'');
            }
            ('\'', true) => {
                quoted = false;
                members.push(std::mem::take(&mut current));
            }
            (c, true) => current.push(c),
            _ => {}
        }
    }
    members
}

/// `YYYY-MM-DD hh:mm:ss`, which MariaDB prints as written.
fn is_datetime_literal(s: &str) -> bool {
    let shape = "dddd-dd-dd dd:dd:dd";
    s.len() == shape.len()
        && s.chars().zip(shape.chars()).all(|(c, p)| if p == 'd' { c.is_ascii_digit() } else { c == p })
}

/// The first two words of a statement or clause, to name it in a decline.
fn first_words(sql: &impl std::fmt::Display) -> String {
    sql.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// A character type, whose collation a foreign key's two sides must share.
fn is_string(data_type: &str) -> bool {
    ["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum"]
        .iter()
        .any(|t| data_type.starts_with(&format!("{t}(")) || data_type == *t)
}

/// `ROW_FORMAT` values InnoDB takes as they are (`CREATE_OPTIONS` then says `row_format=...`).
const ROW_FORMATS: &[&str] = &["DYNAMIC", "COMPACT", "REDUNDANT"];

/// Session settings a schema file may hold that change nothing the model holds (user variables
/// that save and restore them, as dumps write, are skipped too).
const HARMLESS_SETTINGS: &[&str] = &[
    "character_set_client",
    "character_set_results",
    "collation_connection",
    "time_zone",
    "unique_checks",
    "sql_notes",
    "names",
];

/// Types a key needs a prefix length on.
const KEYLESS: &[&str] = &["text", "blob"];

/// At most how many bytes a column takes in a key: 4 a character (utf8mb4), 8 otherwise.
fn key_bytes(data_type: &str) -> usize {
    let length = data_type
        .strip_prefix("varchar(")
        .or_else(|| data_type.strip_prefix("char("))
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse::<usize>().ok());
    length.map_or(8, |n| n * 4)
}

/// What `BINARY` after a character type becomes for the parser, which does not read it there.
const BINARY_MARK: &str = "__retort_binary__";

/// The statement with every `BINARY` attribute of a character type (`varchar(128) BINARY`,
/// `text BINARY`) turned into `COLLATE __retort_binary__`, which `column` reads back; `None`
/// when there is none.
fn binary_attribute(sql: &str) -> Option<String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    if !sql.to_ascii_uppercase().contains("BINARY") {
        return None;
    }
    let tokens = Tokenizer::new(&MySqlDialect {}, sql).tokenize().ok()?;
    let word = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
        _ => None,
    };
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut changed = false;
    for token in tokens {
        if word(&token).as_deref() == Some("binary") {
            // The last tokens before it, whitespace aside: `char ( n )` or a text type.
            let seen: Vec<&Token> = out.iter().rev().filter(|t| !matches!(t, Token::Whitespace(_))).take(4).collect();
            let after_length = matches!(seen.as_slice(), [Token::RParen, Token::Number(..), Token::LParen, t, ..]
                if matches!(word(t).as_deref(), Some("char" | "varchar")));
            let after_text = seen
                .first()
                .and_then(|t| word(t))
                .is_some_and(|w| matches!(w.as_str(), "char" | "tinytext" | "text" | "mediumtext" | "longtext"));
            let after_charset =
                matches!(seen.as_slice(), [_, set, ..] if matches!(word(set).as_deref(), Some("set" | "charset")));
            if after_length || after_text || after_charset {
                out.push(Token::make_keyword("COLLATE"));
                out.push(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space));
                out.push(Token::make_word(BINARY_MARK, None));
                changed = true;
                continue;
            }
        }
        out.push(token);
    }
    changed.then(|| out.iter().map(ToString::to_string).collect())
}

/// Index options that are all `USING BTREE` (InnoDB's only kind), as dumps write after the columns.
fn plain_options(options: &[ast::IndexOption]) -> bool {
    options.iter().all(|o| o.to_string().eq_ignore_ascii_case("USING BTREE"))
}

/// No `USING`, or `USING BTREE` (InnoDB's only kind).
fn plain_index_type(index_type: &Option<ast::IndexType>) -> bool {
    index_type.as_ref().is_none_or(|t| t.to_string().eq_ignore_ascii_case("BTREE"))
}
