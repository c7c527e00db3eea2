//! The executor: takes the lock, plans, and runs each step with its version-table update in one
//! transaction (or the whole run in one), recording every step in the history table. `--sql` output
//! is produced from the same plan and the same statements.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::dialect::{Dialect, HistoryEntry, VersionTables};
use crate::driver::{DbError, Driver};
use crate::graph::{Rev, RevisionGraph};
use crate::plan::{Direction, RowChange, Step, plan};
use crate::script::Script;
use crate::statements::{Statement, compare_progress, progress_sum, split};
use crate::target::{Operation, Resolver, Target, TargetError, applied_from_rows};

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A target could not be resolved, or the version table disagrees with the files.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The database failed outside of a migration's own SQL.
    #[error("{context}: {source}")]
    Db {
        /// What retort was doing (`creating retort's version and history tables`, say).
        context: String,
        /// The database's error.
        source: Box<DbError>,
    },
    /// A migration's SQL failed.
    #[error("{}", step_failure(.0))]
    Step(Box<StepFailure>),
    /// A migration section that the tokenizer cannot read.
    #[error("{file}:{error}; fix the SQL and run the command again (nothing was changed)")]
    Split {
        /// The migration file.
        file: String,
        /// Where and why the tokenizer stopped.
        error: crate::statements::SplitError,
    },
    /// A transaction-control statement inside a script that runs in a transaction.
    #[error(
        "{file}:{line}: '{statement}' would end the transaction retort runs this migration in (and with it the guarantee that a failure rolls back); remove it, or mark the script '-- Transaction: false' if it must manage transactions itself. Nothing was changed."
    )]
    TransactionControl {
        /// The migration file.
        file: String,
        /// The 1-based line in the file where the statement starts.
        line: usize,
        /// The statement's text.
        statement: String,
    },
    /// A downgrade of a revision whose downgrade section is empty.
    #[error(
        "{file}: revision {revision} has an empty downgrade section, so it cannot be rolled back; write its downgrade SQL (if nothing needs undoing, write a harmless statement such as SELECT 1;). Nothing was changed."
    )]
    Irreversible {
        /// The migration file.
        file: String,
        /// The revision id.
        revision: String,
    },
    /// A step that records its progress statement by statement stopped part-way.
    #[error("{}", partial_message(.0))]
    Partial(Box<PartialStep>),
    /// `--resume` of a step whose statements that took effect were edited since.
    #[error(
        "{file}: revision {revision} cannot be resumed: its first {done} statement(s) (lines {lines}) took effect in the last run, but their text in the file has changed since, so retort cannot tell what is left to do. Restore those statements as they ran (only the statements from line {next} on may change), or finish or undo the step by hand and record where the database is with `retort stamp {revision}`. Nothing was changed."
    )]
    ResumeEdited {
        /// The migration file.
        file: String,
        /// The revision id.
        revision: String,
        /// How many statements took effect in the last run.
        done: usize,
        /// The file lines of those statements (`12`, or a range such as `12-40`).
        lines: String,
        /// The file line of the next statement: only statements from there on may change.
        next: usize,
    },
    /// Applied migration files changed after they ran (with `--strict`).
    #[error("{0}\nRestore the files as they were applied, or run without --strict to only warn.")]
    Checksums(String),
}

/// What the history table says of a step left part-way by an earlier run.
#[derive(Debug)]
pub struct PartialStep {
    /// The migration file (`None`: no file has the revision now).
    pub file: Option<String>,
    /// The revision.
    pub revision: String,
    /// `upgrade` or `downgrade`.
    pub direction: String,
    /// Statements known to have taken effect.
    pub done: usize,
    /// Statements in the step.
    pub total: usize,
    /// File line of the next statement (0 when none is left).
    pub line: usize,
    /// The next statement's text (its start).
    pub statement: String,
    /// What is known of the next statement.
    pub next: NextStatement,
    /// The next statement opens a transaction of data statements (MySQL), which a failure
    /// rolled back whole.
    pub in_transaction: bool,
}

/// What is known of the statement after the last one recorded as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStatement {
    /// It failed with an error from the server: it did not take effect.
    Failed,
    /// It did not take effect: it ran in a transaction (with its progress record) that did not
    /// commit, or there is no statement left (only the version table was not updated).
    NotApplied,
    /// The run was killed, or lost its connection, while it ran: it may or may not have taken
    /// effect.
    Unknown,
}

impl PartialStep {
    fn step_direction(&self) -> Direction {
        if self.direction == "downgrade" { Direction::Downgrade } else { Direction::Upgrade }
    }
}

impl std::fmt::Display for PartialStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&partial_message(self))
    }
}

fn partial_message(p: &PartialStep) -> String {
    let PartialStep { file, revision, direction, done, total, line, statement, next, in_transaction } = p;
    let Some(file) = file else {
        return format!(
            "the history table records revision {revision} ({direction}) as stopped part-way after {done} statement(s), but no migration file has that revision now; restore its file and run `retort {direction} --resume`, or finish or undo the step by hand and record where the database is with `retort stamp <revision>`"
        );
    };
    let n = done + 1;
    let stay = format!(
        "The {done} statement(s) before it took effect and stay; the version table still names the revision before {revision}."
    );
    let by_hand = "or finish or undo the step by hand and record where the database is with `retort stamp <revision>`";
    match next {
        _ if line == &0 => format!(
            "{file}: revision {revision} ({direction}) ran all {total} statement(s) but was interrupted before the version table was updated. Run `retort {direction} --resume` to record it, {by_hand}."
        ),
        NextStatement::Failed if *in_transaction => format!(
            "{file}: revision {revision} ({direction}) stopped at statement {n} of {total} (line {line}): it opens a transaction of data statements, one of which failed, and the transaction was rolled back:\n  {statement}\n{stay} Fix the failing statement in the file, then run `retort {direction} --resume` to run the transaction again (the statements before it are not run again), {by_hand}."
        ),
        NextStatement::Failed => format!(
            "{file}: revision {revision} ({direction}) stopped at statement {n} of {total} (line {line}), which failed:\n  {statement}\n{stay} Fix the statement in the file, then run `retort {direction} --resume` to continue from it (the statements before it are not run again), {by_hand}."
        ),
        NextStatement::NotApplied => format!(
            "{file}: revision {revision} ({direction}) was interrupted before statement {n} of {total} (line {line}) took effect (its transaction was rolled back):\n  {statement}\n{stay} Run `retort {direction} --resume` to continue from it, {by_hand}."
        ),
        NextStatement::Unknown => format!(
            "{file}: revision {revision} ({direction}) was interrupted while statement {n} of {total} (line {line}) ran, or just after it:\n  {statement}\n{stay} Whether this one took effect is unknown, and retort does not guess: check the database, then run `retort {direction} --resume=rerun` if it did not, or `retort {direction} --resume=skip` if it did; {by_hand}."
        ),
    }
}

/// Everything known about a failed step.
#[derive(Debug)]
pub struct StepFailure {
    /// The migration file.
    pub file: String,
    /// The file line of the failing statement (refined by the server's error position).
    pub line: usize,
    /// The revision.
    pub revision: String,
    /// Upgrade or downgrade.
    pub direction: Direction,
    /// The failing statement.
    pub statement: String,
    /// What the database said.
    pub error: DbError,
    /// Whether the step ran in a transaction that was rolled back (false: earlier statements stay).
    pub rolled_back: bool,
    /// Statements of the failing step that had run and stay (steps that record their progress
    /// statement by statement): their file lines and text.
    pub applied: Vec<Statement>,
    /// Statements before the failing one that ran in its transaction and were rolled back with
    /// it (MySQL data statements between two DDL statements).
    pub rolled_back_with: usize,
    /// Why the step records its progress statement by statement, when it does.
    pub recorded: Option<&'static str>,
    /// Revisions whose steps were committed before the failure, in order.
    pub committed: Vec<String>,
    /// Steps undone by the rollback of a whole-run transaction.
    pub undone: Vec<String>,
}

fn step_failure(f: &StepFailure) -> String {
    let mut statement: String = f.statement.chars().take(400).collect();
    if statement.len() < f.statement.len() {
        statement.push_str(" ...");
    }
    let mut out = format!(
        "{}:{}: {} of revision {} failed: {}\n  statement: {}\n",
        f.file,
        f.line,
        f.direction.as_str(),
        f.revision,
        f.error,
        statement.replace('\n', "\n             ")
    );
    match f.recorded {
        None => {
            out.push_str("The step was rolled back: its schema changes and the version table are unchanged.");
            if !f.undone.is_empty() {
                out.push_str(&format!(
                    " The whole run was one transaction, so these steps were rolled back too: {}.",
                    f.undone.join(", ")
                ));
            }
        }
        Some(why) => {
            if f.rolled_back_with > 0 {
                out.push_str(&format!(
                    "It ran in one transaction with the {} data statement(s) before it, which were rolled back with it.\n",
                    f.rolled_back_with
                ));
            }
            if f.applied.is_empty() {
                out.push_str(&format!(
                    "No statement of this step took effect ({why}); the version table is unchanged."
                ));
            } else {
                out.push_str(&format!("{} statement(s) of this step took effect and stay ({why}):\n", f.applied.len()));
                for s in &f.applied {
                    let head: String =
                        s.sql.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(70).collect();
                    out.push_str(&format!("    line {}: {head}\n", s.line));
                }
                out.push_str(&format!(
                    "The version table still names the revision before {}, and the history table records how far the step got. Fix the statement, then run `retort {} --resume` to continue from it (the statements above are not run again); or undo them by hand and record where the database is with `retort stamp <revision>`.",
                    f.revision,
                    f.direction.as_str()
                ));
            }
        }
    }
    if f.committed.is_empty() && f.recorded.is_some() {
        out.push_str("\nNo earlier step of this run was committed.");
    } else if f.committed.is_empty() {
        out.push_str("\nNo step of this run was committed.");
    } else {
        out.push_str(&format!("\nCommitted before the failure: {}.", f.committed.join(", ")));
    }
    if f.recorded.is_none() || f.applied.is_empty() {
        out.push_str("\nFix the migration and run the command again; `retort current` shows where the database is.");
    }
    out
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// One transaction per step (true) or one for the whole run.
    pub transaction_per_migration: bool,
    /// Refuse to run when applied files changed after they ran.
    pub strict_checksums: bool,
    /// How long to wait for the migration lock.
    pub lock_timeout: Duration,
    /// Whether and how to continue a step an earlier run left part-way.
    pub resume: Resume,
    /// How long a migration's statement may wait for a lock another session holds
    /// (`[database] ddl_lock_wait`); `None` keeps the dialect's default (60 s on MySQL, no
    /// limit on PostgreSQL).
    pub ddl_lock_wait: Option<Duration>,
}

/// How `--resume` continues a step an earlier run left part-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resume {
    /// Refuse to run while a step is part-way (the default).
    #[default]
    No,
    /// Continue at the first statement not known to have taken effect; refuses when the
    /// earlier run was killed while a statement ran (its outcome is unknown).
    Continue,
    /// Run the statement whose outcome is unknown again (it did not take effect).
    Rerun,
    /// Count the statement whose outcome is unknown as done (it took effect).
    Skip,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            transaction_per_migration: true,
            strict_checksums: false,
            lock_timeout: Duration::from_secs(600),
            resume: Resume::No,
            ddl_lock_wait: None,
        }
    }
}

/// Receives progress, so a CLI can draw a bar and a library user can log.
pub trait Observer {
    /// Another run holds the lock; this one waits.
    fn waiting_for_lock(&mut self, _holder: &str) {}
    /// The plan is known (it may still shrink if another process applies steps meanwhile).
    fn planned(&mut self, _graph: &RevisionGraph, _steps: &[Step]) {}
    /// A step starts.
    fn step_started(&mut self, _graph: &RevisionGraph, _step: &Step) {}
    /// A step was committed.
    fn step_finished(&mut self, _graph: &RevisionGraph, _step: &Step, _elapsed: Duration) {}
    /// Something the user should know that does not stop the run.
    fn warning(&mut self, _message: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// One row of the history table.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// The revision.
    pub revision: String,
    /// `upgrade`, `downgrade`, `stamp` or `unstamp`.
    pub direction: String,
    /// The file checksum when it ran.
    pub checksum: Option<String>,
    /// When it started.
    pub started_at: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: Option<u64>,
    /// The OS user who ran it.
    pub executed_by: Option<String>,
    /// The database user who ran it.
    pub db_user: Option<String>,
    /// `done`; for a step that records its progress and stopped part-way `partial` (the run
    /// died), `failed`, `not applied`, or `resolved` (by a stamp).
    pub status: Option<String>,
    /// Statements that took effect, for steps that record their progress.
    pub statements_done: Option<u64>,
}

/// A file whose content changed after it was applied.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    /// The revision.
    pub revision: String,
    /// The migration file.
    pub file: String,
    /// The checksum recorded when it was applied.
    pub recorded: String,
    /// The checksum of the file now.
    pub now: String,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (revision {}) was changed after it was applied: checksum {} when applied, {} now",
            self.file,
            self.revision,
            self.recorded.chars().take(12).collect::<String>(),
            self.now.chars().take(12).collect::<String>()
        )
    }
}

/// A history time in one form whatever the database printed (SQLite keeps retort's RFC 3339 text,
/// PostgreSQL prints `2026-12-01 08:00:00.123456+00` in the session's time zone): RFC 3339 in UTC,
/// `2026-12-01T08:00:00.123456Z`. Text that is neither is shown as it is.
fn utc_timestamp(text: &str) -> String {
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z"));
    match parsed {
        Ok(t) => t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        Err(_) => text.to_string(),
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// The steps committed, in order.
    pub steps: Vec<StepReport>,
}

/// One committed step of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// The revision applied or rolled back.
    pub revision: String,
    /// Which way.
    pub direction: Direction,
    /// How long it took, from its first statement to its commit.
    pub elapsed: std::time::Duration,
}

impl RunReport {
    /// The time all steps took together.
    pub fn total(&self) -> std::time::Duration {
        self.steps.iter().map(|s| s.elapsed).sum()
    }
}

/// Runs migrations against one database.
pub struct Migrator<'a> {
    graph: &'a RevisionGraph,
    tables: VersionTables,
    driver: Box<dyn Driver + 'a>,
    options: RunOptions,
    user: String,
    /// With `--resume`: the revision whose first statements already ran, and how many.
    resume_from: Option<(String, usize)>,
    /// The step whose `partial` start record the previous step's commit already wrote.
    prerecorded: Option<(String, Direction)>,
}

fn db(context: &str) -> impl FnOnce(DbError) -> ApplyError + '_ {
    move |source| ApplyError::Db { context: context.to_string(), source: Box::new(source) }
}

/// The operating-system user, for the history table: from the environment, else (in containers
/// and services, where `USER` is often unset) the name of the process's uid.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(uid_name)
        .unwrap_or_else(|| "unknown".into())
}

/// `root`, or `uid 1000` when the passwd file does not name it.
#[cfg(unix)]
fn uid_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let named = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
    });
    Some(named.unwrap_or_else(|| format!("uid {uid}")))
}

#[cfg(not(unix))]
fn uid_name() -> Option<String> {
    None
}

impl<'a> Migrator<'a> {
    /// A migrator over a graph and a connection.
    pub fn new(
        graph: &'a RevisionGraph,
        mut driver: Box<dyn Driver + 'a>,
        tables: VersionTables,
        options: RunOptions,
    ) -> Self {
        let mut tables = tables;
        tables.schema = driver.default_schema();
        Migrator { graph, tables, driver, options, user: os_user(), resume_from: None, prerecorded: None }
    }

    /// The raw version rows; empty when the version table does not exist (nothing is created).
    pub fn version_rows(&mut self) -> Result<Vec<String>, ApplyError> {
        if !self
            .driver
            .table_exists(self.tables.schema.as_deref(), &self.tables.version)
            .map_err(db("checking for the version table"))?
        {
            return Ok(Vec::new());
        }
        self.read_rows()
    }

    fn read_rows(&mut self) -> Result<Vec<String>, ApplyError> {
        let rows = self.driver.query(&self.tables.select_rows()).map_err(db("reading the version table"))?;
        Ok(rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect())
    }

    /// The current revisions (the version rows, validated against the graph) and the applied set.
    pub fn state(&mut self) -> Result<(Vec<Rev>, Vec<bool>), ApplyError> {
        let rows = self.version_rows()?;
        Ok(applied_from_rows(self.graph, &rows, &self.tables.version)?)
    }

    /// The history table, oldest first (the last `limit` rows when given); empty when it does not exist.
    pub fn history(&mut self, limit: Option<usize>) -> Result<Vec<HistoryRow>, ApplyError> {
        if !self
            .driver
            .table_exists(self.tables.schema.as_deref(), &self.tables.history)
            .map_err(db("checking for the history table"))?
        {
            return Ok(Vec::new());
        }
        let rows = self.driver.query(&self.tables.select_history(limit)).map_err(db("reading the history table"))?;
        let skip = usize::from(limit.is_some());
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut cols = r.into_iter().skip(skip);
                let mut next = || cols.next().flatten();
                HistoryRow {
                    revision: next().unwrap_or_default(),
                    direction: next().unwrap_or_default(),
                    checksum: next(),
                    started_at: next().map(|t| utc_timestamp(&t)),
                    duration_ms: next().and_then(|d| d.parse().ok()),
                    executed_by: next(),
                    db_user: next(),
                    status: next(),
                    statements_done: next().and_then(|d| d.parse().ok()),
                }
            })
            .collect())
    }

    /// Applied migration files whose content differs from what was applied.
    pub fn drift(&mut self, applied: &[bool]) -> Result<Vec<Drift>, ApplyError> {
        let mut last: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
        // Only steps that ran to the end count: a failed or abandoned downgrade undid nothing.
        for row in self.history(None)?.into_iter().filter(|r| r.status.as_deref().is_none_or(|s| s == "done")) {
            match row.direction.as_str() {
                "upgrade" => last.insert(row.revision, row.checksum),
                "downgrade" | "unstamp" => last.remove(&row.revision),
                _ => None,
            };
        }
        let mut drifts = Vec::new();
        for &rev in self.graph.topological() {
            let script = self.graph.script(rev);
            if let (true, Some(Some(recorded))) = (applied[rev], last.get(&script.revision)) {
                let now = script.checksum();
                if &now != recorded {
                    drifts.push(Drift {
                        revision: script.revision.clone(),
                        file: script.file_name(),
                        recorded: recorded.clone(),
                        now,
                    });
                }
            }
        }
        Ok(drifts)
    }

    fn ensure_tables(&mut self) -> Result<(), ApplyError> {
        self.driver.begin().map_err(db("starting a transaction"))?;
        let result = self.tables.create().iter().try_for_each(|sql| self.driver.execute(sql));
        match result {
            Ok(()) => self.driver.commit().map_err(db("creating retort's version and history tables")),
            Err(e) => {
                let _ = self.driver.rollback();
                Err(ApplyError::Db {
                    context: "creating retort's version and history tables".into(),
                    source: Box::new(e),
                })
            }
        }
    }

    fn check_drift(&mut self, applied: &[bool], observer: &mut dyn Observer) -> Result<(), ApplyError> {
        let drifts = self.drift(applied)?;
        if drifts.is_empty() {
            return Ok(());
        }
        let text = drifts.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        if self.options.strict_checksums {
            return Err(ApplyError::Checksums(text));
        }
        for d in &drifts {
            observer.warning(&d.to_string());
        }
        Ok(())
    }

    /// Upgrades to `target`.
    pub fn upgrade(&mut self, target: &Target, observer: &mut dyn Observer) -> Result<RunReport, ApplyError> {
        self.run(observer, |r| r.upgrade(target))
    }

    /// Downgrades to `target`.
    pub fn downgrade(&mut self, target: &Target, observer: &mut dyn Observer) -> Result<RunReport, ApplyError> {
        self.run(observer, |r| r.downgrade(target))
    }

    /// Carries out an already resolved operation (used by `verify`, which steps one revision at a
    /// time).
    pub fn run_operation(&mut self, op: Operation, observer: &mut dyn Observer) -> Result<RunReport, ApplyError> {
        self.run(observer, |_| Ok(op))
    }

    /// Reads the schema of the database this migrator runs against.
    pub fn inspect(
        &mut self,
        options: &crate::inspect::InspectOptions,
    ) -> Result<retort_schema::Schema, crate::inspect::InspectError> {
        self.driver.inspect(options)
    }

    /// The connection, for a caller that reads or writes rows between runs (`verify --data`).
    pub(crate) fn driver(&mut self) -> &mut dyn Driver {
        self.driver.as_mut()
    }

    fn run(
        &mut self,
        observer: &mut dyn Observer,
        resolve: impl FnOnce(&Resolver<'_>) -> Result<Operation, TargetError>,
    ) -> Result<RunReport, ApplyError> {
        self.locked(observer, |m, run_lock, observer| m.run_locked(run_lock, observer, resolve))
    }

    /// Runs `work` holding the migration lock, releasing it whatever `work` returns.
    fn locked<T>(
        &mut self,
        observer: &mut dyn Observer,
        work: impl FnOnce(&mut Self, bool, &mut dyn Observer) -> Result<T, ApplyError>,
    ) -> Result<T, ApplyError> {
        // On PostgreSQL a schema other than public is part of the key: tenants in schemas of one
        // database lock apart (public keeps the key every earlier retort used; on MySQL the
        // schema is the database, which the key already names).
        let version = match (self.driver.dialect(), self.tables.schema.as_deref()) {
            (Dialect::Postgres, Some(schema)) if schema != "public" => format!("{schema}.{}", self.tables.version),
            _ => self.tables.version.clone(),
        };
        let run_lock = self
            .driver
            .lock(&version, self.options.lock_timeout, &mut |holder| observer.waiting_for_lock(holder))
            .map_err(db("taking the migration lock"))?;
        let result = work(self, run_lock, observer);
        let unlocked = self.driver.unlock().map_err(db("releasing the migration lock"));
        let value = result?;
        unlocked?;
        Ok(value)
    }

    fn run_locked(
        &mut self,
        run_lock: bool,
        observer: &mut dyn Observer,
        resolve: impl FnOnce(&Resolver<'_>) -> Result<Operation, TargetError>,
    ) -> Result<RunReport, ApplyError> {
        self.ensure_tables()?;
        self.driver.set_ddl_lock_wait(self.options.ddl_lock_wait).map_err(db("setting the DDL lock wait"))?;
        let (current, applied) = applied_from_rows(self.graph, &self.read_rows()?, &self.tables.version)?;
        self.check_drift(&applied, observer)?;
        let op = resolve(&Resolver::new(self.graph, &current, &applied))?;
        let steps = plan(self.graph, &current, &op);
        self.resume_from = self.partial_step(&steps)?;
        for step in &steps {
            self.statements(step)?; // refuse unreadable or irreversible scripts before changing anything
        }
        observer.planned(self.graph, &steps);
        let mut report = RunReport::default();
        if self.options.transaction_per_migration {
            let mut pending = steps.into_iter().peekable();
            loop {
                self.driver.begin().map_err(db("starting a transaction"))?;
                let next = if run_lock {
                    pending.next()
                } else {
                    // The write transaction is the lock: another run may have moved the database.
                    plan(self.graph, &self.reread_in_transaction()?, &op).into_iter().next()
                };
                let Some(step) = next else {
                    self.driver.commit().map_err(db("committing"))?;
                    break;
                };
                let committed: Vec<String> = report.steps.iter().map(|s| s.revision.clone()).collect();
                // The step's bookkeeping and its COMMIT go to the server in one round trip, with
                // the start record of the next step when that one records its progress.
                let following = if run_lock { pending.peek() } else { None };
                let elapsed = self.run_step(&step, observer, &committed, &[], Some(following))?;
                let id = self.graph.id(step.rev).to_string();
                observer.step_finished(self.graph, &step, elapsed);
                report.steps.push(StepReport { revision: id, direction: step.direction, elapsed });
            }
        } else {
            self.driver.begin().map_err(db("starting a transaction"))?;
            let steps = if run_lock { steps } else { plan(self.graph, &self.reread_in_transaction()?, &op) };
            let mut done: Vec<String> = Vec::new();
            let mut committed: Vec<String> = Vec::new();
            let mut timings = Vec::new();
            for step in &steps {
                let elapsed = self.run_step(step, observer, &committed, &done, None)?;
                let id = self.graph.id(step.rev).to_string();
                if self.recorded(self.graph.script(step.rev)).is_some() {
                    committed.append(&mut done);
                    committed.push(id.clone());
                } else {
                    done.push(id.clone());
                }
                timings.push((step.clone(), elapsed));
                report.steps.push(StepReport { revision: id, direction: step.direction, elapsed });
            }
            self.driver.commit().map_err(|e| ApplyError::Db {
                context: format!(
                    "committing the run's transaction (every step of it was rolled back: {})",
                    done.join(", ")
                ),
                source: Box::new(e),
            })?;
            for (step, elapsed) in timings {
                observer.step_finished(self.graph, &step, elapsed);
            }
        }
        Ok(report)
    }

    /// Re-reads the version rows inside the open transaction (rolling it back on failure).
    fn reread_in_transaction(&mut self) -> Result<Vec<Rev>, ApplyError> {
        let fresh = self.read_rows().and_then(|rows| Ok(applied_from_rows(self.graph, &rows, &self.tables.version)?));
        match fresh {
            Ok((current, _)) => Ok(current),
            Err(e) => {
                let _ = self.driver.rollback();
                Err(e)
            }
        }
    }

    /// A step left part-way by an earlier run: an error, or with `--resume` the statement to
    /// continue from (it must be the first step of this plan, and the statements that took
    /// effect must read as they ran).
    fn partial_step(&mut self, steps: &[Step]) -> Result<Option<(String, usize)>, ApplyError> {
        let Some((state, sum)) = self.read_partial()? else { return Ok(None) };
        let Some(rev) = self.graph.get(&state.revision) else {
            return Err(ApplyError::Partial(Box::new(state)));
        };
        let first = steps.first().is_some_and(|s| s.rev == rev && s.direction.as_str() == state.direction);
        let has_next = state.line > 0;
        let resume_at = match (self.options.resume, state.next) {
            (Resume::No, _) => None,
            (_, _) if !first => None,
            (Resume::Continue, NextStatement::Unknown) => None,
            (Resume::Skip, NextStatement::Unknown) if has_next => Some(state.done + 1),
            // A statement known not to have taken effect is run, not skipped.
            (Resume::Skip, _) => return Err(ApplyError::Partial(Box::new(state))),
            (_, _) => Some(state.done),
        };
        let Some(resume_at) = resume_at else {
            return Err(ApplyError::Partial(Box::new(state)));
        };
        let stmts = self.statements(&Step { rev, direction: state.step_direction(), rows: RowChange::default() })?;
        let done = state.done;
        if let Some(sum) = sum
            && compare_progress(&sum, &stmts, done).is_some_and(|m| !m.applied)
        {
            let lines = match (stmts.first(), stmts.get(done.saturating_sub(1))) {
                (Some(a), Some(b)) if done > 1 => format!("{}-{}", a.line, b.line),
                (Some(a), _) => a.line.to_string(),
                _ => String::new(),
            };
            return Err(ApplyError::ResumeEdited {
                file: self.graph.script(rev).file_name(),
                revision: state.revision,
                done,
                lines,
                next: state.line,
            });
        }
        Ok(Some((state.revision, resume_at)))
    }

    /// A step an earlier run left part-way, as the history table records it, for commands that
    /// only report (`current`): `None` when there is none.
    pub fn part_way(&mut self) -> Result<Option<PartialStep>, ApplyError> {
        if !self
            .driver
            .table_exists(self.tables.schema.as_deref(), &self.tables.history)
            .map_err(db("checking for the history table"))?
        {
            return Ok(None);
        }
        Ok(self.read_partial()?.map(|(state, _)| state))
    }

    /// The part-way step's row, read against the files, with the sum of its applied statements.
    fn read_partial(&mut self) -> Result<Option<(PartialStep, Option<String>)>, ApplyError> {
        let rows = self.driver.query(&self.tables.select_partial()).map_err(db("reading the history table"))?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        let mut cols = row.into_iter();
        let mut next = || cols.next().flatten();
        let (revision, direction) = (next().unwrap_or_default(), next().unwrap_or_default());
        let done: usize = next().and_then(|d| d.parse().ok()).unwrap_or(0);
        let (sum, status) = (next(), next().unwrap_or_default());
        let mut state = PartialStep {
            file: None,
            revision,
            direction,
            done,
            total: 0,
            line: 0,
            statement: String::new(),
            next: NextStatement::Unknown,
            in_transaction: false,
        };
        let Some(rev) = self.graph.get(&state.revision) else { return Ok(Some((state, sum))) };
        let script = self.graph.script(rev);
        let stmts = self.statements(&Step { rev, direction: state.step_direction(), rows: RowChange::default() })?;
        let following = stmts.get(done);
        // The file's next statement decides what its outcome can be, if it is the one that was
        // about to run (an edit may have put a data statement where DDL ran).
        let next_as_it_was = sum.as_deref().and_then(|s| compare_progress(s, &stmts, done)).is_none_or(|m| m.next);
        state.next = match following {
            _ if status == "failed" => NextStatement::Failed,
            None => NextStatement::NotApplied,
            Some(s) if self.grouped(script, s) && next_as_it_was => NextStatement::NotApplied,
            Some(_) => NextStatement::Unknown,
        };
        state.in_transaction = following.is_some_and(|s| self.grouped(script, s));
        state.file = Some(script.file_name());
        state.total = stmts.len();
        state.line = following.map_or(0, |s| s.line);
        state.statement = following.map_or_else(String::new, |s| s.sql.chars().take(200).collect());
        Ok(Some((state, sum)))
    }

    /// Whether a step records its progress statement by statement (outside one transaction):
    /// `Transaction: false` scripts, and every step where DDL commits implicitly (MySQL).
    fn recorded(&self, script: &Script) -> Option<&'static str> {
        if !script.transactional {
            Some("the script runs outside a transaction: Transaction: false")
        } else if !self.tables.dialect.transactional_ddl() {
            Some("MySQL and MariaDB commit DDL as it runs")
        } else {
            None
        }
    }

    /// Whether a statement of a recorded step runs in a transaction with its neighbours and its
    /// progress record (data statements of a transactional script where DDL commits implicitly).
    fn grouped(&self, script: &Script, statement: &Statement) -> bool {
        script.transactional && !self.tables.dialect.transactional_ddl() && statement.is_dml()
    }

    /// The statements a step runs (see [`step_statements`]).
    fn statements(&self, step: &Step) -> Result<Vec<Statement>, ApplyError> {
        step_statements(self.graph, step, self.tables.dialect)
    }

    /// Runs one step inside the open transaction. A step that records its progress (see
    /// [`Migrator::recorded`]) commits the open transaction first, runs its statements one by
    /// one (data statements between DDL together in a transaction), then opens a new
    /// transaction for the version update. `commit` is `Some(next step)` when the step commits
    /// its own transaction (a step that records its progress has its start record written in
    /// that commit: one commit, so one disk flush, less per step). Returns how long it took; on
    /// failure the transaction is rolled back.
    fn run_step(
        &mut self,
        step: &Step,
        observer: &mut dyn Observer,
        committed: &[String],
        in_transaction: &[String],
        commit: Option<Option<&Step>>,
    ) -> Result<Duration, ApplyError> {
        let script: &Script = self.graph.script(step.rev);
        let statements = self.statements(step)?;
        observer.step_started(self.graph, step);
        let started_wall = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let started = Instant::now();
        let recorded = self.recorded(script);
        let resume = match &self.resume_from {
            Some((rev, done)) if rev == &script.revision => Some(*done),
            _ => None,
        };
        let lock_wait = (self.options.ddl_lock_wait, self.tables.dialect);
        let failure = |index: usize, error: DbError, applied: usize, rolled_back_with: usize| {
            let statement = &statements[index];
            let line = statement.line
                + error
                    .position
                    .map_or(0, |p| statement.sql.chars().take(p.saturating_sub(1)).filter(|c| *c == '\n').count());
            let (committed, undone) = match (recorded, self.options.transaction_per_migration) {
                (None, false) => (committed.to_vec(), in_transaction.to_vec()),
                _ => ([committed, in_transaction].concat(), Vec::new()),
            };
            ApplyError::Step(Box::new(StepFailure {
                file: script.file_name(),
                line,
                revision: script.revision.clone(),
                direction: step.direction,
                statement: statement.sql.clone(),
                error: explain_lock_wait(error, statement, lock_wait),
                rolled_back: recorded.is_none(),
                applied: statements[..applied].to_vec(),
                rolled_back_with,
                recorded,
                committed,
                undone,
            }))
        };
        if recorded.is_some() {
            self.driver.commit().map_err(db("committing before a step that records its progress"))?;
            let prerecorded = self
                .prerecorded
                .take()
                .is_some_and(|(rev, direction)| rev == script.revision && direction == step.direction);
            if resume.is_none() && !prerecorded {
                let entry = self.start_entry(step, &started_wall);
                self.driver
                    .execute(&self.tables.record_partial(&entry))
                    .map_err(db("recording the start of a step"))?;
            }
            // The progress the history row shows (`None` until this run writes it).
            let mut shown = if resume.is_none() { Some(0) } else { None };
            let mut index = resume.unwrap_or(0);
            // A resumed step runs on a new connection: the session settings its earlier
            // statements made (`SET @cutoff = ...`, `SET foreign_key_checks = 0`) are made again.
            for s in statements[..index.min(statements.len())].iter().filter(|s| s.is_session_setting()) {
                self.driver.execute(&s.sql).map_err(db("repeating a session setting of the resumed step"))?;
                observer.warning(&format!(
                    "{}:{}: repeated for the resumed step: {}",
                    script.file_name(),
                    s.line,
                    s.sql
                ));
            }
            while index < statements.len() {
                let grouped = self.grouped(script, &statements[index]);
                let end = if grouped {
                    index + statements[index..].iter().take_while(|s| self.grouped(script, s)).count()
                } else {
                    index + 1
                };
                let progress = |done: usize| {
                    self.tables.progress_partial(&script.revision, done, &progress_sum(&statements, done))
                };
                if shown != Some(index) {
                    self.driver.execute(&progress(index)).map_err(db("recording a step's progress"))?;
                }
                if grouped {
                    self.driver.begin().map_err(db("starting a transaction"))?;
                }
                for (k, statement) in statements.iter().enumerate().take(end).skip(index) {
                    if let Err(error) = self.driver.execute(&statement.sql) {
                        if grouped {
                            let _ = self.driver.rollback();
                        }
                        // A server's error means the statement did not take effect; a lost
                        // connection leaves the row `partial`, its outcome unknown.
                        // (Except CREATE INDEX CONCURRENTLY: a failure leaves an INVALID index.)
                        if error.code.is_some() && !statement.sql.to_ascii_uppercase().contains("CONCURRENTLY") {
                            let mark = if index == 0 {
                                self.tables.abandon_partial(&script.revision)
                            } else {
                                self.tables.fail_partial(&script.revision)
                            };
                            let _ = self.driver.execute(&mark);
                        }
                        return Err(failure(k, error, index, k - index));
                    }
                }
                shown = if grouped {
                    let sql = format!("{};\nCOMMIT", progress(end));
                    self.driver.execute(&sql).map_err(db("recording a step's progress"))?;
                    Some(end)
                } else {
                    None
                };
                index = end;
            }
            self.driver.begin().map_err(db("starting a transaction"))?;
        } else {
            for (index, statement) in statements.iter().enumerate() {
                if let Err(error) = self.driver.execute(&statement.sql) {
                    let _ = self.driver.rollback();
                    return Err(failure(index, error, 0, 0));
                }
            }
        }
        let elapsed = started.elapsed();
        let checksum = script.checksum();
        let mut bookkeeping = self.tables.row_change(&step.rows);
        let duration_ms = elapsed.as_millis() as u64;
        bookkeeping.push(match recorded {
            None => self.tables.record(&HistoryEntry {
                revision: &script.revision,
                direction: step.direction.as_str(),
                checksum: Some(&checksum),
                message: &script.message,
                started: Some(&started_wall),
                duration_ms: Some(duration_ms),
                executed_by: &self.user,
            }),
            Some(_) => self.tables.complete_partial(&script.revision, &checksum, duration_ms, statements.len()),
        });
        if let Some(next) = commit {
            if let Some(next) = next.filter(|n| self.recorded(self.graph.script(n.rev)).is_some()) {
                let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
                bookkeeping.push(self.tables.record_partial(&self.start_entry(next, &now)));
                self.prerecorded = Some((self.graph.id(next.rev).to_string(), next.direction));
            }
            bookkeeping.push("COMMIT".to_string());
        }
        if let Err(e) = self.driver.execute(&bookkeeping.join(";\n")) {
            let _ = self.driver.rollback();
            self.prerecorded = None;
            let what = if commit.is_some() { "recording and committing" } else { "recording" };
            return Err(ApplyError::Db {
                context: format!("{what} revision {} in the version table (the step was rolled back)", script.revision),
                source: Box::new(e),
            });
        }
        // In a whole-run transaction, a step that could not roll back commits its record at
        // once: a later failure must not roll back the record of what stays done.
        if commit.is_none() && recorded.is_some() {
            self.driver.commit().map_err(db("committing the record of a step that records its progress"))?;
            self.driver.begin().map_err(db("starting a transaction"))?;
        }
        Ok(elapsed)
    }

    /// The `partial` history row a step that records its progress starts with.
    fn start_entry<'s>(&'s self, step: &Step, started: &'s str) -> HistoryEntry<'s> {
        let script = self.graph.script(step.rev);
        HistoryEntry {
            revision: &script.revision,
            direction: step.direction.as_str(),
            checksum: None,
            message: &script.message,
            started: Some(started),
            duration_ms: None,
            executed_by: &self.user,
        }
    }

    /// Sets the version table to exactly the given targets without running any migration.
    /// With `purge`, existing rows are dropped unread (for rows naming revisions with no file).
    pub fn stamp(
        &mut self,
        targets: &[Target],
        purge: bool,
        observer: &mut dyn Observer,
    ) -> Result<RowChange, ApplyError> {
        self.locked(observer, |m, _, _| m.stamp_locked(targets, purge))
    }

    fn stamp_locked(&mut self, targets: &[Target], purge: bool) -> Result<RowChange, ApplyError> {
        self.ensure_tables()?;
        self.driver.begin().map_err(db("starting a transaction"))?;
        let result = self.stamp_in_transaction(targets, purge);
        match result {
            Ok(change) => {
                self.driver.commit().map_err(db("committing"))?;
                Ok(change)
            }
            Err(e) => {
                let _ = self.driver.rollback();
                Err(e)
            }
        }
    }

    fn stamp_in_transaction(&mut self, targets: &[Target], purge: bool) -> Result<RowChange, ApplyError> {
        let rows = self.read_rows()?;
        let (current, applied) = if purge {
            (Vec::new(), vec![false; self.graph.len()])
        } else {
            applied_from_rows(self.graph, &rows, &self.tables.version)?
        };
        let new = stamp_rows(self.graph, &current, &applied, targets, &self.tables.version)?;
        let change = if purge {
            RowChange { delete: Vec::new(), insert: new.iter().map(|&r| self.graph.id(r).to_string()).collect() }
        } else {
            crate::plan::change(self.graph, &current, &new)
        };
        let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let unstamped: Vec<String> = if purge { rows } else { change.delete.clone() };
        let sql = stamp_statements(self.graph, &self.tables, purge, &unstamped, &change, Some(&started));
        self.driver.execute(&sql.join(";\n")).map_err(db("stamping the version table"))?;
        Ok(change)
    }
}

/// A lock-wait timeout (MySQL's 1205, PostgreSQL's 55P03) says which table was locked, for
/// how long retort waited, and what to do.
fn explain_lock_wait(
    mut error: DbError,
    statement: &Statement,
    (ddl_lock_wait, dialect): (Option<Duration>, crate::dialect::Dialect),
) -> DbError {
    if !matches!(error.code.as_deref(), Some("1205" | "55P03")) || error.hint.is_some() {
        return error;
    }
    let table = statement.table().map_or_else(|| "a table it uses".to_string(), |t| format!("table {t}"));
    let waited = match (ddl_lock_wait, dialect) {
        (Some(w), _) => format!("{} s", w.as_secs()),
        (None, crate::dialect::Dialect::Mysql) => format!("{} s", crate::dialect::mysql::DEFAULT_DDL_LOCK_WAIT),
        (None, _) => "its lock_timeout".to_string(),
    };
    error.hint = Some(format!(
        "the statement waited {waited} for a lock on {table} that another session holds ([database] ddl_lock_wait). Find that session (SHOW PROCESSLIST on MySQL, pg_locks and pg_stat_activity on PostgreSQL), let it finish or end it, then run the command again; raise ddl_lock_wait only if a longer wait is acceptable, since every query on the table queues behind a waiting DDL statement"
    ));
    error
}

/// The rows a stamp leaves: the targets' points, plus the current rows of branches the targets do
/// not touch (Alembic's lineage rule: stamping one branch leaves the others alone). Stamping
/// `base` clears every row. The result must not name a revision and its ancestor.
pub fn stamp_rows(
    graph: &RevisionGraph,
    current: &[Rev],
    applied: &[bool],
    targets: &[Target],
    table: &str,
) -> Result<Vec<Rev>, TargetError> {
    let resolver = Resolver::new(graph, current, applied);
    let mut points: Vec<Rev> = Vec::new();
    let mut to_base = false;
    for target in targets {
        let found = resolver.points(target)?;
        to_base |= found.is_empty();
        for point in found {
            if !points.contains(&point) {
                points.push(point);
            }
        }
    }
    let mut rows: Vec<Rev> = Vec::new();
    if !to_base || !points.is_empty() {
        let above = graph.ancestors_closure(&points);
        let below = graph.descendants_closure(&points);
        rows.extend(current.iter().copied().filter(|&r| !above[r] && !below[r] && !to_base));
    }
    rows.extend(points);
    let names: Vec<String> = rows.iter().map(|&r| graph.id(r).to_string()).collect();
    applied_from_rows(graph, &names, table).map(|(revs, _)| revs)
}

/// The statements of a stamp: purge, the row change, and a history row per revision
/// unstamped or stamped.
fn stamp_statements(
    graph: &RevisionGraph,
    tables: &VersionTables,
    purge: bool,
    unstamped: &[String],
    change: &RowChange,
    started: Option<&str>,
) -> Vec<String> {
    let user = os_user();
    // Stamping says where the database is: a step left partial by an interrupted run is resolved.
    let mut sql = vec![tables.resolve_partial()];
    if purge {
        sql.push(tables.purge());
    }
    sql.extend(tables.row_change(change));
    for (ids, direction) in [(unstamped, "unstamp"), (change.insert.as_slice(), "stamp")] {
        for id in ids {
            let script = graph.get(id).map(|r| graph.script(r));
            let checksum = script.map(Script::checksum);
            sql.push(tables.record(&HistoryEntry {
                revision: id,
                direction,
                checksum: checksum.as_deref(),
                message: script.map_or("", |s| s.message.as_str()),
                started,
                duration_ms: if started.is_some() { Some(0) } else { None },
                executed_by: &user,
            }));
        }
    }
    sql
}

/// The statements of one step, after the checks every run makes before changing anything: a
/// readable section, a downgrade that exists, no transaction control in a transactional script.
pub fn step_statements(
    graph: &RevisionGraph,
    step: &Step,
    dialect: crate::dialect::Dialect,
) -> Result<Vec<Statement>, ApplyError> {
    let script = graph.script(step.rev);
    let section = match step.direction {
        Direction::Upgrade => &script.upgrade,
        Direction::Downgrade => &script.downgrade,
    };
    if step.direction == Direction::Downgrade && section.is_empty() && !script.upgrade.is_empty() {
        return Err(ApplyError::Irreversible { file: script.file_name(), revision: script.revision.clone() });
    }
    let statements = split(section, dialect).map_err(|error| ApplyError::Split { file: script.file_name(), error })?;
    if script.transactional
        && let Some(s) = statements.iter().find(|s| s.is_transaction_control())
    {
        return Err(ApplyError::TransactionControl {
            file: script.file_name(),
            line: s.line,
            statement: s.sql.clone(),
        });
    }
    Ok(statements)
}

/// Renders a stamp as a SQL script for `stamp --sql`, starting from an empty version table.
pub fn offline_stamp(
    graph: &RevisionGraph,
    tables: &VersionTables,
    targets: &[Target],
    purge: bool,
) -> Result<String, ApplyError> {
    let rows = stamp_rows(graph, &[], &vec![false; graph.len()], targets, &tables.version)?;
    let change = RowChange { delete: Vec::new(), insert: rows.iter().map(|&r| graph.id(r).to_string()).collect() };
    let mut out = String::from("BEGIN;\n\n");
    for sql in tables.create().into_iter().chain(stamp_statements(graph, tables, purge, &[], &change, None)) {
        out.push_str(&format!("{sql};\n\n"));
    }
    out.push_str("COMMIT;\n");
    Ok(out)
}

/// Renders a plan as a SQL script for `--sql` (offline mode): the same statements an online run
/// executes, including creating retort's tables and moving the version rows.
pub fn offline_script(
    graph: &RevisionGraph,
    tables: &VersionTables,
    steps: &[Step],
    transaction_per_migration: bool,
) -> Result<String, ApplyError> {
    let user = os_user();
    let mut out = String::new();
    let mut in_tx = false;
    let open = |out: &mut String, in_tx: &mut bool| {
        if !*in_tx {
            out.push_str("BEGIN;\n\n");
            *in_tx = true;
        }
    };
    let close = |out: &mut String, in_tx: &mut bool| {
        if *in_tx {
            out.push_str("COMMIT;\n\n");
            *in_tx = false;
        }
    };
    open(&mut out, &mut in_tx);
    for sql in tables.create() {
        out.push_str(&format!("{sql};\n\n"));
    }
    if transaction_per_migration {
        close(&mut out, &mut in_tx);
    }
    for step in steps {
        let script = graph.script(step.rev);
        let statements = step_statements(graph, step, tables.dialect)?;
        // Where DDL commits implicitly (MySQL), a transaction around it would only mislead.
        let outside = !script.transactional || !tables.dialect.transactional_ddl();
        if outside {
            close(&mut out, &mut in_tx);
        } else {
            open(&mut out, &mut in_tx);
        }
        out.push_str(&format!("-- {} ({})\n\n", step.describe(graph), script.file_name()));
        for s in &statements {
            if tables.dialect == crate::dialect::Dialect::Mysql {
                out.push_str(&crate::statements::for_mysql_client(&s.sql));
                out.push('\n');
            } else {
                out.push_str(&format!("{};\n\n", s.sql));
            }
        }
        if outside {
            open(&mut out, &mut in_tx);
        }
        let checksum = script.checksum();
        for sql in tables.row_change(&step.rows) {
            out.push_str(&format!("{sql};\n\n"));
        }
        out.push_str(&format!(
            "{};\n\n",
            tables.record(&HistoryEntry {
                revision: &script.revision,
                direction: step.direction.as_str(),
                checksum: Some(&checksum),
                message: &script.message,
                started: None,
                duration_ms: None,
                executed_by: &user,
            })
        ));
        if transaction_per_migration {
            close(&mut out, &mut in_tx);
        }
    }
    close(&mut out, &mut in_tx);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn history_times_read_alike() {
        use super::utc_timestamp;
        assert_eq!(utc_timestamp("2026-12-01T08:00:00.123456Z"), "2026-12-01T08:00:00.123456Z");
        assert_eq!(utc_timestamp("2026-12-01 08:00:00.123456+00"), "2026-12-01T08:00:00.123456Z");
        assert_eq!(utc_timestamp("2026-12-01 17:00:00.5+09"), "2026-12-01T08:00:00.500000Z");
        assert_eq!(utc_timestamp("yesterday"), "yesterday");
    }

    #[cfg(unix)]
    #[test]
    fn the_uid_has_a_name_without_the_environment() {
        let name = super::uid_name().unwrap_or_default();
        assert!(!name.is_empty() && name != "unknown", "{name}");
    }
}
