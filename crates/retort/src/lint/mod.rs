//! Lint: the SQL of migrations read with a real parser (sqlparser) and checked against what is
//! known to hurt in production: destructive steps, changes that fail on existing rows,
//! PostgreSQL operations that lock or rewrite a table, and statements that break retort's
//! transaction. Each finding has a stable code, a severity, the file and line, what will happen and
//! the safer way. With a database, findings on existing tables carry the table's live size.

use serde::Serialize;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, Expr, IndexColumn, ObjectName, ObjectType,
    RenameTableNameKind, Statement as Ast, TableConstraint, TableObject,
};
use sqlparser::dialect::{Dialect as SqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::dialect::Dialect;
use crate::script::{Script, Section};
use crate::statements::{Statement, split};

mod online_ddl;

pub use online_ddl::{Algorithm, Server};

/// How serious a finding is. Errors stop `upgrade` (unless `--force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Review before production.
    Warning,
    /// Will fail or break retort's guarantees.
    Error,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `RT301`.
    pub code: &'static str,
    /// Short name of the rule.
    pub rule: &'static str,
    /// How serious.
    pub severity: Severity,
    /// The migration file.
    pub file: String,
    /// The file line of the statement.
    pub line: usize,
    /// The revision.
    pub revision: String,
    /// The table concerned, when there is one.
    pub table: Option<String>,
    /// What will happen.
    pub message: String,
    /// The safer alternative.
    pub fix: String,
    /// The table's live size, when a database was given (`48 M rows, 12 GB`; `~` marks the
    /// planner's estimate).
    pub size: Option<String>,
    /// What to measure in the live data to know whether the statement will certainly fail.
    #[serde(skip)]
    probe: Option<Probe>,
}

/// A fact of the live data that decides whether a statement fails.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Probe {
    /// It fails when the table has any row.
    AnyRow,
    /// It fails when a row holds NULL in this column.
    Nulls(String),
    /// It fails when two rows hold the same values in these columns.
    Duplicates(Vec<String>),
}

/// Up to this many rows a table is counted exactly (and its NULLs and duplicates measured);
/// above it, the planner's estimate is shown and data-dependent failures are "may fail".
const EXACT_ROWS: i64 = 100_000;

/// Below this many rows a MySQL table copy or rebuild takes a moment (an info, not a warning).
const SMALL_TABLE: i64 = 10_000;

/// A rule: its code, name and severity (the table of every rule retort checks).
struct Rule(&'static str, &'static str, Severity);

const DROP_TABLE: Rule = Rule("RT101", "drop-table", Severity::Warning);
const DROP_COLUMN: Rule = Rule("RT102", "drop-column", Severity::Warning);
const DROP_SCHEMA: Rule = Rule("RT103", "drop-schema", Severity::Warning);
const DROP_TYPE: Rule = Rule("RT105", "drop-type", Severity::Warning);
const TYPE_CHANGE: Rule = Rule("RT104", "column-type-change", Severity::Warning);
const SET_NOT_NULL: Rule = Rule("RT201", "set-not-null", Severity::Warning);
const ADD_REQUIRED: Rule = Rule("RT202", "add-required-column", Severity::Warning);
const ADD_UNIQUE: Rule = Rule("RT203", "add-unique", Severity::Warning);
const INDEX_LOCKS: Rule = Rule("RT301", "create-index-not-concurrently", Severity::Warning);
const DROP_INDEX_LOCKS: Rule = Rule("RT302", "drop-index-not-concurrently", Severity::Warning);
const VOLATILE_DEFAULT: Rule = Rule("RT303", "add-column-volatile-default", Severity::Warning);
const VALIDATES: Rule = Rule("RT304", "constraint-without-not-valid", Severity::Warning);
const NO_LOCK_TIMEOUT: Rule = Rule("RT305", "missing-lock-timeout", Severity::Info);
const CONCURRENT_IN_TX: Rule = Rule("RT401", "concurrently-in-transaction", Severity::Error);
const TX_CONTROL: Rule = Rule("RT402", "transaction-control", Severity::Error);
const LONG_NAME: Rule = Rule("RT403", "identifier-too-long", Severity::Error);
const TABLE_COPY: Rule = Rule("RT310", "mysql-table-copy", Severity::Warning);
const BLOCKS_WRITES: Rule = Rule("RT311", "mysql-blocks-writes", Severity::Warning);
const TABLE_REBUILD: Rule = Rule("RT312", "mysql-table-rebuild", Severity::Warning);
const METADATA_LOCK: Rule = Rule("RT313", "mysql-metadata-lock", Severity::Info);
const RENAME: Rule = Rule("RT501", "backward-incompatible-rename", Severity::Warning);
const UNKNOWN_STATEMENT: Rule = Rule("RT001", "not-sql", Severity::Error);
const UNREAD: Rule = Rule("RT002", "not-checked", Severity::Info);
const IMPORT_REVIEW: Rule = Rule("RT601", "imported-needs-review", Severity::Error);

/// The words a statement can start with (PostgreSQL's and SQLite's commands): a statement that
/// starts with anything else is a typo the database will reject.
const STATEMENT_WORDS: [&str; 53] = [
    "ABORT",
    "ALTER",
    "ANALYZE",
    "ATTACH",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTER",
    "COMMENT",
    "COMMIT",
    "COPY",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DETACH",
    "DISCARD",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT",
    "IMPORT",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PRAGMA",
    "PREPARE",
    "REASSIGN",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "REPLACE",
    "RESET",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SECURITY",
    "SELECT",
    "SET",
    "START",
    "TABLE",
    "TRUNCATE",
    "UPDATE",
    "VACUUM",
    "WITH",
];

/// What may follow CREATE, ALTER or DROP (object kinds and their modifiers; MySQL's too).
const OBJECT_WORDS: [&str; 58] = [
    "ACCESS",
    "AGGREGATE",
    "ALGORITHM",
    "CAST",
    "COLLATION",
    "COLUMN",
    "CONSTRAINT",
    "CONVERSION",
    "DATABASE",
    "DEFAULT",
    "DEFINER",
    "DOMAIN",
    "EVENT",
    "EXTENSION",
    "FOREIGN",
    "FULLTEXT",
    "FUNCTION",
    "GLOBAL",
    "GROUP",
    "IF",
    "INDEX",
    "LANGUAGE",
    "LARGE",
    "LOCAL",
    "MATERIALIZED",
    "ONLINE",
    "OPERATOR",
    "OR",
    "OWNED",
    "POLICY",
    "PROCEDURAL",
    "PROCEDURE",
    "PUBLICATION",
    "RECURSIVE",
    "ROLE",
    "ROUTINE",
    "RULE",
    "SCHEMA",
    "SEQUENCE",
    "SERVER",
    "SPATIAL",
    "STATISTICS",
    "SUBSCRIPTION",
    "SYSTEM",
    "TABLE",
    "TABLESPACE",
    "TEMP",
    "TEMPORARY",
    "TEXT",
    "TRANSFORM",
    "TRIGGER",
    "TRUSTED",
    "TYPE",
    "UNIQUE",
    "UNLOGGED",
    "USER",
    "VIEW",
    "VIRTUAL",
];

/// The prefix of the new table in retort's SQLite table rebuild (see retort-schema's renderer).
const REBUILD_PREFIX: &str = "_retort_new_";

/// Functions whose value differs per row: a default calling one rewrites the whole table.
const VOLATILE: [&str; 7] =
    ["random", "clock_timestamp", "gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1", "timeofday", "nextval"];

struct Context<'a> {
    script: &'a Script,
    dialect: Dialect,
    /// The MySQL or MariaDB server the migrations will run on, when known.
    server: Option<Server>,
    /// A connection to it, to read the live column a `MODIFY` changes.
    live: Option<&'a mut dyn crate::driver::Driver>,
    /// Tables created by this script: rules about existing rows do not apply to them.
    created: Vec<String>,
    /// SQLite table rebuilds in this script (retort's own pattern).
    rebuilds: Vec<Rebuild>,
    /// Tables whose rows earlier statements write: today's data does not decide what follows.
    written: Vec<String>,
    findings: Vec<Finding>,
}

/// One SQLite table rebuild: `CREATE TABLE _retort_new_t`, `INSERT INTO _retort_new_t (...)
/// SELECT ... FROM t`, `DROP TABLE t`, `ALTER TABLE _retort_new_t RENAME TO t`. Its drop and
/// rename are internals; the risk is a NOT NULL column the copy does not fill.
struct Rebuild {
    table: String,
    columns: Vec<ColumnDef>,
}

impl Context<'_> {
    fn add(&mut self, rule: Rule, stmt: &Statement, table: Option<&str>, message: String, fix: &str) {
        self.add_probed(rule, stmt, table, message, fix, None);
    }

    /// A finding whose outcome the live data decides (see [`weigh`]).
    fn add_probed(
        &mut self,
        rule: Rule,
        stmt: &Statement,
        table: Option<&str>,
        message: String,
        fix: &str,
        probe: Option<Probe>,
    ) {
        let Rule(code, name, severity) = rule;
        if allowed(&self.script.upgrade, stmt, code) {
            return;
        }
        let (probe, message) = match (probe, table) {
            (Some(_), Some(t)) if self.written.iter().any(|w| w == t) => {
                (None, format!("{message} (an earlier statement writes {t}, so today's rows do not decide it)"))
            }
            (probe, _) => (probe, message),
        };
        self.findings.push(Finding {
            code,
            rule: name,
            severity,
            file: self.script.file_name(),
            line: stmt.line,
            revision: self.script.revision.clone(),
            table: table.map(str::to_string),
            message,
            fix: fix.to_string(),
            size: None,
            probe,
        });
    }

    fn rebuild_of(&self, new_table: &str) -> Option<&Rebuild> {
        new_table.strip_prefix(REBUILD_PREFIX).and_then(|t| self.rebuilds.iter().find(|r| r.table == t))
    }

    fn existing(&self, table: &str) -> bool {
        !self.created.iter().any(|c| c == table)
    }

    fn postgres(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    fn mysql(&self) -> bool {
        self.dialect == Dialect::Mysql
    }
}

/// `-- retort:allow RT301` on the statement's line(s) or the line just above it.
fn allowed(section: &Section, stmt: &Statement, code: &str) -> bool {
    let first = stmt.line.saturating_sub(section.first_line);
    let lines = stmt.sql.lines().count().max(1);
    section
        .sql
        .lines()
        .enumerate()
        .filter(|(i, _)| *i + 1 >= first && *i <= first + lines)
        .any(|(_, l)| l.split_once("retort:allow").is_some_and(|(_, codes)| codes.contains(code)))
}

/// A table's name as the statement wrote it, schema included (`app.items`), without quotes.
fn table_name(name: &ObjectName) -> String {
    name.0.iter().map(|p| p.to_string().trim_matches(['"', '`']).to_string()).collect::<Vec<_>>().join(".")
}

/// A table name of [`table_name`]'s form quoted for SQL, part by part.
fn quote_table(dialect: Dialect, table: &str) -> String {
    table.split('.').map(|part| dialect.quote_ident(part)).collect::<Vec<_>>().join(".")
}

/// The table a row-writing statement (UPDATE, INSERT, DELETE) writes, from its first words.
pub(crate) fn written_table(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().take(4).collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let at = match upper.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["UPDATE", "ONLY", ..] => 2,
        ["UPDATE", ..] => 1,
        ["INSERT", "INTO", ..] | ["DELETE", "FROM", "ONLY", ..] => {
            if upper.get(2).is_some_and(|w| w == "ONLY") {
                3
            } else {
                2
            }
        }
        ["DELETE", "FROM", ..] => 2,
        _ => return None,
    };
    let name = words.get(at)?.split('(').next()?.trim_end_matches(';');
    Some(name.split('.').map(|p| p.trim_matches('"')).collect::<Vec<_>>().join("."))
}

fn volatile(expr: &Expr) -> bool {
    let text = expr.to_string().to_ascii_lowercase();
    VOLATILE.iter().any(|f| text.contains(&format!("{f}(")))
}

/// Lints the upgrade section of one migration.
pub fn lint_script(script: &Script, dialect: Dialect) -> Vec<Finding> {
    lint_script_on(script, dialect, None)
}

/// [`lint_script`] for a known MySQL or MariaDB server (its online DDL rules depend on the
/// flavor and version).
pub fn lint_script_on(script: &Script, dialect: Dialect, server: Option<Server>) -> Vec<Finding> {
    lint_in_order_on(&[script], dialect, server)
}

/// Lints migrations in the order they run: a statement whose failure depends on the data is
/// decided by today's rows only when no earlier statement (of this migration or one before it)
/// writes that table: a backfill (`UPDATE t SET c = ... WHERE c IS NULL`) before `SET NOT NULL`
/// is the safe pattern, not an error.
pub fn lint_in_order(scripts: &[&Script], dialect: Dialect) -> Vec<Finding> {
    lint_in_order_on(scripts, dialect, None)
}

/// [`lint_in_order`] for a known MySQL or MariaDB server.
pub fn lint_in_order_on(scripts: &[&Script], dialect: Dialect, server: Option<Server>) -> Vec<Finding> {
    let mut written = Vec::new();
    scripts.iter().flat_map(|s| lint_one(s, dialect, server, None, &mut written)).collect()
}

/// [`lint_in_order`] with the database the migrations will run on: its server's online DDL
/// rules, and on MySQL the live column each `MODIFY` changes (lengthening a VARCHAR within its
/// length prefix is done in place, appending ENUM values is instant).
pub fn lint_in_order_live(
    scripts: &[&Script],
    dialect: Dialect,
    driver: &mut dyn crate::driver::Driver,
) -> Vec<Finding> {
    let on = server(driver);
    let mut written = Vec::new();
    let mut out = Vec::new();
    for s in scripts {
        out.extend(lint_one(s, dialect, on, Some(&mut *driver), &mut written));
    }
    out
}

/// The MySQL or MariaDB server behind a connection (`None` for the other databases).
pub fn server(driver: &mut dyn crate::driver::Driver) -> Option<Server> {
    if driver.dialect() != Dialect::Mysql {
        return None;
    }
    let version = driver.query("SELECT VERSION()").ok()?.into_iter().next()?.into_iter().next()??;
    Server::parse(&version)
}

/// An upgrade section that `retort import alembic` captured online carries its review marker until a person
/// has checked it (and deleted the line): until then it may lack what depends on rows, so it must
/// not run unread.
fn import_review(script: &Script) -> Option<Finding> {
    let marker = crate::import::alembic::CAPTURED_ONLINE;
    let index = script.upgrade.sql.lines().position(|l| l.trim_end() == marker)?;
    let Rule(code, rule, severity) = IMPORT_REVIEW;
    Some(Finding {
        code,
        rule,
        severity,
        file: script.file_name(),
        line: script.upgrade.first_line + index,
        revision: script.revision.clone(),
        table: None,
        message: "`retort import alembic` captured this upgrade by running the Alembic revision on an empty database: what it does with existing rows (reads, backfills, values computed from them) is not in it".into(),
        fix: "write or check the SQL it must run on a database with rows, then delete the `-- review: captured online` line".into(),
        size: None,
        probe: None,
    })
}

fn lint_one<'a>(
    script: &'a Script,
    dialect: Dialect,
    server: Option<Server>,
    live: Option<&'a mut dyn crate::driver::Driver>,
    written: &mut Vec<String>,
) -> Vec<Finding> {
    let review = import_review(script);
    let Ok(statements) = split(&script.upgrade, dialect) else { return review.into_iter().collect() };
    let parser_dialect: &dyn SqlDialect = match dialect {
        Dialect::Sqlite => &SQLiteDialect {},
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Mysql => &sqlparser::dialect::MySqlDialect {},
    };
    let mut cx = Context {
        script,
        dialect,
        server,
        live,
        created: Vec::new(),
        rebuilds: Vec::new(),
        written: std::mem::take(written),
        findings: Vec::new(),
    };
    let mut alters_existing = None;
    let mut sets_lock_timeout = false;
    let mut metadata_lock: Option<(Statement, String)> = None;
    for stmt in &statements {
        // A MySQL table change, read once: classified here, and not "unchecked" below when the
        // parser cannot read it.
        let table_change = if cx.mysql() { table_clauses(&stmt.sql) } else { None };
        if let Some(change) = &table_change
            && let Some(table) = online_ddl(&mut cx, stmt, change)
        {
            metadata_lock.get_or_insert((stmt.clone(), table));
        }
        let upper = stmt.sql.to_ascii_uppercase();
        if upper.starts_with("SET") && upper.contains("LOCK_TIMEOUT") {
            sets_lock_timeout = true;
        }
        if script.transactional && stmt.is_transaction_control() {
            cx.add(
                TX_CONTROL,
                stmt,
                None,
                format!("'{}' would end the transaction the migration runs in", stmt.sql),
                "remove it, or mark the script '-- Transaction: false'",
            );
        }
        if script.transactional && upper.contains(" CONCURRENTLY") {
            cx.add(
                CONCURRENT_IN_TX,
                stmt,
                None,
                "CONCURRENTLY cannot run inside a transaction block: the migration will fail".into(),
                "mark the script '-- Transaction: false' (one statement per script is safest)",
            );
        }
        if cx.postgres() && upper.starts_with("DROP INDEX") && !upper.starts_with("DROP INDEX CONCURRENTLY") {
            cx.add(
                DROP_INDEX_LOCKS,
                stmt,
                None,
                "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait".into(),
                "DROP INDEX CONCURRENTLY in a '-- Transaction: false' script",
            );
        }
        let parsed = match Parser::parse_sql(parser_dialect, &stmt.sql) {
            Ok(parsed) => parsed,
            // A MySQL table change the parser cannot read (table options, FULLTEXT) was still
            // read by the online DDL classifier.
            Err(_) if table_change.is_some() => continue,
            Err(e) => {
                unreadable(&mut cx, stmt, &e.to_string());
                continue;
            }
        };
        for ast in parsed {
            check(&mut cx, stmt, &ast, &mut alters_existing);
        }
        if let Some(t) = written_table(&stmt.sql)
            && !t.starts_with(REBUILD_PREFIX)
        {
            cx.written.push(t);
        }
    }
    if let (true, false, Some(stmt)) = (cx.postgres(), sets_lock_timeout, alters_existing) {
        cx.add(
            NO_LOCK_TIMEOUT,
            &stmt,
            None,
            "ALTER TABLE waits for its lock behind long queries, and every query after it waits behind it".into(),
            "start the migration with SET lock_timeout = '5s' (and retry on failure)",
        );
    }
    if let Some((stmt, table)) = metadata_lock {
        cx.add(
            METADATA_LOCK,
            &stmt,
            Some(&table),
            format!("every ALTER TABLE, even an INSTANT one, first takes the table's metadata lock: a transaction left open on {table} holds it off, and every later query on {table} queues behind the waiting ALTER"),
            "keep transactions short while migrating; retort gives up after [database] ddl_lock_wait (60 s unless set), lower it for busy tables; write ALGORITHM=INSTANT on a change meant to be instant, so the server refuses instead of copying",
        );
    }
    *written = std::mem::take(&mut cx.written);
    cx.findings.splice(0..0, review);
    cx.findings
}

/// A name at the start of `text` (backticked, double-quoted or bare, maybe `db.`-qualified) and
/// the text after it.
fn leading_name(text: &str) -> Option<(String, &str)> {
    let mut rest = text.trim_start();
    loop {
        let (part, after) = match rest.chars().next()? {
            q @ ('`' | '"') => {
                let end = rest[1..].find(q)? + 1;
                (rest[1..end].to_string(), &rest[end + 1..])
            }
            _ => {
                let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(rest.len());
                (rest[..end].to_string(), &rest[end..])
            }
        };
        if part.is_empty() {
            return None;
        }
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => return Some((part, after)),
        }
    }
}

/// The statement's table and the clauses the server must run, for the statements that change a
/// table: `ALTER TABLE`, `CREATE INDEX`, `DROP INDEX ... ON`.
fn table_clauses(sql: &str) -> Option<(String, Vec<String>)> {
    let upper = sql.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    let skip = |i: usize| words.iter().take(i).map(|w| w.len() + 1).sum::<usize>();
    let after = |n: usize| sql.trim_start().get(skip(n)..).unwrap_or("");
    match words.as_slice() {
        ["ALTER", "TABLE", ..] | ["ALTER", "ONLINE", "TABLE", ..] | ["ALTER", "IGNORE", "TABLE", ..] => {
            let n = words.iter().position(|w| *w == "TABLE")? + 1;
            let (table, rest) = leading_name(after(n))?;
            Some((table, online_ddl::clauses(rest)))
        }
        ["CREATE", ..] if words.contains(&"INDEX") => {
            let on = words.iter().position(|w| *w == "ON")?;
            let (table, _) = leading_name(after(on + 1))?;
            let special = words[1] == "FULLTEXT" || words[1] == "SPATIAL";
            Some((table, vec![if special { "ADD FULLTEXT INDEX".into() } else { "ADD INDEX".into() }]))
        }
        ["DROP", "INDEX", ..] => {
            let on = words.iter().position(|w| *w == "ON")?;
            let (table, _) = leading_name(after(on + 1))?;
            Some((table, vec!["DROP INDEX".into()]))
        }
        _ => None,
    }
}

/// How the server runs `MODIFY [COLUMN] c <definition>` given the live column, when it runs it
/// without a copy: a VARCHAR lengthened within its length prefix (1 byte up to 255 bytes, 2
/// above) in place, ENUM or SET values appended instantly, a change of NULL / NOT NULL or of the
/// default and comment only in place (the first with a rebuild), anything else copied. `None`:
/// not known (no such live column, or a clause this does not read).
fn modify_in_place(driver: &mut dyn crate::driver::Driver, table: &str, clause: &str) -> Option<Algorithm> {
    let rest = clause.trim_start();
    let rest = rest.get(6..).filter(|_| rest.get(..6).is_some_and(|w| w.eq_ignore_ascii_case("MODIFY")))?;
    let rest = rest.trim_start();
    let rest = match rest.get(..7) {
        Some(w) if w.eq_ignore_ascii_case("COLUMN ") => &rest[7..],
        _ => rest,
    };
    let (column, rest) = leading_name(rest)?;
    // The type: up to the first space outside parentheses and quotes.
    let rest = rest.trim_start();
    let (mut depth, mut quoted, mut end) = (0i32, false, rest.len());
    for (i, ch) in rest.char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c.is_whitespace() && depth == 0 && !quoted => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let new_type = rest[..end].to_ascii_lowercase().replace(", ", ",");
    let tail = rest[end..].to_ascii_uppercase();
    let new_not_null = tail.contains("NOT NULL");
    if tail.contains("CHARACTER SET") || tail.contains("COLLATE") || tail.contains(" FIRST") || tail.contains(" AFTER ")
    {
        return None;
    }
    let my = Dialect::Mysql;
    let sql = format!(
        "SELECT COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {} AND COLUMN_NAME = {}",
        my.literal(table),
        my.literal(&column)
    );
    let row = driver.query(&sql).ok()?.into_iter().next()?;
    let old_type = row.first().cloned().flatten()?.to_ascii_lowercase();
    let old_not_null = row.get(1).cloned().flatten().as_deref() == Some("NO");
    let charset = row.get(2).cloned().flatten().unwrap_or_default();
    let length = |t: &str, base: &str| -> Option<u64> {
        t.strip_prefix(base)?.strip_prefix('(')?.strip_suffix(')')?.parse().ok()
    };
    let bytes_per_char = match charset.as_str() {
        "utf8mb4" | "utf16" | "utf32" => 4,
        "utf8mb3" | "utf8" => 3,
        "ucs2" => 2,
        _ => 1,
    };
    let prefix = |n: u64| if n * bytes_per_char < 256 { 1 } else { 2 };
    // `INT` written, `int(11)` stored: the same type.
    let same = |a: &str, b: &str| a == b || (a.split('(').next() == b.split('(').next() && !b.contains('('));
    let list = |t: &str, kind: &str| t.strip_prefix(kind).map(|r| r.trim_end_matches(')').to_string());
    let or_copy = |cheaper: bool, algorithm: Algorithm| Some(if cheaper { algorithm } else { Algorithm::Copy });
    if old_not_null != new_not_null {
        return or_copy(same(&old_type, &new_type), Algorithm::InplaceRebuild);
    }
    if same(&old_type, &new_type) {
        return Some(Algorithm::InplaceNoRebuild);
    }
    if let (Some(n), Some(m)) = (length(&old_type, "varchar"), length(&new_type, "varchar")) {
        return or_copy(m >= n && prefix(n) == prefix(m), Algorithm::InplaceNoRebuild);
    }
    let appended = ["enum(", "set("].iter().any(|kind| {
        list(&old_type, kind)
            .zip(list(&new_type, kind))
            .is_some_and(|(a, b)| b.starts_with(&a) && b[a.len()..].starts_with(','))
    });
    or_copy(appended, Algorithm::Instant)
}

/// Classifies a MySQL statement that changes an existing table the way the server will run it
/// (see [`online_ddl`]), adding a finding when it rebuilds or copies the table or blocks writes.
/// Returns the table when the statement alters an existing one.
fn online_ddl(cx: &mut Context<'_>, stmt: &Statement, (table, clauses): &(String, Vec<String>)) -> Option<String> {
    if !cx.existing(table) {
        return None;
    }
    // `ALGORITHM=INSTANT` (or INPLACE) written on the statement: the server refuses rather than
    // falling back to something costlier, so the statement says what it costs.
    let guarded = clauses.iter().any(|c| {
        let u = c.to_ascii_uppercase().replace(' ', "");
        u == "ALGORITHM=INSTANT" || u == "ALGORITHM=INPLACE" || u == "ALGORITHM=NOCOPY"
    });
    let mut costed = Vec::new();
    for c in clauses {
        let op = online_ddl::classify(c);
        let refined = match (op, cx.live.as_deref_mut()) {
            (online_ddl::Op::ModifyColumn, Some(driver)) => modify_in_place(driver, table, c).map(|a| (a, true)),
            _ => None,
        };
        costed.push((refined.unwrap_or((online_ddl::algorithm(op, cx.server), false)), c));
    }
    let ((algorithm, measured), clause) = costed.into_iter().max_by_key(|((a, _), _)| *a)?;
    let rule = match algorithm {
        _ if guarded => None,
        Algorithm::Copy => Some((
            TABLE_COPY,
            "writes to the table wait until the copy ends (reads continue), and the copy takes time and disk space proportional to the table",
        )),
        Algorithm::BlocksWrites => Some((BLOCKS_WRITES, "writes to the table wait until it ends (reads continue)")),
        Algorithm::InplaceRebuild => Some((
            TABLE_REBUILD,
            "reads and writes continue, but every row is rewritten: time and I/O proportional to the table, and replicas lag while they replay it",
        )),
        Algorithm::InplaceNoRebuild | Algorithm::Instant => None,
    };
    if let Some((rule, effect)) = rule {
        let on = match cx.server {
            Some(s) => s.to_string(),
            None => "MySQL 8.0 and MariaDB 10.5 (no database given: the oldest servers retort supports)".to_string(),
        };
        let shown: String = match clause.char_indices().nth(120) {
            Some((at, _)) => format!("{} ...", &clause[..at]),
            None => clause.to_string(),
        };
        // From the text alone a MODIFY is assumed to copy; the server does less for some.
        let unless = if online_ddl::classify(clause) == online_ddl::Op::ModifyColumn && !measured {
            " (unless it only lengthens a VARCHAR within the same length prefix, or appends ENUM/SET values: then the server changes it in place)"
        } else {
            ""
        };
        cx.add(
            rule,
            stmt,
            Some(table),
            format!("on {on} this runs {} because of `{shown}`{unless}: {effect}", algorithm.words()),
            "on a big table, move this change into its own step and run it off-peak or with an online schema change tool (gh-ost, pt-online-schema-change); the other changes then run online",
        );
    }
    Some(table.clone())
}

/// A statement the parser could not read: certainly wrong when it does not start like any SQL
/// command (`CREAT TABLE`), else only unchecked (the parser does not know every statement the
/// database does), said as an info so that it is never silence.
fn unreadable(cx: &mut Context<'_>, stmt: &Statement, error: &str) {
    let words: Vec<String> = stmt
        .sql
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .take(2)
        .map(str::to_ascii_uppercase)
        .collect();
    let first = words.first().map(String::as_str).unwrap_or("");
    let bad = if !STATEMENT_WORDS.contains(&first) {
        Some((first.to_string(), crate::graph::closest(first, STATEMENT_WORDS.iter().copied())))
    } else if matches!(first, "CREATE" | "ALTER" | "DROP") {
        match words.get(1) {
            Some(second) if !OBJECT_WORDS.contains(&second.as_str()) => Some((
                format!("{first} {second}"),
                crate::graph::closest(second, OBJECT_WORDS.iter().copied())
                    .into_iter()
                    .map(|w| format!("{first} {w}"))
                    .collect(),
            )),
            _ => None,
        }
    } else {
        None
    };
    match bad {
        Some((words, close)) => {
            let hint = close.first().map(|c| format!(" (did you mean {c}?)")).unwrap_or_default();
            cx.add(
                UNKNOWN_STATEMENT,
                stmt,
                None,
                format!("'{words}' does not start any SQL statement{hint}: the database will reject it"),
                "correct the statement",
            );
        }
        // Settings, comments and sequence options hold nothing any rule checks (retort's own
        // output has `PRAGMA` in SQLite rebuilds and `ALTER SEQUENCE ... OWNED BY` for serials,
        // which sqlparser cannot read).
        None if matches!(first, "PRAGMA" | "SET" | "RESET" | "COMMENT")
            || (first == "ALTER" && words.get(1).is_some_and(|w| w == "SEQUENCE")) => {}
        None => cx.add(
            UNREAD,
            stmt,
            None,
            format!("lint could not read this statement ({error}), so nothing in it was checked"),
            "review it by hand; the database will say whether it is valid",
        ),
    }
}

/// The plain column names of index keys; `None` when a key is an expression.
fn key_columns(keys: &[IndexColumn]) -> Option<Vec<String>> {
    keys.iter()
        .map(|k| match &k.column.expr {
            Expr::Identifier(i) => Some(i.value.clone()),
            _ => None,
        })
        .collect()
}

fn not_null_without_default(c: &ColumnDef) -> bool {
    let not_null = c.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull));
    let default = c.options.iter().any(|o| matches!(o.option, ColumnOption::Default(_)));
    not_null && !default
}

fn check(cx: &mut Context<'_>, stmt: &Statement, ast: &Ast, alters_existing: &mut Option<Statement>) {
    if cx.postgres() {
        for ident in identifiers(ast) {
            if ident.len() > 63 {
                cx.add(
                    LONG_NAME,
                    stmt,
                    None,
                    format!("identifier '{ident}' is {} bytes; PostgreSQL cuts it to 63", ident.len()),
                    "choose a name of at most 63 bytes",
                );
            }
        }
    }
    match ast {
        Ast::CreateTable(ct) => {
            let name = table_name(&ct.name);
            if let Some(table) = name.strip_prefix(REBUILD_PREFIX) {
                cx.rebuilds.push(Rebuild { table: table.to_string(), columns: ct.columns.clone() });
            }
            cx.created.push(name);
        }
        Ast::Insert(insert) => {
            let TableObject::TableName(name) = &insert.table else { return };
            let into = table_name(name);
            let Some(rebuild) = cx.rebuild_of(&into) else { return };
            let filled: Vec<String> = insert.columns.iter().map(table_name).collect();
            let table = rebuild.table.clone();
            let unfilled: Vec<String> = rebuild
                .columns
                .iter()
                .filter(|c| not_null_without_default(c) && !filled.contains(&c.name.value))
                .map(|c| c.name.value.clone())
                .collect();
            if cx.existing(&table) {
                for column in unfilled {
                    cx.add_probed(
                        ADD_REQUIRED,
                        stmt,
                        Some(&table),
                        format!("the rebuild of {table} adds {table}.{column} NOT NULL without a default: copying the rows fails if {table} has any"),
                        "give the column a default in the desired schema, or fill it in the rebuild's SELECT",
                        Some(Probe::AnyRow),
                    );
                }
            }
        }
        Ast::Drop { object_type: ObjectType::Table, names, .. } => {
            for n in names {
                let t = table_name(n);
                if cx.rebuilds.iter().any(|r| r.table == t) {
                    continue;
                }
                cx.add(
                    DROP_TABLE,
                    stmt,
                    Some(&t),
                    format!("drops table {t} and every row in it"),
                    "keep a backup (`upgrade --backup`), or rename it now and drop it in a later release",
                );
            }
        }
        Ast::Drop { object_type: ObjectType::Schema, names, .. } => {
            for n in names {
                cx.add(
                    DROP_SCHEMA,
                    stmt,
                    None,
                    format!("drops schema {n} and everything in it"),
                    "make sure nothing in it is still needed; keep a backup",
                );
            }
        }
        Ast::Drop { object_type: ObjectType::Type, names, .. } => {
            for n in names {
                cx.add(
                    DROP_TYPE,
                    stmt,
                    None,
                    format!("drops type {n}: for an enum being recreated without some values, rows holding those values make the cast fail"),
                    "update or delete the rows holding removed values first",
                );
            }
        }
        Ast::CreateIndex(ix) => {
            let t = table_name(&ix.table_name);
            if cx.postgres() && !ix.concurrently && cx.existing(&t) {
                cx.add(
                    INDEX_LOCKS,
                    stmt,
                    Some(&t),
                    format!("CREATE INDEX locks {t} against writes until the index is built"),
                    "CREATE INDEX CONCURRENTLY in a '-- Transaction: false' script",
                );
            }
            if ix.unique && cx.existing(&t) {
                cx.add_probed(
                    ADD_UNIQUE,
                    stmt,
                    Some(&t),
                    format!("fails if {t} already holds duplicates"),
                    "check for duplicates first (SELECT ... GROUP BY ... HAVING count(*) > 1)",
                    key_columns(&ix.columns).map(Probe::Duplicates),
                );
            }
        }
        Ast::AlterTable(alter) => {
            let t = table_name(&alter.name);
            // The rebuild's last step names the new table after the old one: not a rename.
            if let (Some(rebuild), [AlterTableOperation::RenameTable { table_name: to }]) =
                (cx.rebuild_of(&t), alter.operations.as_slice())
            {
                let (RenameTableNameKind::To(to) | RenameTableNameKind::As(to)) = to;
                if table_name(to) == rebuild.table {
                    return;
                }
            }
            if cx.existing(&t) && alters_existing.is_none() {
                *alters_existing = Some(stmt.clone());
            }
            for op in &alter.operations {
                alter_table(cx, stmt, &t, op);
            }
        }
        _ => {}
    }
}

fn alter_table(cx: &mut Context<'_>, stmt: &Statement, t: &str, op: &AlterTableOperation) {
    let existing = cx.existing(t);
    match op {
        AlterTableOperation::DropColumn { column_names, .. } => {
            for c in column_names {
                cx.add(DROP_COLUMN, stmt, Some(t), format!("drops column {t}.{c} and its data; application versions still reading it break"), "stop using the column in the application first (expand/contract), and keep a backup");
            }
        }
        AlterTableOperation::AlterColumn { column_name, op } => match op {
            AlterColumnOperation::SetDataType { .. } if cx.postgres() => cx.add(
                TYPE_CHANGE,
                stmt,
                Some(t),
                format!("changing the type of {t}.{column_name} rewrites the table under an ACCESS EXCLUSIVE lock (unless it is a binary-compatible widening such as varchar(n) to varchar(m>n) or text)"),
                "add a new column, backfill it in batches, switch the application, then drop the old one",
            ),
            AlterColumnOperation::SetDataType { .. } => cx.add(TYPE_CHANGE, stmt, Some(t), format!("changes the type of {t}.{column_name}"), "check that every stored value fits the new type"),
            AlterColumnOperation::SetNotNull if existing && cx.postgres() => cx.add_probed(
                SET_NOT_NULL,
                stmt,
                Some(t),
                format!("SET NOT NULL scans all of {t} under an ACCESS EXCLUSIVE lock, and fails if a row holds NULL"),
                "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT; then SET NOT NULL (PostgreSQL 12+ skips the scan)",
                Some(Probe::Nulls(column_name.value.clone())),
            ),
            _ => {}
        },
        AlterTableOperation::AddColumn { column_def, .. } => {
            let not_null = column_def.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull));
            let default = column_def.options.iter().find_map(|o| match &o.option {
                ColumnOption::Default(e) => Some(e),
                _ => None,
            });
            // MySQL fills existing rows with the type's implicit default (0, '') instead of failing.
            if existing && not_null && default.is_none() && !cx.mysql() {
                cx.add_probed(ADD_REQUIRED, stmt, Some(t), format!("adding {t}.{} NOT NULL without a default fails if the table has rows", column_def.name), "add it nullable, backfill, then SET NOT NULL; or give it a default", Some(Probe::AnyRow));
            }
            if let (true, true, Some(d)) = (existing, cx.postgres(), default)
                && volatile(d)
            {
                cx.add(VOLATILE_DEFAULT, stmt, Some(t), format!("a volatile default ({d}) makes ADD COLUMN rewrite all of {t} under an ACCESS EXCLUSIVE lock"), "add the column without a default, set the default, backfill in batches");
            }
        }
        AlterTableOperation::AddConstraint { constraint, not_valid } => {
            let validates = matches!(constraint, TableConstraint::ForeignKey(_) | TableConstraint::Check(_));
            if existing && cx.postgres() && validates && !not_valid {
                cx.add(VALIDATES, stmt, Some(t), format!("the constraint is checked against every row of {t} while writes wait"), "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later statement (it takes a weaker lock)");
            }
            let unique_columns = match constraint {
                TableConstraint::Unique(u) => Some(key_columns(&u.columns)),
                TableConstraint::PrimaryKey(k) => Some(key_columns(&k.columns)),
                _ => None,
            };
            if let (true, Some(columns)) = (existing, unique_columns) {
                let (message, fix) = if cx.mysql() {
                    (format!("fails if {t} already holds duplicates"), "remove the duplicates first (the probe counts them when lint has a database)")
                } else {
                    (format!("fails if {t} already holds duplicates, and builds an index under an ACCESS EXCLUSIVE lock"), "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX")
                };
                cx.add_probed(ADD_UNIQUE, stmt, Some(t), message, fix, columns.map(Probe::Duplicates));
            }
        }
        AlterTableOperation::RenameColumn { old_column_name, new_column_name } => cx.add(
            RENAME,
            stmt,
            Some(t),
            format!("renaming {t}.{old_column_name} to {new_column_name} breaks application versions still using the old name"),
            "add the new column, write both, switch reads, then drop the old one (or a view with the old name)",
        ),
        AlterTableOperation::RenameTable { .. } => cx.add(RENAME, stmt, Some(t), format!("renaming {t} breaks application versions still using the old name"), "create a view with the old name while old versions run"),
        _ => {}
    }
}

/// Identifiers a statement creates (tables, columns, indexes, constraints).
fn identifiers(ast: &Ast) -> Vec<String> {
    let mut out = Vec::new();
    match ast {
        Ast::CreateTable(ct) => {
            out.push(table_name(&ct.name));
            out.extend(ct.columns.iter().map(|c| c.name.value.clone()));
        }
        Ast::CreateIndex(ix) => out.extend(ix.name.as_ref().map(table_name)),
        Ast::AlterTable(alter) => {
            for op in &alter.operations {
                if let AlterTableOperation::AddColumn { column_def, .. } = op {
                    out.push(column_def.name.value.clone());
                }
            }
        }
        _ => {}
    }
    out
}

/// A table as lint measured it.
struct Measured {
    rows: i64,
    /// Counted (up to [`EXACT_ROWS`]); else the planner's estimate.
    exact: bool,
    bytes: Option<String>,
}

impl Measured {
    fn rows_text(&self) -> String {
        match (self.exact, self.rows) {
            (true, 1) => "1 row".to_string(),
            (true, n) => format!("{} rows", crate::text::grouped(n)),
            (false, n) if n >= 1_000_000 => format!("~{} M rows (estimate)", n / 1_000_000),
            (false, n) => format!("~{} k rows (estimate)", n / 1_000),
        }
    }
}

/// The first value of the first row, as a number.
fn number(driver: &mut dyn crate::driver::Driver, sql: &str) -> Option<i64> {
    let rows = driver.query(sql).ok()?;
    rows.into_iter().next()?.into_iter().next()??.parse().ok()
}

/// A table's rows: counted when there are at most [`EXACT_ROWS`] (the planner's estimate is 0
/// or -1 until a table is analyzed, so a table loaded a minute ago would look empty), else the
/// estimate; with its on-disk size on PostgreSQL.
fn measure(driver: &mut dyn crate::driver::Driver, table: &str) -> Option<Measured> {
    let dialect = driver.dialect();
    let quoted = quote_table(dialect, table);
    let (estimate, bytes) = match dialect {
        Dialect::Postgres => {
            // `app.items` in its schema; a bare name as the search path finds it.
            let place = match table.rsplit_once('.') {
                Some((schema, name)) => format!(
                    "c.relname = {} AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = {})",
                    dialect.literal(name),
                    dialect.literal(schema)
                ),
                None => format!("c.relname = {} AND pg_catalog.pg_table_is_visible(c.oid)", dialect.literal(table)),
            };
            let sql = format!(
                "SELECT c.reltuples::bigint::text, pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size(c.oid)) FROM pg_catalog.pg_class c WHERE {place} AND c.relkind IN ('r', 'p')"
            );
            let row = driver.query(&sql).ok()?.into_iter().next()?;
            let mut cols = row.into_iter();
            let estimate: i64 = cols.next().flatten().and_then(|c| c.parse().ok()).unwrap_or(-1);
            (estimate, cols.next().flatten())
        }
        Dialect::Sqlite => {
            if !driver.table_exists(None, table).unwrap_or(false) {
                return None;
            }
            (-1, None)
        }
        Dialect::Mysql => {
            let (schema, name) = match table.rsplit_once('.') {
                Some((schema, name)) => (dialect.literal(schema), dialect.literal(name)),
                None => ("DATABASE()".to_string(), dialect.literal(table)),
            };
            let sql = format!(
                "SELECT CAST(TABLE_ROWS AS CHAR), CAST(DATA_LENGTH + INDEX_LENGTH AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {name}"
            );
            let row = driver.query(&sql).ok()?.into_iter().next()?;
            let mut cols = row.into_iter();
            let estimate: i64 = cols.next().flatten().and_then(|c| c.parse().ok()).unwrap_or(-1);
            let bytes = cols.next().flatten().and_then(|b| b.parse::<u64>().ok()).map(crate::text::bytes);
            (estimate, bytes)
        }
    };
    if estimate > EXACT_ROWS {
        return Some(Measured { rows: estimate, exact: false, bytes });
    }
    let counted = number(driver, &format!("SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT {}) s", EXACT_ROWS + 1))?;
    // Counted in full, the count is the answer (MySQL's estimate may be above it); cut off at the
    // limit, the estimate may say more.
    let exact = counted <= EXACT_ROWS;
    Some(Measured { rows: if exact { counted } else { counted.max(estimate) }, exact, bytes })
}

/// Decides a probed finding from the live data: an error when the statement will certainly fail,
/// with the facts in the message.
fn decide(f: &mut Finding, driver: &mut dyn crate::driver::Driver, table: &str, m: &Measured) {
    let Some(probe) = f.probe.clone() else { return };
    let dialect = driver.dialect();
    let quoted = quote_table(dialect, table);
    let rows = m.rows_text();
    let (fails, fact) = match &probe {
        Probe::AnyRow if m.rows > 0 => (true, format!("{table}: {rows}, so it will fail")),
        Probe::AnyRow => (false, format!("{table} is empty today")),
        Probe::Nulls(_) | Probe::Duplicates(_) if !m.exact => {
            (false, format!("{table}: {rows}, too many to measure here, so it may fail"))
        }
        Probe::Nulls(column) => {
            let sql = format!("SELECT count(*) FROM {quoted} WHERE {} IS NULL", dialect.quote_ident(column));
            let Some(nulls) = number(driver, &sql) else { return };
            let with_nulls =
                if nulls == 1 { "1 holds".to_string() } else { format!("{} hold", crate::text::grouped(nulls)) };
            (nulls > 0, format!("{table}: {rows}, {with_nulls} NULL in {column}"))
        }
        Probe::Duplicates(columns) => {
            let list = columns.iter().map(|c| dialect.quote_ident(c)).collect::<Vec<_>>().join(", ");
            let not_null = columns
                .iter()
                .map(|c| format!("{} IS NOT NULL", dialect.quote_ident(c)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let sql = format!(
                "SELECT count(*) FROM (SELECT 1 FROM {quoted} WHERE {not_null} GROUP BY {list} HAVING count(*) > 1) d"
            );
            let Some(duplicated) = number(driver, &sql) else { return };
            let values = if duplicated == 1 {
                "1 value is".to_string()
            } else {
                format!("{} values are", crate::text::grouped(duplicated))
            };
            (duplicated > 0, format!("{table}: {rows}; {values} held by more than one row in ({})", columns.join(", ")))
        }
    };
    if fails {
        f.severity = Severity::Error;
    }
    f.message = format!("{} ({fact})", f.message);
}

/// Adds each finding's table size from the live database (rows, and the on-disk size on
/// PostgreSQL), so `48 M rows, 12 GB` says how long a lock may last; and decides, from the data,
/// the findings that fail only on some data: adding a NOT NULL column without a default to a
/// table with rows, SET NOT NULL over NULLs, a unique key over duplicates become errors.
pub fn weigh(findings: &mut [Finding], driver: &mut dyn crate::driver::Driver) {
    let mut measured: std::collections::HashMap<String, Option<Measured>> = std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let Some(table) = f.table.clone() else { continue };
        let m = measured.entry(table.clone()).or_insert_with(|| measure(driver, &table));
        let Some(m) = m.as_ref() else { continue };
        f.size = Some(match &m.bytes {
            Some(b) => format!("{}, {b}", m.rows_text()),
            None => m.rows_text(),
        });
        decide(f, driver, &table, m);
        // A copy or rebuild of a small table takes a moment: worth knowing, not a warning.
        let online = [TABLE_COPY.0, BLOCKS_WRITES.0, TABLE_REBUILD.0];
        if online.contains(&f.code) && m.exact && m.rows < SMALL_TABLE {
            f.severity = Severity::Info;
            f.message = format!("{} ({table}: {}, so it takes a moment)", f.message, m.rows_text());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn lint(up: &str, dialect: Dialect, extra: &str) -> Vec<String> {
        let text =
            format!("-- t\n--\n-- Revision: a1\n{extra}\n-- migrate:upgrade\n{up}\n-- migrate:downgrade\nSELECT 1;\n");
        let Ok(script) = Script::parse(&text, Path::new("m.sql")) else { panic!("parse") };
        lint_script(&script, dialect).iter().map(|f| format!("{}:{}", f.code, f.line)).collect()
    }

    fn lint_on(up: &str, server: Option<&str>) -> Vec<String> {
        let text = format!("-- t\n--\n-- Revision: a1\n\n-- migrate:upgrade\n{up}\n-- migrate:downgrade\nSELECT 1;\n");
        let Ok(script) = Script::parse(&text, Path::new("m.sql")) else { panic!("parse") };
        let server = server.map(|s| Server::parse(s).unwrap_or_else(|| panic!("{s}")));
        lint_script_on(&script, Dialect::Mysql, server).iter().map(|f| format!("{}:{}", f.code, f.line)).collect()
    }

    #[test]
    fn mysql_statements_are_classified_the_way_the_server_runs_them() {
        let maria = Some("10.11.19-MariaDB-0+deb12u1");
        let cases: [(&str, Option<&str>, &[&str]); 15] = [
            ("ALTER TABLE users ADD COLUMN n INT AFTER id;", maria, &["RT313:6"]),
            ("ALTER TABLE users ADD COLUMN n INT;", Some("8.0.11"), &["RT312:6", "RT313:6"]),
            ("ALTER TABLE users ADD COLUMN n INT;", Some("8.0.36"), &["RT313:6"]),
            ("ALTER TABLE users ADD COLUMN n INT AFTER id;", Some("8.0.28"), &["RT312:6", "RT313:6"]),
            ("ALTER TABLE `users` MODIFY COLUMN `email` varchar(300) NOT NULL;", maria, &["RT310:6", "RT313:6"]),
            ("ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (id);", maria, &["RT310:6", "RT313:6"]),
            ("ALTER TABLE users ADD INDEX ix (email), DROP COLUMN x;", maria, &["RT102:6", "RT313:6"]),
            ("ALTER TABLE users ADD FULLTEXT INDEX ft (bio);", maria, &["RT311:6", "RT313:6"]),
            ("CREATE FULLTEXT INDEX ft ON users (bio);", maria, &["RT311:6", "RT313:6"]),
            ("ALTER TABLE users ENGINE=InnoDB;", maria, &["RT310:6", "RT313:6"]),
            ("ALTER TABLE users ROW_FORMAT=DYNAMIC;", None, &["RT312:6", "RT313:6"]),
            ("ALTER TABLE users MODIFY COLUMN email VARCHAR(300), ALGORITHM=INSTANT;", maria, &["RT313:6"]),
            ("CREATE TABLE t (id INT PRIMARY KEY);\nALTER TABLE t ADD CONSTRAINT c CHECK (id > 0);", maria, &[]),
            (
                "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `a` decimal(10,2) NOT NULL DEFAULT 0.00,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\nALTER TABLE `t` ADD CONSTRAINT `t_ibfk_1` FOREIGN KEY (`id`) REFERENCES `u` (`id`);",
                maria,
                &[],
            ),
            ("-- retort:allow RT310\nALTER TABLE users ENGINE=InnoDB; -- retort:allow RT313", maria, &[]),
        ];
        for (up, server, want) in cases {
            assert_eq!(lint_on(up, server), want.to_vec(), "{up} on {server:?}");
        }
        assert_eq!(online_ddl::clauses("ADD COLUMN `a,b` int DEFAULT ',', ADD INDEX i (x, y)").len(), 2);
        assert_eq!(Server::parse("8.4.2-log"), Some(Server { mariadb: false, version: (8, 4, 2) }));
    }

    #[test]
    fn rules_fire_on_what_they_name() {
        let pg = Dialect::Postgres;
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("DROP TABLE users;", vec!["RT101:6"]),
            ("DROP TYPE mood__retort_old;", vec!["RT105:6"]),
            ("ALTER TABLE users DROP COLUMN email;", vec!["RT102:6", "RT305:6"]),
            ("ALTER TABLE users ALTER COLUMN id TYPE bigint;", vec!["RT104:6", "RT305:6"]),
            ("SET lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN email SET NOT NULL;", vec!["RT201:7"]),
            ("SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN n int NOT NULL;", vec!["RT202:7"]),
            (
                "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN t uuid DEFAULT gen_random_uuid();",
                vec!["RT303:7"],
            ),
            (
                "SET lock_timeout = '5s';\nALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id);",
                vec!["RT304:7"],
            ),
            (
                "SET lock_timeout = '5s';\nALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id) NOT VALID;",
                vec![],
            ),
            ("CREATE INDEX ix ON users (email);", vec!["RT301:6"]),
            ("CREATE TABLE t (id int);\nCREATE INDEX ix ON t (id);", vec![]),
            ("DROP INDEX ix;", vec!["RT302:6"]),
            ("CREATE INDEX CONCURRENTLY ix ON users (email);", vec!["RT401:6"]),
            ("COMMIT;", vec!["RT402:6"]),
            ("SET lock_timeout = '5s';\nALTER TABLE users RENAME COLUMN a TO b;", vec!["RT501:7"]),
            ("CREATE INDEX ix ON users (email); -- retort:allow RT301", vec![]),
            ("-- retort:allow RT101\nDROP TABLE users;", vec![]),
        ];
        for (sql, want) in cases {
            assert_eq!(lint(sql, pg, ""), want, "{sql}");
        }
        let long = format!("CREATE TABLE {} (id int);", "x".repeat(64));
        assert_eq!(lint(&long, pg, ""), vec!["RT403:6"]);
        assert_eq!(
            lint("CREATE INDEX CONCURRENTLY ix ON users (email);", pg, "-- Transaction: false"),
            Vec::<String>::new()
        );
        // A statement the parser cannot read is never silence.
        assert_eq!(lint("CREAT TABLE t (id int);", pg, ""), vec!["RT001:6"]);
        assert_eq!(lint("CREATE TABEL t (id int);", pg, ""), vec!["RT001:6"]);
        assert_eq!(lint("ALTER SEQUENCE public.s OWNED BY public.t.id;", pg, ""), Vec::<String>::new());
        let text = "-- t\n--\n-- Revision: a1\n\n-- migrate:upgrade\nCREAT TABLE t (id int);\n-- migrate:downgrade\nSELECT 1;\n";
        let script = Script::parse(text, Path::new("m.sql")).unwrap_or_else(|e| panic!("{e}"));
        let found = lint_script(&script, pg);
        assert!(
            found[0].message.contains("'CREAT' does not start any SQL statement (did you mean CREATE?)"),
            "{found:?}"
        );
        assert_eq!(found[0].severity, Severity::Error);
        // SQLite has none of PostgreSQL's locking rules.
        assert_eq!(lint("CREATE INDEX ix ON users (email);", Dialect::Sqlite, ""), Vec::<String>::new());
        assert_eq!(lint("DROP TABLE users;", Dialect::Sqlite, ""), vec!["RT101:6"]);
    }

    #[test]
    fn the_sqlite_rebuild_is_read_as_one_change() {
        let rebuild = "PRAGMA legacy_alter_table = ON;
CREATE TABLE _retort_new_agents (
    id INTEGER,
    goal TEXT NOT NULL DEFAULT 'none',
    owner TEXT NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO _retort_new_agents (id, goal) SELECT id, coalesce(goal, 'none') FROM agents;
DROP TABLE agents;
ALTER TABLE _retort_new_agents RENAME TO agents;
PRAGMA legacy_alter_table = OFF;";
        // Not a dropped table and a rename: one NOT NULL column the copy leaves empty.
        assert_eq!(lint(rebuild, Dialect::Sqlite, ""), vec!["RT202:13"]);
        let filled = rebuild.replace("(id, goal) SELECT id,", "(id, goal, owner) SELECT id, 'x',");
        assert_eq!(lint(&filled, Dialect::Sqlite, ""), Vec::<String>::new());
    }
}
