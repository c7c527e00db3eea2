//! The PostgreSQL driver (the `postgres` crate). The run lock is a session advisory lock, taken by
//! polling `pg_try_advisory_lock` so that a waiting run never sits in a statement that
//! `CREATE INDEX CONCURRENTLY` would wait for (the deadlock Flyway users hit).

use std::sync::Arc;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls, SimpleQueryMessage};

use retort_schema::Schema;

use crate::dialect::Dialect;
use crate::driver::{DbError, DeferredBegin, Driver, Held};
use crate::inspect::{InspectError, InspectOptions};

/// A connection to a PostgreSQL database.
pub struct PostgresDriver<'c> {
    client: Held<'c, Client>,
    lock_key: Option<i64>,
    /// `BEGIN` was asked for and travels with the next statement, saving a round trip per
    /// migration step.
    begin_pending: DeferredBegin,
}

/// What a deferred `BEGIN` adds in front of the next statement.
const BEGIN_PREFIX: &str = "BEGIN;\n";

/// An error of a statement sent after [`BEGIN_PREFIX`]: its position in the statement itself.
fn shifted(mut e: DbError, shift: usize) -> DbError {
    e.position = e.position.and_then(|p| p.checked_sub(shift)).filter(|p| *p > 0);
    e
}

fn db_error(e: postgres::Error) -> DbError {
    match e.as_db_error() {
        Some(db) => DbError {
            message: format!("{}: {}", db.severity(), db.message()),
            code: Some(db.code().code().to_string()),
            position: match db.position() {
                Some(postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
                _ => None,
            },
            detail: db.detail().map(str::to_string),
            hint: db.hint().map(str::to_string),
        },
        None => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            DbError::msg(message)
        }
    }
}

/// A stable 64-bit key for the advisory lock, from the database name and the version table.
fn lock_key(text: &str) -> i64 {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

impl PostgresDriver<'_> {
    /// Connects using a `postgres://` URL; `PGPASSWORD` fills in a password the URL lacks.
    pub fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_to(url, None)
    }

    /// Connects to another database on the same server as `url`, with the same credentials.
    pub fn connect_to(url: &str, dbname: Option<&str>) -> Result<Self, DbError> {
        let (url, tls) = TlsSettings::split(url);
        let mut config: postgres::Config = url.parse().map_err(db_error)?;
        if let Some(name) = dbname {
            config.dbname(name);
        }
        if config.get_password().is_none()
            && let Ok(pw) = std::env::var("PGPASSWORD")
        {
            config.password(pw);
        }
        if config.get_application_name().is_none() {
            config.application_name("retort");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let client = match tls.mode {
            TlsMode::Disable => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                config.connect(NoTls).map_err(db_error)?
            }
            mode => {
                let required = mode != TlsMode::Prefer;
                config.ssl_mode(if required {
                    postgres::config::SslMode::Require
                } else {
                    postgres::config::SslMode::Prefer
                });
                config.connect(tls.connector()?).map_err(db_error)?
            }
        };
        Ok(PostgresDriver { client: Held::Owned(client), lock_key: None, begin_pending: DeferredBegin::default() })
    }
}

impl<'c> PostgresDriver<'c> {
    /// Runs on the application's own connection (outside a transaction of its own).
    pub fn lent(client: &'c mut Client) -> Self {
        PostgresDriver { client: Held::Lent(client), lock_key: None, begin_pending: DeferredBegin::default() }
    }

    /// The connection this driver opened itself (`None` for a lent one), to be lent again later.
    pub fn into_client(self) -> Option<Client> {
        match self.client {
            Held::Owned(client) => Some(client),
            Held::Lent(_) => None,
        }
    }
}

/// The URL as the PostgreSQL client library parses it: without the TLS parameters retort handles.
pub fn client_url(url: &str) -> String {
    TlsSettings::split(url).0
}

/// What another PostgreSQL client (the Alembic importer's Python, say) needs to connect to
/// database `dbname` on the server of a URL, with the same credentials and TLS settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConnectionParts {
    /// Host name, or the folder of a unix socket.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// User name.
    pub user: Option<String>,
    /// Password (from the URL or `PGPASSWORD`); never printed.
    pub password: Option<String>,
    /// The database.
    pub database: String,
    /// libpq's `sslmode`.
    pub sslmode: &'static str,
    /// libpq's `sslrootcert`.
    pub sslrootcert: Option<String>,
}

/// The parts of `url` another client needs to connect to `dbname` on the same server.
pub fn connection_parts(url: &str, dbname: &str) -> Result<ConnectionParts, DbError> {
    let (url, tls) = TlsSettings::split(url);
    let config: postgres::Config = url.parse().map_err(db_error)?;
    let host = config.get_hosts().first().map(|h| match h {
        postgres::config::Host::Tcp(name) => name.clone(),
        postgres::config::Host::Unix(path) => path.display().to_string(),
    });
    let password = match config.get_password() {
        Some(p) => Some(String::from_utf8_lossy(p).into_owned()),
        None => std::env::var("PGPASSWORD").ok(),
    };
    Ok(ConnectionParts {
        host,
        port: config.get_ports().first().copied(),
        user: config.get_user().map(str::to_string),
        password,
        database: dbname.to_string(),
        sslmode: match tls.mode {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        },
        sslrootcert: tls.root_cert,
    })
}

/// libpq's `sslmode` values. The PostgreSQL client library knows only disable/prefer/require, so
/// the verifying modes are carried out here, with the same meaning as in libpq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, without verifying the certificate (libpq's default).
    Prefer,
    /// TLS always, without verifying the certificate.
    Require,
    /// TLS, certificate chain verified, host name not.
    VerifyCa,
    /// TLS, certificate chain and host name verified.
    VerifyFull,
}

/// The `sslmode` values libpq accepts (`allow` is read as `prefer`: TLS when offered).
pub(crate) const SSL_MODES: [&str; 6] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/// The TLS parameters of a URL (`sslmode`, `sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TlsSettings {
    mode: TlsMode,
    root_cert: Option<String>,
}

impl TlsSettings {
    /// Takes `sslmode` and `sslrootcert` out of a URL's query, returning the URL the client
    /// library can parse and the settings.
    fn split(url: &str) -> (String, TlsSettings) {
        let mut settings = TlsSettings { mode: TlsMode::Prefer, root_cert: None };
        let Some((base, query)) = url.split_once('?') else { return (url.to_string(), settings) };
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("sslmode", v)) => {
                    settings.mode = match v {
                        "disable" => TlsMode::Disable,
                        "require" => TlsMode::Require,
                        "verify-ca" => TlsMode::VerifyCa,
                        "verify-full" => TlsMode::VerifyFull,
                        // `allow`, `prefer`; anything else was refused when the URL was parsed.
                        _ => TlsMode::Prefer,
                    }
                }
                Some(("sslrootcert", v)) => settings.root_cert = Some(v.to_string()),
                _ => kept.push(pair),
            }
        }
        let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        (url, settings)
    }

    /// The TLS client for the mode. Prefer and require encrypt without verifying, so they load no
    /// certificate at all (loading the system's CA bundle costs more than a whole `retort
    /// current`); verify-ca and verify-full check the chain against `sslrootcert` or, without it,
    /// the system's roots, and verify-full the host name too.
    fn connector(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, DbError> {
        use rustls::client::danger::ServerCertVerifier;
        use rustls_pki_types::pem::PemObject;
        let tls_error = |e: rustls::Error| DbError::msg(format!("setting up TLS: {e}"));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.mode {
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                let mut roots = rustls::RootCertStore::empty();
                match &self.root_cert {
                    Some(path) => {
                        let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
                            .map_err(|e| DbError::msg(format!("reading sslrootcert {path}: {e}")))?;
                        for cert in certs {
                            let cert = cert.map_err(|e| DbError::msg(format!("reading sslrootcert {path}: {e}")))?;
                            roots.add(cert).map_err(tls_error)?;
                        }
                    }
                    None => {
                        let found = rustls_native_certs::load_native_certs();
                        roots.add_parsable_certificates(found.certs);
                    }
                }
                let webpki =
                    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| DbError::msg(format!("setting up TLS: {e}")))?;
                if self.mode == TlsMode::VerifyCa { Arc::new(tls::ChainOnly(webpki)) } else { webpki }
            }
            _ => Arc::new(tls::Unverified(provider.clone())),
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// The certificate verifiers libpq's modes need beyond rustls's standard one.
mod tls {
    use std::sync::Arc;

    use rustls::DigitallySignedStruct;
    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

    /// `sslmode=prefer|require`: encrypted, the certificate not checked (libpq's meaning). The
    /// handshake signatures are still verified, so the session key belongs to the certificate
    /// presented.
    #[derive(Debug)]
    pub struct Unverified(pub Arc<CryptoProvider>);

    impl ServerCertVerifier for Unverified {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// `sslmode=verify-ca`: the chain must lead to a trusted root; the host name is not checked.
    #[derive(Debug)]
    pub struct ChainOnly(pub Arc<WebPkiServerVerifier>);

    impl ServerCertVerifier for ChainOnly {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
                Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName | rustls::CertificateError::NotValidForNameContext { .. },
                )) => Ok(ServerCertVerified::assertion()),
                other => other,
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }
}

impl Driver for PostgresDriver<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn lock(&mut self, key: &str, timeout: Duration, waiting: &mut dyn FnMut(&str)) -> Result<bool, DbError> {
        let database =
            self.query("SELECT current_database()")?.into_iter().next().and_then(|r| r.into_iter().next().flatten());
        let key = lock_key(&format!("retort:{}:{key}", database.unwrap_or_default()));
        let started = Instant::now();
        let mut pause = Duration::from_millis(20);
        let mut told = false;
        loop {
            let got = self.query(&format!("SELECT pg_try_advisory_lock({key})"))?;
            if got.first().and_then(|r| r.first()).and_then(|c| c.as_deref()) == Some("t") {
                self.lock_key = Some(key);
                return Ok(true);
            }
            let holder = self
                .query(&format!(
                    "SELECT pid::text FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {} AND objid = {} LIMIT 1",
                    (key as u64 >> 32) as u32,
                    (key as u64 & 0xffff_ffff) as u32
                ))?
                .into_iter()
                .next()
                .and_then(|r| r.into_iter().next().flatten())
                .map(|pid| format!("backend pid {pid}"))
                .unwrap_or_else(|| "another session".into());
            if !told {
                waiting(&holder);
                told = true;
            }
            if started.elapsed() >= timeout {
                return Err(DbError {
                    hint: Some(format!(
                        "another retort run ({holder}) holds the migration lock; wait for it to finish, or raise [database] lock_timeout (now {} s)",
                        timeout.as_secs()
                    )),
                    ..DbError::msg(format!("timed out after {} s waiting for the migration lock", timeout.as_secs()))
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        if let Some(key) = self.lock_key.take() {
            self.execute(&format!("SELECT pg_advisory_unlock({key})"))?;
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
        self.client.batch_execute("COMMIT").map_err(db_error)
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if self.begin_pending.take() {
            return Ok(());
        }
        self.client.batch_execute("ROLLBACK").map_err(db_error)
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        if self.begin_pending.take() {
            let batch = format!("{BEGIN_PREFIX}{sql}");
            return self.client.batch_execute(&batch).map_err(|e| shifted(db_error(e), BEGIN_PREFIX.len()));
        }
        self.client.batch_execute(sql).map_err(db_error)
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        let messages = if self.begin_pending.take() {
            let batch = format!("{BEGIN_PREFIX}{sql}");
            self.client.simple_query(&batch).map_err(|e| shifted(db_error(e), BEGIN_PREFIX.len()))?
        } else {
            self.client.simple_query(sql).map_err(db_error)?
        };
        Ok(messages
            .into_iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some((0..row.len()).map(|i| row.get(i).map(str::to_string)).collect()),
                _ => None,
            })
            .collect())
    }

    fn table_exists(&mut self, schema: Option<&str>, name: &str) -> Result<bool, DbError> {
        let pg = Dialect::Postgres;
        let qualified = match schema {
            Some(s) => format!("{}.{}", pg.quote_ident(s), pg.quote_ident(name)),
            None => pg.quote_ident(name),
        };
        let rows = self.query(&format!("SELECT to_regclass({})::text IS NOT NULL", pg.literal(&qualified)))?;
        Ok(rows.first().and_then(|r| r.first()).and_then(|c| c.as_deref()) == Some("t"))
    }

    fn set_ddl_lock_wait(&mut self, wait: Option<Duration>) -> Result<(), DbError> {
        match wait {
            Some(w) => self.execute(&format!("SET lock_timeout = '{}ms'", w.as_millis().max(1))),
            None => Ok(()),
        }
    }

    fn default_schema(&mut self) -> Option<String> {
        self.query("SELECT current_schema()").ok()?.into_iter().next()?.into_iter().next().flatten()
    }

    fn inspect(&mut self, options: &InspectOptions) -> Result<Schema, InspectError> {
        super::inspect::inspect(self, options)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tls_settings_follow_libpq() {
        use super::{TlsMode, TlsSettings};
        let (url, tls) =
            TlsSettings::split("postgres://u@h/db?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=5");
        assert_eq!(url, "postgres://u@h/db?connect_timeout=5");
        assert_eq!(tls, TlsSettings { mode: TlsMode::VerifyFull, root_cert: Some("/ca.pem".into()) });
        assert_eq!(TlsSettings::split("postgres://u@h/db").1.mode, TlsMode::Prefer);
        assert_eq!(TlsSettings::split("postgres://u@h/db?sslmode=disable").0, "postgres://u@h/db");
    }

    #[test]
    fn lock_key_is_stable() {
        assert_eq!(super::lock_key("retort:db:retort_version"), super::lock_key("retort:db:retort_version"));
        assert_ne!(super::lock_key("retort:a:v"), super::lock_key("retort:b:v"));
    }
}
