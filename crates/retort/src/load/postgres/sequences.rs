//! Sequence options (`CREATE SEQUENCE ... AS bigint START WITH 5`, an identity column's
//! `(START WITH 10)`) into the parameters the catalog would hold, with the server's defaults and
//! its checks; and the `ALTER SEQUENCE ... OWNED BY` statement sqlparser does not read.

use sqlparser::ast::{Expr, Ident, ObjectName, SequenceOptions, UnaryOperator, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Span, Token, Tokenizer};

use super::expr::fold;
use super::types::builtin;
use crate::dialect::postgres::{SeqRow, type_max, type_min};

/// The parameters `options` give a sequence of `default_type` (an identity column's type), and
/// the `OWNED BY` target (`Some(None)` for `OWNED BY NONE`). An error says what the parser cannot
/// vouch for (the server would reject it, or the form is unknown).
pub fn parameters(
    default_type: &str,
    options: &[SequenceOptions],
) -> Result<(SeqRow, Option<Option<ObjectName>>), String> {
    let mut data_type = default_type.to_string();
    let (mut start, mut increment, mut min, mut max, mut cache, mut cycle) = (None, 1, None, None, 1, false);
    let mut owned_by = None;
    for option in options {
        match option {
            SequenceOptions::DataType(t) => match builtin(&t.to_string()) {
                Some(b) if !b.serial && matches!(b.name.as_str(), "smallint" | "integer" | "bigint") => {
                    data_type = b.name
                }
                _ => return Err(format!("the sequence type {t}")),
            },
            SequenceOptions::IncrementBy(e, _) => increment = number(e)?,
            SequenceOptions::MinValue(e) => min = e.as_ref().map(number).transpose()?,
            SequenceOptions::MaxValue(e) => max = e.as_ref().map(number).transpose()?,
            SequenceOptions::StartWith(e, _) => start = Some(number(e)?),
            SequenceOptions::Cache(e) => cache = number(e)?,
            SequenceOptions::Cycle(no) => cycle = !no,
            SequenceOptions::OwnedBy(target) => owned_by = Some(target.clone()),
        }
    }
    let ascending = increment > 0;
    let min = min.unwrap_or(if ascending { 1 } else { type_min(&data_type) });
    let max = max.unwrap_or(if ascending { type_max(&data_type) } else { -1 });
    let start = start.unwrap_or(if ascending { min } else { max });
    let fits = min >= type_min(&data_type) && max <= type_max(&data_type);
    if increment == 0 || min >= max || start < min || start > max || cache < 1 || !fits {
        return Err("sequence parameters the server would reject".into());
    }
    Ok((SeqRow { data_type, start, increment, min, max, cache, cycle }, owned_by))
}

/// An integer literal, possibly negative.
fn number(e: &Expr) -> Result<i64, String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().map_err(|_| format!("the number {n}")),
            other => Err(format!("the value {other}")),
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => number(expr).map(|n| -n),
        Expr::UnaryOp { op: UnaryOperator::Plus, expr } => number(expr),
        other => Err(format!("the expression {other}")),
    }
}

/// `ALTER SEQUENCE name OWNED BY table.column | NONE`, which sqlparser cannot parse: the
/// sequence's name parts and the owner's (`None` for NONE). `None` when the statement is anything
/// else.
pub fn owned_by(sql: &str) -> Option<(Vec<String>, Option<Vec<String>>)> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().ok()?;
    let tokens: Vec<Token> = tokens.into_iter().filter(|t| !matches!(t, Token::Whitespace(_))).collect();
    let word =
        |t: &Token, w: &str| matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    let [alter, sequence, rest @ ..] = tokens.as_slice() else { return None };
    if !word(alter, "alter") || !word(sequence, "sequence") {
        return None;
    }
    let (name, rest) = dotted(rest)?;
    let [owned, by, rest @ ..] = rest else { return None };
    if !word(owned, "owned") || !word(by, "by") {
        return None;
    }
    let rest: &[Token] = match rest.last() {
        Some(Token::SemiColon) => &rest[..rest.len() - 1],
        _ => rest,
    };
    if let [none] = rest
        && word(none, "none")
    {
        return Some((name, None));
    }
    let (owner, tail) = dotted(rest)?;
    tail.is_empty().then_some((name, Some(owner)))
}

/// The parts of a relation name written as text (`'public."T_seq"'` in `nextval(...)`), folded
/// as `regclass` input folds them.
pub fn name_parts(text: &str) -> Option<Vec<String>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text).tokenize().ok()?;
    let (parts, rest) = dotted(&tokens)?;
    rest.is_empty().then_some(parts)
}

/// A dotted name at the start of `tokens`, folded as the server folds identifiers.
fn dotted(tokens: &[Token]) -> Option<(Vec<String>, &[Token])> {
    let mut parts = Vec::new();
    let mut i = 0;
    loop {
        let Some(Token::Word(w)) = tokens.get(i) else { return None };
        parts.push(fold(&Ident { value: w.value.clone(), quote_style: w.quote_style, span: Span::empty() }));
        i += 1;
        if tokens.get(i) != Some(&Token::Period) {
            return Some((parts, &tokens[i..]));
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_by_is_recognized() {
        assert_eq!(
            owned_by("ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;"),
            Some((vec!["public".into(), "t_id_seq".into()], Some(vec!["public".into(), "t".into(), "id".into()])))
        );
        assert_eq!(owned_by("alter sequence \"S\" owned by none"), Some((vec!["S".into()], None)));
        assert_eq!(owned_by("ALTER SEQUENCE s RESTART WITH 5"), None);
        assert_eq!(name_parts("public.\"T_seq\""), Some(vec!["public".into(), "T_seq".into()]));
        assert_eq!(name_parts("Orders_Seq"), Some(vec!["orders_seq".into()]));
        assert_eq!(name_parts("a b"), None);
    }

    #[test]
    fn defaults_follow_the_server() {
        let (row, owner) = parameters("bigint", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((row.start, row.min, row.max, row.cache, owner), (1, 1, i64::MAX, 1, None));
        let descending = [SequenceOptions::IncrementBy(Expr::value(Value::Number("-1".into(), false)), true)];
        let (row, _) = parameters("integer", &descending).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((row.start, row.min, row.max), (-1, i64::from(i32::MIN), -1));
        let bad = [SequenceOptions::StartWith(Expr::value(Value::Number("0".into(), false)), true)];
        assert!(parameters("integer", &bad).is_err(), "START 0 is below MINVALUE 1");
    }
}
