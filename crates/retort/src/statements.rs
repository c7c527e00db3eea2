//! Splitting a script section into statements, with the file line of each, using sqlparser's
//! tokenizer so that quotes, dollar-quoted bodies and comments never split a statement.

use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
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

/// What creates a stored program on MySQL, whose `BEGIN ... END` body holds `;`.
const MYSQL_PROGRAMS: [Keyword; 4] = [Keyword::TRIGGER, Keyword::PROCEDURE, Keyword::FUNCTION, Keyword::EVENT];

/// MySQL compound statements closed by `END IF`, `END WHILE`, `END REPEAT` and `END LOOP`; they
/// open a block only where a statement starts (`IF(a, b, c)` and `REPEAT('x', 3)` are functions).
const MYSQL_COMPOUND: [&str; 4] = ["IF", "WHILE", "REPEAT", "LOOP"];

fn tokenizer_dialect(dialect: Dialect) -> &'static dyn SqlDialect {
    match dialect {
        Dialect::Sqlite => &SQLiteDialect {},
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Mysql => &MySqlDialect {},
    }
}

/// Splits a section into statements. `BEGIN ... END` blocks are kept whole inside
/// `CREATE TRIGGER` statements (SQLite trigger bodies), after `BEGIN ATOMIC` (PostgreSQL SQL
/// function bodies) and in MySQL stored programs (triggers, procedures, functions, events, with
/// their `IF`, `CASE`, `WHILE`, `REPEAT` and `LOOP` blocks); anywhere else `BEGIN` is an
/// ordinary word (a column may be called `begin`). On MySQL, `DELIMITER` lines are read as the
/// `mysql` client reads them, and dropped. `COPY ... FROM STDIN` and client meta-commands
/// (`\set`) are refused: they need a client.
pub fn split(section: &Section, dialect: Dialect) -> Result<Vec<Statement>, SplitError> {
    if dialect == Dialect::Mysql && section.sql.lines().any(|l| delimiter_line(l).is_some()) {
        return split_delimited(section);
    }
    split_tokens(section, dialect)
}

/// The delimiter a `DELIMITER x` line sets.
fn delimiter_line(line: &str) -> Option<&str> {
    let t = line.trim();
    let word = t.get(..10)?;
    if !word.eq_ignore_ascii_case("delimiter ") {
        return None;
    }
    t[10..].split_whitespace().next()
}

/// Whether text read so far ends between statements: nothing but comments and blank lines since
/// the last delimiter (or since the start).
fn between_statements(chunk: &str, delimiter: &str) -> bool {
    let comment = |l: &str| {
        l.starts_with("--")
            || l.starts_with('#')
            || (l.starts_with("/*") && !l.starts_with("/*!") && !l.starts_with("/*M!") && l.ends_with("*/"))
    };
    chunk.lines().map(str::trim).rfind(|l| !l.is_empty() && !comment(l)).is_none_or(|l| l.ends_with(delimiter))
}

/// A section with `DELIMITER` lines: each run of lines between them is split by its delimiter.
fn split_delimited(section: &Section) -> Result<Vec<Statement>, SplitError> {
    let mut out = Vec::new();
    let mut delimiter = ";".to_string();
    let mut chunk = String::new();
    let mut chunk_line = section.first_line;
    let mut flush = |chunk: &mut String, first_line: usize, delimiter: &str| -> Result<(), SplitError> {
        let part = Section { sql: std::mem::take(chunk), first_line };
        if delimiter == ";" {
            out.extend(split_tokens(&part, Dialect::Mysql)?);
        } else {
            out.extend(split_custom(&part, delimiter)?);
        }
        Ok(())
    };
    for (i, line) in section.sql.split('\n').enumerate() {
        // As in the client, `DELIMITER` is a command only between statements (a column may be
        // called `delimiter`).
        let between = between_statements(&chunk, &delimiter);
        if let Some(next) = delimiter_line(line).filter(|_| between) {
            flush(&mut chunk, chunk_line, &delimiter)?;
            delimiter = next.to_string();
            chunk_line = section.first_line + i + 1;
            continue;
        }
        chunk.push_str(line);
        chunk.push('\n');
    }
    flush(&mut chunk, chunk_line, &delimiter)?;
    Ok(out)
}

/// MySQL's executable comments (`/*!40101 ... */`, MariaDB's `/*M!100100 ... */`) outside
/// strings, quoted names and other comments: (start, marker length, start of `*/`).
fn executable_comments(text: &str) -> Vec<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' && quote != b'`' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b'-' if text[i..].starts_with("-- ") || text[i..].starts_with("--\t") || text[i..].starts_with("--\n") => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n)
            }
            b'/' if text[i..].starts_with("/*") => {
                let marker = if text[i..].starts_with("/*!") {
                    3
                } else if text[i..].starts_with("/*M!") {
                    4
                } else {
                    0
                };
                let Some(close) = text[i + 2..].find("*/").map(|n| i + 2 + n) else { break };
                if marker > 0 {
                    found.push((i, marker, close));
                }
                i = close + 2;
            }
            _ => i += 1,
        }
    }
    found
}

/// A section's tokens with their byte ranges.
struct Tokens {
    /// (token, start byte, end byte, 1-based line within the section)
    items: Vec<(Token, usize, usize, u64)>,
    /// The byte ranges of MySQL executable comments, markers included.
    executable: Vec<(usize, usize)>,
}

impl Tokens {
    fn read(section: &Section, dialect: Dialect) -> Result<Tokens, SplitError> {
        // MySQL's executable comments (`/*!40101 SET NAMES utf8mb4 */`) hold a statement the
        // server runs. The tokenizer reads their insides but misplaces them, so it reads a copy
        // with the markers blanked (same offsets), and statements are widened over the markers.
        let mut executable = Vec::new();
        let mut text = std::borrow::Cow::Borrowed(section.sql.as_str());
        if dialect == Dialect::Mysql && section.sql.contains("!") {
            let mut copy = section.sql.clone();
            for (open, marker, close) in executable_comments(&section.sql) {
                copy.replace_range(open..open + marker, &" ".repeat(marker));
                copy.replace_range(close..close + 2, "  ");
                executable.push((open, close + 2));
            }
            text = std::borrow::Cow::Owned(copy);
        }
        let tokens = Tokenizer::new(tokenizer_dialect(dialect), &text)
            .with_unescape(false)
            .tokenize_with_location()
            .map_err(|e| SplitError {
                line: section.first_line + e.location.line.saturating_sub(1) as usize,
                column: e.location.column as usize,
                message: e.message,
            })?;
        let line_starts: Vec<usize> =
            std::iter::once(0).chain(section.sql.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let byte_at = |line: u64, column: u64| -> usize {
            let start = line_starts.get(line.saturating_sub(1) as usize).copied().unwrap_or(section.sql.len());
            let rest = &section.sql[start..];
            rest.char_indices().nth(column.saturating_sub(1) as usize).map_or(section.sql.len(), |(i, _)| start + i)
        };
        let items = tokens
            .into_iter()
            .map(|t| {
                let start = byte_at(t.span.start.line, t.span.start.column);
                let end = byte_at(t.span.end.line, t.span.end.column);
                (t.token, start, end, t.span.start.line)
            })
            .collect();
        Ok(Tokens { items, executable })
    }

    /// Whether a byte lies inside an executable comment (whose `;` does not end a statement).
    fn in_executable(&self, at: usize) -> bool {
        self.executable.iter().any(|&(open, close)| open < at && at < close)
    }

    /// A statement's byte range, widened over the executable comments it starts or ends in.
    fn widen(&self, from: usize, end: usize) -> (usize, usize) {
        self.executable.iter().fold((from, end), |(f, e), &(open, close)| {
            (if open <= f && f < close { open } else { f }, if open < e && e <= close { close } else { e })
        })
    }
}

/// Whether a token is part of a statement: not whitespace or a comment.
fn significant(token: &Token) -> bool {
    !matches!(token, Token::Whitespace(_))
}

/// A chunk ended by a custom `DELIMITER` (`$$`, `//`): the delimiter counts wherever it is
/// outside strings, quoted names and comments, as in the `mysql` client.
fn split_custom(section: &Section, delimiter: &str) -> Result<Vec<Statement>, SplitError> {
    let tokens = Tokens::read(section, Dialect::Mysql)?;
    let text = &section.sql;
    // Strings and quoted names are the tokens whose text holds a quote; comments are whitespace.
    let quoted = |t: &Token, s: usize, e: usize| match t {
        Token::Whitespace(_) => !significant(t),
        _ => text[s..e].contains(['\'', '"', '`']),
    };
    let mut cuts = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(delimiter) {
        let at = from + found;
        let inside = tokens.items.iter().any(|(t, s, e, _)| *s <= at && at < *e && quoted(t, *s, *e));
        if !inside {
            cuts.push(at);
        }
        from = at + delimiter.len();
    }
    cuts.push(text.len());
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts {
        let inner: Vec<_> =
            tokens.items.iter().filter(|(t, s, _, _)| *s >= start && *s < cut && significant(t)).collect();
        if let (Some(first), Some(last)) = (inner.first(), inner.last()) {
            // A word may run into the delimiter (`END$$`: `$` is a name character).
            out.push(Statement {
                sql: {
                    let (from, to) = tokens.widen(first.1, last.2.min(cut));
                    text[from..to].trim_end().to_string()
                },
                line: section.first_line + first.3 as usize - 1,
            });
        }
        start = cut + delimiter.len();
    }
    Ok(out)
}

/// Whether `IF` or `REPEAT` at a statement start opens a compound statement rather than calling
/// the function of that name (`THEN IF(a, 1, 2) ELSE ...` in a `CASE` expression): `IF c THEN`
/// reaches its `THEN` before anything that ends an expression; `REPEAT` (the statement) is
/// followed by a statement, never by `(`.
fn opens_compound(word: &str, rest: &[&(Token, usize, usize, u64)]) -> bool {
    if word.eq_ignore_ascii_case("REPEAT") {
        return !matches!(rest.first().map(|t| &t.0), Some(Token::LParen));
    }
    if !word.eq_ignore_ascii_case("IF") {
        return true;
    }
    let mut parens = 0usize;
    for (token, ..) in rest.iter().copied() {
        match token {
            Token::LParen => parens += 1,
            Token::RParen if parens == 0 => return false,
            Token::RParen => parens -= 1,
            Token::SemiColon | Token::Comma if parens == 0 => return false,
            Token::Word(w) if parens == 0 => match w.keyword {
                Keyword::THEN => return true,
                Keyword::WHEN | Keyword::ELSE | Keyword::END => return false,
                _ => {}
            },
            _ => {}
        }
    }
    false
}

fn split_tokens(section: &Section, dialect: Dialect) -> Result<Vec<Statement>, SplitError> {
    let tokens = Tokens::read(section, dialect)?;
    let significant: Vec<_> = tokens.items.iter().filter(|t| significant(&t.0)).collect();
    let file_line = |line: u64| section.first_line + line as usize - 1;
    let column_of = |start: usize| section.sql[..start].rsplit('\n').next().map_or(1, |l| l.chars().count() + 1);

    let mut out = Vec::new();
    let mut words: Vec<Keyword> = Vec::new(); // the statement's keywords so far
    let mut start: Option<(usize, u64)> = None;
    let mut end = 0usize;
    let mut depth = 0usize;
    for (i, (token, at, token_end, line)) in significant.iter().map(|t| (&t.0, t.1, t.2, t.3)).enumerate() {
        if *token == Token::SemiColon && depth == 0 && !tokens.in_executable(at) {
            if let Some((from, line)) = start.take() {
                let (from, end) = tokens.widen(from, end);
                out.push(Statement { sql: section.sql[from..end].to_string(), line: file_line(line) });
            }
            words.clear();
            continue;
        }
        if start.is_none() {
            if *token == Token::Backslash {
                return Err(SplitError {
                    line: file_line(line),
                    column: column_of(at),
                    message: "a client meta-command (\\...) is not SQL; migrations hold SQL statements only".into(),
                });
            }
            start = Some((at, line));
        }
        end = token_end;
        if let Token::Word(word) = token {
            let next_word =
                |k: Keyword| matches!(significant.get(i + 1).map(|t| &t.0), Some(Token::Word(w)) if w.keyword == k);
            // `CREATE [OR REPLACE] [DEFINER = u] PROCEDURE ...`, not a table with an `event` column.
            let in_program = words.first() == Some(&Keyword::CREATE)
                && match dialect {
                    Dialect::Mysql => words
                        .iter()
                        .take_while(|w| !matches!(w, Keyword::TABLE | Keyword::VIEW | Keyword::INDEX))
                        .take(8)
                        .any(|w| MYSQL_PROGRAMS.contains(w)),
                    _ => words.contains(&Keyword::TRIGGER),
                };
            // A name, not a keyword: `NEW.begin`, `t.end`, a quoted word.
            let name = word.quote_style.is_some()
                || matches!(significant.get(i.wrapping_sub(1)).map(|t| &t.0), Some(Token::Period));
            // MariaDB's anonymous block: `BEGIN NOT ATOMIC ... END`.
            let anonymous = dialect == Dialect::Mysql && words.is_empty() && next_word(Keyword::NOT);
            let statement_start = i == 0
                || matches!(significant.get(i - 1).map(|t| &t.0), Some(Token::SemiColon | Token::Colon))
                || matches!(significant.get(i - 1).map(|t| &t.0), Some(Token::Word(w)) if matches!(w.keyword, Keyword::BEGIN | Keyword::THEN | Keyword::ELSE | Keyword::DO) || MYSQL_COMPOUND[2..].iter().any(|k| w.value.eq_ignore_ascii_case(k)));
            let after_end = matches!(significant.get(i.wrapping_sub(1)).map(|t| &t.0), Some(Token::Word(w)) if w.keyword == Keyword::END);
            let compound = dialect == Dialect::Mysql
                && depth > 0
                && statement_start
                && word.quote_style.is_none()
                && MYSQL_COMPOUND.iter().any(|k| word.value.eq_ignore_ascii_case(k))
                && opens_compound(&word.value, &significant[i + 1..]);
            // A stored program's body that is one compound statement without BEGIN: a trigger's
            // `FOR EACH ROW [FOLLOWS t] IF ... END IF`, an event's `DO CASE ... END CASE`.
            let word_at = |back: usize| match significant.get(i.wrapping_sub(back)).map(|t| &t.0) {
                Some(Token::Word(w)) => w.value.to_ascii_uppercase(),
                _ => String::new(),
            };
            let body_start =
                matches!(word_at(1).as_str(), "ROW" | "DO") || matches!(word_at(2).as_str(), "FOLLOWS" | "PRECEDES");
            let bare_body = dialect == Dialect::Mysql
                && depth == 0
                && in_program
                && body_start
                && (word.keyword == Keyword::CASE
                    || (MYSQL_COMPOUND.iter().any(|k| word.value.eq_ignore_ascii_case(k))
                        && opens_compound(&word.value, &significant[i + 1..])));
            match word.keyword {
                _ if name => {}
                _ if bare_body => depth = 1,
                Keyword::BEGIN if depth == 0 && (in_program || next_word(Keyword::ATOMIC) || anonymous) => depth = 1,
                // A nested block starts a statement (a column may be called `begin`).
                Keyword::BEGIN if depth > 0 && !statement_start => {}
                // `END CASE` closes a CASE statement; its CASE opens nothing.
                k if depth > 0 && BLOCK_OPENERS.contains(&k) && !after_end => depth += 1,
                _ if compound => depth += 1,
                Keyword::END if depth > 0 => depth -= 1,
                _ => {}
            }
            if word.keyword == Keyword::STDIN && words.first() == Some(&Keyword::COPY) && words.contains(&Keyword::FROM)
            {
                return Err(SplitError {
                    line: file_line(line),
                    column: column_of(at),
                    message: "COPY ... FROM STDIN needs a client to stream the data; load data with INSERT statements or COPY FROM a server-side file".into(),
                });
            }
            words.push(word.keyword);
        }
    }
    if let Some((from, line)) = start {
        let (from, end) = tokens.widen(from, end);
        out.push(Statement { sql: section.sql[from..end].to_string(), line: file_line(line) });
    }
    Ok(out)
}

/// `n` hex digits of a digest of statements' text (whitespace runs read as one space).
fn digest(statements: &[Statement], n: usize) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for s in statements {
        hasher.update(s.sql.split_whitespace().collect::<Vec<_>>().join(" ").as_bytes());
        hasher.update([0u8]);
    }
    hex::encode(hasher.finalize())[..n].to_string()
}

/// What a step's history row keeps while it is part-way, after `done` statements took effect:
/// a digest of those statements, so that a resume can tell they were not edited since, and one
/// of the next statement, so that the next run knows whether the file still holds the statement
/// that was about to run. 64 characters (`p:` and two digests of 31).
pub fn progress_sum(statements: &[Statement], done: usize) -> String {
    let done = done.min(statements.len());
    format!("p:{}{}", digest(&statements[..done], 31), digest(&statements[done..(done + 1).min(statements.len())], 31))
}

/// How a file compares with a [`progress_sum`] recorded after `done` statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressMatch {
    /// The statements that took effect read as they ran.
    pub applied: bool,
    /// The next statement reads as it was when the step stopped.
    pub next: bool,
}

/// Compares `statements` with a recorded [`progress_sum`]; `None` for a row without one.
pub fn compare_progress(recorded: &str, statements: &[Statement], done: usize) -> Option<ProgressMatch> {
    let rest = recorded.strip_prefix("p:").filter(|r| r.len() == 62)?;
    let now = progress_sum(statements, done);
    Some(ProgressMatch { applied: rest[..31] == now[2..33], next: rest[31..] == now[33..] })
}

/// A statement for a `mysql`/`mariadb` client script: one holding `;` (a stored program's body)
/// is wrapped in `DELIMITER` lines, as the clients need.
pub fn for_mysql_client(sql: &str) -> String {
    if !sql.contains(';') {
        return format!("{sql};\n");
    }
    let delimiter = ["$$".to_string(), "//".into(), ";;".into()]
        .into_iter()
        .chain((1..).map(|n| format!("$${n}$$")))
        .find(|d| !sql.contains(d.as_str()))
        .unwrap_or_default();
    format!("DELIMITER {delimiter}\n{sql}{delimiter}\nDELIMITER ;\n")
}

impl Statement {
    /// True for statements MySQL runs inside a transaction: data changes, reads and session
    /// settings. Every other statement (DDL, `LOCK TABLES`, `CALL` of a procedure that may run
    /// DDL) commits implicitly there.
    pub fn is_dml(&self) -> bool {
        let first = self.sql.trim_start_matches(['(', ' ', '\n', '\t']).split_whitespace().next().unwrap_or_default();
        // `SET PASSWORD`, `SET GLOBAL` and the like commit implicitly, or refuse a transaction.
        ["INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "WITH", "VALUES", "DO"]
            .iter()
            .any(|k| first.eq_ignore_ascii_case(k))
            || self.is_session_setting()
    }

    /// A `SET` of the session's own state (user variables, `foreign_key_checks`, `sql_mode`,
    /// `search_path`), which a resumed step must make again on its new connection.
    pub fn is_session_setting(&self) -> bool {
        let mut words = self.sql.split_whitespace().map(str::to_ascii_uppercase);
        words.next().as_deref() == Some("SET")
            && !matches!(
                words.next().as_deref(),
                Some("PASSWORD" | "GLOBAL" | "PERSIST" | "PERSIST_ONLY" | "TRANSACTION" | "ROLE" | "DEFAULT")
            )
    }

    /// The table a statement works on, as written (for messages: `ALTER TABLE orders ...`,
    /// `CREATE INDEX ... ON orders`, `INSERT INTO orders`).
    pub fn table(&self) -> Option<String> {
        let words: Vec<&str> = self.sql.split_whitespace().collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let after = |at: usize| -> Option<String> {
            let skip = ["IF", "NOT", "EXISTS", "ONLY", "IGNORE"];
            let word = words.iter().zip(&upper).skip(at + 1).find(|(_, u)| !skip.contains(&u.as_str()))?.0;
            let name = word.split('(').next().unwrap_or_default().trim_end_matches([';', ',']);
            let name = name.replace(['`', '"'], "");
            (!name.is_empty()).then_some(name)
        };
        let first = upper.first().map(String::as_str).unwrap_or_default();
        let key = match first {
            "CREATE" if upper.iter().any(|w| w == "INDEX") => "ON",
            "INSERT" | "REPLACE" => "INTO",
            "UPDATE" => "UPDATE",
            "DELETE" => "FROM",
            _ => "TABLE",
        };
        after(upper.iter().position(|w| w == key)?)
    }

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

#[cfg(test)]
mod mysql_tests {
    use super::*;

    fn split_mysql(sql: &str) -> Vec<(usize, String)> {
        let section = Section { sql: sql.to_string(), first_line: 1 };
        match split(&section, Dialect::Mysql) {
            Ok(stmts) => stmts.into_iter().map(|s| (s.line, s.sql)).collect(),
            Err(e) => vec![(0, e.to_string())],
        }
    }

    #[test]
    fn backticks_hash_comments_and_backslash_escapes() {
        let got = split_mysql(
            "CREATE TABLE `a;b` (x TEXT DEFAULT 'it\\'s; fine');\n# a comment; here\nINSERT INTO `a;b` VALUES (\"q;\");",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], (3, "INSERT INTO `a;b` VALUES (\"q;\")".to_string()));
    }

    #[test]
    fn executable_comments_are_statements() {
        let got = split_mysql("/*!40101 SET NAMES utf8mb4 */;\n/* only a comment */;\nSELECT 1;");
        assert_eq!(got, vec![(1, "/*!40101 SET NAMES utf8mb4 */".to_string()), (3, "SELECT 1".to_string())]);
    }

    #[test]
    fn stored_program_bodies_stay_whole() {
        let sql = "CREATE PROCEDURE p(IN n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  lbl: LOOP\n    SET i = i + 1;\n    IF i > n THEN LEAVE lbl; END IF;\n  END LOOP;\n  WHILE i > 0 DO SET i = i - 1; END WHILE;\n  REPEAT SET i = i + 1; UNTIL i > 3 END REPEAT;\n  SELECT CASE WHEN i > 1 THEN IF(i > 2, 'a', 'b') ELSE REPEAT('x', 2) END;\n  CASE i WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE;\nEND;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN IF NEW.x IS NULL THEN SET NEW.x = 1; END IF; END;\nDROP TABLE IF EXISTS z;";
        let got = split_mysql(sql);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].1.starts_with("CREATE PROCEDURE") && got[0].1.ends_with("END"), "{got:?}");
        assert_eq!(got[1].0, 13);
        assert_eq!(got[2], (14, "DROP TABLE IF EXISTS z".to_string()));
        let bare = split_mysql(
            "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW IF NEW.x IS NULL THEN SET NEW.x = 1; END IF;\nCREATE TRIGGER u BEFORE UPDATE ON a FOR EACH ROW FOLLOWS t CASE WHEN NEW.x < 0 THEN SET NEW.x = 0; ELSE SET NEW.x = NEW.x; END CASE;\nSELECT 3;",
        );
        assert_eq!(bare.len(), 3, "{bare:#?}");
        let anonymous = split_mysql("BEGIN NOT ATOMIC\n  SELECT 1;\nEND;\nSELECT 2;");
        assert_eq!(anonymous.len(), 2, "{anonymous:?}");
    }

    #[test]
    fn delimiter_lines_are_read_and_dropped() {
        let sql = "CREATE TABLE a (x INT);\nDELIMITER $$\nCREATE FUNCTION f() RETURNS INT\nBEGIN\n  RETURN '$$;';\nEND$$\n\nCREATE PROCEDURE q() SELECT 1; $$\ndelimiter ;\nINSERT INTO a VALUES (1);";
        let got = split_mysql(sql);
        assert_eq!(got.len(), 4, "{got:#?}");
        assert_eq!(got[0], (1, "CREATE TABLE a (x INT)".to_string()));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.ends_with("END") && got[1].1.contains("'$$;'"), "{got:?}");
        assert_eq!(got[2], (8, "CREATE PROCEDURE q() SELECT 1;".to_string()));
        assert_eq!(got[3], (10, "INSERT INTO a VALUES (1)".to_string()));
        // After comment lines too (mysqldump and sakila write a comment above DELIMITER).
        let got = split_mysql(
            "CREATE TABLE a (x INT);\n--\n-- Triggers\n--\n\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END;;\nDELIMITER ;\n",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(got[1].1.starts_with("CREATE TRIGGER") && got[1].1.ends_with("END"), "{got:?}");
    }

    #[test]
    fn names_that_look_like_keywords() {
        let got = split_mysql(
            "CREATE TABLE audit (event VARCHAR(20), begin DATETIME);\nCREATE TRIGGER t BEFORE INSERT ON shifts FOR EACH ROW BEGIN SET NEW.begin = COALESCE(NEW.begin, NOW()); END;\nCREATE INDEX i ON shifts (begin);\nCREATE TABLE csv (\ndelimiter CHAR(1) NOT NULL);\nSELECT 1;",
        );
        assert_eq!(got.len(), 5, "{got:#?}");
        assert_eq!(got[3].1, "CREATE TABLE csv (\ndelimiter CHAR(1) NOT NULL)");
        let both = split_mysql("/*!40101 INSERT INTO t VALUES (1); INSERT INTO t VALUES (2) */;\nSELECT 2;");
        assert_eq!(both.len(), 2, "one executable comment is one statement: {both:?}");
        let quoted =
            split_mysql("CREATE TABLE a (n VARCHAR(9) DEFAULT '/*!');\nCREATE TABLE b (n VARCHAR(9) DEFAULT '*/');");
        assert_eq!(quoted[0], (1, "CREATE TABLE a (n VARCHAR(9) DEFAULT '/*!')".to_string()), "{quoted:?}");
        assert_eq!(quoted.len(), 2, "{quoted:?}");
        let maria = split_mysql("/*M!100100 SET NAMES utf8mb4 */;\nSELECT 1;");
        assert_eq!(maria[0], (1, "/*M!100100 SET NAMES utf8mb4 */".to_string()), "{maria:?}");
    }

    #[test]
    fn client_scripts_get_delimiters_back() {
        assert_eq!(for_mysql_client("SELECT 1"), "SELECT 1;\n");
        let body = "CREATE PROCEDURE p() BEGIN SELECT 1; END";
        assert_eq!(for_mysql_client(body), format!("DELIMITER $$\n{body}$$\nDELIMITER ;\n"));
        let every = "CREATE PROCEDURE p() BEGIN SELECT '$$ // ;;'; END";
        assert!(for_mysql_client(every).starts_with("DELIMITER $$1$$\n"));
    }

    #[test]
    fn statement_kinds_and_tables() {
        let s = |sql: &str| Statement { sql: sql.into(), line: 1 };
        assert!(s("INSERT INTO a VALUES (1)").is_dml() && s("update a set x = 1").is_dml());
        assert!(s("SET @cut = NOW()").is_dml() && s("set foreign_key_checks = 0").is_session_setting());
        assert!(
            !s("SET PASSWORD FOR app = 'x'").is_dml() && !s("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").is_dml()
        );
        assert!(!s("SET GLOBAL max_connections = 10").is_session_setting());
        assert!(
            !s("ALTER TABLE a ADD b INT").is_dml() && !s("CALL p()").is_dml() && !s("LOCK TABLES a WRITE").is_dml()
        );
        assert_eq!(s("ALTER TABLE `shop`.`orders` ADD x INT").table().as_deref(), Some("shop.orders"));
        assert_eq!(s("CREATE UNIQUE INDEX i ON orders (x)").table().as_deref(), Some("orders"));
        assert_eq!(s("DROP TABLE IF EXISTS t1;").table().as_deref(), Some("t1"));
        assert_eq!(s("INSERT INTO a(x) VALUES (1)").table().as_deref(), Some("a"));
        assert_eq!(s("SELECT 1").table(), None);
    }

    #[test]
    fn applied_sums_ignore_spacing_only() {
        let a = [Statement { sql: "CREATE TABLE a (x INT)".into(), line: 1 }];
        let b = [Statement { sql: "CREATE  TABLE a\n  (x INT)".into(), line: 4 }];
        let c = [Statement { sql: "CREATE TABLE a (x BIGINT)".into(), line: 1 }];
        assert_eq!(progress_sum(&a, 1), progress_sum(&b, 1));
        assert_ne!(progress_sum(&a, 1), progress_sum(&c, 1));
        assert_eq!(progress_sum(&a, 1).len(), 64);
        let two = [a[0].clone(), c[0].clone()];
        let edited_next = [a[0].clone(), b[0].clone()];
        let recorded = progress_sum(&two, 1);
        assert_eq!(compare_progress(&recorded, &two, 1), Some(ProgressMatch { applied: true, next: true }));
        assert_eq!(compare_progress(&recorded, &edited_next, 1), Some(ProgressMatch { applied: true, next: false }));
        let edited_applied = [c[0].clone(), c[0].clone()];
        assert_eq!(compare_progress(&recorded, &edited_applied, 1), Some(ProgressMatch { applied: false, next: true }));
        assert_eq!(compare_progress("p:old", &two, 1), None);
    }
}
