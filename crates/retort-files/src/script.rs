//! A migration file: a small comment header, an upgrade section and a downgrade section of plain SQL.
//!
//! ```sql
//! -- Add workspace_id to agents
//! --
//! -- Revision: 3f2a9c1b7d4e
//! -- Revises: 799f20a37e7e
//! -- Create Date: 2026-11-24 08:00:00+00:00
//!
//! -- migrate:upgrade
//! ALTER TABLE agents ADD COLUMN workspace_id VARCHAR(11);
//!
//! -- migrate:downgrade
//! ALTER TABLE agents DROP COLUMN workspace_id;
//! ```

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The line that opens the upgrade section.
pub const UPGRADE_MARKER: &str = "-- migrate:upgrade";
/// The line that opens the downgrade section.
pub const DOWNGRADE_MARKER: &str = "-- migrate:downgrade";

/// Which section a marker line opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Upgrade,
    Downgrade,
}

/// Reads a section marker: retort's `-- migrate:upgrade` / `-- migrate:downgrade`, or dbmate's
/// `-- migrate:up` / `-- migrate:down` (so a dbmate folder works as it is), with dbmate's options
/// after it (`transaction:false`). Returns the section and whether the options turn the
/// transaction off.
fn marker(line: &str) -> Option<(Marker, bool)> {
    let lower = line.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("--")?.trim_start().strip_prefix("migrate:")?;
    let (word, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let which = match word {
        "upgrade" | "up" => Marker::Upgrade,
        "downgrade" | "down" => Marker::Downgrade,
        _ => return None,
    };
    Some((which, options.split_whitespace().any(|o| o == "transaction:false")))
}

/// What the markers are, for errors about a file without them.
const MARKERS_HELP: &str = "a migration file has an upgrade section under a '-- migrate:upgrade' line and a downgrade section under '-- migrate:downgrade' (dbmate's '-- migrate:up' and '-- migrate:down' work too)";

/// Why a migration file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The file could not be read at all.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The migration file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{path}:{line}: the file is not valid UTF-8; save it as UTF-8 and retry")]
    NotUtf8 {
        /// The migration file.
        path: String,
        /// The 1-based line of the first byte that is not valid UTF-8.
        line: usize,
    },
    /// The header or the section markers are malformed.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The migration file.
        path: String,
        /// The 1-based line in the file.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The folder of migrations could not be listed.
    #[error("cannot list the migrations folder {path}: {source}; create it (retort init) or fix [migrations] dir")]
    Dir {
        /// The migrations folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// One SQL section of a script, with the file line it starts on (for error messages).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The SQL text, exactly as in the file.
    pub sql: String,
    /// The 1-based line of the file on which `sql` begins.
    pub first_line: usize,
}

impl Section {
    /// True when the section holds nothing but whitespace and comments.
    pub fn is_empty(&self) -> bool {
        self.sql.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with("--")
        })
    }
}

/// A parsed migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The revision id, unique in the project.
    pub revision: String,
    /// Parent revisions: none for a base, two or more for a merge.
    pub parents: Vec<String>,
    /// Labels naming the branch this revision starts or belongs to.
    pub branch_labels: Vec<String>,
    /// Revisions (on other branches) that must be applied before this one.
    pub depends_on: Vec<String>,
    /// The human message (first comment lines).
    pub message: String,
    /// The creation date as written in the header.
    pub created: Option<String>,
    /// False when the script must run outside a transaction (e.g. CREATE INDEX CONCURRENTLY).
    pub transactional: bool,
    /// The upgrade SQL.
    pub upgrade: Section,
    /// The downgrade SQL.
    pub downgrade: Section,
    /// The file it was read from.
    pub path: PathBuf,
    /// A dbmate file (no header): its id is its file name's version, and its parent is the
    /// previous such file in name order.
    pub chained: bool,
    /// 1-based lines of the header keys, for errors that point into the header.
    pub lines: HeaderLines,
}

/// Where each header key sits in the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderLines {
    /// Line of `Revision:`.
    pub revision: usize,
    /// Line of `Revises:` (or of `Revision:` when absent).
    pub parents: usize,
    /// Line of `Depends On:`.
    pub depends_on: usize,
    /// Line of `Branch Labels:`.
    pub labels: usize,
}

/// The header keys, in the order they are written.
const KEY_REVISION: &str = "Revision";
const KEY_REVISES: &str = "Revises";
const KEY_CREATED: &str = "Create Date";
const KEY_LABELS: &str = "Branch Labels";
const KEY_DEPENDS: &str = "Depends On";
const KEY_TRANSACTION: &str = "Transaction";
const KEYS: [&str; 6] = [KEY_REVISION, KEY_REVISES, KEY_CREATED, KEY_LABELS, KEY_DEPENDS, KEY_TRANSACTION];

impl Script {
    /// Reads and parses a migration file.
    pub fn read(path: &Path) -> Result<Script, ScriptError> {
        let bytes =
            std::fs::read(path).map_err(|source| ScriptError::Read { path: path.display().to_string(), source })?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..valid].iter().filter(|b| **b == b'\n').count() + 1;
                return Err(ScriptError::NotUtf8 { path: path.display().to_string(), line });
            }
        };
        Script::parse(&text, path)
    }

    /// Parses the text of a migration file (`path` is used for messages and kept in the result).
    pub fn parse(text: &str, path: &Path) -> Result<Script, ScriptError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err =
            |line: usize, message: String| ScriptError::Malformed { path: path.display().to_string(), line, message };
        let mut revision: Option<(String, usize)> = None;
        let mut parents = (Vec::new(), 0usize);
        let mut branch_labels = (Vec::new(), 0usize);
        let mut depends_on = (Vec::new(), 0usize);
        let mut created = None;
        let mut transactional = true;
        let mut message_lines: Vec<&str> = Vec::new();
        let mut message_done = false;
        let mut upgrade_start = None;
        let mut downgrade_start = None;

        // Byte offset of each line start, to slice sections out of the text unchanged.
        let mut offset = 0usize;
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let line_no = index + 1;
            let line = raw.trim_end_matches(['\n', '\r']);
            let start = offset;
            offset += raw.len();
            let trimmed = line.trim();
            let found = marker(trimmed);
            if let Some((_, true)) = found {
                transactional = false;
            }
            if matches!(found, Some((Marker::Upgrade, _))) {
                if upgrade_start.is_some() {
                    return Err(err(
                        line_no,
                        format!("a second '{UPGRADE_MARKER}' line; a file has one upgrade section"),
                    ));
                }
                if downgrade_start.is_some() {
                    return Err(err(line_no, format!("'{UPGRADE_MARKER}' must come before '{DOWNGRADE_MARKER}'")));
                }
                upgrade_start = Some((offset, line_no + 1, start));
                continue;
            }
            if matches!(found, Some((Marker::Downgrade, _))) {
                if upgrade_start.is_none() {
                    return Err(err(line_no, format!("'{DOWNGRADE_MARKER}' must come after '{UPGRADE_MARKER}'")));
                }
                if downgrade_start.is_some() {
                    return Err(err(
                        line_no,
                        format!("a second '{DOWNGRADE_MARKER}' line; a file has one downgrade section"),
                    ));
                }
                downgrade_start = Some((offset, line_no + 1, start));
                continue;
            }
            if upgrade_start.is_some() {
                continue;
            }
            // Header: comments and blank lines only.
            if trimmed.is_empty() {
                if !message_lines.is_empty() {
                    message_done = true;
                }
                continue;
            }
            let Some(comment) = trimmed.strip_prefix("--") else {
                return Err(err(
                    line_no,
                    format!(
                        "SQL before '{UPGRADE_MARKER}': the header holds only '--' comment lines, and {MARKERS_HELP}"
                    ),
                ));
            };
            let comment = comment.trim();
            if let Some((key, value)) = header_key(comment) {
                message_done = true;
                let value = value.trim();
                match key {
                    KEY_REVISION => {
                        if let Some((_, first)) = &revision {
                            return Err(err(
                                line_no,
                                format!("a second 'Revision:' line (the first is on line {first})"),
                            ));
                        }
                        check_id(value).map_err(|m| err(line_no, m))?;
                        revision = Some((value.to_string(), line_no));
                    }
                    KEY_REVISES => parents = (id_list(value, check_id).map_err(|m| err(line_no, m))?, line_no),
                    KEY_CREATED => created = Some(value.to_string()),
                    KEY_LABELS => branch_labels = (id_list(value, check_label).map_err(|m| err(line_no, m))?, line_no),
                    KEY_DEPENDS => depends_on = (id_list(value, check_id).map_err(|m| err(line_no, m))?, line_no),
                    KEY_TRANSACTION => {
                        transactional = match value.to_ascii_lowercase().as_str() {
                            "true" | "yes" | "on" => true,
                            "false" | "no" | "off" | "none" => false,
                            _ => {
                                return Err(err(
                                    line_no,
                                    format!(
                                        "'Transaction: {value}': write 'Transaction: false' to run this script outside a transaction, or remove the line"
                                    ),
                                ));
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if comment.is_empty() {
                if !message_lines.is_empty() {
                    message_done = true;
                }
            } else if !message_done {
                message_lines.push(comment);
            }
        }

        let Some((up_offset, up_line, up_marker)) = upgrade_start else {
            return Err(err(1, format!("no '{UPGRADE_MARKER}' line: {MARKERS_HELP}")));
        };
        // A file without a Revision line is dbmate's: its id is the version its name starts
        // with, its parent the file before it (set by `read_dir`).
        let mut chained = false;
        let mut message = message_lines.join(" ");
        let (revision, revision_line) = match (revision, dbmate_version(path)) {
            (Some(found), _) => found,
            (None, Some((version, words))) => {
                chained = true;
                if message.is_empty() {
                    message = words;
                }
                (version.to_string(), 1)
            }
            (None, None) => {
                return Err(err(
                    1,
                    "no 'Revision:' line in the header; every migration file starts with '-- Revision: <id>' (see `retort revision`), or is named '<version>_<words>.sql' as dbmate's are".into(),
                ));
            }
        };
        let (upgrade, downgrade) = match downgrade_start {
            Some((down_offset, down_line, down_marker)) => (
                Section { sql: text[up_offset..down_marker].to_string(), first_line: up_line },
                Section { sql: text[down_offset..].to_string(), first_line: down_line },
            ),
            None => {
                let _ = up_marker;
                return Err(err(
                    1,
                    format!(
                        "no '{DOWNGRADE_MARKER}' line; add the section (it may stay empty only if the upgrade is empty too)"
                    ),
                ));
            }
        };
        let parents_line = if parents.1 == 0 { revision_line } else { parents.1 };
        Ok(Script {
            chained,
            revision,
            parents: parents.0,
            branch_labels: branch_labels.0,
            depends_on: depends_on.0,
            message,
            created,
            transactional,
            upgrade,
            downgrade,
            path: path.to_path_buf(),
            lines: HeaderLines {
                revision: revision_line,
                parents: parents_line,
                depends_on: depends_on.1,
                labels: if branch_labels.1 == 0 { revision_line } else { branch_labels.1 },
            },
        })
    }

    /// A checksum of what the script does (both sections), insensitive to line endings and
    /// leading or trailing whitespace, so that re-saving a file on another OS does not count as a change.
    pub fn checksum(&self) -> String {
        let mut hasher = Sha256::new();
        for section in [&self.upgrade, &self.downgrade] {
            for line in section.sql.trim().lines() {
                hasher.update(line.trim_end().as_bytes());
                hasher.update(b"\n");
            }
            hasher.update(b"\0");
        }
        hex::encode(hasher.finalize())
    }

    /// The file name for display (relative paths stay relative).
    pub fn file_name(&self) -> String {
        self.path.display().to_string()
    }

    /// Renders a new migration file.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in self.message.lines() {
            out.push_str(&format!("-- {line}\n"));
        }
        out.push_str("--\n");
        out.push_str(&format!("-- {KEY_REVISION}: {}\n", self.revision));
        out.push_str(&format!("-- {KEY_REVISES}: {}\n", self.parents.join(", ")));
        if let Some(created) = &self.created {
            out.push_str(&format!("-- {KEY_CREATED}: {created}\n"));
        }
        if !self.branch_labels.is_empty() {
            out.push_str(&format!("-- {KEY_LABELS}: {}\n", self.branch_labels.join(", ")));
        }
        if !self.depends_on.is_empty() {
            out.push_str(&format!("-- {KEY_DEPENDS}: {}\n", self.depends_on.join(", ")));
        }
        if !self.transactional {
            out.push_str(&format!("-- {KEY_TRANSACTION}: false\n"));
        }
        out.push('\n');
        out.push_str(UPGRADE_MARKER);
        out.push('\n');
        out.push_str(&self.upgrade.sql);
        if !self.upgrade.sql.is_empty() && !self.upgrade.sql.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(DOWNGRADE_MARKER);
        out.push('\n');
        out.push_str(&self.downgrade.sql);
        if !self.downgrade.sql.is_empty() && !self.downgrade.sql.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// Splits `Key: value` when the key is one of the header keys (case-insensitive).
fn header_key(comment: &str) -> Option<(&'static str, &str)> {
    let (key, value) = comment.split_once(':')?;
    let key = key.trim();
    KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)).map(|k| (*k, value))
}

/// Characters a revision id or label cannot hold: Alembic's own rule (`-`, `+` and `@` read as
/// target syntax: `-1`, `ae10+2`, `label@head`), plus `:` (a range, `a:b`), `,` (a list in the
/// header), and the path separators and quotes a file name or a shell would misread. Whitespace
/// and control characters are refused too.
const ID_FORBIDDEN: [char; 9] = ['-', '+', '@', ':', ',', '/', '\\', '"', '\''];

/// Revision ids: anything Alembic accepts (so every Alembic id imports unchanged) but
/// `ID_FORBIDDEN` (`- + @ : , / \ " '`), at most 32 bytes (the version table's `version_num VARCHAR(32)`).
pub fn check_id(id: &str) -> Result<(), String> {
    check_label(id)?;
    if id.len() > 32 {
        return Err(format!(
            "revision id '{id}' is longer than 32 characters (the version table's version_num holds 32)"
        ));
    }
    Ok(())
}

/// Branch labels: the characters of an id, any length (they are not stored in the version table).
pub fn check_label(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("an empty revision id".into());
    }
    if let Some(bad) = id.chars().find(|c| ID_FORBIDDEN.contains(c) || c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "'{id}' contains {bad:?}; revision ids and branch labels cannot hold - + @ : , / \\ quotes or spaces (they read as target syntax)"
        ));
    }
    if matches!(id, "head" | "heads" | "base" | "current") {
        return Err(format!("'{id}' is a reserved word in targets and cannot be a revision id or label"));
    }
    Ok(())
}

/// Parses `a, b, c` (empty and `None` mean no ids), each checked by `check`.
fn id_list(value: &str, check: fn(&str) -> Result<(), String>) -> Result<Vec<String>, String> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("none") || value == "<base>" {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(|s| {
            let s = s.trim();
            check(s).map(|()| s.to_string())
        })
        .collect()
}

/// A file-name-safe form of a revision id: the id itself when it is letters, digits, `_` and `.`.
pub fn file_stem(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' { c } else { '_' }).collect()
}

/// Turns a message into an ASCII file-name slug: transliterated to ASCII (`données` -> `donnees`,
/// Hangul romanized), words lowercased and joined by `_`, at most 40 bytes.
pub fn slugify(message: &str) -> String {
    let ascii = deunicode::deunicode(message);
    let mut slug = String::new();
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word = word.to_ascii_lowercase();
        if !slug.is_empty() {
            if slug.len() + 1 + word.len() > 40 {
                break;
            }
            slug.push('_');
        } else if word.len() > 40 {
            slug.push_str(&word[..40]);
            break;
        }
        slug.push_str(&word);
    }
    slug
}

/// Reads every `*.sql` migration file of a folder, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<Script>, ScriptError> {
    let (scripts, mut bad) = read_dir_lenient(dir)?;
    match bad.is_empty() {
        true => Ok(scripts),
        false => Err(bad.remove(0)),
    }
}

/// Reads the folder as [`read_dir`] does, setting aside the files that cannot be read (for
/// commands that only report: one broken file should not hide the others).
pub fn read_dir_lenient(dir: &Path) -> Result<(Vec<Script>, Vec<ScriptError>), ScriptError> {
    let entries =
        std::fs::read_dir(dir).map_err(|source| ScriptError::Dir { path: dir.display().to_string(), source })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| ScriptError::Dir { path: dir.display().to_string(), source })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "sql") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let (mut scripts, mut bad) = (Vec::new(), Vec::new());
    for path in &paths {
        match Script::read(path) {
            Ok(script) => scripts.push(script),
            Err(e) => bad.push(e),
        }
    }
    chain_dbmate(&mut scripts);
    Ok((scripts, bad))
}

/// Links dbmate's files (which name no parent) in the order of their names.
pub fn chain_dbmate(scripts: &mut [Script]) {
    let mut previous: Option<String> = None;
    for script in scripts.iter_mut().filter(|s| s.chained) {
        script.parents = previous.iter().cloned().collect();
        previous = Some(script.revision.clone());
    }
}

/// dbmate's file name: `<digits>_<words>.sql`; the version and the words (spaces for `_`).
fn dbmate_version(path: &Path) -> Option<(&str, String)> {
    let stem = path.file_stem()?.to_str()?;
    let (version, words) = stem.split_once('_').unwrap_or((stem, ""));
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())).then(|| (version, words.replace('_', " ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-- Add workspace_id to agents\n--\n-- Revision: 3f2a9c1b7d4e\n-- Revises: 799f20a37e7e\n-- Create Date: 2026-11-24 08:00:00+00:00\n\n-- migrate:upgrade\nALTER TABLE agents ADD COLUMN workspace_id VARCHAR(11);\n\n-- migrate:downgrade\nALTER TABLE agents DROP COLUMN workspace_id;\n";

    fn parse(text: &str) -> Result<Script, ScriptError> {
        Script::parse(text, Path::new("m.sql"))
    }

    #[test]
    fn dbmate_files_are_read_as_they_are() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let up = "-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n";
        let index =
            "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- migrate:down\nDROP INDEX i;\n";
        std::fs::write(dir.path().join("20260102000000_add_index.sql"), index).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("20260101000000_create_a.sql"), up).unwrap_or_else(|e| panic!("{e}"));
        let scripts = read_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<_> = scripts
            .iter()
            .map(|s| (s.revision.as_str(), s.parents.clone(), s.message.as_str(), s.transactional))
            .collect();
        assert_eq!(
            got,
            [
                ("20260101000000", vec![], "create a", true),
                ("20260102000000", vec!["20260101000000".to_string()], "add index", false)
            ]
        );
        assert_eq!(scripts[0].upgrade.sql.trim(), "CREATE TABLE a (id int);");
        let err = Script::parse("CREATE TABLE x (id int);\n", Path::new("x.sql")).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("dbmate's '-- migrate:up'")));
    }

    #[test]
    fn parses_header_and_sections() {
        let s = parse(SAMPLE).map_err(|e| e.to_string());
        let s = s.as_ref().map_err(Clone::clone);
        assert_eq!(s.map(|s| s.revision.as_str()), Ok("3f2a9c1b7d4e"));
        let Ok(s) = parse(SAMPLE) else { return };
        assert_eq!(s.parents, vec!["799f20a37e7e"]);
        assert_eq!(s.message, "Add workspace_id to agents");
        assert_eq!(s.upgrade.first_line, 8);
        assert!(s.upgrade.sql.starts_with("ALTER TABLE agents ADD"));
        assert_eq!(s.downgrade.first_line, 11);
        assert!(s.transactional);
    }

    #[test]
    fn render_round_trips() {
        let Ok(s) = parse(SAMPLE) else { panic!("sample parses") };
        let again = parse(&s.render()).map(|mut t| {
            t.lines = s.lines.clone();
            t.upgrade.first_line = s.upgrade.first_line;
            t.downgrade.first_line = s.downgrade.first_line;
            t
        });
        assert_eq!(again.ok().map(|t| t.checksum()), Some(s.checksum()));
    }

    #[test]
    fn checksum_ignores_line_endings() {
        let (Ok(a), Ok(b)) = (parse(SAMPLE), parse(&SAMPLE.replace('\n', "\r\n"))) else { panic!("parse") };
        assert_eq!(a.checksum(), b.checksum());
        let Ok(c) = parse(&SAMPLE.replace("VARCHAR(11)", "VARCHAR(12)")) else { panic!("parse") };
        assert_ne!(a.checksum(), c.checksum());
    }

    #[test]
    fn malformed_headers_name_the_line() {
        let cases = [
            ("-- msg\n-- migrate:upgrade\n-- migrate:downgrade\n", "no 'Revision:'"),
            ("-- Revision: abc\n-- migrate:downgrade\n", "must come after"),
            ("-- Revision: abc\n-- migrate:upgrade\n", "no '-- migrate:downgrade'"),
            ("-- Revision: a b\n-- migrate:upgrade\n-- migrate:downgrade\n", ":1: 'a b' contains ' '"),
            ("-- Revision: abc\nCREATE TABLE t(x int);\n-- migrate:upgrade\n-- migrate:downgrade\n", ":2: SQL before"),
            (
                "-- Revision: abc\n-- Revision: abd\n-- migrate:upgrade\n-- migrate:downgrade\n",
                ":2: a second 'Revision:'",
            ),
            (
                "-- Revision: abc\n-- Transaction: maybe\n-- migrate:upgrade\n-- migrate:downgrade\n",
                ":2: 'Transaction: maybe'",
            ),
        ];
        for (text, want) in cases {
            let got = parse(text).map(|_| ()).map_err(|e| e.to_string());
            assert!(got.as_ref().is_err_and(|e| e.contains(want)), "{text:?}: {got:?}");
        }
    }

    #[test]
    fn merge_and_options() {
        let text = "-- merge\n--\n-- Revision: m1\n-- Revises: a, b\n-- Branch Labels: auth\n-- Depends On: x1\n-- Transaction: false\n\n-- migrate:upgrade\n-- migrate:downgrade\n";
        let Ok(s) = parse(text) else { panic!("parse") };
        assert_eq!(s.parents, vec!["a", "b"]);
        assert_eq!(s.branch_labels, vec!["auth"]);
        assert_eq!(s.depends_on, vec!["x1"]);
        assert!(!s.transactional);
        assert!(s.upgrade.is_empty() && s.downgrade.is_empty());
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Add workspace_id to Agents!"), "add_workspace_id_to_agents");
        assert_eq!(slugify("사용자 테이블 추가"), "sayongja_teibeul_cuga");
        assert_eq!(slugify("Ajout des données"), "ajout_des_donnees");
        assert!(slugify(&"word ".repeat(30)).len() <= 40);
    }
}
