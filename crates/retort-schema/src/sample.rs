//! Synthetic values for rows a test puts in a table (`retort verify --data`): for each column, a
//! literal of its type that differs from row to row (so unique and primary keys hold), fits the
//! type's length and range, takes an enum's labels and the values a simple check lists, and is
//! left to the server where the server fills it (identity, serial, auto-increment, generated).
//! Foreign keys are the caller's: their values come from the parent's rows.

use crate::model::{Column, Dialect, Schema, Table};

/// What to insert into one column of a synthetic row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sample {
    /// Leave the column out: the server fills it (identity, serial, auto-increment, generated,
    /// the rowid) or its default does.
    Server,
    /// This SQL literal.
    Literal(String),
    /// NULL: a nullable column of a type with no value to make up.
    Null,
    /// No value can be made up for this NOT NULL column without a default: the table cannot be
    /// filled. The text says why.
    Impossible(String),
}

/// Base type names (lowercase, without length or precision) and how their values are made.
const KINDS: [(&[&str], Kind); 21] = [
    (&["tinyint"], Kind::Int(127)),
    (&["smallint", "int2", "smallserial", "year"], Kind::Int(32_767)),
    (&["mediumint"], Kind::Int(8_388_607)),
    (
        &["integer", "int", "int4", "bigint", "int8", "serial", "bigserial", "serial4", "serial8", "oid"],
        Kind::Int(2_147_483_647),
    ),
    (&["numeric", "decimal", "money"], Kind::Decimal),
    (&["real", "double precision", "float", "float4", "float8", "double"], Kind::Int(16_777_216)),
    (
        &[
            "text",
            "character varying",
            "varchar",
            "character",
            "char",
            "bpchar",
            "citext",
            "clob",
            "name",
            "tinytext",
            "mediumtext",
            "longtext",
            "nvarchar",
            "nchar",
            "string",
            "tsvector",
        ],
        Kind::Text,
    ),
    (&["boolean", "bool"], Kind::Bool),
    (&["date"], Kind::Date),
    (
        &["timestamp", "timestamp without time zone", "timestamp with time zone", "timestamptz", "datetime"],
        Kind::Timestamp,
    ),
    (&["time", "time without time zone", "time with time zone", "timetz"], Kind::Time),
    (&["interval"], Kind::Interval),
    (&["uuid"], Kind::Uuid),
    (&["json", "jsonb"], Kind::Json),
    (&["bytea", "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary"], Kind::Bytes),
    (&["inet"], Kind::Inet),
    (&["cidr"], Kind::Cidr),
    (&["macaddr"], Kind::Mac),
    (&["bit", "bit varying", "varbit"], Kind::Bit),
    (&["xml"], Kind::Xml),
    (&["point"], Kind::Point),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// An integer up to this maximum.
    Int(u64),
    Decimal,
    Text,
    Bool,
    Date,
    Timestamp,
    Time,
    Interval,
    Uuid,
    Json,
    Bytes,
    Inet,
    Cidr,
    Mac,
    Bit,
    Xml,
    Point,
}

/// The value of `column` (of `table`) in synthetic row number `n` (1, 2, ...). Foreign key
/// columns are not decided here.
pub fn sample(schema: &Schema, table: &Table, column: &Column, n: u64) -> Sample {
    if server_fills(schema, table, column) {
        return Sample::Server;
    }
    // The values a check on the column lists (`status IN ('a', 'b')`, PostgreSQL's `= ANY
    // (ARRAY['a'::text, ...])`) are the only ones it takes.
    let mut checks: Vec<&str> = table
        .checks
        .iter()
        .map(|c| c.expr.as_str())
        .filter(|e| crate::model::mentions(e, &column.name))
        .chain(column.check.as_deref())
        .collect();
    let domain = schema.domains.iter().find(|d| names_type(&d.name.name, &d.name.to_string(), &column.data_type));
    let data_type = match domain {
        Some(d) => {
            checks.extend(d.checks.iter().map(|c| c.expr.as_str()));
            d.base_type.as_str()
        }
        None => column.data_type.as_str(),
    };
    let listed: Vec<String> = checks.iter().flat_map(|e| quoted_literals(e)).collect();
    let json = checks.iter().any(|e| e.to_ascii_lowercase().contains("json_valid"));
    let value = if !listed.is_empty() {
        Some(format!("'{}'", listed[pick(n, listed.len())].replace('\'', "''")))
    } else if json {
        Some(format!("'{{\"n\": {n}}}'"))
    } else {
        literal(schema, data_type, n)
    };
    match value {
        Some(v) => Sample::Literal(v),
        None if column.default.is_some() => Sample::Server,
        None if column.nullable => Sample::Null,
        None => Sample::Impossible(format!("no value can be made up for {} ({})", column.name, column.data_type)),
    }
}

/// Whether the server gives the column its value: it is generated, an identity, a serial, an
/// auto-increment or SQLite's rowid. Values made up for a serial would leave its sequence behind
/// the rows, and the migration's own next insert would collide.
fn server_fills(schema: &Schema, table: &Table, column: &Column) -> bool {
    let rowid = schema.dialect == Dialect::Sqlite
        && column.data_type.eq_ignore_ascii_case("integer")
        && table.primary_key.as_ref().is_some_and(|k| k.columns.len() == 1 && k.columns[0] == column.name);
    column.generated.is_some()
        || column.identity.is_some()
        || column.auto_increment
        || rowid
        || column.default.as_deref().is_some_and(|d| d.starts_with("nextval("))
}

/// Whether a column type names this user type (`status`, `app.status`, `"Status"`).
fn names_type(name: &str, qualified: &str, data_type: &str) -> bool {
    let bare = data_type.trim().trim_matches('"');
    bare.eq_ignore_ascii_case(name) || bare.eq_ignore_ascii_case(qualified) || data_type.trim() == qualified
}

/// Row `n`'s choice among `len` values.
fn pick(n: u64, len: usize) -> usize {
    (n.saturating_sub(1) % len as u64) as usize
}

/// The string literals an expression holds, in order.
pub(crate) fn quoted_literals(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                c => value.push(c),
            }
        }
        out.push(value);
    }
    out
}

/// A literal of `data_type` for row `n`, or `None` when the type has no value to make up.
fn literal(schema: &Schema, data_type: &str, n: u64) -> Option<String> {
    let lower = data_type.trim().to_ascii_lowercase();
    if lower.ends_with("[]") {
        return Some("'{}'".to_string());
    }
    // MySQL's ENUM and SET list their values in the type.
    if lower.starts_with("enum(") || lower.starts_with("set(") {
        let values = quoted_literals(data_type);
        return (!values.is_empty()).then(|| format!("'{}'", values[pick(n, values.len())].replace('\'', "''")));
    }
    if let Some(e) = schema.enums.iter().find(|e| names_type(&e.name.name, &e.name.to_string(), data_type)) {
        return (!e.labels.is_empty()).then(|| format!("'{}'", e.labels[pick(n, e.labels.len())].replace('\'', "''")));
    }
    let args: Vec<u64> = lower
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside.split(',').filter_map(|a| a.trim().parse().ok()).collect())
        .unwrap_or_default();
    let kind = base_kind(&lower).or_else(|| (schema.dialect == Dialect::Sqlite).then(|| sqlite_kind(data_type)))?;
    let mysql = schema.dialect == Dialect::Mysql;
    let day = |n: u64| format!("{:04}-{:02}-{:02}", 2000 + (n / 336) % 50, (n / 28) % 12 + 1, n % 28 + 1);
    Some(match kind {
        Kind::Int(max) => ((n - 1) % max + 1).to_string(),
        Kind::Decimal => {
            // numeric(p, s) holds p - s digits before the point.
            let digits = match args.as_slice() {
                [p, s] => p.saturating_sub(*s),
                [p] => *p,
                _ => 9,
            };
            if digits == 0 { "0".to_string() } else { (n % 10u64.pow(digits.min(9) as u32)).to_string() }
        }
        Kind::Text => {
            let text = format!("r{n:06}");
            let fits = match args.first() {
                Some(&len) if (len as usize) < text.len() => text[text.len() - len as usize..].to_string(),
                _ => text,
            };
            format!("'{fits}'")
        }
        Kind::Bool if schema.dialect == Dialect::Sqlite => (n % 2).to_string(),
        Kind::Bool => if n % 2 == 1 { "true" } else { "false" }.to_string(),
        Kind::Date => format!("'{}'", day(n)),
        Kind::Timestamp => format!("'{} 12:{:02}:{:02}'", day(n), n % 60, (n / 60) % 60),
        Kind::Time => format!("'{:02}:{:02}:00'", (n / 60) % 24, n % 60),
        Kind::Interval => format!("'{n} days'"),
        Kind::Uuid => format!("'00000000-0000-4000-8000-{n:012x}'"),
        Kind::Json => format!("'{{\"n\": {n}}}'"),
        Kind::Bytes if mysql || schema.dialect == Dialect::Sqlite => {
            let width = args.first().map_or(8, |&w| w.clamp(1, 8) as usize);
            let hex = format!("{n:016x}");
            format!("X'{}'", &hex[16 - width * 2..])
        }
        Kind::Bytes => format!("'\\x{n:016x}'"),
        Kind::Inet => format!("'10.{}.{}.{}'", (n >> 16) % 256, (n >> 8) % 256, n % 256),
        Kind::Cidr => format!("'10.{}.{}.0/24'", (n >> 8) % 256, n % 256),
        Kind::Mac => format!("'08:00:2b:{:02x}:{:02x}:{:02x}'", (n >> 16) % 256, (n >> 8) % 256, n % 256),
        Kind::Bit => {
            let width = args.first().copied().unwrap_or(1).clamp(1, 63) as usize;
            let bits = format!("{:064b}", n % (1u64 << width));
            format!("B'{}'", &bits[64 - width..])
        }
        Kind::Xml => format!("'<r>{n}</r>'"),
        Kind::Point => format!("'({n},{n})'"),
    })
}

/// The kind of a built-in type (`lower`: the type as printed, lowercase), by its base name
/// without length or precision (MySQL's `int(11) unsigned`: the first word).
fn base_kind(lower: &str) -> Option<Kind> {
    let base = lower.split('(').next().unwrap_or("").trim();
    let first_word = base.split(' ').next().unwrap_or("");
    KINDS.iter().find(|(names, _)| names.contains(&base) || names.contains(&first_word)).map(|(_, kind)| *kind)
}

/// The value rows that must hold one get when the old ones are gone (a downgrade re-adding a
/// NOT NULL column, [`crate::diff::for_existing_rows`]): the type's zero, empty or earliest
/// value; `None` for the kinds with no obvious one (bytes, addresses, bits, XML, points).
pub(crate) fn zero(lower: &str) -> Option<&'static str> {
    Some(match base_kind(lower)? {
        Kind::Int(_) | Kind::Decimal => "0",
        Kind::Text => "''",
        Kind::Bool => "false",
        Kind::Date => "'1970-01-01'",
        Kind::Timestamp => "'1970-01-01 00:00:00'",
        Kind::Time => "'00:00:00'",
        Kind::Interval => "'0'",
        Kind::Uuid => "'00000000-0000-0000-0000-000000000000'",
        Kind::Json => "'{}'",
        Kind::Bytes | Kind::Inet | Kind::Cidr | Kind::Mac | Kind::Bit | Kind::Xml | Kind::Point => return None,
    })
}

/// SQLite stores anything in any column: a value of the declared type's affinity.
fn sqlite_kind(declared: &str) -> Kind {
    match crate::diff::sqlite_affinity(declared) {
        "TEXT" => Kind::Text,
        "BLOB" => Kind::Bytes,
        _ => Kind::Int(2_147_483_647),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, Domain, EnumType, Name, PrimaryKey};

    fn column(name: &str, data_type: &str) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            on_update: None,
            auto_increment: false,
            invisible: false,
            check: None,
        }
    }

    fn table(columns: Vec<Column>) -> Table {
        Table { name: Name::new(None, "t"), columns, ..Table::default() }
    }

    fn of(dialect: Dialect, data_type: &str, n: u64) -> Sample {
        let schema = Schema { dialect, ..Schema::default() };
        let c = column("c", data_type);
        sample(&schema, &table(vec![c.clone()]), &c, n)
    }

    fn lit(s: &str) -> Sample {
        Sample::Literal(s.to_string())
    }

    #[test]
    fn values_differ_per_row_and_fit_the_type() {
        let pg = Dialect::Postgres;
        assert_eq!(of(pg, "integer", 2), lit("2"));
        assert_eq!(of(pg, "character varying(3)", 12), lit("'012'"));
        assert_eq!(of(pg, "character varying(255)", 12), lit("'r000012'"));
        assert_eq!(of(pg, "numeric(4,2)", 123), lit("23"));
        assert_eq!(of(pg, "boolean", 1), lit("true"));
        assert_eq!(of(pg, "date", 1), lit("'2000-01-02'"));
        assert_eq!(of(pg, "timestamp(6) with time zone", 61), lit("'2000-03-06 12:01:01'"));
        assert_eq!(of(pg, "uuid", 255), lit("'00000000-0000-4000-8000-0000000000ff'"));
        assert_eq!(of(pg, "bytea", 1), lit("'\\x0000000000000001'"));
        assert_eq!(of(pg, "bit(3)", 5), lit("B'101'"));
        assert_eq!(of(pg, "integer[]", 5), lit("'{}'"));
        assert_eq!(of(Dialect::Mysql, "tinyint(4)", 128), lit("1"));
        assert_eq!(of(Dialect::Mysql, "binary(2)", 258), lit("X'0102'"));
        assert_eq!(of(Dialect::Mysql, "enum('a','b''c')", 2), lit("'b''c'"));
        assert_eq!(of(Dialect::Mysql, "bigint(20) unsigned", 7), lit("7"));
        assert_eq!(of(Dialect::Sqlite, "BOOLEAN", 3), lit("1"));
        assert_eq!(of(Dialect::Sqlite, "whatever", 3), lit("3"));
        assert!(matches!(of(pg, "tsrange", 1), Sample::Impossible(_)));
    }

    #[test]
    fn checks_enums_and_domains_choose_the_values() {
        let mut schema = Schema { dialect: Dialect::Postgres, ..Schema::default() };
        schema.enums.push(EnumType {
            name: Name::new(Some("app"), "mood"),
            labels: vec!["sad".into(), "ok".into()],
            comment: None,
        });
        schema.domains.push(Domain {
            name: Name::new(None, "code"),
            base_type: "text".into(),
            not_null: false,
            default: None,
            collation: None,
            checks: vec![Check {
                name: None,
                expr: "VALUE = ANY (ARRAY['x'::text, 'y'::text])".into(),
                no_inherit: false,
                not_valid: false,
            }],
            comment: None,
        });
        let status = column("status", "text");
        let mood = column("mood", "app.mood");
        let code = column("code", "code");
        let mut t = table(vec![status.clone(), mood.clone(), code.clone()]);
        t.checks.push(Check {
            name: Some("st".into()),
            expr: "(status = ANY (ARRAY['new'::text, 'done'::text]))".into(),
            no_inherit: false,
            not_valid: false,
        });
        assert_eq!(sample(&schema, &t, &status, 2), lit("'done'"));
        assert_eq!(sample(&schema, &t, &mood, 3), lit("'sad'"));
        assert_eq!(sample(&schema, &t, &code, 2), lit("'y'"));
    }

    #[test]
    fn the_server_fills_what_it_generates() {
        let schema = Schema { dialect: Dialect::Sqlite, ..Schema::default() };
        let id = column("id", "INTEGER");
        let mut t = table(vec![id.clone()]);
        t.primary_key = Some(PrimaryKey { name: None, columns: vec!["id".into()], autoincrement: false });
        assert_eq!(sample(&schema, &t, &id, 1), Sample::Server);
        let pg = Schema { dialect: Dialect::Postgres, ..Schema::default() };
        let serial = Column { default: Some("nextval('t_id_seq'::regclass)".into()), ..column("id", "integer") };
        assert_eq!(sample(&pg, &table(vec![serial.clone()]), &serial, 1), Sample::Server);
        let odd = Column { nullable: true, ..column("r", "tsrange") };
        assert_eq!(sample(&pg, &table(vec![odd.clone()]), &odd, 1), Sample::Null);
    }
}
