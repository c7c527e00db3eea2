//! Database URLs: which database to talk to, parsed once, and always printed with the password masked.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a database URL could not be understood.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// The scheme is missing or unknown.
    #[error(
        "database URL '{url}' is not understood: use sqlite:path.db, sqlite:///abs/path.db, sqlite::memory:, postgres://user:password@host:port/dbname or mysql://user:password@host:port/dbname"
    )]
    UnknownScheme {
        /// The URL, with the password masked.
        url: String,
    },
    /// A PostgreSQL URL the client library rejected.
    #[error("database URL '{url}' is not a valid PostgreSQL URL: {reason}")]
    BadPostgres {
        /// The URL, with the password masked.
        url: String,
        /// What the client library said.
        reason: String,
    },
    /// A MySQL URL that cannot be understood.
    #[error("database URL '{url}' is not a valid MySQL/MariaDB URL: {reason}")]
    BadMysql {
        /// The URL, with the password masked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `${VAR}` names an environment variable that is not set.
    #[error("database URL refers to ${{{var}}}, but the environment variable {var} is not set")]
    MissingEnv {
        /// The name of the variable.
        var: String,
    },
}

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    /// `sqlite::memory:`: a private in-memory database that vanishes with the process.
    Memory,
    /// A database file (created on first write).
    File(PathBuf),
}

/// A parsed database URL. `Display` masks the password, so it is safe in any output or error.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite database.
    Sqlite(SqliteLocation),
    /// A PostgreSQL server, kept as the original URL text for the client library.
    Postgres(String),
    /// A MySQL or MariaDB server (`mysql://` or `mariadb://`), kept as the original URL text.
    Mysql(String),
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl DatabaseUrl {
    /// Parses a URL. Relative SQLite paths are resolved against `base_dir` (the folder of the
    /// `retort.toml` the URL came from, or the working directory for `--url`).
    pub fn parse(url: &str, base_dir: &Path) -> Result<DatabaseUrl, UrlError> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let rest = rest.split('?').next().unwrap_or(rest);
            if rest == ":memory:" || rest == "//:memory:" {
                return Ok(DatabaseUrl::Sqlite(SqliteLocation::Memory));
            }
            // sqlite:///abs -> /abs ; sqlite://rel -> rel ; sqlite:rel -> rel
            let path = match rest.strip_prefix("//") {
                Some(p) => p,
                None => rest,
            };
            if path.is_empty() {
                return Err(UrlError::UnknownScheme { url: mask_password(url) });
            }
            let path = Path::new(path);
            let path = if path.is_absolute() { path.to_path_buf() } else { base_dir.join(path) };
            return Ok(DatabaseUrl::Sqlite(SqliteLocation::File(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            crate::dialect::postgres::client_url(url)
                .parse::<postgres::Config>()
                .map_err(|e| UrlError::BadPostgres { url: mask_password(url), reason: e.to_string() })?;
            let query = url.split_once('?').map_or("", |(_, q)| q);
            for mode in query.split('&').filter_map(|pair| pair.strip_prefix("sslmode=")) {
                if !crate::dialect::postgres::SSL_MODES.contains(&mode) {
                    return Err(UrlError::BadPostgres {
                        url: mask_password(url),
                        reason: format!(
                            "sslmode={mode} is not one of {} (as in libpq)",
                            crate::dialect::postgres::SSL_MODES.join(", ")
                        ),
                    });
                }
            }
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            crate::dialect::mysql::MysqlUrl::parse(url)
                .map_err(|reason| UrlError::BadMysql { url: mask_password(url), reason })?;
            return Ok(DatabaseUrl::Mysql(url.to_string()));
        }
        for scheme in ["mysql:", "mariadb:", "mysqlx:"] {
            if url.starts_with(scheme) {
                return Err(UrlError::BadMysql {
                    url: mask_password(url),
                    reason: "write it as mysql://user:password@host:3306/dbname".into(),
                });
            }
        }
        Err(UrlError::UnknownScheme { url: mask_password(url) })
    }

    /// The dialect this URL speaks.
    pub fn dialect(&self) -> crate::dialect::Dialect {
        match self {
            DatabaseUrl::Sqlite(_) => crate::dialect::Dialect::Sqlite,
            DatabaseUrl::Postgres(_) => crate::dialect::Dialect::Postgres,
            DatabaseUrl::Mysql(_) => crate::dialect::Dialect::Mysql,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(SqliteLocation::Memory) => write!(f, "sqlite::memory:"),
            DatabaseUrl::Sqlite(SqliteLocation::File(p)) => write!(f, "sqlite:{}", p.display()),
            DatabaseUrl::Postgres(u) | DatabaseUrl::Mysql(u) => write!(f, "{}", mask_password(u)),
        }
    }
}

/// Replaces the password in a URL (`user:secret@host`) and in `password=secret` pairs by `***`.
///
/// Works on any text that may hold a URL, so error messages from drivers can be cleaned too. The
/// credentials of a URL run from `://` to the first `@` (as the PostgreSQL client reads them), so
/// a password containing `/`, `?` or `#` is masked whole.
pub fn mask_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let word_end = tail.find([' ', '\'', '"', '\n', '\t']).unwrap_or(tail.len());
        let word = &tail[..word_end];
        match word.find('@') {
            Some(at) => {
                let userinfo = &word[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                rest = &tail[at..];
            }
            None => rest = tail,
        }
        // Copy up to the end of this URL word before looking for the next one.
        let next = rest.find([' ', '\'', '"', '\n', '\t']).unwrap_or(rest.len());
        out.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    out.push_str(rest);
    mask_key_value_password(&out)
}

/// Masks `password=value` (also quoted: `password='a b'`), case-insensitively.
fn mask_key_value_password(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("password=") {
        let start = search + found + "password=".len();
        let end = match text[start..].chars().next() {
            Some(q @ ('\'' | '"')) => text[start + 1..].find(q).map_or(text.len(), |e| start + 1 + e + 1),
            _ => text[start..].find(['&', ' ', '\'', '"', '#', '\n']).map_or(text.len(), |e| start + e),
        };
        out.push_str(&text[last..start]);
        out.push_str("***");
        last = end;
        search = end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms() {
        let base = Path::new("/proj");
        let cases = [
            ("sqlite:app.db", SqliteLocation::File("/proj/app.db".into())),
            ("sqlite:///abs/app.db", SqliteLocation::File("/abs/app.db".into())),
            ("sqlite://rel/app.db", SqliteLocation::File("/proj/rel/app.db".into())),
            ("sqlite::memory:", SqliteLocation::Memory),
        ];
        for (url, want) in cases {
            assert_eq!(DatabaseUrl::parse(url, base).ok(), Some(DatabaseUrl::Sqlite(want)), "{url}");
        }
    }

    #[test]
    fn sslmode_values_are_checked() {
        let base = Path::new("/p");
        let err = DatabaseUrl::parse("postgres://u@h/db?sslmode=bogus", base).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("sslmode=bogus is not one of disable, allow")));
        assert!(DatabaseUrl::parse("postgres://u@h/db?sslmode=verify-full", base).is_ok());
    }

    #[test]
    fn postgres_and_unsupported() {
        let base = Path::new("/");
        let pg = DatabaseUrl::parse("postgresql://u:pw@localhost:5432/db?sslmode=disable", base);
        assert!(matches!(pg, Ok(DatabaseUrl::Postgres(_))));
        let sock = DatabaseUrl::parse("postgres://u@%2Fvar%2Frun%2Fpostgresql/db", base);
        assert!(matches!(sock, Ok(DatabaseUrl::Postgres(_))));
        let my = DatabaseUrl::parse("mysql://root@localhost/db", base);
        assert!(matches!(my, Ok(DatabaseUrl::Mysql(_))));
        let maria = DatabaseUrl::parse("mariadb://root:pw@localhost/db", base).map(|u| u.to_string());
        assert_eq!(maria.ok().as_deref(), Some("mariadb://root:***@localhost/db"));
        assert!(matches!(DatabaseUrl::parse("mysql://root@localhost", base), Err(UrlError::BadMysql { .. })));
        assert!(DatabaseUrl::parse("oracle://x", base).is_err());
    }

    #[test]
    fn passwords_are_masked() {
        let cases = [
            ("postgres://bob:s3cret@db:5432/app", "postgres://bob:***@db:5432/app"),
            ("postgres://bob@db/app", "postgres://bob@db/app"),
            ("postgres://db/app?user=bob&password=s3cret&x=1", "postgres://db/app?user=bob&password=***&x=1"),
            ("failed: postgres://a:b@h/d timed out", "failed: postgres://a:***@h/d timed out"),
            ("host=h password=pw dbname=d", "host=h password=*** dbname=d"),
            ("postgres://app:s3cr/et?x#y@db:5432/prod", "postgres://app:***@db:5432/prod"),
            ("host=h password='a b' dbname=d", "host=h password=*** dbname=d"),
            ("two postgres://a:b@h/d and postgres://c:d@h/e", "two postgres://a:***@h/d and postgres://c:***@h/e"),
        ];
        for (input, want) in cases {
            assert_eq!(mask_password(input), want);
        }
        let url = DatabaseUrl::parse("postgres://bob:s3cret@db/app", Path::new("/")).ok();
        assert_eq!(url.map(|u| u.to_string()), Some("postgres://bob:***@db/app".to_string()));
    }
}
