//! The statements into the model, one at a time, as MariaDB would store them.

use retort_schema::render::mysql::q;
use retort_schema::{Action, Column, ForeignKey, Index, Name, PrimaryKey, Schema, Table};
use sqlparser::ast::{self, ColumnOption, Expr, Spanned, TableConstraint, Value};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

use super::types::{Kind, column_type};
use super::{Decline, Server, SourceFile};
use crate::dialect::Dialect;
use crate::script::Section;
use crate::statements::split;

type Step = Result<(), Decline>;

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
    /// `file:line` of the statement at hand.
    at: String,
}

impl<'s> Builder<'s> {
    /// An empty database on `server`.
    pub fn new(server: &'s Server) -> Builder<'s> {
        Builder { server, tables: Vec::new(), at: String::new() }
    }

    fn decline<T>(&self, reason: impl Into<String>) -> Result<T, Decline> {
        Err(Decline::new(Some(self.at.clone()), reason))
    }

    /// Applies every statement of one file.
    pub fn source(&mut self, source: &SourceFile) -> Step {
        if source.text.contains("/*!") || source.text.contains("/*M!") {
            return Err(Decline::new(Some(source.name.clone()), "an executable comment"));
        }
        let section = Section { sql: source.text.clone(), first_line: 1 };
        let statements = split(&section, Dialect::Mysql)
            .map_err(|e| Decline::new(Some(source.name.clone()), format!("the splitter: {e}")))?;
        for statement in statements {
            self.at = format!("{}:{}", source.name, statement.line);
            let parsed = match Parser::parse_sql(&MySqlDialect {}, &statement.sql) {
                Ok(parsed) => parsed,
                Err(e) => return self.decline(format!("sqlparser: {e}")),
            };
            let [one] = <[ast::Statement; 1]>::try_from(parsed)
                .map_err(|_| Decline::new(Some(self.at.clone()), "not exactly one statement".to_string()))?;
            match one {
                ast::Statement::CreateTable(create) => self.create_table(create)?,
                ast::Statement::CreateIndex(create) => self.create_index(create)?,
                ast::Statement::Set(ast::Set::SetNames { .. }) => {}
                other => {
                    let words: String = other.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                    return self.decline(format!("{words} is left to the scratch database"));
                }
            }
        }
        Ok(())
    }

    /// The model, the tables in the order the files create them.
    pub fn finish(self) -> Schema {
        Schema {
            dialect: retort_schema::Dialect::Mysql,
            tables: self.tables.into_iter().map(|b| b.table).collect(),
            ..Schema::default()
        }
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
            engine: Some(self.server.engine.clone()),
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
                    if !pk.include.is_empty() || !pk.index_options.is_empty() || !plain_index_type(&pk.index_type) {
                        return self.decline("a primary key with options");
                    }
                    let columns = self.key_columns(&building, &pk.columns)?;
                    self.primary_key(&mut building, columns)?;
                }
                TableConstraint::Unique(u) => {
                    if !u.include.is_empty() || !u.index_options.is_empty() || !plain_index_type(&u.index_type) {
                        return self.decline("a unique key with options");
                    }
                    if u.name.is_some() && u.index_name.is_some() {
                        return self.decline("a unique key with both a constraint and an index name");
                    }
                    let columns = self.key_columns(&building, &u.columns)?;
                    let given = u.name.or(u.index_name).map(|i| i.value);
                    self.add_index(&mut building, given, columns, true, true)?;
                }
                TableConstraint::Index(ix) => {
                    if !ix.index_options.is_empty() || !plain_index_type(&ix.index_type) {
                        return self.decline("an index with options");
                    }
                    let columns = self.key_columns(&building, &ix.columns)?;
                    self.add_index(&mut building, ix.name.map(|i| i.value), columns, false, true)?;
                }
                TableConstraint::ForeignKey(fk) => foreign_keys.push(fk),
                other => {
                    let words: String = other.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                    return self.decline(format!("{words} is left to the scratch database"));
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
        let mut charset = None;
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
                "ENGINE" if value.eq_ignore_ascii_case("innodb") && self.server.engine == "InnoDB" => {}
                "ENGINE" if value.eq_ignore_ascii_case(&self.server.engine) => {}
                "DEFAULT CHARSET" | "CHARSET" | "CHARACTER SET" | "DEFAULT CHARACTER SET" => {
                    charset = Some(value.to_ascii_lowercase())
                }
                "COLLATE" | "DEFAULT COLLATE" => table.collation = Some(value.to_ascii_lowercase()),
                "AUTO_INCREMENT" => {}
                _ => return self.decline(format!("the table option {printed}")),
            }
        }
        // A character set alone takes its default collation, which only the server knows.
        let collation = table.collation.clone().unwrap_or_default();
        match charset {
            Some(c) if !collation.starts_with(&format!("{c}_")) => {
                return self.decline(format!("CHARSET {c} without a COLLATE of it"));
            }
            Some(_) | None => {}
        }
        if charset.is_none() && collation != self.server.collation {
            let server = self.server.charset.clone();
            if !collation.starts_with(&format!("{server}_")) {
                return self.decline(format!("COLLATE {collation} of another character set"));
            }
        }
        Ok(())
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
        let Some((data_type, kind)) = special.or_else(|| column_type(&printed)) else {
            return self.decline(format!("the type {printed} of {name}"));
        };
        let mut column = Column { name: name.clone(), data_type, nullable: true, ..Column::default() };
        if kind == Kind::Json {
            column.collation = Some("utf8mb4_bin".to_string()).filter(|c| building.table.collation.as_ref() != Some(c));
            column.check = Some(format!("json_valid({})", q(&name)));
        }
        let (mut not_null, mut default, mut primary, mut unique) = (false, None, false, false);
        for option in def.options {
            match option.option {
                ColumnOption::Null => {}
                ColumnOption::NotNull => not_null = true,
                ColumnOption::Default(expr) => default = Some(expr),
                ColumnOption::PrimaryKey(_) => primary = true,
                ColumnOption::Unique(_) => unique = true,
                ColumnOption::Comment(text) => column.comment = Some(text).filter(|t| !t.is_empty()),
                ColumnOption::DialectSpecific(tokens)
                    if tokens.len() == 1 && tokens[0].to_string().eq_ignore_ascii_case("AUTO_INCREMENT") =>
                {
                    column.auto_increment = true
                }
                other => return self.decline(format!("the column option {other} of {name}")),
            }
        }
        column.nullable = !(not_null || primary);
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
        let Some(parent) = self.position(&parent_name) else {
            return self.decline(format!("a foreign key to {parent_name}, which is not created before it"));
        };
        let columns: Vec<String> = fk.columns.iter().map(|i| i.value.clone()).collect();
        let referred: Vec<String> = fk.referred_columns.iter().map(|i| i.value.clone()).collect();
        if columns.is_empty() || columns.len() != referred.len() {
            return self.decline("a foreign key whose column lists differ in length");
        }
        // Same types on both sides, the parent's columns leading one of its keys, and no SET
        // NULL on a NOT NULL column: otherwise the server refuses it (errno 150).
        for (c, r) in columns.iter().zip(&referred) {
            let child_col = self.tables[child].table.columns.iter().find(|col| col.name == *c);
            let parent_col = self.tables[parent].table.columns.iter().find(|col| col.name == *r);
            match (child_col, parent_col) {
                (Some(a), Some(b)) if a.data_type == b.data_type => {}
                _ => return self.decline(format!("a foreign key from {c} to {parent_name}.{r}")),
            }
        }
        if !Self::covered(&self.tables[parent], &referred, None) {
            return self.decline(format!("a foreign key to {parent_name} columns no key of it leads with"));
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
            let mut building = std::mem::replace(
                &mut self.tables[child],
                Building { table: Table::default(), implicit: Vec::new(), unnamed_fks: 0 },
            );
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

    fn create_index(&mut self, create: ast::CreateIndex) -> Step {
        let plain = !create.concurrently
            && !create.if_not_exists
            && create.include.is_empty()
            && create.with.is_empty()
            && create.predicate.is_none()
            && create.index_options.is_empty()
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
        let mut building = std::mem::replace(
            &mut self.tables[at],
            Building { table: Table::default(), implicit: Vec::new(), unnamed_fks: 0 },
        );
        let result = self
            .key_columns(&building, &create.columns)
            .and_then(|columns| self.add_index(&mut building, Some(name), columns, create.unique, false));
        if result.is_ok() {
            // An index InnoDB added for a foreign key goes once another index leads with its columns.
            let implicit = std::mem::take(&mut building.implicit);
            for ix_name in implicit {
                let keys = building.table.indexes.iter().find(|ix| ix.name == ix_name).map(|ix| ix.keys.clone());
                let columns: Vec<String> =
                    keys.unwrap_or_default().iter().map(|k| k.trim_matches('`').replace("``", "`")).collect();
                if Self::covered(&building, &columns, Some(&ix_name)) {
                    building.table.indexes.retain(|ix| ix.name != ix_name);
                } else {
                    building.implicit.push(ix_name);
                }
            }
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

/// No `USING`, or `USING BTREE` (InnoDB's only kind).
fn plain_index_type(index_type: &Option<ast::IndexType>) -> bool {
    index_type.as_ref().is_none_or(|t| t.to_string().eq_ignore_ascii_case("BTREE"))
}
