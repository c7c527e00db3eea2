//! Statements into the model, in file order, the way the server would execute them: each
//! supported statement is applied to the model being built; anything else declines.

use std::collections::{BTreeMap, HashMap, HashSet};

use retort_schema::render::quote_ident;
use retort_schema::*;
use sqlparser::ast::helpers::stmt_create_table::CreateTableBuilder;
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, CommentObject, CreateTable, Expr, GeneratedAs,
    GeneratedExpressionMode, Ident, IndexColumn, ObjectName, OrderBySort, ReferentialAction, Statement,
    TableConstraint, UserDefinedTypeRepresentation, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::Decline;
use super::chunks;
use super::expr::{fold, names};
use super::names::{MAX_IDENTIFIER, Taken, make_object_name, name_addition};
use super::sequences;
use super::types::builtin;
use crate::load::SourceFile;

/// A column default: printed here when the rule is exact, else by the server.
#[derive(Debug, Clone)]
pub enum DefaultExpr {
    /// Already canonical (a serial's `nextval`, an enum label).
    Local(String),
    /// SQL for the server to print, for a column of the given canonical type.
    Server(String),
}

/// An index whose keys or predicate the server must print.
#[derive(Debug, Clone)]
pub struct PendingIndex {
    /// The index's name in the model.
    pub name: String,
    /// `btree`, `gin`, ...
    pub method: String,
    /// Each key as written (expression, collation, operator class, ordering).
    pub keys: Vec<String>,
    /// INCLUDE columns, quoted.
    pub include: Vec<String>,
    /// The WHERE clause as written.
    pub predicate: Option<String>,
}

/// What the server must print for one table: its check, generated and index expressions.
#[derive(Debug, Clone, Default)]
pub struct PendingTable {
    /// Check constraints by model name: (name, SQL, NO INHERIT).
    pub checks: Vec<(String, String, bool)>,
    /// Generated columns: (column, SQL).
    pub generated: Vec<(String, String)>,
    /// Indexes.
    pub indexes: Vec<PendingIndex>,
}

/// Everything left for the server, by table.
#[derive(Debug, Default)]
pub struct Pending {
    /// Column defaults by (table, column).
    pub defaults: BTreeMap<(Name, String), DefaultExpr>,
    /// Expressions that need the table's columns.
    pub tables: BTreeMap<Name, PendingTable>,
    /// Extensions the server must have available.
    pub extensions: Vec<String>,
    /// Collations (in pg_catalog) the server must have.
    pub collations: Vec<String>,
}

/// The model being built, with the names taken so far.
pub struct Builder {
    /// Where unqualified names go (`None` after pg_dump's empty search_path).
    default_schema: Option<String>,
    schema: Schema,
    taken: Taken,
    pending: Pending,
    /// Position of each table in `schema.tables`.
    tables: HashMap<Name, usize>,
    /// Where the statement being applied starts, for declines.
    at: String,
}

type Step = Result<(), Decline>;

/// Session settings that change nothing the model holds, with the values allowed (empty: any).
const HARMLESS_SETTINGS: &[(&str, &[&str])] = &[
    ("statement_timeout", &[]),
    ("lock_timeout", &[]),
    ("idle_in_transaction_session_timeout", &[]),
    ("transaction_timeout", &[]),
    ("client_min_messages", &[]),
    ("xmloption", &["content"]),
    ("check_function_bodies", &[]),
    ("row_security", &[]),
    ("client_encoding", &["'utf8'", "utf8"]),
    ("standard_conforming_strings", &["on", "true"]),
    ("default_tablespace", &["''"]),
    ("default_table_access_method", &["heap"]),
    ("default_with_oids", &["false", "off"]),
];

impl Builder {
    /// An empty database whose unqualified names go to `default_schema`.
    pub fn new(default_schema: &str) -> Builder {
        Builder {
            default_schema: Some(default_schema.to_string()),
            schema: Schema { dialect: Dialect::Postgres, ..Schema::default() },
            taken: Taken::default(),
            pending: Pending::default(),
            tables: HashMap::new(),
            at: String::new(),
        }
    }

    /// The model and the expressions left for the server.
    pub fn finish(self) -> (Schema, Pending) {
        (self.schema, self.pending)
    }

    fn decline<T>(&self, reason: impl Into<String>) -> Result<T, Decline> {
        Err(Decline::new(Some(self.at.clone()), reason))
    }

    /// Applies every statement of one file.
    pub fn source(&mut self, source: &SourceFile) -> Step {
        // Statement by statement, so that only one statement's tokens and syntax tree are in
        // memory at a time. A statement sqlparser cannot read is either `ALTER SEQUENCE ...
        // OWNED BY` (which pg_dump and `retort inspect` write) or a reason to decline (the
        // scratch database then reports real syntax errors with their position).
        for (line, sql) in chunks::statements(&source.text) {
            self.at = format!("{}:{line}", source.name);
            match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
                Ok(parsed) => {
                    for statement in parsed {
                        self.statement(statement)?;
                    }
                }
                Err(e) => match sequences::owned_by(sql) {
                    Some((sequence, owner)) => self.sequence_owned_by(&sequence, owner.as_deref())?,
                    None => return self.decline(format!("sqlparser: {e}")),
                },
            }
        }
        Ok(())
    }

    fn statement(&mut self, statement: Statement) -> Step {
        match statement {
            Statement::CreateTable(ct) => self.create_table(ct),
            Statement::CreateIndex(ci) => self.create_index(ci),
            Statement::AlterTable(at) => self.alter_table(at),
            Statement::CreateType { name, representation: Some(UserDefinedTypeRepresentation::Enum { labels }) } => {
                self.create_enum(&name, &labels)
            }
            Statement::CreateSchema {
                schema_name: ast::SchemaName::Simple(name), if_not_exists, with: None, ..
            } => self.create_schema(&name, if_not_exists),
            Statement::Comment { object_type, object_name, comment, if_exists: false } => {
                self.comment(object_type, &object_name, comment)
            }
            Statement::Drop {
                object_type:
                    ast::ObjectType::Table
                    | ast::ObjectType::Type
                    | ast::ObjectType::Index
                    | ast::ObjectType::Sequence
                    | ast::ObjectType::View,
                if_exists: true,
                names,
                table: None,
                ..
            } => self.drop_missing(&names),
            Statement::CreateSequence { temporary: false, if_not_exists, name, sequence_options } => {
                self.create_sequence(&name, if_not_exists, &sequence_options)
            }
            Statement::CreateExtension(e) => self.create_extension(&e),
            Statement::Set(_) | Statement::Query(_) => self.session_setting(&statement.to_string()),
            other => {
                let word = other.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                self.decline(format!("'{word} ...' is left to the scratch database"))
            }
        }
    }

    fn create_sequence(&mut self, name: &ObjectName, if_not_exists: bool, options: &[ast::SequenceOptions]) -> Step {
        let name = self.qualify(name)?;
        let schema = name.schema.clone().unwrap_or_default();
        if self.type_exists(&name) {
            return if if_not_exists { Ok(()) } else { self.decline(format!("{name} already exists")) };
        }
        if !self.schema_exists(&schema) {
            return self.decline(format!("no schema {schema}"));
        }
        let (row, owned_by) = match sequences::parameters("bigint", options) {
            Ok(p) => p,
            Err(e) => return self.decline(e),
        };
        if matches!(owned_by, Some(Some(_))) {
            return self.decline("CREATE SEQUENCE ... OWNED BY (the table cannot exist yet)");
        }
        self.taken.relation(&schema, &name.name);
        self.schema.sequences.push(Sequence {
            name,
            data_type: row.data_type,
            start: row.start,
            increment: row.increment,
            min: row.min,
            max: row.max,
            cache: row.cache,
            cycle: row.cycle,
            owned_by: None,
            comment: None,
        });
        Ok(())
    }

    /// `ALTER SEQUENCE s OWNED BY t.c | NONE`.
    fn sequence_owned_by(&mut self, sequence: &[String], owner: Option<&[String]>) -> Step {
        let name = self.qualify_parts(sequence)?;
        let owned_by = match owner {
            None => None,
            Some(parts) if parts.len() >= 2 => {
                let (column, table) = parts.split_last().map(|(c, t)| (c.clone(), t.to_vec())).unwrap_or_default();
                let table = self.qualify_parts(&table)?;
                let has_column = self
                    .tables
                    .get(&table)
                    .is_some_and(|&i| self.schema.tables[i].columns.iter().any(|c| c.name == column));
                if !has_column || table.schema != name.schema {
                    return self.decline(format!("OWNED BY {}", parts.join(".")));
                }
                Some((table, column))
            }
            Some(_) => return self.decline("OWNED BY without a column"),
        };
        match self.schema.sequences.iter_mut().find(|s| s.name == name) {
            Some(s) => s.owned_by = owned_by,
            None => return self.decline(format!("no sequence {name}")),
        }
        Ok(())
    }

    fn create_extension(&mut self, e: &ast::CreateExtension) -> Step {
        if e.cascade || e.version.is_some() {
            return self.decline("CREATE EXTENSION ... CASCADE or VERSION");
        }
        let name = fold(&e.name);
        if name == "plpgsql" || self.schema.extensions.iter().any(|x| x.name == name) {
            return if e.if_not_exists { Ok(()) } else { self.decline(format!("extension {name} already exists")) };
        }
        let schema = match (&e.schema, &self.default_schema) {
            (Some(s), _) => fold(s),
            (None, Some(s)) => s.clone(),
            (None, None) => return self.decline("an extension without a schema under an empty search_path"),
        };
        if !self.schema_exists(&schema) {
            return self.decline(format!("no schema {schema}"));
        }
        self.pending.extensions.push(name.clone());
        self.schema.extensions.push(Extension { name, schema });
        Ok(())
    }

    /// `DROP ... IF EXISTS` of objects that do not exist (the preamble of many schema files) does
    /// nothing; dropping an object the files created is left to the scratch database.
    fn drop_missing(&mut self, names: &[ObjectName]) -> Step {
        for name in names {
            let n = self.qualify(name)?;
            let schema = n.schema.clone().unwrap_or_default();
            if self.type_exists(&n) || self.taken.has_relation(&schema, &n.name) {
                return self.decline(format!("DROP of {n}, which the files create"));
            }
        }
        Ok(())
    }

    /// The settings of a pg_dump preamble: those that change nothing in the catalog are skipped;
    /// an empty search_path makes every later name need its schema.
    fn session_setting(&mut self, sql: &str) -> Step {
        let text = sql.to_ascii_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
        if text == "select pg_catalog.set_config('search_path', '', false)" {
            self.default_schema = None;
            return Ok(());
        }
        if let Some(schema) = single_search_path(sql) {
            if !self.schema_exists(&schema) {
                return self.decline(format!("search_path {schema}, a schema the files do not create"));
            }
            self.default_schema = Some(schema);
            return Ok(());
        }
        let harmless = HARMLESS_SETTINGS.iter().any(|(name, values)| {
            let Some(value) =
                text.strip_prefix(&format!("set {name} = ")).or_else(|| text.strip_prefix(&format!("set {name} to ")))
            else {
                return false;
            };
            values.is_empty() || values.contains(&value)
        });
        if harmless { Ok(()) } else { self.decline(format!("'{sql}' is left to the scratch database")) }
    }

    /// (schema, name) of an object name; one or two parts.
    fn qualify(&self, name: &ObjectName) -> Result<Name, Decline> {
        let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident().map(fold)).collect();
        if parts.len() != name.0.len() || parts.iter().any(|p| p.len() > MAX_IDENTIFIER || p.is_empty()) {
            return self.decline(format!("the name {name}"));
        }
        match parts.as_slice() {
            [n] => match &self.default_schema {
                Some(schema) => Ok(Name::new(Some(schema), n)),
                None => self.decline(format!("{n} without a schema under an empty search_path")),
            },
            [s, n] => Ok(Name::new(Some(s), n)),
            _ => self.decline(format!("the name {name}")),
        }
    }

    /// (schema, name) of already-folded name parts.
    fn qualify_parts(&self, parts: &[String]) -> Result<Name, Decline> {
        match parts {
            [n] => match &self.default_schema {
                Some(schema) => Ok(Name::new(Some(schema), n)),
                None => self.decline(format!("{n} without a schema under an empty search_path")),
            },
            [s, n] => Ok(Name::new(Some(s), n)),
            _ => self.decline(format!("the name {}", parts.join("."))),
        }
    }

    fn schema_exists(&self, schema: &str) -> bool {
        schema == "public" || self.schema.namespaces.iter().any(|n| n.name == schema)
    }

    fn table_mut(&mut self, name: &Name) -> Result<&mut Table, Decline> {
        match self.tables.get(name) {
            Some(&i) => Ok(&mut self.schema.tables[i]),
            None => self.decline(format!("no table {name} (yet)")),
        }
    }

    fn create_schema(&mut self, name: &ObjectName, if_not_exists: bool) -> Step {
        let [part] = name.0.as_slice() else { return self.decline("a qualified schema name") };
        let Some(id) = part.as_ident().map(fold) else { return self.decline("a computed schema name") };
        if self.schema_exists(&id) {
            return if if_not_exists { Ok(()) } else { self.decline(format!("schema {id} already exists")) };
        }
        if id.starts_with("pg_") {
            return self.decline("a schema named pg_*");
        }
        self.schema.namespaces.push(Namespace { name: id, comment: None });
        Ok(())
    }

    fn create_enum(&mut self, name: &ObjectName, labels: &[Ident]) -> Step {
        let name = self.qualify(name)?;
        let schema = name.schema.clone().unwrap_or_default();
        if !self.schema_exists(&schema) || self.type_exists(&name) {
            return self.decline(format!("type {name} cannot be created here"));
        }
        let labels: Vec<String> = labels.iter().map(|l| l.value.clone()).collect();
        let unique: HashSet<&String> = labels.iter().collect();
        if unique.len() != labels.len() || labels.iter().any(|l| l.len() > MAX_IDENTIFIER) {
            return self.decline("enum labels the server would reject");
        }
        self.schema.enums.push(EnumType { name, labels, comment: None });
        Ok(())
    }

    /// A type or relation of that name exists (tables have a row type of their name).
    fn type_exists(&self, name: &Name) -> bool {
        self.schema.enums.iter().any(|e| &e.name == name)
            || self.taken.has_relation(name.schema.as_deref().unwrap_or_default(), &name.name)
    }

    /// The canonical type of a column, and whether it is a serial.
    fn column_type(&self, data_type: &ast::DataType) -> Result<(String, bool), Decline> {
        let written = data_type.to_string();
        if let Some(b) = builtin(&written) {
            return Ok((b.name, b.serial));
        }
        if let ast::DataType::Custom(name, modifiers) = data_type
            && modifiers.is_empty()
        {
            let name = self.qualify(name)?;
            if self.schema.enums.iter().any(|e| e.name == name) {
                return Ok((render::postgres::name(&name), false));
            }
        }
        self.decline(format!("the type {written}"))
    }

    fn create_table(&mut self, mut ct: CreateTable) -> Step {
        // Everything but what is handled here must be at its default.
        let columns = std::mem::take(&mut ct.columns);
        let table_constraints = std::mem::take(&mut ct.constraints);
        let (if_not_exists, unlogged) = (ct.if_not_exists, ct.unlogged);
        (ct.if_not_exists, ct.unlogged) = (false, false);
        if ct != CreateTableBuilder::new(ct.name.clone()).build() {
            return self.decline("CREATE TABLE options (partitions, inheritance, LIKE, AS, WITH, ...)");
        }
        let name = self.qualify(&ct.name)?;
        let schema = name.schema.clone().unwrap_or_default();
        if self.type_exists(&name) {
            return if if_not_exists { Ok(()) } else { self.decline(format!("{name} already exists")) };
        }
        if !self.schema_exists(&schema) {
            return self.decline(format!("no schema {schema}"));
        }
        self.taken.relation(&schema, &name.name);
        self.tables.insert(name.clone(), self.schema.tables.len());
        self.schema.tables.push(Table { name: name.clone(), unlogged, ..Table::default() });
        let mut constraints = Vec::new();
        for column in &columns {
            constraints.extend(self.add_column(&name, column)?);
        }
        let column_level = constraints.len();
        constraints.extend(table_constraints);
        self.add_constraints(&name, constraints, column_level)
    }

    /// Adds a column and returns its column-level constraints as table constraints.
    fn add_column(&mut self, table: &Name, column: &ast::ColumnDef) -> Result<Vec<TableConstraint>, Decline> {
        let col_name = fold(&column.name);
        if col_name.len() > MAX_IDENTIFIER || self.table_mut(table)?.columns.iter().any(|c| c.name == col_name) {
            return self.decline(format!("column {col_name}"));
        }
        let (data_type, serial) = self.column_type(&column.data_type)?;
        let mut col =
            Column { name: col_name.clone(), data_type: data_type.clone(), nullable: true, ..Column::default() };
        let mut constraints = Vec::new();
        let mut default = None;
        let schema = table.schema.clone().unwrap_or_default();
        let single = vec![column.name.clone()];
        for option in &column.options {
            match &option.option {
                ColumnOption::Null => {}
                ColumnOption::NotNull => col.nullable = false,
                ColumnOption::Default(expr) => default = Some(expr.clone()),
                ColumnOption::PrimaryKey(pk) => {
                    let mut pk = pk.clone();
                    pk.name = option.name.clone().or(pk.name);
                    pk.columns = vec![index_column(&column.name)];
                    constraints.push(TableConstraint::PrimaryKey(pk));
                }
                ColumnOption::Unique(u) => {
                    let mut u = u.clone();
                    u.name = option.name.clone().or(u.name);
                    u.columns = vec![index_column(&column.name)];
                    constraints.push(TableConstraint::Unique(u));
                }
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.name = option.name.clone().or(fk.name);
                    fk.columns = single.clone();
                    constraints.push(TableConstraint::ForeignKey(fk));
                }
                ColumnOption::Check(c) => {
                    let mut c = c.clone();
                    c.name = option.name.clone().or(c.name);
                    constraints.push(TableConstraint::Check(c));
                }
                ColumnOption::Generated {
                    generated_as,
                    sequence_options,
                    generation_expr: None,
                    generation_expr_mode: None,
                    ..
                } if matches!(generated_as, GeneratedAs::Always | GeneratedAs::ByDefault) => {
                    if !matches!(data_type.as_str(), "smallint" | "integer" | "bigint") || serial {
                        return self.decline("an identity column of a non-integer type");
                    }
                    let options = sequence_options.as_deref().unwrap_or_default();
                    let row = match sequences::parameters(&data_type, options) {
                        Ok((_, Some(_))) => return self.decline("OWNED BY in identity options"),
                        Ok((row, None)) => row,
                        Err(e) => return self.decline(e),
                    };
                    let seq = self.taken.choose_relation(&schema, &table.name, Some(&col_name), "seq", false);
                    self.taken.relation(&schema, &seq);
                    col.identity = Some(Identity {
                        always: *generated_as == GeneratedAs::Always,
                        options: crate::dialect::postgres::identity_options(&row),
                    });
                    col.nullable = false;
                }
                ColumnOption::Collation(name) => {
                    let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident().map(fold)).collect();
                    let collatable =
                        ["text", "character varying", "character"].iter().any(|t| data_type.starts_with(t));
                    let collation = match parts.as_slice() {
                        [c] | [_, c] if parts.len() == 1 || parts[0] == "pg_catalog" => c.clone(),
                        _ => return self.decline(format!("the collation {name}")),
                    };
                    if !collatable || parts.len() != name.0.len() {
                        return self.decline(format!("COLLATE {name} on {data_type}"));
                    }
                    if collation != "default" {
                        self.pending.collations.push(collation.clone());
                        col.collation = Some(format!("pg_catalog.{}", quote_ident(&collation)));
                    }
                }
                ColumnOption::Generated {
                    generated_as: GeneratedAs::Always | GeneratedAs::ExpStored,
                    sequence_options: None,
                    generation_expr: Some(expr),
                    generation_expr_mode: Some(GeneratedExpressionMode::Stored),
                    ..
                } => {
                    self.expression_allowed(expr)?;
                    col.generated = Some(Generated { expr: String::new(), stored: true });
                    self.pending
                        .tables
                        .entry(table.clone())
                        .or_default()
                        .generated
                        .push((col_name.clone(), expr.to_string()));
                }
                other => return self.decline(format!("the column option {other}")),
            }
        }
        if serial {
            if default.is_some() || col.identity.is_some() {
                return self.decline("a serial column with a default");
            }
            let seq = self.taken.choose_relation(&schema, &table.name, Some(&col_name), "seq", false);
            self.taken.relation(&schema, &seq);
            let seq_name = Name::new(Some(&schema), &seq);
            self.pending.defaults.insert((table.clone(), col_name.clone()), nextval(&seq_name));
            self.schema.sequences.push(Sequence {
                name: seq_name,
                data_type: data_type.clone(),
                start: 1,
                increment: 1,
                min: 1,
                max: crate::dialect::postgres::type_max(&data_type),
                cache: 1,
                cycle: false,
                owned_by: Some((table.clone(), col_name.clone())),
                comment: None,
            });
            col.nullable = false;
        }
        if let Some(expr) = default {
            if col.identity.is_some() || col.generated.is_some() {
                return self.decline("a default on an identity or generated column");
            }
            let resolved = self.default_expr(&data_type, &expr)?;
            self.pending.defaults.insert((table.clone(), col_name.clone()), resolved);
        }
        self.table_mut(table)?.columns.push(col);
        Ok(constraints)
    }

    /// A default for a column of `data_type`: enum labels are printed here; the rest by the server.
    fn default_expr(&self, data_type: &str, expr: &Expr) -> Result<DefaultExpr, Decline> {
        if let Some(sequence) = self.nextval_of(expr)? {
            return Ok(nextval(&sequence));
        }
        let Some(e) = self.schema.enums.iter().find(|e| render::postgres::name(&e.name) == data_type) else {
            self.expression_allowed(expr)?;
            return Ok(DefaultExpr::Server(expr.to_string()));
        };
        let literal = match expr {
            Expr::Cast { expr: inner, data_type: ast::DataType::Custom(name, m), .. } if m.is_empty() => {
                if self.qualify(name)? != e.name {
                    return self.decline("a default cast to another type");
                }
                inner.as_ref()
            }
            other => other,
        };
        match literal {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) if e.labels.contains(s) && !s.contains('\\') => {
                    Ok(DefaultExpr::Local(format!("{}::{}", PG.literal(s), data_type)))
                }
                _ => self.decline(format!("the default {expr} for {data_type}")),
            },
            _ => self.decline(format!("the default {expr} for {data_type}")),
        }
    }

    /// The sequence of a `nextval('name')` / `nextval('name'::regclass)` default, when the files
    /// create it (the server would print its name qualified).
    fn nextval_of(&self, expr: &Expr) -> Result<Option<Name>, Decline> {
        let Expr::Function(f) = expr else { return Ok(None) };
        let is_nextval = matches!(f.name.0.as_slice(), [p] if p.as_ident().map(fold).as_deref() == Some("nextval"))
            || f.name.to_string().eq_ignore_ascii_case("pg_catalog.nextval");
        let ast::FunctionArguments::List(list) = &f.args else { return Ok(None) };
        let [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
            return Ok(None);
        };
        if !is_nextval || !list.clauses.is_empty() {
            return Ok(None);
        }
        let literal = match arg {
            Expr::Cast { expr, data_type, .. } if data_type.to_string().eq_ignore_ascii_case("regclass") => {
                expr.as_ref()
            }
            other => other,
        };
        let Expr::Value(v) = literal else { return Ok(None) };
        let Value::SingleQuotedString(text) = &v.value else { return Ok(None) };
        let Some(parts) = sequences::name_parts(text) else { return self.decline(format!("the sequence name {text}")) };
        let name = self.qualify_parts(&parts)?;
        if !self.schema.sequences.iter().any(|s| s.name == name) {
            return self.decline(format!("nextval of {name}, which the files do not create"));
        }
        Ok(Some(name))
    }

    /// Expressions the server may print for us: they must not name a user object (types,
    /// sequences, functions outside pg_catalog), which the server would look up in the live
    /// database rather than in these files.
    fn expression_allowed(&self, expr: &Expr) -> Step {
        match names(expr).foreign {
            Some(what) => self.decline(format!("{what} in {expr}")),
            None => Ok(()),
        }
    }

    /// Adds table constraints in the order the server names them: checks first, then the primary
    /// key, then unique constraints, then foreign keys. `column_level` of them came from column
    /// definitions (whose position relative to table constraints the parser does not keep: a
    /// name needing a number then declines).
    fn add_constraints(&mut self, table: &Name, constraints: Vec<TableConstraint>, column_level: usize) -> Step {
        let mixed = column_level > 0 && constraints.len() > column_level;
        let mut checks = Vec::new();
        let mut indexes = Vec::new();
        let mut fks = Vec::new();
        for c in constraints {
            match c {
                TableConstraint::Check(c) => checks.push(c),
                TableConstraint::PrimaryKey(_) | TableConstraint::Unique(_) => indexes.push(c),
                TableConstraint::ForeignKey(fk) => fks.push(fk),
                other => return self.decline(format!("the constraint {other}")),
            }
        }
        let mut chosen = Vec::new();
        for c in checks {
            let name = self.add_check(table, c, &chosen, mixed, false)?;
            chosen.push(name);
        }
        // The primary key's index is created first.
        indexes.sort_by_key(|c| !matches!(c, TableConstraint::PrimaryKey(_)));
        for c in indexes {
            self.add_index_constraint(table, c, mixed)?;
        }
        for fk in fks {
            self.add_foreign_key(table, fk, false, mixed)?;
        }
        Ok(())
    }

    fn add_check(
        &mut self,
        table: &Name,
        c: ast::CheckConstraint,
        chosen: &[String],
        mixed: bool,
        not_valid: bool,
    ) -> Result<String, Decline> {
        if c.enforced.is_some() {
            return self.decline("CHECK ... [NOT] ENFORCED");
        }
        self.expression_allowed(&c.expr)?;
        let schema = table.schema.clone().unwrap_or_default();
        let name = match &c.name {
            Some(n) => fold(n),
            None => {
                let columns: HashSet<String> = self.table_mut(table)?.columns.iter().map(|c| c.name.clone()).collect();
                let used: HashSet<String> =
                    names(&c.expr).identifiers.into_iter().filter(|n| columns.contains(n)).collect();
                let column = (used.len() == 1).then(|| used.into_iter().next()).flatten();
                let name = self.taken.choose_constraint(&schema, &table.name, column.as_deref(), "check", chosen);
                if mixed && name != make_object_name(&table.name, column.as_deref(), "check") {
                    return self.decline(
                        "unnamed checks whose names need numbering, written both on columns and on the table",
                    );
                }
                name
            }
        };
        if chosen.contains(&name) || self.table_mut(table)?.checks.iter().any(|k| k.name.as_deref() == Some(&name)) {
            return self.decline(format!("constraint {name} already exists"));
        }
        self.taken.constraint(&schema, &name);
        self.table_mut(table)?.checks.push(Check {
            name: Some(name.clone()),
            expr: String::new(),
            no_inherit: c.no_inherit,
            not_valid,
        });
        self.pending.tables.entry(table.clone()).or_default().checks.push((
            name.clone(),
            c.expr.to_string(),
            c.no_inherit,
        ));
        Ok(name)
    }

    /// Column names of a PRIMARY KEY / UNIQUE list: plain columns of the table only.
    fn key_columns(&mut self, table: &Name, columns: &[IndexColumn]) -> Result<Vec<String>, Decline> {
        let existing: Vec<String> = self.table_mut(table)?.columns.iter().map(|c| c.name.clone()).collect();
        let mut out = Vec::new();
        for c in columns {
            let name = match (&c.column.expr, &c.operator_class, &c.column.options.sort, c.column.options.nulls_first) {
                (Expr::Identifier(i), None, None, None) => fold(i),
                _ => return self.decline("a key that is not a plain column"),
            };
            if !existing.contains(&name) || out.contains(&name) {
                return self.decline(format!("key column {name}"));
            }
            out.push(name);
        }
        Ok(out)
    }

    fn add_index_constraint(&mut self, table: &Name, c: TableConstraint, mixed: bool) -> Step {
        let schema = table.schema.clone().unwrap_or_default();
        let (explicit, columns, deferral, primary, nulls_not_distinct) = match &c {
            TableConstraint::PrimaryKey(pk) => {
                if pk.index_name.is_some()
                    || pk.index_type.is_some()
                    || !pk.include.is_empty()
                    || !pk.index_options.is_empty()
                {
                    return self.decline("primary key options");
                }
                let columns = self.key_columns(table, &pk.columns)?;
                (pk.name.clone(), columns, self.deferral(pk.characteristics.as_ref())?, true, false)
            }
            TableConstraint::Unique(u) => {
                if u.index_name.is_some()
                    || u.index_type.is_some()
                    || !u.include.is_empty()
                    || !u.index_options.is_empty()
                {
                    return self.decline("unique constraint options");
                }
                let columns = self.key_columns(table, &u.columns)?;
                let nnd = matches!(u.nulls_distinct, ast::NullsDistinctOption::NotDistinct);
                (u.name.clone(), columns, self.deferral(u.characteristics.as_ref())?, false, nnd)
            }
            _ => return self.decline("a constraint"),
        };
        let t = self.table_mut(table)?;
        let duplicate = t.primary_key.as_ref().is_some_and(|p| p.columns == columns)
            || t.uniques.iter().any(|u| u.columns == columns);
        if duplicate || (primary && t.primary_key.is_some()) {
            return self.decline("a key that duplicates another");
        }
        let name = match explicit {
            Some(n) => fold(&n),
            None => {
                let addition = (!primary).then(|| name_addition(&columns));
                let label = if primary { "pkey" } else { "key" };
                let name = self.taken.choose_relation(&schema, &table.name, addition.as_deref(), label, true);
                if mixed && name != make_object_name(&table.name, addition.as_deref(), label) {
                    return self.decline("unnamed keys whose names need numbering");
                }
                name
            }
        };
        if self.taken.has_relation(&schema, &name) {
            return self.decline(format!("relation {name} already exists"));
        }
        self.taken.relation(&schema, &name);
        self.taken.constraint(&schema, &name);
        let t = self.table_mut(table)?;
        if primary {
            if deferral != Deferral::Immediate {
                return self.decline("a deferrable primary key");
            }
            for c in t.columns.iter_mut().filter(|c| columns.contains(&c.name)) {
                c.nullable = false;
            }
            t.primary_key = Some(PrimaryKey { name: Some(name), columns, autoincrement: false });
        } else {
            t.uniques.push(Unique { name: Some(name), columns, nulls_not_distinct, deferral });
        }
        Ok(())
    }

    fn deferral(&self, c: Option<&ast::ConstraintCharacteristics>) -> Result<Deferral, Decline> {
        let Some(c) = c else { return Ok(Deferral::Immediate) };
        if c.enforced.is_some() {
            return self.decline("[NOT] ENFORCED");
        }
        Ok(match (c.deferrable, c.initially) {
            (Some(true), Some(ast::DeferrableInitial::Deferred)) => Deferral::Deferred,
            (Some(true), _) => Deferral::Deferrable,
            (None | Some(false), Some(ast::DeferrableInitial::Deferred)) => {
                return self.decline("INITIALLY DEFERRED without DEFERRABLE");
            }
            _ => Deferral::Immediate,
        })
    }

    fn add_foreign_key(&mut self, table: &Name, fk: ast::ForeignKeyConstraint, not_valid: bool, mixed: bool) -> Step {
        if fk.index_name.is_some() || matches!(fk.match_kind, Some(ast::ConstraintReferenceMatchKind::Partial)) {
            return self.decline("foreign key options");
        }
        let schema = table.schema.clone().unwrap_or_default();
        let columns: Vec<String> = fk.columns.iter().map(fold).collect();
        let ref_table = self.qualify(&fk.foreign_table)?;
        let (Some(&target_at), Some(&source_at)) = (self.tables.get(&ref_table), self.tables.get(table)) else {
            return self.decline(format!("a foreign key to {ref_table}, which is not a table here"));
        };
        let (target, source) = (&self.schema.tables[target_at], &self.schema.tables[source_at]);
        let ref_columns: Vec<String> = if fk.referred_columns.is_empty() {
            match &target.primary_key {
                Some(pk) => pk.columns.clone(),
                None => return self.decline(format!("{ref_table} has no primary key to reference")),
            }
        } else {
            fk.referred_columns.iter().map(fold).collect()
        };
        let same_types = columns.len() == ref_columns.len()
            && columns
                .iter()
                .zip(&ref_columns)
                .all(|(a, b)| type_of(source, a).is_some() && type_of(source, a) == type_of(target, b));
        let unique_target = references_a_key(target, &ref_columns);
        if !same_types || !unique_target {
            return self
                .decline(format!("a foreign key from {table} ({}) the parser cannot vouch for", columns.join(", ")));
        }
        let name = match &fk.name {
            Some(n) => fold(n),
            None => {
                let addition = name_addition(&columns);
                let name = self.taken.choose_constraint(&schema, &table.name, Some(&addition), "fkey", &[]);
                if mixed && name != make_object_name(&table.name, Some(&addition), "fkey") {
                    return self.decline("unnamed foreign keys whose names need numbering");
                }
                name
            }
        };
        if self.table_mut(table)?.foreign_keys.iter().any(|f| f.name.as_deref() == Some(&name)) {
            return self.decline(format!("constraint {name} already exists"));
        }
        self.taken.constraint(&schema, &name);
        let deferral = self.deferral(fk.characteristics.as_ref())?;
        let action = |a: Option<ReferentialAction>| match a {
            Some(ReferentialAction::Restrict) => Action::Restrict,
            Some(ReferentialAction::Cascade) => Action::Cascade,
            Some(ReferentialAction::SetNull) => Action::SetNull,
            Some(ReferentialAction::SetDefault) => Action::SetDefault,
            Some(ReferentialAction::NoAction) | None => Action::NoAction,
        };
        self.table_mut(table)?.foreign_keys.push(ForeignKey {
            name: Some(name),
            columns,
            ref_table,
            ref_columns,
            on_delete: action(fk.on_delete),
            on_update: action(fk.on_update),
            match_full: matches!(fk.match_kind, Some(ast::ConstraintReferenceMatchKind::Full)),
            deferral,
            not_valid,
        });
        Ok(())
    }

    fn create_index(&mut self, ci: ast::CreateIndex) -> Step {
        if ci.concurrently
            || ci.r#async
            || !ci.with.is_empty()
            || !ci.index_options.is_empty()
            || !ci.alter_options.is_empty()
        {
            return self.decline("index options");
        }
        let table = self.qualify(&ci.table_name)?;
        let schema = table.schema.clone().unwrap_or_default();
        let columns: Vec<String> = self.table_mut(&table)?.columns.iter().map(|c| c.name.clone()).collect();
        let method = match &ci.using {
            None | Some(ast::IndexType::BTree) => "btree",
            Some(ast::IndexType::Hash) => "hash",
            Some(ast::IndexType::GIN) => "gin",
            Some(ast::IndexType::GiST) => "gist",
            Some(ast::IndexType::SPGiST) => "spgist",
            Some(ast::IndexType::BRIN) => "brin",
            Some(other) => return self.decline(format!("the index method {other}")),
        };
        // Plain column keys are printed here; anything else by the server.
        let mut local = Vec::new();
        for key in &ci.columns {
            match (&key.column.expr, &key.operator_class) {
                (Expr::Identifier(i), None) if columns.contains(&fold(i)) => {
                    let mut k = quote_ident(&fold(i));
                    let desc = match key.column.options.sort {
                        Some(OrderBySort::Desc) => true,
                        Some(OrderBySort::Asc) | None => false,
                        Some(OrderBySort::Using(_)) => return self.decline("ORDER BY USING in an index"),
                    };
                    if desc {
                        k.push_str(" DESC");
                    }
                    match (desc, key.column.options.nulls_first) {
                        (false, Some(true)) => k.push_str(" NULLS FIRST"),
                        (true, Some(false)) => k.push_str(" NULLS LAST"),
                        _ => {}
                    }
                    local.push(Some((fold(i), k)));
                }
                _ => {
                    self.expression_allowed(&key.column.expr)?;
                    local.push(None);
                }
            }
        }
        if let Some(p) = &ci.predicate {
            self.expression_allowed(p)?;
        }
        let include: Vec<String> = ci.include.iter().map(fold).collect();
        if include.iter().any(|c| !columns.contains(c)) {
            return self.decline("INCLUDE of a column the table lacks");
        }
        let name = match &ci.name {
            Some(n) => match n.0.as_slice() {
                [p] => match p.as_ident() {
                    Some(i) => fold(i),
                    None => return self.decline("a computed index name"),
                },
                _ => return self.decline("a qualified index name"),
            },
            None => {
                let Some(names) = local.iter().map(|k| k.as_ref().map(|(n, _)| n.clone())).collect::<Option<Vec<_>>>()
                else {
                    return self.decline("an unnamed expression index");
                };
                let unique: HashSet<&String> = names.iter().collect();
                if unique.len() != names.len() {
                    return self.decline("an unnamed index naming a column twice");
                }
                self.taken.choose_relation(&schema, &table.name, Some(&name_addition(&names)), "idx", false)
            }
        };
        if name.len() > MAX_IDENTIFIER || self.taken.has_relation(&schema, &name) {
            return if ci.if_not_exists { Ok(()) } else { self.decline(format!("relation {name} already exists")) };
        }
        self.taken.relation(&schema, &name);
        let server = local.iter().any(Option::is_none) || ci.predicate.is_some();
        let keys: Vec<String> = local.iter().map(|k| k.as_ref().map(|(_, k)| k.clone()).unwrap_or_default()).collect();
        let index = Index {
            name: name.clone(),
            unique: ci.unique,
            keys: if server { Vec::new() } else { keys },
            method: method.to_string(),
            include: include.clone(),
            predicate: None,
            nulls_not_distinct: ci.nulls_distinct == Some(false),
            options: Vec::new(),
            comment: None,
            invisible: false,
        };
        self.table_mut(&table)?.indexes.push(index);
        if server {
            let pending = PendingIndex {
                name,
                method: method.to_string(),
                keys: ci.columns.iter().map(ToString::to_string).collect(),
                include: include.iter().map(|c| quote_ident(c)).collect(),
                predicate: ci.predicate.as_ref().map(ToString::to_string),
            };
            self.pending.tables.entry(table).or_default().indexes.push(pending);
        }
        Ok(())
    }

    fn alter_table(&mut self, at: ast::AlterTable) -> Step {
        if at.location.is_some() || at.on_cluster.is_some() || at.table_type.is_some() {
            return self.decline("ALTER TABLE options");
        }
        let table = self.qualify(&at.name)?;
        if !self.tables.contains_key(&table) {
            return if at.if_exists { Ok(()) } else { self.decline(format!("no table {table}")) };
        }
        for op in at.operations {
            match op {
                AlterTableOperation::AddConstraint { constraint, not_valid } => match constraint {
                    TableConstraint::Check(c) => {
                        self.add_check(&table, c, &[], false, not_valid)?;
                    }
                    TableConstraint::ForeignKey(fk) => self.add_foreign_key(&table, fk, not_valid, false)?,
                    c @ (TableConstraint::PrimaryKey(_) | TableConstraint::Unique(_)) if !not_valid => {
                        self.add_index_constraint(&table, c, false)?
                    }
                    other => return self.decline(format!("ADD {other}")),
                },
                AlterTableOperation::AddColumn {
                    column_keyword: _,
                    if_not_exists: false,
                    column_def,
                    column_position: None,
                } => {
                    let constraints = self.add_column(&table, &column_def)?;
                    let n = constraints.len();
                    self.add_constraints(&table, constraints, n)?;
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    self.alter_column(&table, &fold(&column_name), op)?
                }
                other => return self.decline(format!("ALTER TABLE ... {other}")),
            }
        }
        Ok(())
    }

    fn alter_column(&mut self, table: &Name, column: &str, op: AlterColumnOperation) -> Step {
        let Some(col) = self.table_mut(table)?.columns.iter().find(|c| c.name == column).cloned() else {
            return self.decline(format!("no column {column}"));
        };
        let key = (table.clone(), column.to_string());
        match op {
            AlterColumnOperation::SetNotNull => self.set_nullable(table, column, false),
            AlterColumnOperation::DropNotNull => {
                let t = self.table_mut(table)?;
                if col.identity.is_some()
                    || t.primary_key.as_ref().is_some_and(|p| p.columns.iter().any(|c| c == column))
                {
                    return self.decline("DROP NOT NULL on a key or identity column");
                }
                self.set_nullable(table, column, true)
            }
            AlterColumnOperation::SetDefault { value } if col.identity.is_none() && col.generated.is_none() => {
                let resolved = self.default_expr(&col.data_type, &value)?;
                self.pending.defaults.insert(key, resolved);
                Ok(())
            }
            AlterColumnOperation::DropDefault if col.generated.is_none() => {
                self.pending.defaults.remove(&key);
                Ok(())
            }
            other => self.decline(format!("ALTER COLUMN ... {other}")),
        }
    }

    fn set_nullable(&mut self, table: &Name, column: &str, nullable: bool) -> Step {
        for c in self.table_mut(table)?.columns.iter_mut().filter(|c| c.name == column) {
            c.nullable = nullable;
        }
        Ok(())
    }

    fn comment(&mut self, object: CommentObject, name: &ObjectName, comment: Option<String>) -> Step {
        match object {
            CommentObject::Table => {
                let n = self.qualify(name)?;
                self.table_mut(&n)?.comment = comment;
            }
            CommentObject::Column => {
                let parts = &name.0;
                let (table, column) = match parts.split_last() {
                    Some((last, rest)) if !rest.is_empty() => (ObjectName(rest.to_vec()), last.as_ident().map(fold)),
                    _ => return self.decline("COMMENT ON COLUMN without a table"),
                };
                let table = self.qualify(&table)?;
                let Some(column) = column else { return self.decline("a computed column name") };
                let t = self.table_mut(&table)?;
                match t.columns.iter_mut().find(|c| c.name == column) {
                    Some(c) => c.comment = comment,
                    None => return self.decline(format!("no column {column}")),
                }
            }
            CommentObject::Index => {
                let n = self.qualify(name)?;
                let found = self
                    .schema
                    .tables
                    .iter_mut()
                    .filter(|t| t.name.schema == n.schema)
                    .flat_map(|t| t.indexes.iter_mut())
                    .find(|i| i.name == n.name);
                match found {
                    Some(i) => i.comment = comment,
                    None => {
                        return self
                            .decline(format!("no index {n} (comments on constraint indexes are left to the server)"));
                    }
                }
            }
            CommentObject::Type => {
                let n = self.qualify(name)?;
                match self.schema.enums.iter_mut().find(|e| e.name == n) {
                    Some(e) => e.comment = comment,
                    None => return self.decline(format!("no enum {n}")),
                }
            }
            CommentObject::Schema => {
                let [part] = name.0.as_slice() else { return self.decline("a qualified schema name") };
                let id = part.as_ident().map(fold).unwrap_or_default();
                match self.schema.namespaces.iter_mut().find(|s| s.name == id) {
                    Some(s) => s.comment = comment,
                    None => return self.decline(format!("COMMENT ON SCHEMA {id}")),
                }
            }
            other => return self.decline(format!("COMMENT ON {other}")),
        }
        Ok(())
    }
}

/// The schema of `SET search_path TO s` (or `= s`) naming one schema, folded as the server folds
/// it; `None` for any other statement or a path of several schemas (left to the scratch database).
fn single_search_path(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let [set, name, to, value @ ..] = words.as_slice() else { return None };
    let is = |word: &str, want: &str| word.eq_ignore_ascii_case(want);
    if !is(set, "set") || !is(name, "search_path") || !(is(to, "to") || *to == "=") {
        return None;
    }
    let value = value.join(" ");
    let value = value.trim_end_matches(';').trim();
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        // One quoted name: no lone quote inside (that would end it and start another).
        let unescaped = inner.replace("\"\"", "\"");
        return (!unescaped.is_empty() && !inner.replace("\"\"", "").contains('"')).then_some(unescaped);
    }
    let plain = value
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && (c.is_ascii_digit() || c == '$')));
    (plain && !value.is_empty()).then(|| value.to_ascii_lowercase())
}

/// `nextval('schema.sequence'::regclass)`, as the server prints a sequence default under an empty
/// search_path.
fn nextval(sequence: &Name) -> DefaultExpr {
    DefaultExpr::Local(format!("nextval({}::regclass)", PG.literal(&render::postgres::name(sequence))))
}

/// How the server prints a string literal (quotes doubled, no escape syntax).
const PG: crate::dialect::Dialect = crate::dialect::Dialect::Postgres;

/// True when `columns` are exactly the columns of a primary key, unique constraint or unique
/// index (without predicate) of `table`, as the server requires of a foreign key's target.
fn references_a_key(table: &Table, columns: &[String]) -> bool {
    let wanted: HashSet<&str> = columns.iter().map(String::as_str).collect();
    let quoted: HashSet<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let same = |k: &[String]| k.len() == columns.len() && k.iter().all(|c| wanted.contains(c.as_str()));
    table.primary_key.iter().any(|p| same(&p.columns))
        || table.uniques.iter().any(|u| same(&u.columns))
        || table.indexes.iter().any(|i| {
            i.unique
                && i.predicate.is_none()
                && i.keys.len() == columns.len()
                && i.keys.iter().all(|k| quoted.contains(k))
        })
}

/// The type of a column of `table`.
fn type_of<'a>(table: &'a Table, column: &str) -> Option<&'a str> {
    table.columns.iter().find(|x| x.name == column).map(|x| x.data_type.as_str())
}

/// A plain column as an index key.
fn index_column(name: &Ident) -> IndexColumn {
    IndexColumn {
        column: ast::OrderByExpr {
            expr: Expr::Identifier(name.clone()),
            options: ast::OrderByOptions { sort: None, nulls_first: None },
            with_fill: None,
        },
        operator_class: None,
    }
}

#[cfg(test)]
mod tests {
    use super::single_search_path;

    #[test]
    fn a_search_path_of_one_schema_is_read_as_the_server_folds_it() {
        assert_eq!(single_search_path("SET search_path TO Tenant_A").as_deref(), Some("tenant_a"));
        assert_eq!(single_search_path("set SEARCH_PATH = \"Tenant \"\"A\"\"\";").as_deref(), Some("Tenant \"A\""));
        assert_eq!(single_search_path("SET search_path TO a, public"), None);
        assert_eq!(single_search_path("SET search_path TO \"a\", \"b\""), None);
        assert_eq!(single_search_path("SET lock_timeout TO a"), None);
        assert_eq!(single_search_path("SET search_path TO 1a"), None);
    }
}
