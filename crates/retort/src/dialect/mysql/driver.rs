//! The MySQL and MariaDB driver (the `mysql` crate, TLS by rustls). The run lock is a `GET_LOCK`
//! user lock on the one connection that runs the steps, its result checked (1 taken, 0 timed
//! out, NULL an error). DDL commits implicitly here, so the executor records every step's
//! progress statement by statement ([`Dialect::transactional_ddl`]).

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, SslOpts};

use retort_schema::Schema;

use crate::dialect::Dialect;
use crate::driver::{DbError, DeferredBegin, Driver, Held};
use crate::inspect::{InspectError, InspectOptions};

/// `ssl-mode`, with MySQL's values (the `mysql` client's `--ssl-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disabled,
    /// TLS when the server offers it, certificate not verified (the default, as in the client).
    Preferred,
    /// TLS always, certificate not verified.
    Required,
    /// TLS, certificate chain verified (against `ssl-ca`, else the built-in roots), host name not.
    VerifyCa,
    /// TLS, certificate chain and host name verified.
    VerifyIdentity,
}

/// The spellings `ssl-mode` accepts: MySQL's (any case, `-` or `_`), and libpq's for teams that
/// come from PostgreSQL.
const SSL_MODE_NAMES: [(&str, SslMode); 10] = [
    ("DISABLED", SslMode::Disabled),
    ("DISABLE", SslMode::Disabled),
    ("PREFERRED", SslMode::Preferred),
    ("PREFER", SslMode::Preferred),
    ("REQUIRED", SslMode::Required),
    ("REQUIRE", SslMode::Required),
    ("VERIFY_CA", SslMode::VerifyCa),
    ("VERIFY_IDENTITY", SslMode::VerifyIdentity),
    ("VERIFY_FULL", SslMode::VerifyIdentity),
    ("VERIFY-FULL", SslMode::VerifyIdentity),
];

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        let wanted = value.trim().to_ascii_uppercase().replace('-', "_");
        SSL_MODE_NAMES.iter().find(|(name, _)| name.replace('-', "_") == wanted).map(|(_, mode)| *mode)
    }
}

/// A `mysql://` or `mariadb://` URL, taken apart.
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlUrl {
    /// The user (`root` when the URL names none, as the client assumes the login name).
    pub user: Option<String>,
    /// The password, from the URL or `MYSQL_PWD`; never printed.
    pub password: Option<String>,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The database (MySQL's schema) the migrations run in.
    pub database: String,
    /// A unix socket to connect through instead of TCP (`?socket=/run/mysqld/mysqld.sock`).
    pub socket: Option<String>,
    /// TLS.
    pub ssl_mode: SslMode,
    /// The CA certificate file for the verifying modes (`?ssl-ca=/path/ca.pem`).
    pub ssl_ca: Option<String>,
}

impl std::fmt::Debug for MysqlUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlUrl")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("socket", &self.socket)
            .field("ssl_mode", &self.ssl_mode)
            .field("ssl_ca", &self.ssl_ca)
            .finish()
    }
}

/// The query parameters a URL may carry.
const PARAMETERS: &str = "ssl-mode, ssl-ca, socket";

/// `%XX` escapes decoded (user names, passwords and database names may hold `@`, `/` or `:`).
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or_else(|| format!("'{text}' has an incomplete %-escape"))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("'{text}' has a bad %-escape %{hex}"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("'{text}' does not decode to UTF-8"))
}

impl MysqlUrl {
    /// Parses `mysql://user:password@host:port/db?ssl-mode=...` (or `mariadb://`). The reason
    /// given on failure never holds the password.
    pub fn parse(url: &str) -> Result<MysqlUrl, String> {
        let rest = url
            .strip_prefix("mysql://")
            .or_else(|| url.strip_prefix("mariadb://"))
            .ok_or("it does not start with mysql:// or mariadb://")?;
        // The credentials run to the first `@`, as `mask_password` and the PostgreSQL client read
        // them (a password may hold `/`, `?` or `:`; an `@` in it is written %40).
        let (userinfo, rest) = match rest.find('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (hostpath, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (user, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => {
                    (Some(percent_decode(u)?), Some(percent_decode(p).map_err(|_| "the password has a bad %-escape")?))
                }
                None => (Some(percent_decode(info)?), None),
            },
            None => (None, None),
        };
        let (hostport, path) = hostpath.split_once('/').unwrap_or((hostpath, ""));
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or("an IPv6 host needs its closing ]")?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        let port = match port {
            Some(p) => p.parse::<u16>().map_err(|_| format!("port '{p}' is not a number from 1 to 65535"))?,
            None => 3306,
        };
        let database = percent_decode(path.trim_end_matches('/'))?;
        if database.is_empty() {
            return Err("it names no database: add it after the host, as in mysql://user@host:3306/app".into());
        }
        let mut parsed = MysqlUrl {
            user: user.filter(|u| !u.is_empty()),
            password,
            host: if host.is_empty() { "localhost".into() } else { percent_decode(&host)? },
            port,
            database,
            socket: None,
            ssl_mode: SslMode::Preferred,
            ssl_ca: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value)?;
            match key.to_ascii_lowercase().replace('_', "-").as_str() {
                "ssl-mode" | "sslmode" => {
                    parsed.ssl_mode = SslMode::parse(&value).ok_or_else(|| {
                        format!(
                            "ssl-mode={value} is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY (as in the mysql client)"
                        )
                    })?;
                }
                "ssl-ca" | "sslrootcert" => parsed.ssl_ca = Some(value),
                "socket" => parsed.socket = Some(value),
                other => return Err(format!("unknown parameter '{other}'; a MySQL URL takes {PARAMETERS}")),
            }
        }
        if parsed.password.is_none()
            && let Ok(pw) = std::env::var("MYSQL_PWD")
        {
            parsed.password = Some(pw);
        }
        Ok(parsed)
    }

    fn builder(&self, database: &str) -> OptsBuilder {
        let builder = OptsBuilder::new()
            .user(Some(self.user.clone().unwrap_or_else(|| "root".into())))
            .pass(self.password.clone())
            .db_name(Some(database))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(Duration::from_secs(10)))
            .connect_attrs(Some(std::collections::HashMap::from([("program_name", "retort")])));
        match &self.socket {
            Some(socket) => builder.socket(Some(socket.clone())),
            None => builder.ip_or_hostname(Some(self.host.clone())).tcp_port(self.port),
        }
    }

    fn ssl_opts(&self) -> Option<SslOpts> {
        let verifying = SslOpts::default().with_root_cert_path(self.ssl_ca.clone().map(std::path::PathBuf::from));
        match self.ssl_mode {
            SslMode::Disabled => None,
            // With a CA named, the chain is checked (as the mysql client does with --ssl-ca).
            SslMode::Preferred | SslMode::Required if self.ssl_ca.is_some() => {
                Some(verifying.with_danger_skip_domain_validation(true))
            }
            SslMode::Preferred | SslMode::Required => {
                Some(SslOpts::default().with_danger_accept_invalid_certs(true).with_danger_skip_domain_validation(true))
            }
            SslMode::VerifyCa => Some(verifying.with_danger_skip_domain_validation(true)),
            SslMode::VerifyIdentity => Some(verifying),
        }
    }
}

/// A connection to a MySQL or MariaDB database.
pub struct MysqlDriver<'c> {
    conn: Held<'c, Conn>,
    database: String,
    lock_name: Option<String>,
    mariadb: Option<bool>,
    /// `START TRANSACTION` was asked for and travels with the next statement, saving a round
    /// trip (and an empty transaction when a commit comes first).
    begin_pending: DeferredBegin,
}

/// What a deferred `START TRANSACTION` adds in front of the next statement (one line, so the
/// server's "at line N" is one more than the statement's own).
const BEGIN_PREFIX: &str = "START TRANSACTION;\n";

/// The error the server (or the connection) reported, in the `mysql` client's words.
fn db_error(e: mysql::Error) -> DbError {
    match e {
        mysql::Error::MySqlError(server) => {
            DbError { message: server.to_string(), code: Some(server.code.to_string()), ..DbError::msg(String::new()) }
        }
        other => {
            let mut message = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            DbError::msg(message)
        }
    }
}

/// The server's "... at line N" of a statement, as a character position of that line's start,
/// so the executor names the file line; `shift` lines were sent in front of `sql`.
fn with_position(mut e: DbError, sql: &str, shift: usize) -> DbError {
    let line = e
        .message
        .rsplit_once(" at line ")
        .and_then(|(_, n)| n.trim().parse::<usize>().ok())
        .and_then(|n| n.checked_sub(shift))
        .filter(|n| *n >= 1);
    if let Some(n) = line {
        let offset: usize = sql.split('\n').take(n - 1).map(|l| l.chars().count() + 1).sum();
        e.position = Some(offset + 1);
    }
    e
}

/// Runs SQL that may hold several statements and returns the rows of all of them. Every result
/// set is read, so an error of a later statement is returned (the `mysql` crate's `query_drop`
/// reads only the first and drops the others' errors).
fn run_all(conn: &mut Conn, sql: &str) -> Result<Vec<mysql::Row>, mysql::Error> {
    let mut result = conn.query_iter(sql)?;
    let mut rows = Vec::new();
    while let Some(set) = result.iter() {
        for row in set {
            rows.push(row?);
        }
    }
    Ok(rows)
}

/// The `GET_LOCK` name (at most 64 characters) for a database and version table.
fn lock_name(database: &str, key: &str) -> String {
    let name = format!("retort:{database}:{key}");
    if name.chars().count() <= 64 {
        return name;
    }
    use sha2::Digest;
    format!("retort:{}", &hex::encode(sha2::Sha256::digest(name.as_bytes()))[..40])
}

impl MysqlDriver<'_> {
    /// Connects using a `mysql://` or `mariadb://` URL.
    pub fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_to(url, None)
    }

    /// Connects to another database on the same server as `url`, with the same credentials.
    pub fn connect_to(url: &str, database: Option<&str>) -> Result<Self, DbError> {
        let parsed = MysqlUrl::parse(url).map_err(DbError::msg)?;
        let database = database.unwrap_or(&parsed.database).to_string();
        let builder = parsed.builder(&database);
        let conn = match parsed.ssl_opts() {
            None => Conn::new(builder),
            Some(ssl) => match Conn::new(builder.clone().ssl_opts(ssl)) {
                Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported))
                    if parsed.ssl_mode == SslMode::Preferred =>
                {
                    Conn::new(builder)
                }
                Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)) => {
                    return Err(DbError {
                        hint: Some("the server does not offer TLS; enable it on the server, or use ssl-mode=PREFERRED or DISABLED".into()),
                        ..DbError::msg(format!("ssl-mode={:?} needs TLS, which the server does not offer", parsed.ssl_mode))
                    });
                }
                other => other,
            },
        }
        .map_err(db_error)?;
        Ok(MysqlDriver {
            conn: Held::Owned(conn),
            database,
            lock_name: None,
            mariadb: None,
            begin_pending: DeferredBegin::default(),
        })
    }

    /// Whether the server is MariaDB (else MySQL), asked once when first needed.
    pub fn is_mariadb(&mut self) -> Result<bool, DbError> {
        if let Some(known) = self.mariadb {
            return Ok(known);
        }
        let known = self.single("SELECT VERSION()")?.is_some_and(|v| v.contains("MariaDB"));
        self.mariadb = Some(known);
        Ok(known)
    }

    fn single(&mut self, sql: &str) -> Result<Option<String>, DbError> {
        Ok(self.query(sql)?.into_iter().next().and_then(|r| r.into_iter().next().flatten()))
    }

    /// Who holds the lock: its connection, user, host and what it runs, as far as this user may
    /// read the process list.
    fn lock_holder(&mut self, name: &str) -> String {
        let lit = Dialect::Mysql.literal(name);
        let Ok(Some(id)) = self.single(&format!("SELECT CAST(IS_USED_LOCK({lit}) AS CHAR)")) else {
            return "another session".into();
        };
        let about = self.query(&format!(
            "SELECT USER, HOST, CAST(TIME AS CHAR), COALESCE(LEFT(INFO, 120), COMMAND) FROM information_schema.PROCESSLIST WHERE ID = {}",
            id.parse::<u64>().unwrap_or(0)
        ));
        match about.ok().and_then(|rows| rows.into_iter().next()) {
            Some(row) => {
                let col = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
                format!("connection {id}, {}@{}, for {} s: {}", col(0), col(1), col(2), col(3))
            }
            None => format!("connection {id}"),
        }
    }
}

impl<'c> MysqlDriver<'c> {
    /// Runs on the application's own connection, in the database it has selected.
    pub fn lent(conn: &'c mut Conn) -> Result<Self, DbError> {
        let database: Option<String> = conn.query_first("SELECT DATABASE()").map_err(db_error)?.flatten();
        let database =
            database.ok_or_else(|| DbError::msg("the connection has no database selected (USE one first)"))?;
        Ok(MysqlDriver {
            conn: Held::Lent(conn),
            database,
            lock_name: None,
            mariadb: None,
            begin_pending: DeferredBegin::default(),
        })
    }
}

impl Driver for MysqlDriver<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn lock(&mut self, key: &str, timeout: Duration, waiting: &mut dyn FnMut(&str)) -> Result<bool, DbError> {
        let name = lock_name(&self.database, key);
        let lit = Dialect::Mysql.literal(&name);
        let mut result = self.single(&format!("SELECT CAST(GET_LOCK({lit}, 0) AS CHAR)"))?;
        let mut holder = String::new();
        if result.as_deref() == Some("0") {
            holder = self.lock_holder(&name);
            waiting(&holder);
            result = self.single(&format!("SELECT CAST(GET_LOCK({lit}, {}) AS CHAR)", timeout.as_secs().max(1)))?;
        }
        match result.as_deref() {
            Some("1") => {
                self.lock_name = Some(name);
                Ok(true)
            }
            Some("0") => Err(DbError {
                hint: Some(format!(
                    "another retort run ({holder}) holds the migration lock; wait for it to finish, or raise [database] lock_timeout (now {} s)",
                    timeout.as_secs()
                )),
                ..DbError::msg(format!("timed out after {} s waiting for the migration lock", timeout.as_secs()))
            }),
            _ => Err(DbError {
                hint: Some("GET_LOCK returns NULL when the server cannot take user locks (a Galera/PXC cluster in strict mode, say) or the session was killed".into()),
                ..DbError::msg(format!("GET_LOCK('{name}') failed (returned NULL)"))
            }),
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        if let Some(name) = self.lock_name.take() {
            self.execute(&format!("DO RELEASE_LOCK({})", Dialect::Mysql.literal(&name)))?;
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.begin_pending.open()
    }

    fn commit(&mut self) -> Result<(), DbError> {
        if self.begin_pending.take() {
            return Ok(()); // nothing ran in it
        }
        self.conn.query_drop("COMMIT").map_err(db_error)
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if self.begin_pending.take() {
            return Ok(());
        }
        self.conn.query_drop("ROLLBACK").map_err(db_error)
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        if self.begin_pending.take() {
            let batch = format!("{BEGIN_PREFIX}{sql}");
            return run_all(&mut self.conn, &batch).map(drop).map_err(|e| with_position(db_error(e), sql, 1));
        }
        run_all(&mut self.conn, sql).map(drop).map_err(|e| with_position(db_error(e), sql, 0))
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        if self.begin_pending.take() {
            self.conn.query_drop("START TRANSACTION").map_err(db_error)?;
        }
        let rows = run_all(&mut self.conn, sql).map_err(|e| with_position(db_error(e), sql, 0))?;
        Ok(rows
            .into_iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| match row.as_ref(i) {
                        None | Some(mysql::Value::NULL) => None,
                        Some(mysql::Value::Bytes(b)) => Some(String::from_utf8_lossy(b).into_owned()),
                        Some(other) => Some(other.as_sql(true).trim_matches('\'').to_string()),
                    })
                    .collect()
            })
            .collect())
    }

    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        let my = Dialect::Mysql;
        let schema = schema.map_or_else(|| "DATABASE()".to_string(), |s| my.literal(s));
        let count = self.single(&format!(
            "SELECT CAST(count(*) AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {}",
            my.literal(name)
        ))?;
        Ok(count.as_deref().is_some_and(|c| c != "0"))
    }

    fn default_schema(&mut self) -> Option<String> {
        Some(self.database.clone())
    }

    fn set_ddl_lock_wait(&mut self, wait: Option<Duration>) -> Result<(), DbError> {
        let seconds = wait.map_or(super::DEFAULT_DDL_LOCK_WAIT, |w| w.as_secs().max(1));
        self.execute(&format!("SET SESSION lock_wait_timeout = {seconds}"))
    }

    fn inspect(&mut self, options: &InspectOptions) -> Result<Schema, InspectError> {
        super::inspect::inspect(self, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        let u = MysqlUrl::parse("mysql://app:p%40ss:w@db.example:3307/shop?ssl-mode=verify_identity&ssl-ca=/ca.pem")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password.as_deref(), Some("p@ss:w"));
        let odd = MysqlUrl::parse("mysql://app:s3cr?t/x@db/shop").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((odd.password.as_deref(), odd.host.as_str()), (Some("s3cr?t/x"), "db"));
        assert_eq!(crate::url::mask_password("mysql://app:s3cr?t/x@db/shop"), "mysql://app:***@db/shop");
        assert_eq!((u.host.as_str(), u.port, u.database.as_str()), ("db.example", 3307, "shop"));
        assert_eq!((u.ssl_mode, u.ssl_ca.as_deref()), (SslMode::VerifyIdentity, Some("/ca.pem")));
        assert!(!format!("{u:?}").contains("p@ss"), "Debug never shows the password");
        let s = MysqlUrl::parse("mariadb://root@localhost/app?socket=/run/mysqld/mysqld.sock")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.socket.as_deref(), s.port, s.ssl_mode),
            (Some("/run/mysqld/mysqld.sock"), 3306, SslMode::Preferred)
        );
        let v6 = MysqlUrl::parse("mysql://u@[::1]:3310/x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 3310));
    }

    #[test]
    fn ssl_mode_spellings() {
        for (text, mode) in [
            ("DISABLED", SslMode::Disabled),
            ("disabled", SslMode::Disabled),
            ("Preferred", SslMode::Preferred),
            ("REQUIRED", SslMode::Required),
            ("require", SslMode::Required),
            ("VERIFY_CA", SslMode::VerifyCa),
            ("verify-ca", SslMode::VerifyCa),
            ("VERIFY_IDENTITY", SslMode::VerifyIdentity),
            ("verify-full", SslMode::VerifyIdentity),
        ] {
            assert_eq!(SslMode::parse(text), Some(mode), "{text}");
        }
        assert_eq!(SslMode::parse("sometimes"), None);
    }

    #[test]
    fn bad_urls_say_why() {
        let no_db = MysqlUrl::parse("mysql://root@localhost:3306").err().unwrap_or_default();
        assert!(no_db.contains("names no database"), "{no_db}");
        let param = MysqlUrl::parse("mysql://root@h/db?sslmode=bogus").err().unwrap_or_default();
        assert!(param.contains("ssl-mode=bogus is not one of"), "{param}");
        let unknown = MysqlUrl::parse("mysql://root:secret@h/db?charset=x").err().unwrap_or_default();
        assert!(unknown.contains("unknown parameter 'charset'") && !unknown.contains("secret"), "{unknown}");
        let port = MysqlUrl::parse("mysql://h:99999/db").err().unwrap_or_default();
        assert!(port.contains("port '99999'"), "{port}");
    }

    #[test]
    fn lock_names_fit_in_64_characters() {
        assert_eq!(lock_name("app", "retort_version"), "retort:app:retort_version");
        let long = lock_name(&"d".repeat(64), "retort_version");
        assert!(long.len() <= 64 && long.starts_with("retort:"), "{long}");
        assert_ne!(long, lock_name(&"e".repeat(64), "retort_version"));
    }

    #[test]
    fn server_lines_become_positions() {
        let e = with_position(DbError::msg("ERROR 1064 (42000): ... near 'x' at line 3"), "a\nbb\nccc", 0);
        assert_eq!(e.position, Some(6));
        let shifted = with_position(DbError::msg("ERROR 1064 (42000): ... near 'x' at line 3"), "a\nbb\nccc", 1);
        assert_eq!(shifted.position, Some(3));
    }
}
