//! Type names as PostgreSQL's `format_type` prints them: the aliases a schema file may use
//! (`int4`, `varchar(80)`, `timestamptz`, `serial`) mapped to the one spelling the inspector reads
//! back, as a table of data rather than branching code.

/// Built-in types: the spellings a file may use (lowercase, words separated by one space) and the
/// canonical name. Types that take modifiers print them after the first word of the canonical
/// name unless noted in [`MODIFIER_PLACEMENT`].
const ALIASES: &[(&[&str], &str)] = &[
    (&["int", "int4", "integer"], "integer"),
    (&["int2", "smallint"], "smallint"),
    (&["int8", "bigint"], "bigint"),
    (&["text"], "text"),
    (&["varchar", "character varying"], "character varying"),
    (&["char", "character", "bpchar"], "character"),
    (&["bool", "boolean"], "boolean"),
    (&["real", "float4"], "real"),
    (&["float8", "double precision"], "double precision"),
    (&["numeric", "decimal", "dec"], "numeric"),
    (&["date"], "date"),
    (&["time", "time without time zone"], "time without time zone"),
    (&["timetz", "time with time zone"], "time with time zone"),
    (&["timestamp", "timestamp without time zone"], "timestamp without time zone"),
    (&["timestamptz", "timestamp with time zone"], "timestamp with time zone"),
    (&["interval"], "interval"),
    (&["uuid"], "uuid"),
    (&["json"], "json"),
    (&["jsonb"], "jsonb"),
    (&["bytea"], "bytea"),
    (&["inet"], "inet"),
    (&["cidr"], "cidr"),
    (&["macaddr"], "macaddr"),
    (&["macaddr8"], "macaddr8"),
    (&["money"], "money"),
    (&["xml"], "xml"),
    (&["tsvector"], "tsvector"),
    (&["tsquery"], "tsquery"),
    (&["oid"], "oid"),
    (&["bit"], "bit"),
    (&["varbit", "bit varying"], "bit varying"),
    (&["point"], "point"),
    (&["line"], "line"),
    (&["lseg"], "lseg"),
    (&["box"], "box"),
    (&["path"], "path"),
    (&["polygon"], "polygon"),
    (&["circle"], "circle"),
    (&["int4range"], "int4range"),
    (&["int8range"], "int8range"),
    (&["numrange"], "numrange"),
    (&["tsrange"], "tsrange"),
    (&["tstzrange"], "tstzrange"),
    (&["daterange"], "daterange"),
];

/// Types whose modifiers go after the first word (`timestamp(3) with time zone`), and types that
/// take none at all.
const MODIFIER_PLACEMENT: &[(&str, Modifiers)] = &[
    ("time without time zone", Modifiers::AfterFirstWord),
    ("time with time zone", Modifiers::AfterFirstWord),
    ("timestamp without time zone", Modifiers::AfterFirstWord),
    ("timestamp with time zone", Modifiers::AfterFirstWord),
    ("character varying", Modifiers::AtEnd),
    ("character", Modifiers::AtEnd),
    ("numeric", Modifiers::AtEnd),
    ("bit", Modifiers::AtEnd),
    ("bit varying", Modifiers::AtEnd),
    ("interval", Modifiers::AtEnd),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Modifiers {
    AfterFirstWord,
    AtEnd,
}

/// The serial pseudo-types: an integer column with a sequence it owns.
const SERIALS: &[(&[&str], &str)] = &[
    (&["serial", "serial4"], "integer"),
    (&["bigserial", "serial8"], "bigint"),
    (&["smallserial", "serial2"], "smallint"),
];

/// A built-in type, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builtin {
    /// As `format_type` prints it.
    pub name: String,
    /// `serial`, `bigserial`, `smallserial`: the column gets an owned sequence and a default.
    pub serial: bool,
}

/// Resolves a built-in type written as SQL (`VARCHAR(80)`, `int4[]`, `TIMESTAMP(3) WITH TIME
/// ZONE`, `float(10)`, `serial`). `None` when the text is not a built-in type this table knows:
/// the caller treats it as a user type or lets the server decide.
pub fn builtin(written: &str) -> Option<Builtin> {
    let lower = written.trim().to_ascii_lowercase();
    let (base, dims) = strip_array(&lower)?;
    let (words, modifiers) = split_modifiers(base)?;
    if let Some((_, target)) = SERIALS.iter().find(|(names, _)| names.contains(&words.as_str())) {
        return (dims == 0 && modifiers.is_none()).then(|| Builtin { name: (*target).to_string(), serial: true });
    }
    let name = if words == "float" || words == "double" {
        match modifiers.as_deref() {
            None => "double precision".to_string(),
            Some(p) => match p.parse::<u32>().ok()? {
                1..=24 => "real".to_string(),
                25..=53 => "double precision".to_string(),
                _ => return None,
            },
        }
    } else {
        let (_, canonical) = ALIASES.iter().find(|(names, _)| names.contains(&words.as_str()))?;
        with_modifiers(canonical, modifiers.as_deref())?
    };
    Some(Builtin { name: if dims > 0 { format!("{name}[]") } else { name }, serial: false })
}

/// `int[][]`, `int[3]`, `int ARRAY`: the element type and the number of dimensions (the server
/// prints every array type with one `[]`).
fn strip_array(text: &str) -> Option<(&str, usize)> {
    let mut base = text.trim_end();
    let mut dims = 0;
    if let Some(b) = base.strip_suffix(" array") {
        return Some((b.trim_end(), 1));
    }
    while let Some(b) = base.strip_suffix(']') {
        let open = b.rfind('[')?;
        if !b[open + 1..].chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        base = b[..open].trim_end();
        dims += 1;
    }
    Some((base, dims))
}

/// `timestamp(3) with time zone` into (`timestamp with time zone`, `3`); words normalized to
/// single spaces; modifiers without spaces.
fn split_modifiers(text: &str) -> Option<(String, Option<String>)> {
    let (words, modifiers) = match text.find('(') {
        Some(open) => {
            let close = open + text[open..].find(')')?;
            let inner: String = text[open + 1..close].chars().filter(|c| !c.is_whitespace()).collect();
            if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_digit() || c == ',') {
                return None;
            }
            (format!("{} {}", &text[..open], &text[close + 1..]), Some(inner))
        }
        None => (text.to_string(), None),
    };
    Some((words.split_whitespace().collect::<Vec<_>>().join(" "), modifiers))
}

/// The canonical name with its modifiers where `format_type` puts them, and the defaults it
/// fills in (`char` is `character(1)`, `numeric(p)` is `numeric(p,0)`, `bit` is `bit(1)`).
fn with_modifiers(canonical: &str, modifiers: Option<&str>) -> Option<String> {
    let placement = MODIFIER_PLACEMENT.iter().find(|(n, _)| *n == canonical).map(|(_, p)| *p);
    let modifiers = match (canonical, modifiers) {
        ("character" | "bit", None) => Some("1".to_string()),
        ("numeric", Some(p)) if !p.contains(',') => Some(format!("{p},0")),
        (_, m) => m.map(str::to_string),
    };
    let Some(m) = modifiers else { return Some(canonical.to_string()) };
    let arity = m.split(',').count();
    let allowed = match canonical {
        "numeric" => arity == 2,
        "interval" => false,
        _ => arity == 1,
    };
    match placement {
        _ if !allowed => None,
        Some(Modifiers::AtEnd) => Some(format!("{canonical}({m})")),
        Some(Modifiers::AfterFirstWord) => {
            let (first, rest) = canonical.split_once(' ')?;
            Some(format!("{first}({m}) {rest}"))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `format_type` prints for each spelling (checked against PostgreSQL 15 by the loader's
    /// oracle tests, which compare with a scratch database).
    #[test]
    fn spellings_resolve_to_format_type() {
        let cases = [
            ("INT", "integer"),
            ("int4", "integer"),
            ("Integer[]", "integer[]"),
            ("int[3][3]", "integer[]"),
            ("VARCHAR(80)", "character varying(80)"),
            ("character varying", "character varying"),
            ("varchar ( 12 )", "character varying(12)"),
            ("char", "character(1)"),
            ("CHAR(3)", "character(3)"),
            ("numeric", "numeric"),
            ("decimal(10)", "numeric(10,0)"),
            ("NUMERIC(12, 2)", "numeric(12,2)"),
            ("float", "double precision"),
            ("float(10)", "real"),
            ("float(30)", "double precision"),
            ("double precision", "double precision"),
            ("timestamptz", "timestamp with time zone"),
            ("TIMESTAMP(3) WITH TIME ZONE", "timestamp(3) with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("time(0)", "time(0) without time zone"),
            ("bool", "boolean"),
            ("text ARRAY", "text[]"),
            ("jsonb", "jsonb"),
            ("bit", "bit(1)"),
            ("varbit(5)", "bit varying(5)"),
        ];
        for (written, printed) in cases {
            assert_eq!(builtin(written).map(|b| b.name), Some(printed.to_string()), "{written}");
        }
    }

    #[test]
    fn serials_and_unknowns() {
        assert_eq!(builtin("serial"), Some(Builtin { name: "integer".into(), serial: true }));
        assert_eq!(builtin("BIGSERIAL"), Some(Builtin { name: "bigint".into(), serial: true }));
        assert_eq!(builtin("serial[]"), None, "an array of serial is an error on the server");
        assert_eq!(builtin("status"), None);
        assert_eq!(builtin("interval(3)"), None, "left to the server");
        assert_eq!(builtin("float(60)"), None);
        assert_eq!(builtin("numeric(1,2,3)"), None);
    }
}
