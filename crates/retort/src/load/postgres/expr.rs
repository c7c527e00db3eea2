//! Walking a parsed expression to learn what it names: the columns it reads (the server names an
//! unnamed check after its only column) and whether it names a user object (a type, sequence or
//! function the files define, which the server could only look up in the live database). The
//! walk knows the expression forms schemas use; any other form is reported, and the parser
//! declines rather than guess.

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget, Value};

use super::types::builtin;

/// What an expression names.
#[derive(Debug, Default)]
pub struct Names {
    /// Identifiers that may be columns: the last part of each (folded as the server folds them).
    pub identifiers: Vec<String>,
    /// Something only the live database could resolve, or a form the walk does not know.
    pub foreign: Option<String>,
}

/// Walks `expr`.
pub fn names(expr: &Expr) -> Names {
    let mut out = Names::default();
    walk(expr, &mut out);
    out
}

/// The server's reading of an identifier: unquoted folds to lower case (ASCII only, as the
/// server does), and anything longer than 63 bytes is truncated.
pub fn fold(i: &sqlparser::ast::Ident) -> String {
    let mut name = match i.quote_style {
        Some('"') => i.value.clone(),
        _ => i.value.to_ascii_lowercase(),
    };
    let mut end = name.len().min(super::names::MAX_IDENTIFIER);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.truncate(end);
    name
}

fn set_foreign(out: &mut Names, what: String) {
    out.foreign.get_or_insert(what);
}

fn walk(expr: &Expr, out: &mut Names) {
    if out.foreign.is_some() {
        return;
    }
    match expr {
        Expr::Identifier(i) => out.identifiers.push(fold(i)),
        Expr::CompoundIdentifier(parts) => {
            if let Some(last) = parts.last() {
                out.identifiers.push(fold(last));
            }
        }
        Expr::Value(v) => {
            if matches!(v.value, Value::Placeholder(_)) {
                set_foreign(out, expr.to_string());
            }
        }
        Expr::Nested(e)
        | Expr::UnaryOp { expr: e, .. }
        | Expr::IsNull(e)
        | Expr::IsNotNull(e)
        | Expr::IsTrue(e)
        | Expr::IsNotTrue(e)
        | Expr::IsFalse(e)
        | Expr::IsNotFalse(e)
        | Expr::IsUnknown(e)
        | Expr::IsNotUnknown(e) => walk(e, out),
        Expr::Collate { expr: e, collation } => {
            if collation.0.len() > 1 {
                set_foreign(out, collation.to_string());
            }
            walk(e, out);
        }
        Expr::BinaryOp { left, right, .. }
        | Expr::IsDistinctFrom(left, right)
        | Expr::IsNotDistinctFrom(left, right)
        | Expr::AnyOp { left, right, .. }
        | Expr::AllOp { left, right, .. } => {
            walk(left, out);
            walk(right, out);
        }
        Expr::Like { expr, pattern, escape_char, .. } | Expr::ILike { expr, pattern, escape_char, .. } => {
            walk(expr, out);
            walk(pattern, out);
            if let Some(e) = escape_char {
                walk(e, out);
            }
        }
        Expr::SimilarTo { expr, pattern, .. } => {
            walk(expr, out);
            walk(pattern, out);
        }
        Expr::Between { expr, low, high, .. } => {
            walk(expr, out);
            walk(low, out);
            walk(high, out);
        }
        Expr::In { expr, target: InTarget::List(list), .. } => {
            walk(expr, out);
            list.iter().for_each(|e| walk(e, out));
        }
        Expr::Cast { expr: e, data_type, .. } => {
            if builtin(&data_type.to_string()).is_none_or(|b| b.serial) {
                set_foreign(out, format!("the type {data_type}"));
            }
            walk(e, out);
        }
        Expr::Case { operand, conditions, else_result, .. } => {
            if let Some(e) = operand {
                walk(e, out);
            }
            for c in conditions {
                walk(&c.condition, out);
                walk(&c.result, out);
            }
            if let Some(e) = else_result {
                walk(e, out);
            }
        }
        Expr::Array(a) => a.elem.iter().for_each(|e| walk(e, out)),
        Expr::Tuple(list) => list.iter().for_each(|e| walk(e, out)),
        Expr::Function(f) => {
            let parts: Vec<String> = f.name.0.iter().filter_map(|p| p.as_ident().map(fold)).collect();
            let last = parts.last().map(String::as_str).unwrap_or_default();
            let sequence = matches!(last, "nextval" | "currval" | "setval" | "lastval");
            let qualified = parts.len() != f.name.0.len() || (parts.len() > 1 && parts[0] != "pg_catalog");
            if sequence || qualified || f.filter.is_some() || f.over.is_some() || !f.within_group.is_empty() {
                set_foreign(out, format!("the call {}", f.name));
                return;
            }
            for args in [&f.parameters, &f.args] {
                match args {
                    FunctionArguments::None => {}
                    FunctionArguments::List(list) if list.clauses.is_empty() => {
                        for arg in &list.args {
                            match arg {
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => walk(e, out),
                                other => {
                                    set_foreign(out, format!("the argument {other}"));
                                }
                            }
                        }
                    }
                    other => {
                        set_foreign(out, format!("the arguments {other}"));
                    }
                }
            }
        }
        other => {
            set_foreign(out, format!("the expression {other}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    use super::*;

    fn parse(sql: &str) -> Expr {
        Parser::new(&PostgreSqlDialect {}).try_with_sql(sql).and_then(|mut p| p.parse_expr()).unwrap_or_else(|e| {
            panic!("{sql}: {e}");
        })
    }

    #[test]
    fn columns_and_foreign_names() {
        let n = names(&parse("price > 0 AND lower(\"Name\") <> '' AND t.qty BETWEEN 1 AND 10"));
        assert_eq!(n.identifiers, vec!["price", "Name", "qty"]);
        assert!(n.foreign.is_none());
        assert!(names(&parse("status <> 'x'::status")).foreign.is_some(), "a user type");
        assert!(names(&parse("nextval('s')")).foreign.is_some(), "a sequence");
        assert!(names(&parse("public.f(a)")).foreign.is_some(), "a user function");
        assert!(names(&parse("a IN (SELECT 1)")).foreign.is_some(), "a subquery");
        assert!(names(&parse("a::text IN ('x', 'y')")).foreign.is_none());
        assert!(names(&parse("CASE WHEN a THEN now() ELSE CURRENT_TIMESTAMP END")).foreign.is_none());
    }
}
