//! Inspection: reading a live database into the schema model (`retort-schema`), through the
//! driver of its dialect. This module holds what the dialects share: options and errors.

use crate::driver::DbError;

/// What to inspect.
#[derive(Debug, Clone, Default)]
pub struct InspectOptions {
    /// PostgreSQL schemas to read; empty means every user schema.
    pub schemas: Vec<String>,
    /// Tables to leave out: retort's own version and history tables, and `[schema] exclude`
    /// (names, or globs with `*` and `?`).
    pub exclude_tables: Vec<String>,
}

impl InspectOptions {
    /// True when a table of this name is left out.
    pub fn excluded(&self, table: &str) -> bool {
        self.exclude_tables.iter().any(|pattern| glob_match(pattern, table))
    }

    /// Removes the excluded tables from a schema, with what belongs to them (the sequences they
    /// own, their triggers and rules), so that nothing of theirs is ever diffed or dropped.
    pub fn drop_excluded(&self, schema: &mut retort_schema::Schema) {
        if self.exclude_tables.is_empty() {
            return;
        }
        schema.tables.retain(|t| !self.excluded(&t.name.name));
        schema.sequences.retain(|s| s.owned_by.as_ref().is_none_or(|(t, _)| !self.excluded(&t.name)));
        schema.triggers.retain(|t| !self.excluded(&t.table.name));
        schema.rules.retain(|r| !self.excluded(&r.table.name));
    }
}

/// `*` matches any run of characters, `?` one character; everything else itself.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer match with backtracking to the last star.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_are_globs() {
        let o = InspectOptions {
            schemas: vec![],
            exclude_tables: vec!["retort_version".into(), "legacy_*".into(), "tmp?".into()],
        };
        assert!(o.excluded("retort_version"));
        assert!(!o.excluded("retortXversion"), "an underscore is itself, not a wildcard");
        assert!(o.excluded("legacy_orders") && o.excluded("legacy_"));
        assert!(o.excluded("tmp1") && !o.excluded("tmp12") && !o.excluded("orders"));
    }
}

/// Why a database could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// A catalog query failed.
    #[error("inspecting the database: {0}")]
    Db(#[from] DbError),
    /// An object the model cannot represent yet: never skipped silently.
    #[error("{object}: {what} is not supported by retort yet; remove it from the inspected schemas or file an issue")]
    Unsupported {
        /// The object it concerns (a table, a constraint, the database, ...).
        object: String,
        /// What retort cannot represent (`a deferrable primary key`, say).
        what: String,
    },
    /// Objects of the inspected schemas need objects of schemas retort does not manage.
    #[error(
        "objects retort manages need schemas it does not:\n  {uses}\nAdd those schemas to [schema] schemas in retort.toml (for `retort inspect`: --schema NAME, or --all-schemas); DDL printed or generated without them would not apply to an empty database"
    )]
    Unmanaged {
        /// One line per object and unmanaged schema it uses, joined by newlines.
        uses: String,
    },
    /// The model of an object disagrees with the server's own text of it (MySQL's `SHOW CREATE
    /// TABLE`): a clause retort did not read, which it must not diff away by omission.
    #[error(
        "{object}: retort does not understand part of its definition ({clause}), so check, diff and autogenerate refuse to compare it rather than compare it wrongly.\nThe server's definition:\n{server}\nwhat retort read:\n{ours}\nPlease file an issue with this output; meanwhile leave the table out with [schema] exclude"
    )]
    Misread {
        /// The object (`table orders`).
        object: String,
        /// The first clause that differs.
        clause: String,
        /// The server's text, normalized.
        server: String,
        /// The text rendered from retort's model.
        ours: String,
    },
    /// Catalog output that could not be understood.
    #[error("{object}: cannot read its definition: {message}")]
    Malformed {
        /// The object whose definition could not be read.
        object: String,
        /// What could not be understood.
        message: String,
    },
}
