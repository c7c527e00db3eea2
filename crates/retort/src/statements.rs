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

/// Words that open a block ending in `END` inside a trigger or `BEGIN ATOMIC` body.
const BLOCK_OPENERS: [Keyword; 2] = [Keyword::BEGIN, Keyword::CASE];

/// Splits a section into statements. `BEGIN ... END` blocks are kept whole inside
/// `CREATE TRIGGER` statements (SQLite trigger bodies) and after `BEGIN ATOMIC` (PostgreSQL SQL
/// function bodies); anywhere else `BEGIN` is an ordinary word (a column may be called `begin`).
/// `COPY ... FROM STDIN` and psql meta-commands (`\set`) are refused: they need a client.
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
    let significant: Vec<_> = tokens.iter().filter(|t| !matches!(t.token, Token::Whitespace(_))).collect();
    let file_line = |line: u64| section.first_line + line as usize - 1;

    let mut out = Vec::new();
    let mut words: Vec<Keyword> = Vec::new(); // the statement's keywords so far
    let mut start: Option<(usize, u64)> = None;
    let mut end = 0usize;
    let mut depth = 0usize;
    for (i, token) in significant.iter().enumerate() {
        let at = byte_at(token.span.start.line, token.span.start.column);
        if token.token == Token::SemiColon && depth == 0 {
            if let Some((from, line)) = start.take() {
                out.push(Statement { sql: section.sql[from..end].to_string(), line: file_line(line) });
            }
            words.clear();
            continue;
        }
        if start.is_none() {
            if token.token == Token::Backslash {
                return Err(SplitError {
                    line: file_line(token.span.start.line),
                    column: token.span.start.column as usize,
                    message: "a psql meta-command (\\...) is not SQL; migrations hold SQL statements only".into(),
                });
            }
            start = Some((at, token.span.start.line));
        }
        end = byte_at(token.span.end.line, token.span.end.column);
        if let Token::Word(word) = &token.token {
            let in_trigger = words.first() == Some(&Keyword::CREATE) && words.contains(&Keyword::TRIGGER);
            let atomic = matches!(significant.get(i + 1).map(|t| &t.token), Some(Token::Word(w)) if w.keyword == Keyword::ATOMIC);
            match word.keyword {
                Keyword::BEGIN if depth == 0 && (in_trigger || atomic) => depth = 1,
                k if depth > 0 && BLOCK_OPENERS.contains(&k) => depth += 1,
                Keyword::END if depth > 0 => depth -= 1,
                _ => {}
            }
            if word.keyword == Keyword::STDIN && words.first() == Some(&Keyword::COPY) && words.contains(&Keyword::FROM)
            {
                return Err(SplitError {
                    line: file_line(token.span.start.line),
                    column: token.span.start.column as usize,
                    message: "COPY ... FROM STDIN needs a client to stream the data; load data with INSERT statements or COPY FROM a server-side file".into(),
                });
            }
            words.push(word.keyword);
        }
    }
    if let Some((from, line)) = start {
        out.push(Statement { sql: section.sql[from..end].to_string(), line: file_line(line) });
    }
    Ok(out)
}

impl Statement {
    /// True for statements that end or start a transaction (`BEGIN`, `COMMIT`, `ROLLBACK`
    /// without `TO`, `END`, `START TRANSACTION`, `ABORT`): inside a transactional migration they
    /// would break the step's transaction.
    pub fn is_transaction_control(&self) -> bool {
        let mut words = self.sql.split_whitespace().map(str::to_ascii_uppercase);
        let first = words.next().unwrap_or_default();
        let second = words.next().unwrap_or_default();
        match first.as_str() {
            "BEGIN" | "COMMIT" | "END" | "ABORT" => {
                second.is_empty()
                    || matches!(
                        second.as_str(),
                        "TRANSACTION" | "WORK" | "IMMEDIATE" | "EXCLUSIVE" | "DEFERRED" | "ISOLATION" | "READ"
                    )
            }
            "ROLLBACK" => second != "TO",
            "START" => second == "TRANSACTION",
            _ => false,
        }
    }
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
    fn begin_is_a_block_only_in_triggers_and_atomic_bodies() {
        let sql = "CREATE TABLE shifts (id int, begin timestamptz);\nCREATE INDEX a ON shifts (begin);";
        assert_eq!(lines_and_sql(sql, Dialect::Postgres).len(), 2);
        let atomic = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nSELECT 3;";
        let got = lines_and_sql(atomic, Dialect::Postgres);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].1.ends_with("END"));
    }

    #[test]
    fn trailing_comments_stay_out_of_the_statement() {
        let got = lines_and_sql("CREATE TABLE a (id int) -- note\n-- TODO index", Dialect::Postgres);
        assert_eq!(got, vec![(10, "CREATE TABLE a (id int)".to_string())]);
    }

    #[test]
    fn client_only_input_is_refused() {
        let copy = lines_and_sql("COPY t (a) FROM stdin;\n1\n\\.\n", Dialect::Postgres);
        assert!(copy[0].1.contains("COPY ... FROM STDIN"), "{copy:?}");
        let meta = lines_and_sql("SELECT 1;\n\\set x 1\n", Dialect::Postgres);
        assert!(meta[0].1.starts_with("line 11") && meta[0].1.contains("meta-command"), "{meta:?}");
    }

    #[test]
    fn transaction_control_is_recognised() {
        let check = |sql: &str| Statement { sql: sql.into(), line: 1 }.is_transaction_control();
        for yes in ["BEGIN", "commit", "COMMIT WORK", "ROLLBACK", "START TRANSACTION", "END", "BEGIN IMMEDIATE"] {
            assert!(check(yes), "{yes}");
        }
        for no in ["ROLLBACK TO SAVEPOINT a", "SAVEPOINT a", "SELECT 1", "END_DATE", "BEGIN_AT"] {
            assert!(!check(no), "{no}");
        }
    }

    #[test]
    fn unterminated_string_is_an_error_with_its_line() {
        let got = lines_and_sql("SELECT 1;\nSELECT 'oops", Dialect::Sqlite);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.starts_with("line 11"), "{got:?}");
    }
}
