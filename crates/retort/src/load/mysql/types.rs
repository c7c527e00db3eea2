//! Column types as MariaDB's `information_schema.COLUMNS.COLUMN_TYPE` prints them, from the
//! spelling a file uses: one table of aliases and display widths, not branches.

/// What a column's type allows for its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer type (`tinyint(1)` included: MariaDB's boolean).
    Integer,
    /// `decimal(p,s)`: a default is printed with `s` decimals.
    Decimal {
        /// The scale.
        scale: u32,
    },
    /// Floating point: its defaults are left to the scratch database.
    Float,
    /// `char`, `varchar` and the text types.
    Text,
    /// `datetime`: `CURRENT_TIMESTAMP` prints as `current_timestamp()`.
    Datetime,
    /// `date`, `time`, `year`, the blob types: no default is taken here.
    Other,
    /// `enum(...)`: a default is one of its members.
    Enum,
    /// MariaDB's `json` (`longtext` with a `json_valid` check): no default is taken here.
    Json,
}

/// A type the fast path knows: the canonical name, the display width MariaDB gives an integer
/// type without one (signed, unsigned), and the kind.
struct Known {
    names: &'static [&'static str],
    canonical: &'static str,
    widths: Option<(u32, u32)>,
    kind: Kind,
}

const KNOWN: &[Known] = &[
    Known { names: &["tinyint", "int1"], canonical: "tinyint", widths: Some((4, 3)), kind: Kind::Integer },
    Known { names: &["smallint", "int2"], canonical: "smallint", widths: Some((6, 5)), kind: Kind::Integer },
    Known {
        names: &["mediumint", "int3", "middleint"],
        canonical: "mediumint",
        widths: Some((9, 8)),
        kind: Kind::Integer,
    },
    Known { names: &["int", "integer", "int4"], canonical: "int", widths: Some((11, 10)), kind: Kind::Integer },
    Known { names: &["bigint", "int8"], canonical: "bigint", widths: Some((20, 20)), kind: Kind::Integer },
    Known {
        names: &["decimal", "numeric", "dec", "fixed"],
        canonical: "decimal",
        widths: None,
        kind: Kind::Decimal { scale: 0 },
    },
    Known { names: &["float"], canonical: "float", widths: None, kind: Kind::Float },
    Known { names: &["double", "double precision", "real"], canonical: "double", widths: None, kind: Kind::Float },
    Known { names: &["char", "character"], canonical: "char", widths: None, kind: Kind::Text },
    Known { names: &["varchar", "character varying"], canonical: "varchar", widths: None, kind: Kind::Text },
    Known { names: &["tinytext"], canonical: "tinytext", widths: None, kind: Kind::Text },
    Known { names: &["text"], canonical: "text", widths: None, kind: Kind::Text },
    Known { names: &["mediumtext"], canonical: "mediumtext", widths: None, kind: Kind::Text },
    Known { names: &["longtext"], canonical: "longtext", widths: None, kind: Kind::Text },
    Known { names: &["datetime"], canonical: "datetime", widths: None, kind: Kind::Datetime },
    Known { names: &["date"], canonical: "date", widths: None, kind: Kind::Other },
    Known { names: &["time"], canonical: "time", widths: None, kind: Kind::Other },
    Known { names: &["blob"], canonical: "blob", widths: None, kind: Kind::Other },
    Known { names: &["binary"], canonical: "binary", widths: None, kind: Kind::Other },
    Known { names: &["varbinary"], canonical: "varbinary", widths: None, kind: Kind::Other },
    Known { names: &["mediumblob"], canonical: "mediumblob", widths: None, kind: Kind::Other },
    Known { names: &["longblob"], canonical: "longblob", widths: None, kind: Kind::Other },
];

/// The type as MariaDB prints it, from the text sqlparser prints for it (`INT UNSIGNED`,
/// `VARCHAR(40)`, `DECIMAL(12,2)`, `BOOL`); `None` for a type left to the scratch database
/// (timestamp with its implicit defaults, enum, set, json, zerofill, a character set...).
pub fn column_type(printed: &str) -> Option<(String, Kind)> {
    let lower = printed.trim().to_ascii_lowercase();
    if lower == "bool" || lower == "boolean" {
        return Some(("tinyint(1)".into(), Kind::Integer));
    }
    let (lower, unsigned) = match lower.strip_suffix(" unsigned") {
        Some(rest) => (rest.trim().to_string(), true),
        None => (lower, false),
    };
    let (base, args) = match lower.split_once('(') {
        Some((base, rest)) => (base.trim(), Some(rest.strip_suffix(')')?.replace(' ', ""))),
        None => (lower.as_str(), None),
    };
    let known = KNOWN.iter().find(|k| k.names.contains(&base))?;
    if unsigned && known.widths.is_none() {
        return None;
    }
    let numbers: Vec<u32> = match &args {
        Some(a) => a.split(',').map(|n| n.parse().ok()).collect::<Option<_>>()?,
        None => Vec::new(),
    };
    let sign = if unsigned { " unsigned" } else { "" };
    let printed = match (known.kind, known.widths, numbers.as_slice()) {
        (Kind::Integer, Some((signed, unsigned_width)), []) => {
            format!("{}({}){sign}", known.canonical, if unsigned { unsigned_width } else { signed })
        }
        (Kind::Integer, Some(_), [width]) => format!("{}({width}){sign}", known.canonical),
        (Kind::Decimal { .. }, _, []) => return Some(("decimal(10,0)".into(), Kind::Decimal { scale: 0 })),
        (Kind::Decimal { .. }, _, [p]) => return Some((format!("decimal({p},0)"), Kind::Decimal { scale: 0 })),
        (Kind::Decimal { .. }, _, [p, s]) if s <= p => {
            return Some((format!("decimal({p},{s})"), Kind::Decimal { scale: *s }));
        }
        (Kind::Text, _, []) if known.canonical == "char" => "char(1)".into(),
        (Kind::Text, _, [n]) if matches!(known.canonical, "char" | "varchar") => format!("{}({n})", known.canonical),
        (Kind::Text, _, []) if known.canonical != "varchar" => known.canonical.into(),
        (Kind::Other, _, []) if known.canonical == "binary" => "binary(1)".into(),
        (Kind::Other, _, [n]) if matches!(known.canonical, "binary" | "varbinary") => {
            format!("{}({n})", known.canonical)
        }
        (Kind::Float | Kind::Datetime | Kind::Other, _, []) if known.canonical != "varbinary" => known.canonical.into(),
        _ => return None,
    };
    Some((printed, known.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_print_as_mariadb_prints_them() {
        let t = |s: &str| column_type(s).map(|(p, _)| p);
        assert_eq!(t("INT").as_deref(), Some("int(11)"));
        assert_eq!(t("INTEGER UNSIGNED").as_deref(), Some("int(10) unsigned"));
        assert_eq!(t("SMALLINT UNSIGNED").as_deref(), Some("smallint(5) unsigned"));
        assert_eq!(t("BIGINT").as_deref(), Some("bigint(20)"));
        assert_eq!(t("INT(8)").as_deref(), Some("int(8)"));
        assert_eq!(t("BOOL").as_deref(), Some("tinyint(1)"));
        assert_eq!(t("NUMERIC").as_deref(), Some("decimal(10,0)"));
        assert_eq!(t("DECIMAL(12, 2)").as_deref(), Some("decimal(12,2)"));
        assert_eq!(t("CHAR").as_deref(), Some("char(1)"));
        assert_eq!(t("VARCHAR(40)").as_deref(), Some("varchar(40)"));
        assert_eq!(t("DOUBLE PRECISION").as_deref(), Some("double"));
        assert_eq!(t("VARCHAR"), None);
        assert_eq!(t("TIMESTAMP"), None);
        assert_eq!(t("ENUM('a','b')"), None);
        assert_eq!(t("TEXT UNSIGNED"), None);
    }
}
