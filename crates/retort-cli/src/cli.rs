//! Command-line definitions (clap), with an example in every command's help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  retort init                         start a project (retort.toml + migrations/)
  retort revision -m \"add users\"      write a new migration file to edit
  retort upgrade head                 apply every pending migration
  retort downgrade -1                 roll back the last migration
  retort current                      show the database's revision
  retort history --indicate-current   list the revisions, newest first
  retort upgrade head --sql           print the SQL instead of running it";

/// Database schema migrations: Alembic's workflow as one fast binary, for SQLite and PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "retort", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Path to retort.toml (default: searched upward from the working directory).
    #[arg(short, long, global = true, env = "RETORT_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Database URL, overriding [database] url (falls back to DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// Print the result as JSON (and an error as {"error": ..., "hint": ...} on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create retort.toml and an empty migrations folder.
    #[command(after_help = "Examples:\n  retort init\n  retort init myproject --url postgres://app@localhost/app")]
    Init {
        /// The project folder (default: the working directory).
        dir: Option<PathBuf>,
    },
    /// Write a new migration file.
    #[command(
        after_help = "Examples:\n  retort revision -m \"add users table\"\n  retort revision -m \"사용자 테이블 추가\"\n  retort revision -m \"start auth\" --head base --branch-label auth\n  retort revision -m \"auth tokens\" --head auth@head\n  retort revision -m \"index\" --no-transaction   (for CREATE INDEX CONCURRENTLY)"
    )]
    Revision(RevisionArgs),
    /// Apply migrations up to a target (default: head).
    #[command(
        after_help = "Targets: head, heads, base, a revision id or unique prefix, +N, REV+N, REV-N,\nlabel@head, label@+N.\n\nExamples:\n  retort upgrade head\n  retort upgrade +1\n  retort upgrade ae1f\n  retort upgrade auth@head\n  retort upgrade head --sql > upgrade.sql\n  retort upgrade ae1f:head --sql"
    )]
    Upgrade(MigrateArgs),
    /// Roll migrations back to a target.
    #[command(
        after_help = "Targets: -N, base, a revision id or unique prefix, REV-N, label@-N, label@base.\n\nExamples:\n  retort downgrade -1\n  retort downgrade base\n  retort downgrade ae1f\n  retort downgrade head:ae1f --sql"
    )]
    Downgrade(MigrateArgs),
    /// Show the revision(s) the database is at.
    #[command(after_help = "Examples:\n  retort current\n  retort current -v\n  retort current --url sqlite:app.db")]
    Current(CurrentArgs),
    /// List revisions, newest first.
    #[command(
        after_help = "Examples:\n  retort history\n  retort history -r ae1f:head -v\n  retort history -r -3:current --indicate-current"
    )]
    History(HistoryArgs),
    /// Show the head revisions.
    #[command(after_help = "Examples:\n  retort heads\n  retort heads -v --json")]
    Heads(ListArgs),
    /// Show the branch points.
    #[command(after_help = "Examples:\n  retort branches")]
    Branches(ListArgs),
    /// Show one revision in full.
    #[command(after_help = "Examples:\n  retort show ae1f\n  retort show head\n  retort show auth@head --json")]
    Show {
        /// A revision id, prefix, label, head or label@head.
        rev: String,
    },
    /// Set the version table to revisions without running migrations.
    #[command(
        after_help = "Examples:\n  retort stamp head            (adopt a database whose schema is already current)\n  retort stamp base            (forget every applied revision)\n  retort stamp --purge ae1f    (the version table names a revision with no file)\n  retort stamp head --sql"
    )]
    Stamp {
        /// Revisions to stamp.
        #[arg(required = true)]
        revisions: Vec<String>,
        /// Delete every version row first, including rows naming revisions no file declares.
        #[arg(long)]
        purge: bool,
        /// Print the SQL instead of running it.
        #[arg(long, conflicts_with = "fleet")]
        sql: bool,
        #[command(flatten)]
        fleet: FleetArgs,
    },
    /// Print the live schema as canonical DDL (or JSON), in dependency order.
    #[command(
        after_help = "Examples:\n  retort inspect > schema/schema.sql      (start a project from an existing database)\n  retort inspect --url postgres://app@localhost/app --schema public --schema sales\n  retort inspect --all-schemas --json"
    )]
    Inspect {
        /// What to print: DDL (text), the schema model (json), or an entity-relationship diagram
        /// (mermaid, dot).
        #[arg(long, value_enum, default_value_t = SchemaFormat::Text)]
        format: SchemaFormat,
        /// Only these tables in a diagram (globs, repeatable), with the tables one foreign key away.
        #[arg(long = "tables", value_name = "GLOB")]
        tables: Vec<String>,
        /// A PostgreSQL schema to read (repeatable; default: [schema] schemas, else public).
        #[arg(long = "schema")]
        schemas: Vec<String>,
        /// Read every user schema (PostgreSQL).
        #[arg(long, conflicts_with = "schemas")]
        all_schemas: bool,
        /// Show the desired schema ([schema] paths or command) instead of the database's, as the
        /// database would hold it.
        #[arg(long)]
        desired: bool,
    },
    /// Exit 1 when the database differs from the desired schema, listing the differences (for CI).
    #[command(
        after_help = "Examples:\n  retort check\n  retort check --json\n  retort check --fleet   (every database or tenant schema of [fleet])"
    )]
    Check {
        #[command(flatten)]
        fleet: FleetArgs,
    },
    /// Print the SQL that turns one schema into another, without writing anything.
    #[command(
        after_help = "Sides: database (the configured database), schema (the desired schema files), or a URL.\n\nExamples:\n  retort diff                                   (database -> schema)\n  retort diff --from schema --to database       (the way back)\n  retort diff --from postgres://app@prod/app --to schema"
    )]
    Diff {
        /// Where to start: database, schema or a URL.
        #[arg(long, default_value = "database")]
        from: String,
        /// Where to arrive: database, schema or a URL.
        #[arg(long, default_value = "schema")]
        to: String,
        /// Do not detect renames.
        #[arg(long = "no-renames")]
        no_renames: bool,
        /// What to print: the SQL (sql), or the --to side's entity-relationship diagram with what
        /// differs from --from marked (mermaid; for a pull request).
        #[arg(long, value_enum, default_value_t = DiffFormat::Sql)]
        format: DiffFormat,
    },
    /// Test the migrations on a scratch database: one head, every step up, down (back to exactly
    /// the schema before it) and up again, and the schema at head equal to the desired schema.
    #[command(
        after_help = "Examples:\n  retort verify\n  retort verify --data        (3 synthetic rows in every table before each step)\n  retort verify --data 10 --json\n\nThe scratch database is a temporary SQLite file, or a temporary database on the\nconfigured PostgreSQL or MySQL server (dropped afterwards); the project's database is not touched.\nWith --data, every step must also run with rows present, and the values of every column it\nkeeps must come through the upgrade and the downgrade unchanged."
    )]
    Verify {
        /// A server where the scratch database may be created (default: [schema] dev_url, else
        /// the configured database's server).
        #[arg(long = "dev-url", value_name = "URL")]
        dev_url: Option<String>,
        /// Put ROWS synthetic rows (default 3) in every table before each step, and check that
        /// the step keeps their values both ways.
        #[arg(long, value_name = "ROWS", num_args = 0..=1, default_missing_value = "3")]
        data: Option<usize>,
    },
    /// Restore a SQLite backup made by `upgrade --backup` over the configured database.
    #[command(
        after_help = "Examples:\n  retort restore app.db.backup-20261124T080000Z\n\nPostgreSQL backups are pg_dump archives: restore them with pg_restore (the error says how)."
    )]
    Restore {
        /// The backup file.
        path: std::path::PathBuf,
    },
    /// Check migrations for destructive, locking and failing statements (default: the ones not
    /// yet applied), weighed by the live size of the tables they touch.
    #[command(
        after_help = "Examples:\n  retort lint                 (the migrations not yet applied)\n  retort lint ae1f            (one revision)\n  retort lint base:head --json\n  retort lint --fail-on warning   (CI: warnings fail too)\n\nSuppress a finding with a comment on or above the statement: -- retort:allow RT301"
    )]
    Lint {
        /// A revision, or a range FROM:TO (default: the migrations not yet applied).
        #[arg(allow_hyphen_values = true)]
        revisions: Option<String>,
        /// The lowest severity that makes lint exit 1.
        #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
    /// Draw the revision graph: Mermaid (GitHub renders it in Markdown), Graphviz DOT, or, through
    /// Graphviz's `dot`, SVG or PNG.
    #[command(
        after_help = "Examples:\n  retort graph > docs/revisions.mmd\n  retort graph --format svg --output docs/revisions.svg -i\n  retort graph --format dot | dot -Tpdf -o revisions.pdf"
    )]
    Graph {
        /// The output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Highlight the database's current revision(s) (reads the database).
        #[arg(short = 'i', long = "indicate-current")]
        indicate_current: bool,
    },
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(
        after_help = "Examples:\n  retort completions bash > ~/.local/share/bash-completion/completions/retort\n  retort completions zsh > ~/.zfunc/_retort\n  retort completions fish > ~/.config/fish/completions/retort.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print retort's man page (roff).
    #[command(after_help = "Examples:\n  retort man > ~/.local/share/man/man1/retort.1 && man retort")]
    Man,
    /// Bring another tool's migration history into this project.
    #[command(subcommand)]
    Import(ImportSource),
    /// Rewrite migrations/retort.sum from the current files (after an intended edit).
    #[command(after_help = "Examples:\n  retort rehash")]
    Rehash,
    /// Write a merge revision joining two or more heads.
    #[command(
        after_help = "Examples:\n  retort merge heads -m \"merge auth into main\"\n  retort merge ae1f 27c6 -m merge"
    )]
    Merge {
        /// The revisions to merge, or `heads`.
        #[arg(required = true)]
        revisions: Vec<String>,
        /// The message.
        #[arg(short, long, default_value = "")]
        message: String,
        /// A branch label for the merge revision.
        #[arg(long = "branch-label")]
        branch_label: Vec<String>,
        /// Use this id instead of a random one.
        #[arg(long = "rev-id")]
        rev_id: Option<String>,
    },
}

/// `retort lint --fail-on`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Only errors (statements that will fail or break the run).
    Error,
    /// Errors and warnings.
    Warning,
}

/// `retort revision`
#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// The message; it names the file (ASCII words) and heads the file.
    #[arg(short, long)]
    pub message: String,
    /// The parent: a head, label@head, or `base` for a new root.
    #[arg(long)]
    pub head: Option<String>,
    /// Allow --head to name a revision that is not a head, starting a branch.
    #[arg(long)]
    pub splice: bool,
    /// A branch label for the new revision.
    #[arg(long = "branch-label")]
    pub branch_label: Vec<String>,
    /// A revision the new one depends on (repeatable).
    #[arg(long = "depends-on")]
    pub depends_on: Vec<String>,
    /// Use this id instead of a random one.
    #[arg(long = "rev-id")]
    pub rev_id: Option<String>,
    /// Mark the migration to run outside a transaction (e.g. CREATE INDEX CONCURRENTLY).
    #[arg(long = "no-transaction")]
    pub no_transaction: bool,
    /// Fill the migration by comparing the database with the desired schema ([schema] paths).
    #[arg(long)]
    pub autogenerate: bool,
    /// With --autogenerate: do not detect renames (hints in the schema still count).
    #[arg(long = "no-renames")]
    pub no_renames: bool,
    /// With --autogenerate: write the file even when nothing changed.
    #[arg(long = "allow-empty")]
    pub allow_empty: bool,
}

/// `retort upgrade` / `retort downgrade`
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The target; `FROM:TO` ranges are accepted with --sql.
    #[arg(allow_hyphen_values = true)]
    pub target: Option<String>,
    /// Print the SQL script instead of running it.
    #[arg(long)]
    pub sql: bool,
    /// Refuse to run when applied migration files were changed after they ran.
    #[arg(long)]
    pub strict: bool,
    /// Continue a step an earlier run left part-way (a statement failed, or the run was
    /// killed), at the first statement that did not take effect. When the earlier run was
    /// killed while a statement ran, say whether it took effect: `--resume=rerun` (it did not)
    /// or `--resume=skip` (it did).
    #[arg(long, value_name = "HOW", num_args = 0..=1, default_missing_value = "continue", require_equals = true)]
    pub resume: Option<ResumeHow>,
    /// Run even when lint finds errors in the migrations about to run.
    #[arg(long)]
    pub force: bool,
    /// Back the database up first (SQLite: online backup beside the file; PostgreSQL: pg_dump;
    /// MySQL/MariaDB: mariadb-dump or mysqldump).
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "")]
    pub backup: Option<String>,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `--fleet` and how it runs.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Run on every database of `[fleet]` in retort.toml instead of the one database.
    #[arg(long)]
    pub fleet: bool,
    /// Only the fleet's targets whose URL (password masked) matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB", requires = "fleet")]
    pub only: Vec<String>,
    /// Leave out the fleet's targets whose URL matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB", requires = "fleet")]
    pub exclude: Vec<String>,
    /// How many targets run at once (default: [fleet] parallel, else the number of cores).
    #[arg(long, value_name = "N", requires = "fleet")]
    pub parallel: Option<usize>,
    /// Start no target after one has failed.
    #[arg(long, requires = "fleet")]
    pub fail_fast: bool,
    /// Run this machine's part of the fleet: K of N parts, split by a stable hash of each
    /// target's URL (so N machines listing the targets in any order share it, each once).
    #[arg(long, value_name = "K/N", requires = "fleet")]
    pub shard: Option<retort::fleet::Shard>,
    /// Run the first N targets first, and stop everything if one of them fails.
    #[arg(long, value_name = "N", requires = "fleet")]
    pub canary: Option<usize>,
}

/// How `--resume` continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResumeHow {
    /// At the first statement known not to have taken effect.
    Continue,
    /// Run the statement whose outcome is unknown again.
    Rerun,
    /// Count the statement whose outcome is unknown as done.
    Skip,
}

/// `retort current`
#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Show each revision in full, the recent history and changed files.
    #[arg(short, long)]
    pub verbose: bool,
    /// Exit 1 when a changed applied file is found.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `retort history`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A range FROM:TO (either side may be empty; `current` is the database's revision).
    #[arg(short = 'r', long = "rev-range", allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Show each revision in full.
    #[arg(short, long)]
    pub verbose: bool,
    /// Mark the database's current revision(s).
    #[arg(short = 'i', long = "indicate-current")]
    pub indicate_current: bool,
    /// Draw the graph beside the list, as `git log --graph` does.
    #[arg(long, conflicts_with = "verbose")]
    pub graph: bool,
}

/// Options shared by `heads` and `branches`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Show each revision in full.
    #[arg(short, long)]
    pub verbose: bool,
}

/// `retort import ...`: where the history comes from.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Import an Alembic project: every revision becomes a migration file with the same id,
    /// parents, labels and dependencies, holding the SQL Alembic renders for this project's
    /// database; the version table becomes alembic_version, so `retort current` reads what Alembic
    /// recorded and `retort upgrade head` continues from there.
    #[command(
        after_help = "Examples:\n  retort import alembic bend/alembic.ini\n  retort import alembic bend/alembic/versions --python bend/.venv/bin/python\n  retort import alembic --models database.models:Base      (also use the SQLAlchemy models as [schema])"
    )]
    Alembic {
        /// The Alembic project's alembic.ini, a folder holding it, or its versions/ folder.
        #[arg(default_value = "alembic.ini")]
        path: PathBuf,
        /// The Python that has Alembic and the project's packages (default: [schema] python, else
        /// a .venv next to the ini, else python3).
        #[arg(long, value_name = "PATH")]
        python: Option<String>,
        /// Also set [schema] sqlalchemy to these models (package.module:Base), replacing [schema] paths.
        #[arg(long, value_name = "MODULE:ATTR")]
        models: Option<String>,
    },
}

/// What `inspect` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// Canonical DDL that recreates the schema.
    Text,
    /// The schema model as JSON.
    Json,
    /// A Mermaid entity-relationship diagram.
    Mermaid,
    /// A Graphviz DOT entity-relationship diagram.
    Dot,
}

/// What `graph` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// SVG, drawn by Graphviz's `dot`.
    Svg,
    /// PNG, drawn by Graphviz's `dot`.
    Png,
}

/// What `diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// The SQL that turns one side into the other.
    Sql,
    /// The --to side as a Mermaid diagram, with added, changed and dropped tables and columns marked.
    Mermaid,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it).
    Auto,
    /// Always, even when piped.
    Always,
    /// Never.
    Never,
}
