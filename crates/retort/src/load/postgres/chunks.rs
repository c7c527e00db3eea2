//! A schema file cut into statements without tokenizing it whole, so that only one statement's
//! tokens and syntax tree are in memory at a time (a 10,000-table file tokenized at once takes
//! over 100 MB). The cut respects PostgreSQL's quoting: strings (with `E'...'` escapes), quoted
//! identifiers, dollar quotes, line and nested block comments. A cut in the wrong place could only
//! give a piece sqlparser rejects, and the parser then declines; it never changes a statement.

/// The statements of `text`, each with the 1-based line it starts on, without the semicolon.
pub fn statements(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut line, mut start_line) = (0usize, 1usize, 1usize);
    let mut i = 0;
    let mut blank = true; // nothing but whitespace and comments since `start`
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let skip_to = match b {
            b'\n' => {
                line += 1;
                i + 1
            }
            b'-' if next == Some(b'-') => text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b'/' if next == Some(b'*') => block_comment_end(bytes, i),
            b'\'' => {
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && (i < 2 || !(bytes[i - 2].is_ascii_alphanumeric() || bytes[i - 2] == b'_'));
                mark(&mut blank, &mut start_line, &mut start, line, i);
                quoted_end(bytes, i, b'\'', escapes)
            }
            b'"' => {
                mark(&mut blank, &mut start_line, &mut start, line, i);
                quoted_end(bytes, i, b'"', false)
            }
            b'$' if i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') => {
                mark(&mut blank, &mut start_line, &mut start, line, i);
                dollar_end(text, i).unwrap_or(i + 1)
            }
            b';' => {
                if !blank {
                    out.push((start_line, text[start..i].trim()));
                }
                start = i + 1;
                blank = true;
                i + 1
            }
            b if b.is_ascii_whitespace() => i + 1,
            _ => {
                mark(&mut blank, &mut start_line, &mut start, line, i);
                i + 1
            }
        };
        // Count the lines inside whatever was skipped (comments, strings).
        line += bytes[i.min(skip_to)..skip_to].iter().filter(|c| **c == b'\n').count() - usize::from(b == b'\n');
        i = skip_to;
    }
    if !blank {
        out.push((start_line, text[start..].trim()));
    }
    out
}

/// The first character of a statement (past whitespace and comments) fixes where it starts.
fn mark(blank: &mut bool, start_line: &mut usize, start: &mut usize, line: usize, at: usize) {
    if *blank {
        *blank = false;
        *start_line = line;
        *start = at;
    }
}

/// Past the `*/` closing the (possibly nested) comment opened at `at`.
fn block_comment_end(bytes: &[u8], at: usize) -> usize {
    let (mut depth, mut i) = (0usize, at);
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past the quote closing the one at `at` (a doubled quote stays inside; with `escapes`, a
/// backslash escapes the next character).
fn quoted_end(bytes: &[u8], at: usize, quote: u8, escapes: bool) -> usize {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            c if c == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past the `$tag$` closing the dollar quote opened at `at`; `None` when `at` opens none.
fn dollar_end(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    let valid = tag.chars().next().is_none_or(|c| c.is_ascii_alphabetic() || c == '_')
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let delimiter = &text[at..at + tag_len + 2];
    let body = at + delimiter.len();
    Some(text[body..].find(delimiter).map_or(text.len(), |n| body + n + delimiter.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_cut_at_top_level_semicolons() {
        let text = "-- a; comment\nCREATE TABLE a (x text DEFAULT ';');\n\n/* b; /* nested; */ */ CREATE TABLE \"b;\" (y int);\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\nSELECT E'it\\'s; fine', 'x''; y', $1;\nCREATE TABLE c (z int)";
        let got = statements(text);
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        let texts: Vec<&str> = got.iter().map(|(_, t)| *t).collect();
        assert_eq!(
            texts,
            vec![
                "CREATE TABLE a (x text DEFAULT ';')",
                "CREATE TABLE \"b;\" (y int)",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "SELECT E'it\\'s; fine', 'x''; y', $1",
                "CREATE TABLE c (z int)",
            ]
        );
        assert_eq!(lines, vec![2, 4, 5, 6, 7]);
    }

    #[test]
    fn empty_statements_and_trailing_comments_are_dropped() {
        assert_eq!(statements(";;\n-- only a comment\n"), Vec::<(usize, &str)>::new());
        assert_eq!(statements("\n\n  SELECT 1;  -- done\n"), vec![(3, "SELECT 1")]);
    }
}
