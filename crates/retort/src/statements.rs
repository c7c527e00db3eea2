//! Splitting a script section into statements, with the file line of each, using sqlparser's
//! tokenizer so that quotes, dollar-quoted bodies and comments never split a statement.

use sqlparser::dialect::{Dialect as SqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::dialect::Dialect;
use crate::script::Section;

/// One statement of a migration, as it will be sent to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text without the closing semicolon.
    pub sql: String,
    /// The 1-based file line where the statement starts.
    pub line: usize,
}

/// A section that the tokenizer could not read (an unterminated string or comment, say).
#[derive(Debug, Clone, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct SplitError {
    /// File line of the problem.
    pub line: usize,
    /// Column of the problem.
    pub column: usize,
    /// The tokenizer's message.
    pub message: String,
}

/// Splits a section into statements. `BEGIN ... END` blocks inside a statement (SQLite trigger
/// bodies, PostgreSQL `BEGIN ATOMIC`) are kept whole; a `BEGIN` that starts a statement is the
/// transaction command and stays a statement of its own.
pub fn split(section: &Section, dialect: Dialect) -> Result<Vec<Statement>, SplitError> {
    let sql_dialect: &dyn SqlDialect = match dialect {
        Dialect::Sqlite => &SQLiteDialect {},
        Dialect::Postgres => &PostgreSqlDialect {},
    };
    let tokens =
        Tokenizer::new(sql_dialect, &section.sql).with_unescape(false).tokenize_with_location().map_err(|e| {
            SplitError {
                line: section.first_line + e.location.line.saturating_sub(1) as usize,
                column: e.location.column as usize,
                message: e.message,
            }
        })?;
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(section.sql.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let byte_at = |line: u64, column: u64| -> usize {
        let start = line_starts.get(line.saturating_sub(1) as usize).copied().unwrap_or(section.sql.len());
        let rest = &section.sql[start..];
        rest.char_indices().nth(column.saturating_sub(1) as usize).map_or(section.sql.len(), |(i, _)| start + i)
    };

    let mut out = Vec::new();
    let mut start: Option<(usize, u64)> = None; // byte offset and section line of the statement's first token
    let mut first_keyword = true;
    let mut depth = 0usize;
    for token in &tokens {
        if matches!(token.token, Token::Whitespace(_)) {
            continue;
        }
        let at = (byte_at(token.span.start.line, token.span.start.column), token.span.start.line);
        if token.token == Token::SemiColon && depth == 0 {
            if let Some((from, line)) = start.take() {
                out.push(Statement {
                    sql: section.sql[from..at.0].trim_end().to_string(),
                    line: section.first_line + line as usize - 1,
                });
            }
            first_keyword = true;
            continue;
        }
        if start.is_none() {
            start = Some(at);
        }
        if let Token::Word(word) = &token.token {
            match word.keyword {
                Keyword::BEGIN if !first_keyword => depth += 1,
                Keyword::CASE if depth > 0 => depth += 1,
                Keyword::END if depth > 0 => depth -= 1,
                _ => {}
            }
        }
        first_keyword = false;
    }
    if let Some((from, line)) = start {
        let sql = section.sql[from..].trim_end().to_string();
        out.push(Statement { sql, line: section.first_line + line as usize - 1 });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_sql(sql: &str, dialect: Dialect) -> Vec<(usize, String)> {
        let section = Section { sql: sql.to_string(), first_line: 10 };
        match split(&section, dialect) {
            Ok(stmts) => stmts.into_iter().map(|s| (s.line, s.sql)).collect(),
            Err(e) => vec![(0, e.to_string())],
        }
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let got = lines_and_sql(
            "CREATE TABLE a (x text DEFAULT ';');\n-- a comment; with a semicolon\nINSERT INTO a VALUES ('it''s;');\n\n/* block; */ SELECT 1",
            Dialect::Postgres,
        );
        assert_eq!(
            got,
            vec![
                (10, "CREATE TABLE a (x text DEFAULT ';')".to_string()),
                (12, "INSERT INTO a VALUES ('it''s;')".to_string()),
                (14, "SELECT 1".to_string()),
            ]
        );
    }

    #[test]
    fn keeps_dollar_quoted_bodies_and_unicode() {
        let sql = "-- 사용자\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\nCOMMENT ON TABLE a IS '한국어; 설명';";
        let got = lines_and_sql(sql, Dialect::Postgres);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].1.ends_with("LANGUAGE plpgsql"));
        assert_eq!(got[1], (12, "COMMENT ON TABLE a IS '한국어; 설명'".to_string()));
    }

    #[test]
    fn keeps_trigger_bodies_whole() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = CASE WHEN x > 0 THEN 1 ELSE 2 END;\n  DELETE FROM b;\nEND;\nBEGIN;\nSELECT 2;";
        let got = lines_and_sql(sql, Dialect::Sqlite);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].1.ends_with("END"));
        assert_eq!(got[1], (14, "BEGIN".to_string()));
    }

    #[test]
    fn unterminated_string_is_an_error_with_its_line() {
        let got = lines_and_sql("SELECT 1;\nSELECT 'oops", Dialect::Sqlite);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.starts_with("line 11"), "{got:?}");
    }
}
