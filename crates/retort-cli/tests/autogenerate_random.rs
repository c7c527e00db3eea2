//! Property tests of autogenerate on random schema pairs (A, B), on SQLite, PostgreSQL and MariaDB.
//!
//! A seeded generator builds a schema A in a dialect-neutral subset (INTEGER, BIGINT, TEXT,
//! VARCHAR(n), BOOLEAN and NUMERIC(p,s) columns, NOT NULL, DEFAULT literals, primary keys, named
//! UNIQUE and CHECK constraints, foreign keys with ON DELETE actions, plain, unique and partial
//! and expression indexes, views over one table) and derives B from A by a random sequence of
//! edits (tables, columns, table and column renames with a `-- retort: renamed from` hint, including
//! swapped names and names taken over from a dropped column or table, nullability, defaults,
//! widening, constraints, indexes, foreign keys and their ON DELETE, views). Each case applies A with
//! two rows per table, lets
//! `retort revision --autogenerate` write the migration toward B, upgrades (the database equals B
//! and `check` is clean), downgrades (it equals A again), and requires the rows of the columns that
//! A and B both keep to survive both directions.
//!
//! The generator simulates the rows under A, under B after the upgrade and under A after the
//! downgrade, and rejects edits that no migration could apply to those rows (a NOT NULL column
//! added without a default, a unique constraint over a column that a default fills, a dropped
//! column that cannot come back under its old NOT NULL, ...), so every failure is the tool's.
//!
//! Knobs (environment): `RETORT_PROP_CASES` the number of cases (default 20), `RETORT_PROP_BASE`
//! the first seed, `RETORT_PROP_SEED` one seed only, `RETORT_PROP_SKIP` edit kinds to leave out
//! (comma-separated names from `EDITS`), `RETORT_PROP_VERBOSE` prints every case,
//! `RETORT_PROP_DRY` generates (and prints) without running. A failing case prints its seed, the
//! edits, both schemas, the rows and the error; the test fails after all cases ran, listing seeds.

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use common::{Kind, Project};

/// The first seed; case `i` uses `BASE_SEED + i`.
const BASE_SEED: u64 = 0x7e70_27a5_0000;

/// Cases per dialect unless `RETORT_PROP_CASES` says otherwise.
const DEFAULT_CASES: u64 = 20;

/// Rows inserted into every table of A.
const ROWS: usize = 2;

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG (SplitMix64), so the cases are the same on every machine and run.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len())) }
    }

    /// A non-empty random subset of `items` (at most `max`), in their original order.
    fn subset(&mut self, items: &[String], max: usize) -> Vec<String> {
        if items.is_empty() {
            return Vec::new();
        }
        let n = 1 + self.below(max.min(items.len()));
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < n {
            let i = self.below(items.len());
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        chosen.into_iter().map(|i| items[i].clone()).collect()
    }
}

/// Fresh identifiers: never reused, so a dropped object's name never comes back with another meaning.
struct Ids(u32);

impl Ids {
    fn fresh(&mut self, prefix: &str) -> String {
        self.0 += 1;
        format!("{prefix}{}", self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// The schema model the generator edits.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Integer,
    Bigint,
    Text,
    Varchar(u32),
    Boolean,
    Numeric(u32, u32),
}

/// What values a type holds, for constraints and foreign keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Int,
    Num,
    Str,
    Bool,
}

impl Ty {
    fn sql(self) -> String {
        match self {
            Ty::Integer => "INTEGER".into(),
            Ty::Bigint => "BIGINT".into(),
            Ty::Text => "TEXT".into(),
            Ty::Varchar(n) => format!("VARCHAR({n})"),
            Ty::Boolean => "BOOLEAN".into(),
            Ty::Numeric(p, s) => format!("NUMERIC({p},{s})"),
        }
    }

    fn class(self) -> Class {
        match self {
            Ty::Integer | Ty::Bigint => Class::Int,
            Ty::Numeric(..) => Class::Num,
            Ty::Text | Ty::Varchar(_) => Class::Str,
            Ty::Boolean => Class::Bool,
        }
    }

    fn random(rng: &mut Rng) -> Ty {
        match rng.below(7) {
            0 | 1 => Ty::Integer,
            2 => Ty::Bigint,
            3 => Ty::Text,
            4 => Ty::Varchar(rng.range(4, 40)),
            5 => Ty::Boolean,
            _ => {
                let s = rng.range(0, 2);
                Ty::Numeric(s + rng.range(3, 8), s)
            }
        }
    }
}

/// A value in a simulated row, or a default literal.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Num(f64),
    Text(String),
    Bool(bool),
}

impl Val {
    fn sql(&self) -> String {
        match self {
            Val::Null => "NULL".into(),
            Val::Num(v) => format!("{v}"),
            Val::Text(s) => format!("'{s}'"),
            Val::Bool(true) => "TRUE".into(),
            Val::Bool(false) => "FALSE".into(),
        }
    }

    /// A random default literal for a column of type `ty`.
    fn random_default(rng: &mut Rng, ty: Ty) -> Val {
        match ty {
            Ty::Integer | Ty::Bigint => Val::Num(*rng.pick(&[0.0, 1.0, 2.0, 7.0, -1.0]).unwrap_or(&1.0)),
            Ty::Numeric(_, s) if s > 0 && rng.chance(40) => Val::Num(1.5),
            Ty::Numeric(..) => Val::Num(*rng.pick(&[0.0, 1.0, -1.0]).unwrap_or(&1.0)),
            Ty::Text | Ty::Varchar(_) => Val::Text((*rng.pick(&["", "a", "abc", "v1", "x--y"]).unwrap_or(&"a")).into()),
            Ty::Boolean => Val::Bool(rng.chance(50)),
        }
    }
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    ty: Ty,
    not_null: bool,
    default: Option<Val>,
    /// The column's name in A, when it comes from A (B only: renames keep it).
    origin: Option<String>,
    /// Which values A's rows hold in it: `r + 1 + 10 * data` (0 for keys and foreign keys).
    data: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CheckKind {
    Positive,
    Range,
    NonEmpty,
}

#[derive(Debug, Clone)]
struct Check {
    name: String,
    col: String,
    kind: CheckKind,
}

impl Check {
    fn sql(&self) -> String {
        let c = &self.col;
        match self.kind {
            CheckKind::Positive => format!("{c} > 0"),
            CheckKind::Range => format!("{c} >= 0 AND {c} < 1000"),
            CheckKind::NonEmpty => format!("length({c}) > 0"),
        }
    }

    /// SQL semantics: NULL passes.
    fn holds(&self, v: &Val) -> bool {
        match (self.kind, v) {
            (_, Val::Null) => true,
            (CheckKind::Positive, Val::Num(x)) => *x > 0.0,
            (CheckKind::Range, Val::Num(x)) => *x >= 0.0 && *x < 1000.0,
            (CheckKind::NonEmpty, Val::Text(s)) => !s.is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnDelete {
    Omitted,
    NoAction,
    Cascade,
    SetNull,
    Restrict,
    SetDefault,
}

const ACTIONS: [OnDelete; 6] = [
    OnDelete::Omitted,
    OnDelete::NoAction,
    OnDelete::Cascade,
    OnDelete::SetNull,
    OnDelete::Restrict,
    OnDelete::SetDefault,
];

impl OnDelete {
    fn sql(self) -> &'static str {
        match self {
            OnDelete::Omitted => "",
            OnDelete::NoAction => " ON DELETE NO ACTION",
            OnDelete::Cascade => " ON DELETE CASCADE",
            OnDelete::SetNull => " ON DELETE SET NULL",
            OnDelete::Restrict => " ON DELETE RESTRICT",
            OnDelete::SetDefault => " ON DELETE SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone)]
struct Fk {
    name: String,
    col: String,
    parent: String,
    parent_col: String,
    on_delete: OnDelete,
}

#[derive(Debug, Clone)]
struct Unique {
    name: String,
    cols: Vec<String>,
}

/// A table; its first column is its primary key.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    cols: Vec<Column>,
    uniques: Vec<Unique>,
    checks: Vec<Check>,
    fks: Vec<Fk>,
    /// The table's name in A, when it comes from A (B only: renames keep it).
    origin: Option<String>,
}

impl Table {
    fn col(&self, name: &str) -> usize {
        self.cols
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("generator bug: no column {name} in {}", self.name))
    }

    fn col_names(&self) -> Vec<String> {
        self.cols.iter().map(|c| c.name.clone()).collect()
    }

    /// Names of the non-key columns of a class.
    fn of_class(&self, classes: &[Class]) -> Vec<String> {
        self.cols.iter().skip(1).filter(|c| classes.contains(&c.ty.class())).map(|c| c.name.clone()).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pred {
    Above1,
    NotNull,
}

/// An index key: the column, the column descending, or `lower(column)` (text only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Plain,
    Desc,
    Lower,
}

#[derive(Debug, Clone)]
struct Index {
    name: String,
    table: String,
    cols: Vec<String>,
    /// How each of `cols` is indexed.
    keys: Vec<Key>,
    unique: bool,
    pred: Option<(Pred, String)>,
}

impl Index {
    fn covers(&self, row: &[Val], t: &Table) -> bool {
        match &self.pred {
            None => true,
            Some((Pred::Above1, c)) => matches!(row[t.col(c)], Val::Num(x) if x > 1.0),
            Some((Pred::NotNull, c)) => row[t.col(c)] != Val::Null,
        }
    }
}

#[derive(Debug, Clone)]
struct View {
    name: String,
    table: String,
    cols: Vec<String>,
    filter: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Schema {
    tables: Vec<Table>,
    indexes: Vec<Index>,
    views: Vec<View>,
    /// Written for MySQL: TEXT as VARCHAR(255) (MySQL indexes and references no TEXT without a
    /// prefix length).
    mysql: bool,
}

impl Schema {
    fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A's DDL, as applied to the database.
    Plain,
    /// B's DDL, with rename hints.
    Hints,
    /// For comparing two models: no hints, `ON DELETE NO ACTION` spelled as its default.
    Canon,
}

fn ddl(s: &Schema, mode: Mode) -> String {
    let mut out = String::new();
    for t in &s.tables {
        let mut items: Vec<(String, Option<String>)> = Vec::new();
        for (i, c) in t.cols.iter().enumerate() {
            let ty = if s.mysql && c.ty == Ty::Text { "VARCHAR(255)".to_string() } else { c.ty.sql() };
            let mut line = format!("{} {ty}", c.name);
            if c.not_null || i == 0 {
                line.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                line.push_str(&format!(" DEFAULT {}", d.sql()));
            }
            if i == 0 {
                line.push_str(" PRIMARY KEY");
            }
            let hint = match (&c.origin, mode) {
                (Some(old), Mode::Hints) if *old != c.name && t.origin.is_some() => {
                    Some(format!("-- retort: renamed from {old}"))
                }
                _ => None,
            };
            items.push((line, hint));
        }
        for u in &t.uniques {
            items.push((format!("CONSTRAINT {} UNIQUE ({})", u.name, u.cols.join(", ")), None));
        }
        for c in &t.checks {
            items.push((format!("CONSTRAINT {} CHECK ({})", c.name, c.sql()), None));
        }
        for f in &t.fks {
            let action = if mode == Mode::Canon && f.on_delete == OnDelete::Omitted {
                OnDelete::NoAction.sql()
            } else {
                f.on_delete.sql()
            };
            items.push((
                format!(
                    "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}){action}",
                    f.name, f.col, f.parent, f.parent_col
                ),
                None,
            ));
        }
        match (&t.origin, mode) {
            (Some(old), Mode::Hints) if *old != t.name => {
                out.push_str(&format!("CREATE TABLE {} ( -- retort: renamed from {old}\n", t.name));
            }
            _ => out.push_str(&format!("CREATE TABLE {} (\n", t.name)),
        }
        let n = items.len();
        for (i, (line, hint)) in items.into_iter().enumerate() {
            let comma = if i + 1 < n { "," } else { "" };
            match hint {
                Some(h) => out.push_str(&format!("  {line}{comma} {h}\n")),
                None => out.push_str(&format!("  {line}{comma}\n")),
            }
        }
        out.push_str(");\n");
    }
    for ix in &s.indexes {
        let unique = if ix.unique { "UNIQUE " } else { "" };
        let pred = match &ix.pred {
            None => String::new(),
            Some((Pred::Above1, c)) => format!(" WHERE {c} > 1"),
            Some((Pred::NotNull, c)) => format!(" WHERE {c} IS NOT NULL"),
        };
        let keys: Vec<String> = ix
            .cols
            .iter()
            .zip(&ix.keys)
            .map(|(c, k)| match k {
                Key::Plain => c.clone(),
                Key::Desc => format!("{c} DESC"),
                Key::Lower => format!("lower({c})"),
            })
            .collect();
        out.push_str(&format!("CREATE {unique}INDEX {} ON {} ({}){pred};\n", ix.name, ix.table, keys.join(", ")));
    }
    for v in &s.views {
        let filter = v.filter.as_ref().map(|c| format!(" WHERE {c} > 0")).unwrap_or_default();
        out.push_str(&format!("CREATE VIEW {} AS SELECT {} FROM {}{filter};\n", v.name, v.cols.join(", "), v.table));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Simulated rows: A's, B's after the upgrade, A's after the downgrade.

type Rows = BTreeMap<String, Vec<Vec<Val>>>;

/// The value A's row `r` holds in column `c`.
fn a_value(c: &Column, r: usize) -> Val {
    let n = r as u32 + 1 + 10 * c.data;
    match c.ty.class() {
        Class::Int | Class::Num => Val::Num(f64::from(n)),
        Class::Str => Val::Text(format!("v{n}")),
        Class::Bool => Val::Bool(r == 0),
    }
}

fn filled(c: &Column) -> Val {
    c.default.clone().unwrap_or(Val::Null)
}

fn rows_a(a: &Schema) -> Rows {
    a.tables
        .iter()
        .map(|t| (t.name.clone(), (0..ROWS).map(|r| t.cols.iter().map(|c| a_value(c, r)).collect()).collect()))
        .collect()
}

/// B's rows after the upgrade: columns from A keep their values, new ones get their default.
fn rows_b(a: &Schema, b: &Schema) -> Rows {
    let mut rows = Rows::new();
    for t in &b.tables {
        let Some(at) = t.origin.as_ref().and_then(|o| a.table(o)) else {
            rows.insert(t.name.clone(), Vec::new());
            continue;
        };
        let table_rows = (0..ROWS)
            .map(|r| {
                t.cols
                    .iter()
                    .map(|c| match &c.origin {
                        Some(o) => a_value(&at.cols[at.col(o)], r),
                        None => filled(c),
                    })
                    .collect()
            })
            .collect();
        rows.insert(t.name.clone(), table_rows);
    }
    rows
}

/// A's rows after the downgrade: dropped tables come back empty, dropped columns with their default.
fn rows_back(a: &Schema, b: &Schema) -> Rows {
    let mut rows = Rows::new();
    for t in &a.tables {
        let Some(bt) = b.tables.iter().find(|bt| bt.origin.as_ref() == Some(&t.name)) else {
            rows.insert(t.name.clone(), Vec::new());
            continue;
        };
        let table_rows = (0..ROWS)
            .map(|r| {
                t.cols
                    .iter()
                    .map(|c| {
                        if bt.cols.iter().any(|bc| bc.origin.as_deref() == Some(&c.name)) {
                            a_value(c, r)
                        } else {
                            filled(c)
                        }
                    })
                    .collect()
            })
            .collect();
        rows.insert(t.name.clone(), table_rows);
    }
    rows
}

/// Whether the tuples of `cols` are distinct among `rows` (tuples holding a NULL are exempt).
fn distinct(rows: &[&Vec<Val>], t: &Table, cols: &[String]) -> bool {
    let idx: Vec<usize> = cols.iter().map(|c| t.col(c)).collect();
    let tuples: Vec<Vec<&Val>> = rows
        .iter()
        .map(|r| idx.iter().map(|&i| &r[i]).collect::<Vec<_>>())
        .filter(|tuple| tuple.iter().all(|v| **v != Val::Null))
        .collect();
    tuples.iter().enumerate().all(|(i, x)| tuples[i + 1..].iter().all(|y| x != y))
}

/// The first constraint of `s` that `rows` violate.
fn violation(s: &Schema, rows: &Rows) -> Option<String> {
    let empty = Vec::new();
    let of = |name: &str| rows.get(name).unwrap_or(&empty);
    for t in &s.tables {
        let rs: Vec<&Vec<Val>> = of(&t.name).iter().collect();
        for r in &rs {
            for (i, c) in t.cols.iter().enumerate() {
                if (c.not_null || i == 0) && r[i] == Val::Null {
                    return Some(format!("{}.{} is null", t.name, c.name));
                }
            }
            for ck in &t.checks {
                if !ck.holds(&r[t.col(&ck.col)]) {
                    return Some(format!("check {} fails", ck.name));
                }
            }
            for fk in &t.fks {
                let v = &r[t.col(&fk.col)];
                let Some(pt) = s.table(&fk.parent) else { return Some(format!("{} has no parent", fk.name)) };
                let pi = pt.col(&fk.parent_col);
                if *v != Val::Null && !of(&pt.name).iter().any(|pr| pr[pi] == *v) {
                    return Some(format!("foreign key {} fails", fk.name));
                }
            }
        }
        if !distinct(&rs, t, &t.cols[..1].iter().map(|c| c.name.clone()).collect::<Vec<_>>()) {
            return Some(format!("primary key of {} repeats", t.name));
        }
        for u in &t.uniques {
            if !distinct(&rs, t, &u.cols) {
                return Some(format!("unique {} repeats", u.name));
            }
        }
    }
    for ix in s.indexes.iter().filter(|ix| ix.unique) {
        let Some(t) = s.table(&ix.table) else { return Some(format!("index {} has no table", ix.name)) };
        let rs: Vec<&Vec<Val>> = of(&t.name).iter().filter(|r| ix.covers(r, t)).collect();
        if !distinct(&rs, t, &ix.cols) {
            return Some(format!("unique index {} repeats", ix.name));
        }
    }
    None
}

/// Whether A's rows, B's rows after the upgrade and A's rows after the downgrade all fit.
fn valid(a: &Schema, b: &Schema) -> bool {
    violation(a, &rows_a(a)).is_none()
        && violation(b, &rows_b(a, b)).is_none()
        && violation(a, &rows_back(a, b)).is_none()
}

// ---------------------------------------------------------------------------------------------
// Generation of A.

fn random_column(rng: &mut Rng, ids: &mut Ids, from_a: bool) -> Column {
    let ty = Ty::random(rng);
    let name = ids.fresh("c");
    Column {
        origin: from_a.then(|| name.clone()),
        name,
        ty,
        not_null: rng.chance(35),
        default: if rng.chance(35) { Some(Val::random_default(rng, ty)) } else { None },
        data: rng.range(0, 3),
    }
}

/// A type of the same class as a primary key, for a column referencing it.
fn referencing_ty(rng: &mut Rng, key: Ty) -> Option<Ty> {
    match key.class() {
        Class::Int => Some(if rng.chance(70) { Ty::Integer } else { Ty::Bigint }),
        Class::Str => Some(if rng.chance(50) { Ty::Text } else { Ty::Varchar(rng.range(8, 30)) }),
        _ => None,
    }
}

fn random_check(rng: &mut Rng, ids: &mut Ids, t: &Table) -> Option<Check> {
    let candidates = t.of_class(&[Class::Int, Class::Num, Class::Str]);
    let col = rng.pick(&candidates)?.clone();
    let kind = match t.cols[t.col(&col)].ty.class() {
        Class::Str => CheckKind::NonEmpty,
        _ if rng.chance(50) => CheckKind::Positive,
        _ => CheckKind::Range,
    };
    Some(Check { name: ids.fresh("ck"), col, kind })
}

fn random_unique(rng: &mut Rng, ids: &mut Ids, t: &Table) -> Option<Unique> {
    let names: Vec<String> = t.col_names().into_iter().skip(1).collect();
    let cols = rng.subset(&names, 2);
    // Both servers merge a UNIQUE constraint into an identical one in the same CREATE TABLE.
    if cols.is_empty() || t.uniques.iter().any(|u| u.cols == cols) {
        None
    } else {
        Some(Unique { name: ids.fresh("uq"), cols })
    }
}

fn random_index(rng: &mut Rng, ids: &mut Ids, t: &Table) -> Index {
    let cols = rng.subset(&t.col_names(), 2);
    let numeric = t.of_class(&[Class::Int, Class::Num]);
    let pred = if rng.chance(30) {
        match rng.pick(&numeric) {
            Some(c) if rng.chance(60) => Some((Pred::Above1, c.clone())),
            _ => rng.pick(&t.col_names()).map(|c| (Pred::NotNull, c.clone())),
        }
    } else {
        None
    };
    // lower() leaves the generated values as they are, so uniqueness is that of the columns.
    let keys = cols
        .iter()
        .map(|c| match rng.below(10) {
            0 | 1 => Key::Desc,
            2 | 3 if t.cols[t.col(c)].ty.class() == Class::Str => Key::Lower,
            _ => Key::Plain,
        })
        .collect();
    Index { name: ids.fresh("ix"), table: t.name.clone(), cols, keys, unique: rng.chance(35), pred }
}

fn random_view(rng: &mut Rng, ids: &mut Ids, t: &Table, name: Option<String>) -> View {
    let numeric = t.of_class(&[Class::Int, Class::Num]);
    let filter = if rng.chance(30) { rng.pick(&numeric).cloned() } else { None };
    View {
        name: name.unwrap_or_else(|| ids.fresh("v")),
        table: t.name.clone(),
        cols: rng.subset(&t.col_names(), 3),
        filter,
    }
}

/// A foreign key from a new or existing column of `t` to the primary key of `parent`.
fn random_fk(rng: &mut Rng, ids: &mut Ids, t: &mut Table, parent: &Table, from_a: bool, new_col: bool) -> Option<Fk> {
    let key = &parent.cols[0];
    let class = key.ty.class();
    if !matches!(class, Class::Int | Class::Str) {
        return None;
    }
    let existing: Vec<String> =
        t.of_class(&[class]).into_iter().filter(|c| !t.fks.iter().any(|f| f.col == *c)).collect();
    let col = match rng.pick(&existing) {
        Some(c) if !new_col => c.clone(),
        _ => {
            let ty = referencing_ty(rng, key.ty)?;
            let name = ids.fresh("c");
            t.cols.push(Column {
                origin: from_a.then(|| name.clone()),
                name: name.clone(),
                ty,
                not_null: rng.chance(30),
                default: None,
                data: 0,
            });
            name
        }
    };
    if from_a {
        let i = t.col(&col);
        t.cols[i].data = 0;
    }
    let on_delete = *rng.pick(&ACTIONS).unwrap_or(&OnDelete::Omitted);
    Some(Fk { name: ids.fresh("fk"), col, parent: parent.name.clone(), parent_col: key.name.clone(), on_delete })
}

/// Appends a random table (with its indexes) to `s`.
fn add_table(rng: &mut Rng, ids: &mut Ids, s: &mut Schema, from_a: bool) -> String {
    let name = ids.fresh("t");
    let key_ty = match rng.below(6) {
        0..=2 => Ty::Integer,
        3 => Ty::Bigint,
        4 => Ty::Varchar(rng.range(8, 20)),
        _ => Ty::Text,
    };
    let key_name = if rng.chance(70) { "id".to_string() } else { ids.fresh("k") };
    let mut t = Table {
        cols: vec![Column {
            origin: from_a.then(|| key_name.clone()),
            name: key_name,
            ty: key_ty,
            not_null: true,
            default: None,
            data: 0,
        }],
        name: name.clone(),
        uniques: Vec::new(),
        checks: Vec::new(),
        fks: Vec::new(),
        origin: from_a.then(|| name.clone()),
    };
    for _ in 0..rng.range(1, 4) {
        t.cols.push(random_column(rng, ids, from_a));
    }
    if rng.chance(50) {
        let parent = if s.tables.is_empty() || rng.chance(15) { None } else { Some(rng.below(s.tables.len())) };
        let parent = match parent {
            Some(p) => s.tables[p].clone(),
            None => t.clone(),
        };
        let new_col = from_a && rng.chance(60);
        if let Some(fk) = random_fk(rng, ids, &mut t, &parent, from_a, new_col) {
            t.fks.push(fk);
        }
    }
    if rng.chance(40)
        && let Some(u) = random_unique(rng, ids, &t)
    {
        t.uniques.push(u);
    }
    if rng.chance(40)
        && let Some(c) = random_check(rng, ids, &t)
    {
        t.checks.push(c);
    }
    for _ in 0..rng.below(3) {
        let ix = random_index(rng, ids, &t);
        s.indexes.push(ix);
    }
    s.tables.push(t);
    name
}

fn generate_a(rng: &mut Rng, ids: &mut Ids) -> Schema {
    loop {
        let mut s = Schema::default();
        for _ in 0..rng.range(2, 4) {
            add_table(rng, ids, &mut s, true);
        }
        for _ in 0..rng.below(3) {
            let t = s.tables[rng.below(s.tables.len())].clone();
            let v = random_view(rng, ids, &t, None);
            s.views.push(v);
        }
        if violation(&s, &rows_a(&s)).is_none() {
            return s;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Edits from A toward B. Each returns a description, or None when it does not apply.

/// Removes everything that uses column `col` of table `table` (it is being dropped).
fn drop_column_users(s: &mut Schema, table: &str, col: &str) {
    for t in &mut s.tables {
        if t.name == table {
            t.uniques.retain(|u| !u.cols.iter().any(|c| c == col));
            t.checks.retain(|c| c.col != col);
            t.fks.retain(|f| f.col != col);
        }
        t.fks.retain(|f| !(f.parent == table && f.parent_col == col));
    }
    s.indexes.retain(|ix| {
        !(ix.table == table && (ix.cols.iter().any(|c| c == col) || ix.pred.as_ref().is_some_and(|(_, c)| c == col)))
    });
    for v in s.views.iter_mut().filter(|v| v.table == table) {
        v.cols.retain(|c| c != col);
        if v.filter.as_deref() == Some(col) {
            v.filter = None;
        }
    }
    s.views.retain(|v| !v.cols.is_empty());
}

fn drop_table(s: &mut Schema, ti: usize) {
    let name = s.tables.remove(ti).name;
    for t in &mut s.tables {
        t.fks.retain(|f| f.parent != name);
    }
    s.indexes.retain(|ix| ix.table != name);
    s.views.retain(|v| v.table != name);
}

fn rename_table(s: &mut Schema, ti: usize, new: &str) {
    let old = std::mem::replace(&mut s.tables[ti].name, new.to_string());
    for t in &mut s.tables {
        t.fks.iter_mut().filter(|f| f.parent == old).for_each(|f| f.parent = new.to_string());
    }
    s.indexes.iter_mut().filter(|ix| ix.table == old).for_each(|ix| ix.table = new.to_string());
    s.views.iter_mut().filter(|v| v.table == old).for_each(|v| v.table = new.to_string());
}

/// Renames a column of the table at `ti` and every reference to it.
fn rename_column(s: &mut Schema, ti: usize, old: &str, new: &str) {
    let table = s.tables[ti].name.clone();
    let i = s.tables[ti].col(old);
    s.tables[ti].cols[i].name = new.to_string();
    rename_column_users(s, &table, old, new);
}

fn rename_column_users(s: &mut Schema, table: &str, old: &str, new: &str) {
    let swap = |c: &mut String| {
        if c == old {
            *c = new.to_string();
        }
    };
    for t in &mut s.tables {
        if t.name == table {
            t.uniques.iter_mut().for_each(|u| u.cols.iter_mut().for_each(swap));
            t.checks.iter_mut().for_each(|c| swap(&mut c.col));
            t.fks.iter_mut().for_each(|f| swap(&mut f.col));
        }
        t.fks.iter_mut().filter(|f| f.parent == table).for_each(|f| swap(&mut f.parent_col));
    }
    for ix in s.indexes.iter_mut().filter(|ix| ix.table == table) {
        ix.cols.iter_mut().for_each(swap);
        if let Some((_, c)) = &mut ix.pred {
            swap(c);
        }
    }
    for v in s.views.iter_mut().filter(|v| v.table == table) {
        v.cols.iter_mut().for_each(swap);
        if let Some(c) = &mut v.filter {
            swap(c);
        }
    }
}

/// The kinds of edits, with their weights.
const EDITS: &[(&str, usize)] = &[
    ("add-table", 1),
    ("drop-table", 1),
    ("add-column", 2),
    ("drop-column", 1),
    ("rename-column", 2),
    ("nullability", 1),
    ("default", 1),
    ("widen", 1),
    ("add-unique", 1),
    ("drop-unique", 1),
    ("add-check", 1),
    ("drop-or-change-check", 1),
    ("add-index", 2),
    ("drop-or-change-index", 1),
    ("add-foreign-key", 2),
    ("drop-foreign-key", 1),
    ("on-delete", 1),
    ("add-view", 1),
    ("drop-view", 1),
    ("change-view", 1),
    ("rename-table", 1),
    ("swap-columns", 1),
    ("reuse-column-name", 1),
    ("reuse-table-name", 1),
];

/// A random kind of edit, leaving out those named in `RETORT_PROP_SKIP` (comma-separated).
fn edit_kind(rng: &mut Rng) -> &'static str {
    let skip = std::env::var("RETORT_PROP_SKIP").unwrap_or_default();
    let skip: Vec<&str> = skip.split(',').map(str::trim).collect();
    let kinds: Vec<(&'static str, usize)> = EDITS.iter().copied().filter(|(k, _)| !skip.contains(k)).collect();
    let mut n = rng.below(kinds.iter().map(|(_, w)| w).sum::<usize>().max(1));
    for (k, w) in kinds {
        if n < w {
            return k;
        }
        n -= w;
    }
    "none"
}

/// One random edit of `s`, most of them on the table at `ti`.
fn edit(rng: &mut Rng, ids: &mut Ids, s: &mut Schema, ti: usize) -> Option<String> {
    let kind = edit_kind(rng);
    let tname = s.tables.get(ti)?.name.clone();
    if s.tables[ti].cols.len() < 2 {
        return None;
    }
    match kind {
        "add-table" => {
            let name = add_table(rng, ids, s, false);
            Some(format!("add table {name}"))
        }
        "drop-table" => {
            if s.tables.len() < 2 {
                return None;
            }
            drop_table(s, ti);
            Some(format!("drop table {tname}"))
        }
        "add-column" => {
            let c = random_column(rng, ids, false);
            let desc = format!("add column {tname}.{}", c.name);
            s.tables[ti].cols.push(c);
            Some(desc)
        }
        "drop-column" => {
            let t = &mut s.tables[ti];
            if t.cols.len() < 3 {
                return None;
            }
            let i = 1 + rng.below(t.cols.len() - 1);
            let col = t.cols.remove(i).name;
            drop_column_users(s, &tname, &col);
            Some(format!("drop column {tname}.{col}"))
        }
        "rename-column" => {
            let t = &mut s.tables[ti];
            let i = if rng.chance(15) { 0 } else { rng.below(t.cols.len()) };
            let old = t.cols[i].name.clone();
            let new = ids.fresh("c");
            rename_column(s, ti, &old, &new);
            Some(format!("rename column {tname}.{old} -> {new}"))
        }
        "nullability" => {
            let t = &mut s.tables[ti];
            let i = 1 + rng.below(t.cols.len() - 1);
            let c = &mut t.cols[i];
            c.not_null = !c.not_null;
            Some(format!("{tname}.{}: not null = {}", c.name, c.not_null))
        }
        "default" => {
            let t = &mut s.tables[ti];
            let i = 1 + rng.below(t.cols.len() - 1);
            let c = &mut t.cols[i];
            let d = if c.default.is_some() && rng.chance(40) { None } else { Some(Val::random_default(rng, c.ty)) };
            if d == c.default {
                return None;
            }
            c.default = d;
            Some(format!("{tname}.{}: default = {:?}", c.name, c.default))
        }
        "widen" => {
            let t = &mut s.tables[ti];
            let i = rng.below(t.cols.len());
            let c = &mut t.cols[i];
            c.ty = match c.ty {
                Ty::Integer => Ty::Bigint,
                Ty::Varchar(n) => Ty::Varchar(n + rng.range(1, 50)),
                Ty::Numeric(p, s) => Ty::Numeric(p + rng.range(1, 6), s),
                _ => return None,
            };
            Some(format!("{tname}.{}: widen to {}", c.name, c.ty.sql()))
        }
        "add-unique" => {
            let u = random_unique(rng, ids, &s.tables[ti])?;
            let desc = format!("add unique {} on {tname} ({})", u.name, u.cols.join(", "));
            s.tables[ti].uniques.push(u);
            Some(desc)
        }
        "drop-unique" => {
            let t = &mut s.tables[ti];
            if t.uniques.is_empty() {
                return None;
            }
            let u = t.uniques.remove(rng.below(t.uniques.len()));
            Some(format!("drop unique {}", u.name))
        }
        "add-check" => {
            let c = random_check(rng, ids, &s.tables[ti])?;
            let desc = format!("add check {} on {tname}: {}", c.name, c.sql());
            s.tables[ti].checks.push(c);
            Some(desc)
        }
        "drop-or-change-check" => {
            let t = &mut s.tables[ti];
            if t.checks.is_empty() {
                return None;
            }
            let i = rng.below(t.checks.len());
            if rng.chance(50) {
                let c = t.checks.remove(i);
                return Some(format!("drop check {}", c.name));
            }
            let c = &mut t.checks[i];
            c.kind = match c.kind {
                CheckKind::Positive => CheckKind::Range,
                CheckKind::Range => CheckKind::Positive,
                CheckKind::NonEmpty => return None,
            };
            Some(format!("change check {} to {}", c.name, c.sql()))
        }
        "add-index" => {
            let ix = random_index(rng, ids, &s.tables[ti]);
            let desc = format!("add index {} on {tname}", ix.name);
            s.indexes.push(ix);
            Some(desc)
        }
        "drop-or-change-index" => {
            if s.indexes.is_empty() {
                return None;
            }
            let i = rng.below(s.indexes.len());
            if rng.chance(50) {
                let ix = s.indexes.remove(i);
                return Some(format!("drop index {}", ix.name));
            }
            let t = s.table(&s.indexes[i].table)?.clone();
            let mut new = random_index(rng, ids, &t);
            new.name = s.indexes[i].name.clone();
            s.indexes[i] = new;
            Some(format!("change index {}", s.indexes[i].name))
        }
        "add-foreign-key" => {
            let pi = rng.below(ti + 1);
            let parent = s.tables[pi].clone();
            let new_col = rng.chance(30);
            let fk = random_fk(rng, ids, &mut s.tables[ti], &parent, false, new_col)?;
            let desc = format!("add foreign key {} {tname}.{} -> {}", fk.name, fk.col, fk.parent);
            s.tables[ti].fks.push(fk);
            Some(desc)
        }
        "drop-foreign-key" => {
            let t = &mut s.tables[ti];
            if t.fks.is_empty() {
                return None;
            }
            let fk = t.fks.remove(rng.below(t.fks.len()));
            Some(format!("drop foreign key {}", fk.name))
        }
        "on-delete" => {
            let t = &mut s.tables[ti];
            if t.fks.is_empty() {
                return None;
            }
            let i = rng.below(t.fks.len());
            let fk = &mut t.fks[i];
            let action = *rng.pick(&ACTIONS)?;
            if action == fk.on_delete {
                return None;
            }
            fk.on_delete = action;
            Some(format!(
                "foreign key {} {}",
                fk.name,
                if action == OnDelete::Omitted { "(no ON DELETE)" } else { action.sql() }
            ))
        }
        "add-view" => {
            let v = random_view(rng, ids, &s.tables[ti], None);
            let desc = format!("add view {}", v.name);
            s.views.push(v);
            Some(desc)
        }
        "drop-view" => {
            if s.views.is_empty() {
                return None;
            }
            let v = s.views.remove(rng.below(s.views.len()));
            Some(format!("drop view {}", v.name))
        }
        "rename-table" => {
            let new = ids.fresh("t");
            rename_table(s, ti, &new);
            Some(format!("rename table {tname} -> {new}"))
        }
        "swap-columns" => {
            // Two columns trade names.
            let n = s.tables[ti].cols.len();
            let (i, j) = (rng.below(n), rng.below(n));
            if i == j {
                return None;
            }
            let (x, y) = (s.tables[ti].cols[i].name.clone(), s.tables[ti].cols[j].name.clone());
            rename_column(s, ti, &x, "swap_tmp");
            rename_column(s, ti, &y, &x);
            rename_column(s, ti, "swap_tmp", &y);
            Some(format!("swap columns {tname}.{x} <-> {y}"))
        }
        "reuse-column-name" => {
            // A column is dropped and another takes its name.
            let n = s.tables[ti].cols.len();
            if n < 3 {
                return None;
            }
            let (i, j) = (1 + rng.below(n - 1), rng.below(n));
            // Without a hint a name means the same column: the one taking the name must come from
            // A (a column new in B has no old name to hint at).
            if i == j || s.tables[ti].cols[j].origin.is_none() {
                return None;
            }
            let (x, y) = (s.tables[ti].cols[i].name.clone(), s.tables[ti].cols[j].name.clone());
            s.tables[ti].cols.remove(i);
            drop_column_users(s, &tname, &x);
            rename_column(s, ti, &y, &x);
            Some(format!("drop column {tname}.{x}, rename {y} -> {x}"))
        }
        "reuse-table-name" => {
            // A table is dropped and another takes its name.
            let other = rng.below(s.tables.len());
            // Without a hint a name means the same table: the one taking the name must come from
            // A (a table new in B has no old name to hint at).
            if other == ti || s.tables[other].origin.is_none() {
                return None;
            }
            let oname = s.tables[other].name.clone();
            drop_table(s, ti);
            let other = s.tables.iter().position(|t| t.name == oname)?;
            rename_table(s, other, &tname);
            Some(format!("drop table {tname}, rename {oname} -> {tname}"))
        }
        "change-view" => {
            if s.views.is_empty() {
                return None;
            }
            let i = rng.below(s.views.len());
            let t = if rng.chance(50) { s.table(&s.views[i].table)?.clone() } else { s.tables[ti].clone() };
            let v = random_view(rng, ids, &t, Some(s.views[i].name.clone()));
            s.views[i] = v;
            Some(format!("change view {}", s.views[i].name))
        }
        _ => None,
    }
}

/// One generated case.
struct Generated {
    seed: u64,
    a: Schema,
    b: Schema,
    edits: Vec<String>,
}

fn generate(seed: u64) -> Generated {
    let mut rng = Rng(seed);
    let mut ids = Ids(0);
    let a = generate_a(&mut rng, &mut ids);
    let mut b = a.clone();
    let mut edits = Vec::new();
    let want = rng.range(1, 6) as usize;
    let mut attempts = 0;
    // Half the edits go to the table edited last, so one table often sees several changes at once.
    let mut focus: Option<String> = None;
    while (edits.len() < want || ddl(&a, Mode::Canon) == ddl(&b, Mode::Canon)) && attempts < 500 {
        attempts += 1;
        let mut next = b.clone();
        let ti = match focus.as_ref().and_then(|f| b.tables.iter().position(|t| t.name == *f)) {
            Some(i) if rng.chance(50) => i,
            _ => rng.below(b.tables.len()),
        };
        if let Some(desc) = edit(&mut rng, &mut ids, &mut next, ti)
            && valid(&a, &next)
        {
            focus = next.tables.get(ti).map(|t| t.name.clone());
            b = next;
            edits.push(desc);
        }
    }
    Generated { seed, a, b, edits }
}

// ---------------------------------------------------------------------------------------------
// Running a case.

/// A case as SQL: A, B, A's rows, and per kept table the query under A's and under B's names.
struct Case {
    before: String,
    after: String,
    rows: String,
    keep: Vec<(String, String)>,
}

fn case_of(g: &Generated) -> Case {
    let mut rows = String::new();
    let data = rows_a(&g.a);
    for t in &g.a.tables {
        let values: Vec<String> = data[&t.name]
            .iter()
            .map(|r| format!("({})", r.iter().map(Val::sql).collect::<Vec<_>>().join(", ")))
            .collect();
        rows.push_str(&format!(
            "INSERT INTO {} ({}) VALUES {};\n",
            t.name,
            t.col_names().join(", "),
            values.join(", ")
        ));
    }
    let mut keep = Vec::new();
    for bt in &g.b.tables {
        let Some(at) = bt.origin.as_ref().and_then(|o| g.a.table(o)) else { continue };
        // Columns both keep with the same values (widened types print the same).
        let pairs: Vec<(String, String)> = bt
            .cols
            .iter()
            .filter(|c| c.origin.as_ref().is_some_and(|o| at.cols[at.col(o)].ty.class() == c.ty.class()))
            .filter_map(|c| c.origin.as_ref().map(|o| (o.clone(), c.name.clone())))
            .collect();
        let query = |table: &str, cols: Vec<&String>| {
            format!(
                "SELECT {} FROM {table} ORDER BY 1",
                cols.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ")
            )
        };
        keep.push((
            query(&at.name, pairs.iter().map(|p| &p.0).collect()),
            query(&bt.name, pairs.iter().map(|p| &p.1).collect()),
        ));
    }
    Case { before: ddl(&g.a, Mode::Plain), after: ddl(&g.b, Mode::Hints), rows, keep }
}

/// The inspected schema as JSON with each table's columns sorted by name (a downgrade re-adds a
/// dropped column at the end of the table; column order is not part of what a migration restores).
fn unordered(json: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    if let Some(tables) = v.get_mut("tables").and_then(|t| t.as_array_mut()) {
        for t in tables {
            if let Some(cols) = t.get_mut("columns").and_then(|c| c.as_array_mut()) {
                cols.sort_by_key(|c| c["name"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    v
}

/// Applies A and its rows, autogenerates toward B, upgrades, downgrades; panics on any difference.
fn run_case(kind: Kind, case: &Case) {
    let Some(p) = Project::new(kind) else { return };
    std::fs::write(
        p.path().join("retort.toml"),
        format!(
            "[database]\nurl = \"{}\"\n[migrations]\ndir = \"migrations\"\n[schema]\npaths = [\"schema/*.sql\"]\nschemas = []\n",
            p.db.url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.db.exec(&case.before);
    p.db.exec(&case.rows);
    let kept_before: Vec<Vec<String>> = case.keep.iter().map(|(q, _)| p.db.query(q)).collect();
    let inspect_a = p.ok(&["inspect", "--json"]);
    // On MariaDB the inspector is not its own judge: the server's SHOW CREATE TABLE of A, and of
    // B applied as written to a database of its own.
    let server_a = (kind == Kind::Mariadb).then(|| common::mysql_definitions(&p.db));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server_b = match kind {
        Kind::Mariadb => common::Db::new(kind, dir.path()).map(|b| {
            b.exec(&case.after);
            common::mysql_definitions(&b)
        }),
        _ => None,
    };
    p.write("schema/models.sql", &case.after);
    let out = p.ok(&["revision", "--autogenerate", "-m", "change", "--rev-id", "g1"]);
    assert!(out.contains("Created migrations/g1_change.sql"), "autogenerate wrote no migration: {out}");
    let file = std::fs::read_to_string(p.path().join("migrations/g1_change.sql")).unwrap_or_default();
    let up = p.run(&["upgrade", "head"]);
    assert!(up.status.success(), "upgrade failed:\n{}\nmigration:\n{file}", String::from_utf8_lossy(&up.stderr));
    let check = p.run(&["check"]);
    assert!(
        check.status.success(),
        "not idempotent: check after upgrade:\n{}{}\nmigration:\n{file}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let loaded_b = p.ok(&["inspect", "--desired", "--json"]);
    assert_eq!(
        unordered(&p.ok(&["inspect", "--json"])),
        unordered(&loaded_b),
        "upgraded schema differs from B\nmigration:\n{file}"
    );
    for ((_, q), want) in case.keep.iter().zip(&kept_before) {
        assert_eq!(&p.db.query(q), want, "rows changed by the upgrade: {q}\nmigration:\n{file}");
    }
    if let Some(b) = &server_b {
        assert_eq!(
            &common::mysql_definitions(&p.db),
            b,
            "the server's definitions differ from B's\nmigration:\n{file}"
        );
    }
    let down = p.run(&["downgrade", "-1"]);
    assert!(down.status.success(), "downgrade failed:\n{}\nmigration:\n{file}", String::from_utf8_lossy(&down.stderr));
    assert_eq!(
        unordered(&p.ok(&["inspect", "--json"])),
        unordered(&inspect_a),
        "downgrade did not restore A\nmigration:\n{file}"
    );
    for ((q, _), want) in case.keep.iter().zip(&kept_before) {
        assert_eq!(&p.db.query(q), want, "rows changed by the downgrade: {q}\nmigration:\n{file}");
    }
    if let Some(a) = &server_a {
        assert_eq!(
            &common::mysql_definitions(&p.db),
            a,
            "the server's definitions differ from A's\nmigration:\n{file}"
        );
    }
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default()
}

/// A case as MySQL can hold it, or `None` when it cannot: no partial or expression indexes (the
/// keys become plain columns), no `ON DELETE SET DEFAULT` (InnoDB refuses it: RESTRICT instead), a
/// referencing column of exactly its parent's type (MySQL requires it, and refuses to change the
/// type of a column a foreign key uses), no CASCADE or SET NULL on a column a check reads (MySQL
/// refuses the check), no SET NULL on a NOT NULL column (MySQL refuses the key); the rows must
/// still fit after these changes.
fn for_mysql(mut g: Generated) -> Option<Generated> {
    for s in [&mut g.a, &mut g.b] {
        s.mysql = true;
        for ix in &mut s.indexes {
            ix.pred = None;
            for k in &mut ix.keys {
                if *k == Key::Lower {
                    *k = Key::Plain;
                }
            }
        }
        let tables = s.tables.clone();
        for t in &mut s.tables {
            let checked: Vec<String> = t.checks.iter().map(|c| c.col.clone()).collect();
            let required: Vec<String> =
                t.cols.iter().enumerate().filter(|(i, c)| c.not_null || *i == 0).map(|(_, c)| c.name.clone()).collect();
            for f in &mut t.fks {
                let acts = matches!(f.on_delete, OnDelete::Cascade | OnDelete::SetNull);
                let nulls_required = f.on_delete == OnDelete::SetNull && required.contains(&f.col);
                if f.on_delete == OnDelete::SetDefault || nulls_required || (acts && checked.contains(&f.col)) {
                    f.on_delete = OnDelete::Restrict;
                }
            }
            for f in t.fks.clone() {
                let parent = tables.iter().find(|p| p.name == f.parent)?;
                let want = parent.cols.get(parent.col(&f.parent_col))?.ty;
                let at = t.col(&f.col);
                if t.cols[at].ty != want {
                    t.cols[at].ty = want;
                }
            }
        }
    }
    // A column a foreign key uses keeps its type from A to B.
    for bt in &g.b.tables {
        let Some(at) = bt.origin.as_ref().and_then(|o| g.a.table(o)) else { continue };
        let used = |t: &Table, schema: &Schema, c: &str| {
            t.fks.iter().any(|f| f.col == c)
                || schema.tables.iter().any(|o| o.fks.iter().any(|f| f.parent == t.name && f.parent_col == c))
        };
        for c in &bt.cols {
            let Some(origin) = &c.origin else { continue };
            let before = &at.cols[at.col(origin)];
            if before.ty != c.ty && (used(bt, &g.b, &c.name) || used(at, &g.a, origin)) {
                return None;
            }
        }
    }
    (valid(&g.a, &g.b) && ddl(&g.a, Mode::Canon) != ddl(&g.b, Mode::Canon)).then_some(g)
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn random_pairs(kind: Kind) {
    if Project::new(kind).is_none() {
        return; // PostgreSQL unreachable outside CI
    }
    let seeds: Vec<u64> = match env_u64("RETORT_PROP_SEED") {
        Some(seed) => vec![seed],
        None => {
            let base = env_u64("RETORT_PROP_BASE").unwrap_or(BASE_SEED);
            (0..env_u64("RETORT_PROP_CASES").unwrap_or(DEFAULT_CASES)).map(|i| base.wrapping_add(i)).collect()
        }
    };
    let started = Instant::now();
    let mut failed = Vec::new();
    let mut skipped = 0;
    for &seed in &seeds {
        let g = generate(seed);
        let g = match kind {
            Kind::Mariadb => match for_mysql(g) {
                Some(g) => g,
                None => {
                    skipped += 1;
                    continue;
                }
            },
            _ => g,
        };
        let case = case_of(&g);
        if std::env::var_os("RETORT_PROP_VERBOSE").is_some() {
            eprintln!("==== seed {seed:#x}\n-- edits: {:?}\n-- A:\n{}-- B:\n{}", g.edits, case.before, case.after);
        }
        if std::env::var_os("RETORT_PROP_DRY").is_some() {
            continue;
        }
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| run_case(kind, &case))) {
            eprintln!(
                "==== FAILED: {kind:?} seed {seed:#x} (RETORT_PROP_SEED={seed:#x})\n-- edits:\n{}\n-- A:\n{}\n-- B:\n{}\n-- rows:\n{}\n-- error:\n{}\n",
                g.edits.iter().map(|e| format!("--   {e}")).collect::<Vec<_>>().join("\n"),
                case.before,
                case.after,
                case.rows,
                panic_text(e.as_ref())
            );
            failed.push(format!("{:#x}", g.seed));
        }
    }
    eprintln!("{kind:?}: {} random cases ({skipped} MySQL cannot hold) in {:.1?}", seeds.len(), started.elapsed());
    assert!(
        failed.is_empty(),
        "{kind:?}: {} of {} cases failed, seeds: {}",
        failed.len(),
        seeds.len(),
        failed.join(", ")
    );
}

#[test]
fn sqlite_random_pairs() {
    random_pairs(Kind::Sqlite);
}

#[test]
fn postgres_random_pairs() {
    random_pairs(Kind::Postgres);
}

#[test]
fn mariadb_random_pairs() {
    random_pairs(Kind::Mariadb);
}
