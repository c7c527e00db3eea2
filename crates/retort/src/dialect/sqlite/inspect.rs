//! SQLite inspection: a database's tables, indexes, views and triggers read into the model.
//!
//! Structure comes from SQLite's PRAGMA functions (`pragma_table_list`, `pragma_table_xinfo`,
//! `pragma_foreign_key_list`, `pragma_index_list`, `pragma_index_xinfo`), each joined over every
//! table at once, so a database of any size takes six queries. What the PRAGMAs do not report
//! (constraint names, CHECK constraints, column collations, generated-column expressions,
//! AUTOINCREMENT, DEFERRABLE, index expressions and predicates, view column lists) is read from the
//! `CREATE` statements SQLite keeps in `sqlite_master.sql`, tokenized by sqlparser (module [`text`]).
//!
//! Canonical forms, so that equal schemas compare equal:
//! - types and defaults as SQLite keeps them (`PRAGMA table_xinfo`: the declared text; a default's
//!   text as written, without the parentheses around an expression);
//! - CHECK expressions, generated columns, index expressions and predicates as sqlparser prints
//!   them (whitespace and keyword case settled), or as written when sqlparser cannot parse them;
//! - index keys as SQL: the quoted column, then `COLLATE x` when it differs from the column's own
//!   collation, then `DESC`;
//! - foreign keys name the referenced table and columns as the tables spell them, and an omitted
//!   column list becomes the referenced primary key;
//! - views keep their query, triggers and virtual tables their whole statement, as SQLite stores
//!   them; the shadow tables a virtual table's module keeps its data in are the module's business.
//!
//! What the model cannot hold (`ON CONFLICT` clauses, DESC or COLLATE inside a PRIMARY KEY or
//! UNIQUE constraint, indexes on shadow tables) is an [`InspectError::Unsupported`], never skipped.

use std::collections::BTreeMap;

use retort_schema::render::sqlite::quote_ident;
use retort_schema::{
    Action, Column, Deferral, Dialect, ForeignKey, Generated, Index, Name, PrimaryKey, Schema, Table, Trigger, Unique,
    View, VirtualTable,
};
use rusqlite::{Connection, Row};

use super::driver::db_error;
use crate::inspect::{InspectError, InspectOptions};

/// Every object in `sqlite_master`.
const OBJECTS: &str = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name";
/// Every table and view of the main database, with its kind and options.
const TABLE_LIST: &str =
    "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main' ORDER BY type DESC, name";
/// Every column of every ordinary table, hidden (generated) ones included.
const COLUMNS: &str = "SELECT m.name, x.name, x.type, x.\"notnull\", x.dflt_value, x.pk, x.hidden \
     FROM pragma_table_list AS m JOIN pragma_table_xinfo(m.name, 'main') AS x \
     WHERE m.schema = 'main' AND m.type = 'table' ORDER BY m.name, x.cid";
/// Every foreign-key column pair.
const FOREIGN_KEYS: &str = "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
     FROM pragma_table_list AS m JOIN pragma_foreign_key_list(m.name, 'main') AS f \
     WHERE m.schema = 'main' AND m.type = 'table' ORDER BY m.name, f.id, f.seq";
/// Every index, including those SQLite made for PRIMARY KEY and UNIQUE constraints.
const INDEXES: &str = "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial \
     FROM pragma_table_list AS m JOIN pragma_index_list(m.name, 'main') AS l \
     WHERE m.schema = 'main' AND m.type = 'table' ORDER BY m.name, l.name";
/// Every key column of every index, in key order.
const INDEX_KEYS: &str = "SELECT l.name, x.cid, x.name, x.\"desc\", x.coll \
     FROM pragma_table_list AS m JOIN pragma_index_list(m.name, 'main') AS l \
     JOIN pragma_index_xinfo(l.name, 'main') AS x \
     WHERE m.schema = 'main' AND m.type = 'table' AND x.key = 1 ORDER BY l.name, x.seqno";

/// `pragma_table_xinfo.hidden` values of generated columns, and whether they are STORED.
const GENERATED_KINDS: [(i64, bool); 2] = [(2, false), (3, true)];

/// The collation SQLite uses when none is declared.
const DEFAULT_COLLATION: &str = "BINARY";

/// Reads a SQLite database (its `main` schema) into the model.
pub fn inspect(conn: &Connection, options: &InspectOptions) -> Result<Schema, InspectError> {
    let catalog = Catalog::read(conn, options)?;
    let mut schema = Schema { dialect: Dialect::Sqlite, ..Schema::default() };
    for (name, kind) in &catalog.tables {
        schema.tables.push(catalog.table(name, kind)?);
    }
    schema.virtual_tables = catalog.virtual_tables()?;
    schema.views = catalog.views()?;
    schema.triggers = catalog.triggers()?;
    options.drop_excluded(&mut schema);
    schema.normalize();
    Ok(schema)
}

/// One row of `sqlite_master`.
struct Object {
    kind: String,
    name: String,
    table: String,
    sql: Option<String>,
}

/// A table's options from `pragma_table_list`.
struct TableKind {
    without_rowid: bool,
    strict: bool,
}

/// One column from `pragma_table_xinfo`.
struct ColumnRow {
    name: String,
    data_type: String,
    not_null: bool,
    default: Option<String>,
    pk: i64,
    hidden: i64,
}

/// One column pair of a foreign key from `pragma_foreign_key_list`.
struct ForeignKeyRow {
    id: i64,
    target: String,
    from: String,
    to: Option<String>,
    on_update: String,
    on_delete: String,
}

/// One index from `pragma_index_list`.
struct IndexRow {
    name: String,
    unique: bool,
    origin: String,
    partial: bool,
}

/// One key column of an index from `pragma_index_xinfo`.
struct KeyRow {
    cid: i64,
    column: Option<String>,
    desc: bool,
    collation: Option<String>,
}

/// Everything the catalog queries return, grouped by table.
struct Catalog {
    /// `sqlite_master`.
    objects: Vec<Object>,
    /// The SQL text of each object, by kind and name.
    sql: BTreeMap<(String, String), String>,
    /// The tables to inspect, by name.
    tables: BTreeMap<String, TableKind>,
    /// The virtual tables to inspect.
    virtual_tables: Vec<String>,
    /// Columns, foreign-key pairs and indexes by table; index keys by index.
    columns: BTreeMap<String, Vec<ColumnRow>>,
    foreign_keys: BTreeMap<String, Vec<ForeignKeyRow>>,
    indexes: BTreeMap<String, Vec<IndexRow>>,
    keys: BTreeMap<String, Vec<KeyRow>>,
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, InspectError> {
    let mut stmt = conn.prepare(sql).map_err(db_error)?;
    let rows = stmt.query_map([], row).map_err(db_error)?;
    Ok(rows.collect::<Result<Vec<_>, _>>().map_err(db_error)?)
}

/// Groups `(key, value)` rows by key, keeping their order.
fn grouped<T>(rows: Vec<(String, T)>) -> BTreeMap<String, Vec<T>> {
    rows.into_iter().fold(BTreeMap::new(), |mut m, (k, v)| {
        m.entry(k).or_insert_with(Vec::new).push(v);
        m
    })
}

fn text(row: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(row.get::<_, Option<String>>(i)?.unwrap_or_default())
}

fn flag(row: &Row<'_>, i: usize) -> rusqlite::Result<bool> {
    Ok(row.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0)
}

/// Whether a table is SQLite's own or one the caller left out.
fn excluded(name: &str, options: &InspectOptions) -> bool {
    name.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("sqlite_"))
        || options.excluded(name)
        || options.excluded(&name.to_ascii_lowercase())
}

impl Object {
    fn read(r: &Row<'_>) -> rusqlite::Result<Object> {
        Ok(Object { kind: text(r, 0)?, name: text(r, 1)?, table: text(r, 2)?, sql: r.get(3)? })
    }
}

impl TableKind {
    /// A row of `pragma_table_list`: name, kind (`table`, `view`, `virtual`, `shadow`), options.
    fn read(r: &Row<'_>) -> rusqlite::Result<(String, String, TableKind)> {
        Ok((text(r, 0)?, text(r, 1)?, TableKind { without_rowid: flag(r, 2)?, strict: flag(r, 3)? }))
    }
}

impl ColumnRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<(String, ColumnRow)> {
        let column = ColumnRow {
            name: text(r, 1)?,
            data_type: text(r, 2)?,
            not_null: flag(r, 3)?,
            default: r.get(4)?,
            pk: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
            hidden: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
        };
        Ok((text(r, 0)?, column))
    }
}

impl ForeignKeyRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<(String, ForeignKeyRow)> {
        let fk = ForeignKeyRow {
            id: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
            target: text(r, 2)?,
            from: text(r, 3)?,
            to: r.get(4)?,
            on_update: text(r, 5)?,
            on_delete: text(r, 6)?,
        };
        Ok((text(r, 0)?, fk))
    }
}

impl IndexRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<(String, IndexRow)> {
        let index = IndexRow { name: text(r, 1)?, unique: flag(r, 2)?, origin: text(r, 3)?, partial: flag(r, 4)? };
        Ok((text(r, 0)?, index))
    }
}

impl KeyRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<(String, KeyRow)> {
        let key = KeyRow {
            cid: r.get::<_, Option<i64>>(1)?.unwrap_or(-2),
            column: r.get(2)?,
            desc: flag(r, 3)?,
            collation: r.get(4)?,
        };
        Ok((text(r, 0)?, key))
    }
}

/// The relations of the main database sorted by kind: ordinary tables (with their options),
/// virtual tables and shadow tables. Views come from `sqlite_master`; any other kind is refused.
type Relations = (BTreeMap<String, TableKind>, Vec<String>, Vec<String>);

fn classify(list: Vec<(String, String, TableKind)>, options: &InspectOptions) -> Result<Relations, InspectError> {
    let (mut tables, mut virtual_tables, mut shadow) = (BTreeMap::new(), Vec::new(), Vec::new());
    for (name, kind, table_kind) in list.into_iter().filter(|(name, _, _)| !excluded(name, options)) {
        match kind.as_str() {
            "table" => {
                tables.insert(name, table_kind);
            }
            "virtual" => virtual_tables.push(name),
            "shadow" => shadow.push(name),
            "view" => {}
            other => {
                let what = format!("a table of kind {other}");
                return Err(InspectError::Unsupported { object: format!("table {name}"), what });
            }
        }
    }
    Ok((tables, virtual_tables, shadow))
}

/// Groups rows by table, keeping only the tables to inspect.
fn by_table<T>(rows: Vec<(String, T)>, tables: &BTreeMap<String, TableKind>) -> BTreeMap<String, Vec<T>> {
    grouped(rows.into_iter().filter(|(t, _)| tables.contains_key(t)).collect())
}

impl Catalog {
    fn read(conn: &Connection, options: &InspectOptions) -> Result<Catalog, InspectError> {
        let objects = query(conn, OBJECTS, Object::read)?;
        let (tables, virtual_tables, shadow) = classify(query(conn, TABLE_LIST, TableKind::read)?, options)?;
        refuse_shadow_indexes(&objects, &shadow)?;
        let objects: Vec<Object> = objects.into_iter().filter(|o| !excluded(&o.table, options)).collect();
        let sql = objects
            .iter()
            .filter_map(|o| o.sql.as_ref().map(|sql| ((o.kind.clone(), o.name.clone()), sql.clone())))
            .collect();
        Ok(Catalog {
            objects,
            sql,
            virtual_tables,
            columns: by_table(query(conn, COLUMNS, ColumnRow::read)?, &tables),
            foreign_keys: by_table(query(conn, FOREIGN_KEYS, ForeignKeyRow::read)?, &tables),
            indexes: by_table(query(conn, INDEXES, IndexRow::read)?, &tables),
            keys: grouped(query(conn, INDEX_KEYS, KeyRow::read)?),
            tables,
        })
    }

    /// The stored `CREATE` statement of an object.
    fn sql(&self, kind: &str, name: &str) -> Result<&str, InspectError> {
        self.sql
            .get(&(kind.to_string(), name.to_string()))
            .map(String::as_str)
            .ok_or_else(|| malformed(kind, name, "sqlite_master holds no SQL for it"))
    }

    /// The table a possibly differently-cased name refers to, and its columns.
    fn resolve(&self, name: &str) -> Option<(&String, &[ColumnRow])> {
        match self.columns.get_key_value(name) {
            Some((t, c)) => Some((t, c.as_slice())),
            None => self.columns.iter().find(|(t, _)| t.eq_ignore_ascii_case(name)).map(|(t, c)| (t, c.as_slice())),
        }
    }

    /// A table or view name as the object itself spells it (a trigger may spell it otherwise).
    fn spelled_relation(&self, name: &str) -> String {
        let relations = self.objects.iter().filter(|o| matches!(o.kind.as_str(), "table" | "view"));
        relations.map(|o| &o.name).find(|n| n.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string())
    }

    fn table(&self, name: &str, kind: &TableKind) -> Result<Table, InspectError> {
        let sql = self.sql("table", name)?;
        let parsed = text::create_table(sql).map_err(|m| malformed("table", name, &m))?;
        if let Some(what) = parsed.unsupported.first() {
            return Err(InspectError::Unsupported { object: format!("table {name}"), what: what.clone() });
        }
        let rows = self.columns.get(name).map(Vec::as_slice).unwrap_or_default();
        let columns = rows.iter().map(|r| column(name, r, &parsed)).collect::<Result<Vec<_>, _>>()?;
        let indexes = self.indexes.get(name).map(Vec::as_slice).unwrap_or_default();
        let mut table = Table {
            name: Name::new(None, name),
            primary_key: primary_key(rows, &parsed),
            uniques: self.uniques(name, indexes, &columns, &parsed)?,
            foreign_keys: self.foreign_keys(name, &parsed)?,
            checks: parsed.checks.clone(),
            without_rowid: kind.without_rowid,
            strict: kind.strict,
            ..Table::default()
        };
        self.check_primary_key_index(name, indexes, &columns)?;
        for ix in indexes.iter().filter(|ix| ix.origin == "c") {
            table.indexes.push(self.index(ix, &columns)?);
        }
        table.columns = columns;
        Ok(table)
    }

    /// The key columns of an index.
    fn keys(&self, index: &str) -> &[KeyRow] {
        self.keys.get(index).map(Vec::as_slice).unwrap_or_default()
    }

    /// UNIQUE constraints: the indexes SQLite made for them, named from the table's SQL.
    fn uniques(
        &self,
        table: &str,
        indexes: &[IndexRow],
        columns: &[Column],
        parsed: &text::TableText,
    ) -> Result<Vec<Unique>, InspectError> {
        let mut named: Vec<&(Option<String>, Vec<String>)> = parsed.uniques.iter().collect();
        let mut out = Vec::new();
        for ix in indexes.iter().filter(|ix| ix.origin == "u") {
            let keys = self.keys(&ix.name);
            plain_keys(table, "a UNIQUE constraint", keys, columns)?;
            let cols: Vec<String> = keys.iter().filter_map(|k| k.column.clone()).collect();
            let found = named.iter().position(|(_, c)| same_names(c, &cols));
            let name = found.and_then(|i| named.remove(i).0.clone());
            out.push(Unique { name, columns: cols, nulls_not_distinct: false, deferral: Deferral::Immediate });
        }
        Ok(out)
    }

    /// The index behind a PRIMARY KEY must not sort DESC or collate otherwise than its columns.
    fn check_primary_key_index(
        &self,
        table: &str,
        indexes: &[IndexRow],
        columns: &[Column],
    ) -> Result<(), InspectError> {
        for ix in indexes.iter().filter(|ix| ix.origin == "pk") {
            plain_keys(table, "the PRIMARY KEY", self.keys(&ix.name), columns)?;
        }
        Ok(())
    }

    fn foreign_keys(&self, table: &str, parsed: &text::TableText) -> Result<Vec<ForeignKey>, InspectError> {
        let rows = self.foreign_keys.get(table).map(Vec::as_slice).unwrap_or_default();
        let mut groups: BTreeMap<i64, Vec<&ForeignKeyRow>> = BTreeMap::new();
        for r in rows {
            groups.entry(r.id).or_default().push(r);
        }
        let mut declared: Vec<&text::ForeignKeyText> = parsed.foreign_keys.iter().collect();
        let mut out = Vec::new();
        // SQLite numbers foreign keys from the last declared one: walk them in declaration order.
        for group in groups.values().rev() {
            out.push(self.foreign_key(table, group, &mut declared)?);
        }
        Ok(out)
    }

    fn foreign_key(
        &self,
        table: &str,
        rows: &[&ForeignKeyRow],
        declared: &mut Vec<&text::ForeignKeyText>,
    ) -> Result<ForeignKey, InspectError> {
        let first = rows.first().ok_or_else(|| malformed("table", table, "a foreign key without columns"))?;
        let columns: Vec<String> = rows.iter().map(|r| r.from.clone()).collect();
        let target = self.resolve(&first.target);
        let ref_table = target.map_or_else(|| first.target.clone(), |(t, _)| t.clone());
        let target_columns = target.map(|(_, c)| c).unwrap_or_default();
        let ref_columns = match rows.iter().map(|r| r.to.clone()).collect::<Option<Vec<String>>>() {
            Some(to) => to.iter().map(|c| spelled(c, target_columns)).collect(),
            None => key_columns(target_columns),
        };
        let action = |words: &str| {
            Action::parse(words)
                .ok_or_else(|| malformed("table", table, &format!("unknown referential action {words}")))
        };
        let found = declared
            .iter()
            .position(|d| same_names(&d.columns, &columns) && d.table.eq_ignore_ascii_case(&first.target));
        let (name, deferral) =
            found.map(|i| declared.remove(i)).map_or((None, Deferral::Immediate), |d| (d.name.clone(), d.deferral));
        Ok(ForeignKey {
            name,
            columns,
            ref_table: Name::new(None, &ref_table),
            ref_columns,
            on_delete: action(&first.on_delete)?,
            on_update: action(&first.on_update)?,
            match_full: false,
            deferral,
            not_valid: false,
        })
    }

    /// An index made by `CREATE INDEX`: keys from the PRAGMA, expressions and predicate from its SQL.
    fn index(&self, ix: &IndexRow, columns: &[Column]) -> Result<Index, InspectError> {
        let sql = self.sql("index", &ix.name)?;
        let parsed = text::create_index(sql).map_err(|m| malformed("index", &ix.name, &m))?;
        let keys = self.keys(&ix.name);
        if keys.len() != parsed.keys.len() {
            let message = format!("{} keys in its SQL, {} in PRAGMA index_xinfo", parsed.keys.len(), keys.len());
            return Err(malformed("index", &ix.name, &message));
        }
        let predicate = match (ix.partial, parsed.predicate) {
            (true, None) => return Err(malformed("index", &ix.name, "a partial index without WHERE")),
            (partial, predicate) => predicate.filter(|_| partial),
        };
        Ok(Index {
            name: ix.name.clone(),
            unique: ix.unique,
            keys: keys.iter().zip(&parsed.keys).map(|(k, expr)| index_key(k, expr, columns)).collect(),
            method: String::new(),
            include: vec![],
            predicate,
            nulls_not_distinct: false,
            options: vec![],
            comment: None,
            invisible: false,
        })
    }

    fn virtual_tables(&self) -> Result<Vec<VirtualTable>, InspectError> {
        self.virtual_tables
            .iter()
            .map(|name| {
                let sql = self.sql("table", name)?;
                let module = text::virtual_module(sql).ok_or_else(|| malformed("table", name, "no USING module"))?;
                Ok(VirtualTable { name: Name::new(None, name), module, definition: sql.trim().to_string() })
            })
            .collect()
    }

    fn views(&self) -> Result<Vec<View>, InspectError> {
        let mut parsed = Vec::new();
        for o in self.objects.iter().filter(|o| o.kind == "view") {
            let sql = self.sql("view", &o.name)?;
            parsed.push((o, text::create_view(sql).map_err(|m| malformed("view", &o.name, &m))?));
        }
        let names: Vec<&String> = parsed.iter().map(|(o, _)| &o.name).collect();
        Ok(parsed
            .iter()
            .map(|(o, v)| View {
                name: Name::new(None, &o.name),
                query: v.query.clone(),
                materialized: false,
                columns: v.columns.clone(),
                options: vec![],
                indexes: vec![],
                cluster_on: None,
                comment: None,
                depends_on: view_dependencies(&o.name, &v.words, &names),
            })
            .collect())
    }

    fn triggers(&self) -> Result<Vec<Trigger>, InspectError> {
        self.objects
            .iter()
            .filter(|o| o.kind == "trigger")
            .map(|o| {
                let sql = self.sql("trigger", &o.name)?;
                Ok(Trigger {
                    name: o.name.clone(),
                    table: Name::new(None, &self.spelled_relation(&o.table)),
                    definition: sql.trim().to_string(),
                    comment: None,
                })
            })
            .collect()
    }
}

fn malformed(kind: &str, name: &str, message: &str) -> InspectError {
    InspectError::Malformed { object: format!("{kind} {name}"), message: message.to_string() }
}

/// Shadow tables are left to their virtual table's module, so an index someone made on one would
/// be lost: refuse it instead.
fn refuse_shadow_indexes(objects: &[Object], shadow: &[String]) -> Result<(), InspectError> {
    match objects.iter().find(|o| o.kind == "index" && o.sql.is_some() && shadow.contains(&o.table)) {
        Some(o) => Err(InspectError::Unsupported {
            object: format!("index {}", o.name),
            what: format!("an index on {}, a shadow table of a virtual table", o.table),
        }),
        None => Ok(()),
    }
}

/// Case-insensitive equality of two name lists (SQLite names are case-insensitive).
fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// A column name as its table spells it.
fn spelled(name: &str, columns: &[ColumnRow]) -> String {
    columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)).map_or_else(|| name.to_string(), |c| c.name.clone())
}

/// A table's primary-key columns in key order.
fn key_columns(columns: &[ColumnRow]) -> Vec<String> {
    let mut key: Vec<&ColumnRow> = columns.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    key.iter().map(|c| c.name.clone()).collect()
}

fn primary_key(rows: &[ColumnRow], parsed: &text::TableText) -> Option<PrimaryKey> {
    let columns = key_columns(rows);
    (!columns.is_empty()).then(|| PrimaryKey {
        name: parsed.primary_key_name.clone(),
        columns,
        autoincrement: parsed.autoincrement,
    })
}

fn column(table: &str, row: &ColumnRow, parsed: &text::TableText) -> Result<Column, InspectError> {
    let declared = parsed.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&row.name));
    let generated = match GENERATED_KINDS.iter().find(|(hidden, _)| *hidden == row.hidden) {
        Some((_, stored)) => {
            let expr = declared.and_then(|c| c.generated.clone()).ok_or_else(|| {
                malformed("table", table, &format!("no expression found for generated column {}", row.name))
            })?;
            Some(Generated { expr, stored: *stored })
        }
        None if row.hidden == 0 => None,
        None => return Err(malformed("table", table, &format!("column {} is hidden ({})", row.name, row.hidden))),
    };
    Ok(Column {
        name: row.name.clone(),
        data_type: row.data_type.clone(),
        nullable: !row.not_null,
        default: row.default.clone(),
        identity: None,
        generated,
        collation: declared.and_then(|c| c.collation.clone()),
        comment: None,
        ..Column::default()
    })
}

/// The collation a column's values compare with when an index names no other.
fn column_collation<'a>(columns: &'a [Column], name: &str) -> &'a str {
    columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .and_then(|c| c.collation.as_deref())
        .unwrap_or(DEFAULT_COLLATION)
}

/// The key's collation when it differs from the one its column has anyway.
fn extra_collation<'a>(key: &'a KeyRow, columns: &[Column]) -> Option<&'a str> {
    let coll = key.collation.as_deref().unwrap_or(DEFAULT_COLLATION);
    let column = key.column.as_deref().map_or(DEFAULT_COLLATION, |c| column_collation(columns, c));
    (!coll.eq_ignore_ascii_case(column)).then_some(coll)
}

/// Checks that the index behind a constraint only lists columns, ascending, in their own collation:
/// the model's constraints have nowhere to keep anything else.
fn plain_keys(table: &str, what: &str, keys: &[KeyRow], columns: &[Column]) -> Result<(), InspectError> {
    for k in keys {
        let column = k.column.as_deref().unwrap_or("an expression");
        let problem = match (k.desc, extra_collation(k, columns)) {
            (true, _) => Some("DESC".to_string()),
            (false, Some(coll)) => Some(format!("COLLATE {coll}")),
            (false, None) => None,
        };
        if let Some(problem) = problem {
            return Err(InspectError::Unsupported {
                object: format!("table {table}"),
                what: format!("{problem} on column {column} in {what}"),
            });
        }
    }
    Ok(())
}

/// One index key as SQL: a column (quoted, with a collation that differs from the column's) or the
/// expression from the index's SQL; then DESC.
fn index_key(key: &KeyRow, expr: &str, columns: &[Column]) -> String {
    let mut out = match (key.cid >= 0, &key.column) {
        (true, Some(name)) => {
            let coll = extra_collation(key, columns).map(|c| format!(" COLLATE {}", quote_ident(c)));
            format!("{}{}", quote_ident(name), coll.unwrap_or_default())
        }
        _ => expr.to_string(),
    };
    if key.desc {
        out.push_str(" DESC");
    }
    out
}

/// The other views a view's query names, so views can be created in order.
fn view_dependencies(view: &str, words: &[String], views: &[&String]) -> Vec<Name> {
    let mut deps: Vec<Name> = views
        .iter()
        .filter(|v| !v.eq_ignore_ascii_case(view) && words.iter().any(|w| w.eq_ignore_ascii_case(v)))
        .map(|v| Name::new(None, v))
        .collect();
    deps.sort();
    deps
}

/// Reading what the PRAGMAs lack from the stored `CREATE` statements. SQLite accepts more than any
/// general SQL parser (type names like `BLOB SUB_TYPE TEXT`, constraints without commas), so the
/// statements are tokenized by sqlparser and walked here by SQLite's own grammar; expressions
/// inside them go to sqlparser's expression parser, which prints them canonically.
mod text {
    use retort_schema::{Check, Deferral};
    use sqlparser::dialect::SQLiteDialect;
    use sqlparser::parser::Parser;
    use sqlparser::tokenizer::{Location, Token, Tokenizer};

    /// A token and its byte range in the statement.
    #[derive(Debug, Clone)]
    struct Tok {
        token: Token,
        start: usize,
        end: usize,
    }

    /// Keywords that start a column constraint, ending the column's type name.
    const COLUMN_CONSTRAINTS: [&str; 11] = [
        "CONSTRAINT",
        "PRIMARY",
        "NOT",
        "NULL",
        "UNIQUE",
        "CHECK",
        "DEFAULT",
        "COLLATE",
        "REFERENCES",
        "GENERATED",
        "AS",
    ];

    /// Keywords that start a table constraint.
    const TABLE_CONSTRAINTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

    /// What a column definition says beyond PRAGMA table_xinfo.
    #[derive(Debug, Default)]
    pub(super) struct ColumnText {
        pub name: String,
        pub collation: Option<String>,
        pub generated: Option<String>,
    }

    /// A declared foreign key, for its name and deferral.
    #[derive(Debug)]
    pub(super) struct ForeignKeyText {
        pub name: Option<String>,
        pub columns: Vec<String>,
        pub table: String,
        pub deferral: Deferral,
    }

    /// What a `CREATE TABLE` says beyond the PRAGMAs.
    #[derive(Debug, Default)]
    pub(super) struct TableText {
        pub columns: Vec<ColumnText>,
        pub primary_key_name: Option<String>,
        pub autoincrement: bool,
        pub uniques: Vec<(Option<String>, Vec<String>)>,
        pub checks: Vec<Check>,
        pub foreign_keys: Vec<ForeignKeyText>,
        /// Clauses the model cannot hold, described.
        pub unsupported: Vec<String>,
    }

    /// What a `CREATE INDEX` says beyond the PRAGMAs: each key's expression text, and the predicate.
    #[derive(Debug)]
    pub(super) struct IndexText {
        pub keys: Vec<String>,
        pub predicate: Option<String>,
    }

    /// A `CREATE VIEW`'s column list and query, and the names its query uses.
    #[derive(Debug)]
    pub(super) struct ViewText {
        pub columns: Vec<String>,
        pub query: String,
        pub words: Vec<String>,
    }

    /// The byte offset of a tokenizer location (1-based line and character column).
    fn offset(sql: &str, line_starts: &[usize], at: Location) -> Result<usize, String> {
        let line = usize::try_from(at.line).ok().and_then(|l| l.checked_sub(1));
        let start = line.and_then(|l| line_starts.get(l)).ok_or_else(|| format!("no line {}", at.line))?;
        let column = usize::try_from(at.column).map_err(|e| e.to_string())?.saturating_sub(1);
        Ok(sql[*start..].char_indices().nth(column).map_or(sql.len(), |(i, _)| start + i))
    }

    fn tokenize(sql: &str) -> Result<Vec<Tok>, String> {
        let tokens = Tokenizer::new(&SQLiteDialect {}, sql).tokenize_with_location().map_err(|e| e.to_string())?;
        let line_starts: Vec<usize> = std::iter::once(0).chain(sql.match_indices('\n').map(|(i, _)| i + 1)).collect();
        tokens
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .map(|t| {
                let start = offset(sql, &line_starts, t.span.start)?;
                let end = offset(sql, &line_starts, t.span.end)?;
                Ok(Tok { token: t.token, start, end })
            })
            .collect()
    }

    /// The text from the first to the last token, as written.
    fn written(sql: &str, toks: &[Tok]) -> String {
        match (toks.first(), toks.last()) {
            (Some(a), Some(b)) => sql.get(a.start..b.end).unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }

    /// Whether sqlparser reads the token otherwise than SQLite: it takes the hexadecimal integer
    /// `0x1F` for the blob `X'1F'`.
    fn misread(sql: &str, t: &Tok) -> bool {
        sql.get(t.start..t.start + 2).is_some_and(|p| p.eq_ignore_ascii_case("0x"))
    }

    /// An expression's canonical text: as sqlparser prints it, or as written when sqlparser cannot
    /// read all of it (or would misread a token).
    fn expression(sql: &str, toks: &[Tok]) -> String {
        if toks.iter().any(|t| misread(sql, t)) {
            return written(sql, toks);
        }
        let tokens: Vec<Token> = toks.iter().map(|t| t.token.clone()).collect();
        let dialect = SQLiteDialect {};
        let mut parser = Parser::new(&dialect).with_tokens(tokens);
        match parser.parse_expr() {
            Ok(expr) if parser.peek_token().token == Token::EOF => expr.to_string(),
            _ => written(sql, toks),
        }
    }

    fn is_keyword(t: &Tok, keyword: &str) -> bool {
        matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(keyword))
    }

    /// A name token's value: an identifier (quotes removed) or a string literal used as one.
    fn name_of(t: &Tok) -> Option<String> {
        match &t.token {
            Token::Word(w) => Some(w.value.clone()),
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Splits tokens at the commas outside parentheses.
    fn split_commas(toks: &[Tok]) -> Vec<&[Tok]> {
        let mut parts = Vec::new();
        let (mut depth, mut from) = (0usize, 0usize);
        for (i, t) in toks.iter().enumerate() {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Comma if depth == 0 => {
                    parts.push(&toks[from..i]);
                    from = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&toks[from..]);
        parts
    }

    /// A walk through a token list.
    struct Cursor<'a> {
        sql: &'a str,
        toks: &'a [Tok],
        pos: usize,
    }

    impl<'a> Cursor<'a> {
        fn new(sql: &'a str, toks: &'a [Tok]) -> Self {
            Cursor { sql, toks, pos: 0 }
        }

        fn done(&self) -> bool {
            self.pos >= self.toks.len()
        }

        fn peek(&self) -> Option<&'a Tok> {
            self.toks.get(self.pos)
        }

        fn next(&mut self) -> Option<&'a Tok> {
            let t = self.toks.get(self.pos);
            self.pos += 1;
            t
        }

        fn at(&self, keyword: &str) -> bool {
            self.peek().is_some_and(|t| is_keyword(t, keyword))
        }

        fn at_any(&self, keywords: &[&str]) -> bool {
            keywords.iter().any(|k| self.at(k))
        }

        fn eat(&mut self, keyword: &str) -> bool {
            let found = self.at(keyword);
            self.pos += usize::from(found);
            found
        }

        /// Takes a sequence of keywords, all or none.
        fn eat_all(&mut self, keywords: &[&str]) -> bool {
            let found =
                keywords.iter().enumerate().all(|(i, k)| self.toks.get(self.pos + i).is_some_and(|t| is_keyword(t, k)));
            if found {
                self.pos += keywords.len();
            }
            found
        }

        fn expect(&mut self, keyword: &str) -> Result<(), String> {
            if self.eat(keyword) { Ok(()) } else { Err(format!("expected {keyword} {}", self.here())) }
        }

        fn here(&self) -> String {
            match self.peek() {
                Some(t) => format!("at `{}` (byte {})", t.token, t.start),
                None => "at the end".to_string(),
            }
        }

        fn name(&mut self) -> Result<String, String> {
            let found = self.peek().and_then(name_of).ok_or_else(|| format!("expected a name {}", self.here()))?;
            self.pos += 1;
            Ok(found)
        }

        /// A possibly schema-qualified name; the schema is dropped.
        fn qualified_name(&mut self) -> Result<String, String> {
            let mut found = self.name()?;
            if self.peek().is_some_and(|t| t.token == Token::Period) {
                self.pos += 1;
                found = self.name()?;
            }
            Ok(found)
        }

        fn at_group(&self) -> bool {
            self.peek().is_some_and(|t| t.token == Token::LParen)
        }

        /// The tokens between a `(` here and its `)`.
        fn group(&mut self) -> Result<&'a [Tok], String> {
            if !self.at_group() {
                return Err(format!("expected ( {}", self.here()));
            }
            let open = self.pos;
            let mut depth = 0usize;
            while let Some(t) = self.next() {
                match t.token {
                    Token::LParen => depth += 1,
                    Token::RParen => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(&self.toks[open + 1..self.pos - 1]);
                        }
                    }
                    _ => {}
                }
            }
            Err("unbalanced parentheses".to_string())
        }

        /// The leading names of a parenthesized, comma-separated list (`(a COLLATE x, b DESC)`).
        fn name_list(&mut self) -> Result<Vec<String>, String> {
            let inner = self.group()?;
            split_commas(inner)
                .iter()
                .map(|item| item.first().and_then(name_of).ok_or_else(|| "expected a column name".to_string()))
                .collect()
        }

        fn expression(&mut self) -> Result<String, String> {
            let inner = self.group()?;
            Ok(expression(self.sql, inner))
        }

        /// `[CONSTRAINT name]`.
        fn constraint_name(&mut self) -> Result<Option<String>, String> {
            if self.eat("CONSTRAINT") { self.name().map(Some) } else { Ok(None) }
        }

        /// `ON CONFLICT algorithm`, which the model cannot hold.
        fn conflict_clause(&mut self, what: &str, out: &mut TableText) -> Result<(), String> {
            if self.eat_all(&["ON", "CONFLICT"]) {
                let algorithm = self.name()?;
                out.unsupported.push(format!("ON CONFLICT {} on {what}", algorithm.to_ascii_uppercase()));
            }
            Ok(())
        }
    }

    /// Parses a `CREATE TABLE` as SQLite stores it.
    pub(super) fn create_table(sql: &str) -> Result<TableText, String> {
        let toks = tokenize(sql)?;
        let open = toks.iter().position(|t| t.token == Token::LParen).ok_or("no column list")?;
        let mut cursor = Cursor::new(sql, &toks[open..]);
        let body = cursor.group()?;
        let mut out = TableText::default();
        for item in split_commas(body) {
            if item.first().is_some_and(|t| TABLE_CONSTRAINTS.iter().any(|k| is_keyword(t, k))) {
                table_constraints(&mut Cursor::new(sql, item), &mut out)?;
            } else {
                column_definition(&mut Cursor::new(sql, item), &mut out)?;
            }
        }
        Ok(out)
    }

    fn column_definition(c: &mut Cursor<'_>, out: &mut TableText) -> Result<(), String> {
        let mut column = ColumnText { name: c.name()?, ..ColumnText::default() };
        // The type name: words and one parenthesized size, up to the first constraint.
        while !c.done() && !c.at_any(&COLUMN_CONSTRAINTS) {
            if c.at_group() {
                c.group()?;
            } else {
                c.next();
            }
        }
        while !c.done() {
            column_constraint(c, &mut column, out).map_err(|e| format!("column {}: {e}", column.name))?;
        }
        out.columns.push(column);
        Ok(())
    }

    fn column_constraint(c: &mut Cursor<'_>, column: &mut ColumnText, out: &mut TableText) -> Result<(), String> {
        let name = c.constraint_name()?;
        if c.eat_all(&["PRIMARY", "KEY"]) {
            out.primary_key_name = name;
            let _ = c.eat("ASC") || c.eat("DESC");
            c.conflict_clause("the PRIMARY KEY", out)?;
            out.autoincrement |= c.eat("AUTOINCREMENT");
        } else if c.eat_all(&["NOT", "NULL"]) || c.eat("NULL") {
            c.conflict_clause(&format!("NOT NULL of column {}", column.name), out)?;
        } else if c.eat("UNIQUE") {
            c.conflict_clause(&format!("UNIQUE of column {}", column.name), out)?;
            out.uniques.push((name, vec![column.name.clone()]));
        } else if c.eat("CHECK") {
            out.checks.push(check(name, c.expression()?));
        } else if c.eat("DEFAULT") {
            skip_default(c)?;
        } else if c.eat("COLLATE") {
            column.collation = Some(c.name()?);
        } else if c.at("REFERENCES") {
            let fk = references(c, name, vec![column.name.clone()])?;
            out.foreign_keys.push(fk);
        } else if c.eat_all(&["GENERATED", "ALWAYS", "AS"]) || c.eat("AS") {
            column.generated = Some(c.expression()?);
            let _ = c.eat("STORED") || c.eat("VIRTUAL");
        } else {
            return Err(format!("unexpected {}", c.here()));
        }
        Ok(())
    }

    fn check(name: Option<String>, expr: String) -> Check {
        Check { name, expr, no_inherit: false, not_valid: false }
    }

    /// `DEFAULT` takes a parenthesized expression, a signed number, or one literal or name; PRAGMA
    /// table_xinfo reports it.
    fn skip_default(c: &mut Cursor<'_>) -> Result<(), String> {
        if c.at_group() {
            c.group()?;
            return Ok(());
        }
        if c.peek().is_some_and(|t| matches!(t.token, Token::Minus | Token::Plus)) {
            c.next();
        }
        c.next().map(|_| ()).ok_or_else(|| "DEFAULT without a value".to_string())
    }

    /// `REFERENCES table [(columns)] [ON DELETE|UPDATE action | MATCH name]* [[NOT] DEFERRABLE [INITIALLY x]]`.
    fn references(c: &mut Cursor<'_>, name: Option<String>, columns: Vec<String>) -> Result<ForeignKeyText, String> {
        c.expect("REFERENCES")?;
        let table = c.name()?;
        if c.at_group() {
            c.group()?;
        }
        let mut deferral = Deferral::Immediate;
        loop {
            if c.eat("ON") {
                // The actions come from PRAGMA foreign_key_list.
                let _ = c.eat("DELETE") || c.eat("UPDATE");
                let _ = c.eat_all(&["SET", "NULL"])
                    || c.eat_all(&["SET", "DEFAULT"])
                    || c.eat_all(&["NO", "ACTION"])
                    || c.eat("CASCADE")
                    || c.eat("RESTRICT");
            } else if c.eat("MATCH") {
                c.name()?;
            } else if c.eat_all(&["NOT", "DEFERRABLE"]) {
                initially(c);
                deferral = Deferral::Immediate;
            } else if c.eat("DEFERRABLE") {
                deferral = if initially(c) == Some(true) { Deferral::Deferred } else { Deferral::Deferrable };
            } else {
                break;
            }
        }
        Ok(ForeignKeyText { name, columns, table, deferral })
    }

    /// `INITIALLY DEFERRED` (true) or `INITIALLY IMMEDIATE` (false).
    fn initially(c: &mut Cursor<'_>) -> Option<bool> {
        if !c.eat("INITIALLY") {
            return None;
        }
        let deferred = c.eat("DEFERRED");
        if !deferred {
            c.eat("IMMEDIATE");
        }
        Some(deferred)
    }

    /// One or more table constraints (SQLite does not require commas between them).
    fn table_constraints(c: &mut Cursor<'_>, out: &mut TableText) -> Result<(), String> {
        while !c.done() {
            let name = c.constraint_name()?;
            if c.eat_all(&["PRIMARY", "KEY"]) {
                out.primary_key_name = name;
                // `PRIMARY KEY (id AUTOINCREMENT)`: at table level the keyword sits inside.
                let key = c.group()?;
                out.autoincrement |= key.last().is_some_and(|t| is_keyword(t, "AUTOINCREMENT"));
                c.conflict_clause("the PRIMARY KEY", out)?;
            } else if c.eat("UNIQUE") {
                let columns = c.name_list()?;
                c.conflict_clause(&format!("UNIQUE ({})", columns.join(", ")), out)?;
                out.uniques.push((name, columns));
            } else if c.eat("CHECK") {
                out.checks.push(check(name, c.expression()?));
            } else if c.eat_all(&["FOREIGN", "KEY"]) {
                let columns = c.name_list()?;
                let fk = references(c, name, columns)?;
                out.foreign_keys.push(fk);
            } else {
                return Err(format!("unexpected {}", c.here()));
            }
        }
        Ok(())
    }

    /// Parses a `CREATE INDEX`: the keys without ASC/DESC (PRAGMA index_xinfo has the order), and
    /// the WHERE predicate.
    pub(super) fn create_index(sql: &str) -> Result<IndexText, String> {
        let toks = tokenize(sql)?;
        let open = toks.iter().position(|t| t.token == Token::LParen).ok_or("no key list")?;
        let mut c = Cursor::new(sql, &toks[open..]);
        let keys = split_commas(c.group()?)
            .into_iter()
            .map(|item| {
                let end = item.len()
                    - usize::from(item.last().is_some_and(|t| is_keyword(t, "ASC") || is_keyword(t, "DESC")));
                expression(sql, &item[..end])
            })
            .collect();
        let predicate = if c.eat("WHERE") { Some(expression(sql, &c.toks[c.pos..])) } else { None };
        Ok(IndexText { keys, predicate })
    }

    /// Parses a `CREATE VIEW name [(columns)] AS query`, keeping the query as written.
    pub(super) fn create_view(sql: &str) -> Result<ViewText, String> {
        let toks = tokenize(sql)?;
        let mut c = Cursor::new(sql, &toks);
        c.expect("CREATE")?;
        let _ = c.eat("TEMP") || c.eat("TEMPORARY");
        c.expect("VIEW")?;
        c.eat_all(&["IF", "NOT", "EXISTS"]);
        c.qualified_name()?;
        let columns = if c.at_group() { c.name_list()? } else { vec![] };
        let as_end = c
            .peek()
            .filter(|t| is_keyword(t, "AS"))
            .map(|t| t.end)
            .ok_or_else(|| format!("expected AS {}", c.here()))?;
        c.next();
        let words = c.toks[c.pos..].iter().filter_map(|t| match &t.token {
            Token::Word(w) => Some(w.value.clone()),
            _ => None,
        });
        Ok(ViewText { columns, query: sql[as_end..].trim().to_string(), words: words.collect() })
    }

    /// The module of a `CREATE VIRTUAL TABLE ... USING module(...)`.
    pub(super) fn virtual_module(sql: &str) -> Option<String> {
        let toks = tokenize(sql).ok()?;
        let using = toks.iter().position(|t| is_keyword(t, "USING"))?;
        toks.get(using + 1).and_then(name_of)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn token_offsets_are_bytes() {
            let sql = "CREATE TABLE \"é\" (\n  a TEXT, -- ünïcode\n  b INT)";
            let toks = tokenize(sql).unwrap_or_else(|e| panic!("{e}"));
            for t in &toks {
                assert_eq!(&sql[t.start..t.end], t.token.to_string(), "{t:?}");
            }
        }

        #[test]
        fn tables_yield_what_pragmas_lack() {
            let sql = "CREATE TABLE t (
                id INTEGER CONSTRAINT pk PRIMARY KEY AUTOINCREMENT,
                [name]TEXT COLLATE NOCASE CHECK(length(name)>0),
                kind BLOB SUB_TYPE TEXT DEFAULT NULL UNIQUE,
                twice INT GENERATED ALWAYS AS (id*2) STORED,
                parent REFERENCES t ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
                CONSTRAINT uq UNIQUE (name, kind) CHECK (id <> 0)
                CONSTRAINT fk FOREIGN KEY (parent, kind) REFERENCES other (a, b) NOT DEFERRABLE
            )";
            let table_level = create_table("CREATE TABLE u (id INTEGER, PRIMARY KEY (id AUTOINCREMENT))");
            assert!(table_level.unwrap_or_else(|e| panic!("{e}")).autoincrement);
            let t = create_table(sql).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(t.primary_key_name.as_deref(), Some("pk"));
            assert!(t.autoincrement);
            assert_eq!(t.columns[1].collation.as_deref(), Some("NOCASE"));
            assert_eq!(t.columns[3].generated.as_deref(), Some("id * 2"));
            let checks: Vec<&str> = t.checks.iter().map(|c| c.expr.as_str()).collect();
            assert_eq!(checks, ["length(name) > 0", "id <> 0"]);
            assert_eq!(
                t.uniques,
                vec![(None, vec!["kind".to_string()]), (Some("uq".into()), vec!["name".into(), "kind".into()])]
            );
            assert_eq!(t.foreign_keys.len(), 2);
            assert_eq!(t.foreign_keys[0].deferral, Deferral::Deferred);
            assert_eq!(
                (t.foreign_keys[1].name.as_deref(), t.foreign_keys[1].deferral),
                (Some("fk"), Deferral::Immediate)
            );
            assert!(t.unsupported.is_empty());
        }

        #[test]
        fn expressions_are_canonical_unless_sqlparser_would_misread_them() {
            let checks = |sql: &str| -> Vec<String> {
                let t = create_table(sql).unwrap_or_else(|e| panic!("{e}"));
                t.checks.into_iter().map(|c| c.expr).collect()
            };
            let sql = "CREATE TABLE t (a, b, CHECK(a==1 AND b NOTNULL), CHECK (a  =  0x1F), CHECK (b = x'1f'))";
            assert_eq!(checks(sql), ["a = 1 AND b IS NOT NULL", "a  =  0x1F", "b = X'1f'"]);
        }

        #[test]
        fn conflict_clauses_are_reported() {
            let t = create_table("CREATE TABLE t (a UNIQUE ON CONFLICT REPLACE, b)").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(t.unsupported, ["ON CONFLICT REPLACE on UNIQUE of column a"]);
        }

        #[test]
        fn indexes_and_views() {
            let ix =
                create_index("CREATE INDEX i ON t (lower(a) DESC, b COLLATE nocase, c) WHERE a IS NOT NULL AND b>1")
                    .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(ix.keys, ["lower(a)", "b COLLATE nocase", "c"]);
            assert_eq!(ix.predicate.as_deref(), Some("a IS NOT NULL AND b > 1"));
            let v = create_view("CREATE VIEW \"v x\" (p, [q]) AS\n  SELECT a, b FROM t -- note\n")
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(v.columns, ["p", "q"]);
            assert_eq!(v.query, "SELECT a, b FROM t -- note");
            assert_eq!(virtual_module("CREATE VIRTUAL TABLE s USING fts5(a, b)").as_deref(), Some("fts5"));
        }
    }
}
