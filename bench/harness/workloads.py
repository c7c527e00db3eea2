"""The workloads, one dataclass each: what is prepared (untimed), what every tool runs, how its
state is reset before a run and how the result is verified after it."""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import databases as db
from . import history
from . import projects as proj
from . import schema as sch
from . import verify
from .core import Context, Contender, Target, Verify
from .tools import REPO, Tools, run_checked

SEED = 20261124
VERSION_TABLES = {"retort": "retort_version", "alembic": "alembic_version", "floor": None}

# --- the migration chain: graph commands, upgrade, downgrade ---------------------------------


@dataclass(frozen=True)
class Chain:
    """A line of one-table revisions written for retort, Alembic and the floor client."""

    tools: Tools
    retort_config: Path
    alembic_ini: Path
    up_sql: Path
    down_sql: Path
    head: str

    @staticmethod
    def write(
        tools: Tools, root: Path, count: int, retort_url: str, alembic_url: str, dialect: str = "postgresql"
    ) -> "Chain":
        revisions = proj.chain(count, dialect)
        # MariaDB commits every DDL statement by itself: its floor script has no BEGIN/COMMIT.
        transactions = dialect != "mariadb"
        proj.fresh_dir(root)
        chain = Chain(
            tools,
            proj.write_retort_project(tools, root / "retort", retort_url, revisions),
            proj.write_alembic_project(root / "alembic", alembic_url, revisions),
            proj.upgrade_script(root / "up.sql", revisions, transactions),
            proj.downgrade_script(root / "down.sql", revisions, transactions),
            revisions[-1].id,
        )
        run_checked(chain.alembic("heads"))  # also compiles the revision modules once
        return chain

    @staticmethod
    def on_postgres(ctx: Context, folder: str, count: int, name: str) -> "Chain":
        return Chain.write(ctx.tools, ctx.work / folder, count, db.url(name), db.sqlalchemy_url(name))

    @staticmethod
    def on_mariadb(ctx: Context, folder: str, count: int, name: str) -> "Chain":
        urls = db.mariadb_url(name), db.mariadb_sqlalchemy_url(name)
        return Chain.write(ctx.tools, ctx.work / folder, count, *urls, dialect="mariadb")

    def retort(self, *args: str) -> list[str]:
        return self.tools.retort_cmd(self.retort_config, *args)

    def alembic(self, *args: str) -> list[str]:
        return self.tools.alembic_cmd(self.alembic_ini, *args)

    def contenders(
        self,
        args: list[str],
        floor: list[str],
        stdin: Path | None,
        state: Callable[[str], Verify],
        reset: Callable[[], None],
    ) -> list[Contender]:
        """Both tools run `args`, the floor runs `floor`; `state(role)` verifies each."""
        return [
            Contender("retort", self.retort(*args), state("retort"), reset),
            Contender("alembic", self.alembic(*args), state("alembic"), reset),
            Contender("floor", floor, state("floor"), reset, stdin),
        ]


def psql_file(name: str, script: Path) -> list[str]:
    return ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", *db.client_args(name), "-f", str(script)]


@dataclass
class GraphCommand:
    """`heads`, `history` or `current` on a chain of revisions (the database stamped at head), each
    run a cold process."""

    command: str
    revisions: int
    target: Target = Target(max_seconds=0.020)
    floor: str | None = None

    @property
    def name(self) -> str:
        return f"`{self.command}`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return [f"{db.PREFIX}{self.command.split()[0]}{'_graph' if '--graph' in self.command else ''}"]

    def contenders(self, ctx: Context) -> list[Contender]:
        name = self.databases[0]
        db.recreate(name)
        words = self.command.split()
        chain = Chain.on_postgres(ctx, words[0], self.revisions, name)
        run_checked(chain.retort("stamp", "head"))
        run_checked(chain.alembic("stamp", "head"))
        needles = [f"{chain.head} (head)"] + (["<base> -> r00001"] if words[0] == "history" else [])
        shown = verify.output_mentions(*needles)
        # Alembic draws no graph: `history --graph` is compared with its plain `history`.
        return [
            Contender("retort", chain.retort(*words), shown),
            Contender("alembic", chain.alembic(words[0]), shown),
        ]


@dataclass
class PgUpgrade:
    """`upgrade head` from an empty PostgreSQL database, one transaction per revision."""

    revisions: int
    target: Target = Target(max_floor_ratio=1.2)
    floor: str = "psql"

    @property
    def name(self) -> str:
        return f"`upgrade head`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return [f"{db.PREFIX}upgrade"]

    def contenders(self, ctx: Context) -> list[Contender]:
        name = self.databases[0]
        chain = Chain.on_postgres(ctx, "upgrade", self.revisions, name)
        return chain.contenders(
            ["upgrade", "head"],
            psql_file(name, chain.up_sql),
            None,
            lambda role: verify.pg_state(name, VERSION_TABLES[role], self.revisions, [chain.head]),
            lambda: db.recreate(name),
        )


@dataclass
class PgDowngrade:
    """`downgrade base` from the head of the chain, one transaction per revision. Every run starts
    from a copy of one database holding the chain's tables, stamped at head for both tools."""

    revisions: int
    target: Target = Target(max_floor_ratio=1.2)
    floor: str = "psql"

    @property
    def name(self) -> str:
        return f"`downgrade base`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return [f"{db.PREFIX}downgrade", f"{db.PREFIX}downgrade_template"]

    def contenders(self, ctx: Context) -> list[Contender]:
        name, template = self.databases
        db.recreate(name)
        chain = Chain.on_postgres(ctx, "downgrade", self.revisions, name)
        run_checked(chain.retort("upgrade", "head"))
        run_checked(chain.alembic("stamp", "head"))
        db.copy(name, template)
        return chain.contenders(
            ["downgrade", "base"],
            psql_file(name, chain.down_sql),
            None,
            lambda role: verify.pg_state(name, VERSION_TABLES[role], 0, []),
            lambda: db.copy(template, name),
        )


@dataclass
class MariadbCurrent:
    """`current` on a chain of revisions, a MariaDB database stamped at head for both tools, each run
    a cold process. (`heads` and `history` read only the files: the same on every database.)"""

    revisions: int
    target: Target = Target(max_seconds=0.020)
    floor: str | None = None

    @property
    def name(self) -> str:
        return f"MariaDB `current`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return []  # none on PostgreSQL

    @property
    def mariadb_databases(self) -> list[str]:
        return [f"{db.PREFIX}mariadb_current"]

    def contenders(self, ctx: Context) -> list[Contender]:
        name = self.mariadb_databases[0]
        db.mariadb_recreate(name)
        chain = Chain.on_mariadb(ctx, "mariadb-current", self.revisions, name)
        run_checked(chain.retort("stamp", "head"))
        run_checked(chain.alembic("stamp", "head"))
        shown = verify.output_mentions(f"{chain.head} (head)")
        return [
            Contender("retort", chain.retort("current"), shown),
            Contender("alembic", chain.alembic("current"), shown),
        ]


@dataclass
class MariadbUpgrade:
    """`upgrade head` from an empty MariaDB database, one step per revision (Alembic with
    `transaction_per_migration=True`; MariaDB commits each CREATE TABLE by itself). The floor is the
    `mariadb` client reading the same CREATE TABLEs."""

    revisions: int
    target: Target = Target(max_floor_ratio=1.2)
    floor: str = "mariadb"

    @property
    def name(self) -> str:
        return f"MariaDB `upgrade head`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return []  # none on PostgreSQL

    @property
    def mariadb_databases(self) -> list[str]:
        return [f"{db.PREFIX}mariadb_upgrade"]

    def contenders(self, ctx: Context) -> list[Contender]:
        name = self.mariadb_databases[0]
        chain = Chain.on_mariadb(ctx, "mariadb-upgrade", self.revisions, name)
        return chain.contenders(
            ["upgrade", "head"],
            ["mariadb", *db.mariadb_client_args(), name],
            chain.up_sql,
            lambda role: verify.mariadb_state(name, VERSION_TABLES[role], self.revisions, [chain.head]),
            lambda: db.mariadb_recreate(name),
        )


@dataclass
class SqliteUpgrade:
    """`upgrade head` on a new SQLite file, one transaction per revision; each tool has its own file."""

    revisions: int
    target: Target = Target(max_floor_ratio=1.2)
    floor: str = "sqlite3"

    @property
    def name(self) -> str:
        return f"SQLite `upgrade head`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return []

    def contenders(self, ctx: Context) -> list[Contender]:
        root = ctx.work / "sqlite"
        files = {role: root / f"{role}.db" for role in VERSION_TABLES}
        urls = f"sqlite:{files['retort']}", f"sqlite:///{files['alembic']}"
        chain = Chain.write(ctx.tools, root, self.revisions, *urls)

        def reset() -> None:
            for path in files.values():
                db.remove_sqlite(path)

        return chain.contenders(
            ["upgrade", "head"],
            ["sqlite3", "-bail", str(files["floor"])],
            chain.up_sql,
            lambda role: verify.sqlite_state(files[role], VERSION_TABLES[role], self.revisions, [chain.head]),
            reset,
        )


@dataclass
class ImportAlembic:
    """`retort import alembic` of an Alembic project's chain into a new retort project (SQL for
    PostgreSQL, rendered by Alembic in one Python process), against Alembic rendering the same
    revisions itself (`alembic upgrade base:head --sql`, the offline mode the import is built on)."""

    revisions: int
    target: Target = Target(max_seconds=5)
    floor: str | None = None

    @property
    def name(self) -> str:
        return f"`import alembic`, {self.revisions:,} revisions"

    @property
    def databases(self) -> list[str]:
        return []

    def contenders(self, ctx: Context) -> list[Contender]:
        root = proj.fresh_dir(ctx.work / "import")
        revisions = proj.chain(self.revisions)
        ini = proj.write_alembic_project(root / "alembic", db.sqlalchemy_url(f"{db.PREFIX}import"), revisions)
        config = root / "retort" / "retort.toml"
        migrations = root / "retort" / "migrations"
        toml = f'[database]\nurl = "{db.url(f"{db.PREFIX}import")}"\n\n[migrations]\ndir = "migrations"\n'

        def reset() -> None:
            proj.fresh_dir(migrations)
            config.write_text(toml)

        reset()
        python = str(ctx.tools.alembic.parent / "python")
        head = revisions[-1]

        def imported(done) -> str | None:
            files = sorted(migrations.glob("*.sql"))
            if len(files) != self.revisions:
                return f"{len(files)} migration files in {migrations}, not {self.revisions}:\n{done.stdout[-2000:]}"
            last = next(migrations.glob(f"{head.id}_*.sql"), None)
            text = last.read_text() if last else ""
            wanted = f"CREATE TABLE {head.creates[0].name}"
            return None if wanted in text else f"{last} lacks `{wanted}`:\n{text[:2000]}"

        rendered = verify.output_mentions(f"CREATE TABLE {head.creates[0].name}", f"'{head.id}'")
        return [
            Contender("retort", ctx.tools.retort_cmd(config, "import", "alembic", str(ini), "--python", python), imported, reset),
            Contender("alembic", ctx.tools.alembic_cmd(ini, "upgrade", "base:head", "--sql"), rendered),
        ]


# --- verify: every revision up, down and up again on a scratch database -----------------------

CREWAI = REPO / "examples" / "crewai"
DIALECT_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
OK = "\nverify: ok\n"  # the last line of a verification that found no problem


@dataclass
class VerifyData:
    """`verify --data` (3 synthetic rows in every table before each step, every kept column's values
    compared after the upgrade and after the downgrade) against the floor `verify` of the same
    project: the cost of the rows over the schema-only verification. The project is a copy of the
    crewai example (`revisions` None; SQLite, as the example is configured) or a history of
    `revisions` revisions (history.py) on SQLite or PostgreSQL. retort makes and drops the scratch
    database itself in every run (a temporary file; `retort_scratch_*` on the server), the project's
    own database is never touched."""

    revisions: int | None
    dialect: str = "sqlite"
    target: Target = Target(max_floor_ratio=3.0)
    floor: str = "`retort verify`"

    @property
    def name(self) -> str:
        what = "crewai example" if self.revisions is None else f"{self.revisions:,} revisions"
        return f"`verify --data`, {what} ({DIALECT_NAMES[self.dialect]})"

    @property
    def databases(self) -> list[str]:
        # The configured database, which verify connects to for creating its scratch database.
        return [f"{db.PREFIX}verify_data"] if self.dialect == "postgresql" else []

    def contenders(self, ctx: Context) -> list[Contender]:
        if self.revisions is None:
            if self.dialect != "sqlite":
                raise db.SetupError("the crewai example is configured for SQLite")
            root = ctx.work / "verify-crewai"
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(CREWAI, root, ignore=shutil.ignore_patterns("*.db", "*.db-*", "*.retort-lock"))
            config = root / "retort.toml"
            count = len(list((root / "migrations").glob("*.sql")))
        else:
            root = ctx.work / f"verify-{self.revisions}-{self.dialect}"
            if self.dialect == "postgresql":
                db.recreate(self.databases[0])
                url = db.url(self.databases[0])
            else:
                url = f"sqlite:{root / 'app.db'}"
            config = proj.write_retort_project(ctx.tools, root, url, history.history(self.revisions, SEED))
            count = self.revisions
        # Every revision verified, the rows there (or not, for the floor), and no problem found.
        revisions = f"{count} revision{'s' if count != 1 else ''}"
        verifying = f"Verifying {revisions} on a scratch {DIALECT_NAMES[self.dialect]} database"
        with_rows = verify.output_mentions(f"{verifying}, 3 synthetic rows in every table before each step\n", OK)
        return [
            Contender("retort", ctx.tools.retort_cmd(config, "verify", "--data"), with_rows),
            Contender("floor", ctx.tools.retort_cmd(config, "verify"), verify.output_mentions(f"{verifying}\n", OK)),
        ]


# --- a synthetic schema at head: check and autogenerate ---------------------------------------


@dataclass(frozen=True)
class SchemaAtHead:
    """A synthetic schema applied to a database, for both tools, with both checks clean.

    retort's database is brought to head by migrations holding the DDL, in chunks (PostgreSQL's lock
    table cannot hold 10,000 tables created in one transaction). Alembic gets a copy of that database
    (CREATE DATABASE ... TEMPLATE; on MariaDB a dump of the tables loaded into a new database) stamped
    at a revision that does nothing: retort reports Alembic's `alembic_version` table as a difference,
    so the two version tables cannot share one database."""

    tools: Tools
    retort_config: Path
    alembic_ini: Path
    retort_db: str

    @staticmethod
    def build(ctx: Context, root: Path, schema: sch.Schema, retort_db: str, alembic_db: str) -> "SchemaAtHead":
        urls = db.url(retort_db), db.sqlalchemy_url(alembic_db)
        create, copy = (lambda: db.recreate(retort_db)), (lambda: db.copy(retort_db, alembic_db))
        return SchemaAtHead._build(ctx, root, schema, proj.chunked(schema), urls, retort_db, create, copy)

    @staticmethod
    def on_mariadb(ctx: Context, root: Path, schema: sch.Schema, retort_db: str, alembic_db: str) -> "SchemaAtHead":
        """The same on MariaDB: one migration holds the whole DDL (each CREATE TABLE commits by
        itself there, so there is no lock table to fill), and Alembic's database is a copy of
        retort's tables (no TEMPLATE there: dumped without rows and loaded, see db.mariadb_copy)."""
        urls = db.mariadb_url(retort_db), db.mariadb_sqlalchemy_url(alembic_db)
        create, copy = (lambda: db.mariadb_recreate(retort_db)), (lambda: db.mariadb_copy(retort_db, alembic_db))
        revisions = proj.chunked(schema, tables_per_revision=len(schema.tables))
        return SchemaAtHead._build(ctx, root, schema, revisions, urls, retort_db, create, copy)

    @staticmethod
    def _build(
        ctx: Context,
        root: Path,
        schema: sch.Schema,
        revisions: list[proj.Revision],
        urls: tuple[str, str],
        retort_db: str,
        create: Callable[[], None],
        copy: Callable[[], None],
    ) -> "SchemaAtHead":
        """`create` makes retort's empty database, `copy` Alembic's from it once it is at head."""
        proj.fresh_dir(root)
        noop = proj.Revision("r00001", None, "synthetic schema")
        retort_url, alembic_url = urls
        at = SchemaAtHead(
            ctx.tools,
            proj.write_retort_project(ctx.tools, root / "retort", retort_url, revisions, schema),
            proj.write_alembic_project(root / "alembic", alembic_url, [noop], schema),
            retort_db,
        )
        create()
        run_checked(at.retort("upgrade", "head"))
        copy()
        run_checked(at.alembic("stamp", "head"))
        # Both must find no difference, or they would not be comparing the same schema.
        run_checked(at.retort("check"))
        run_checked(at.alembic("check"))
        return at

    def retort(self, *args: str) -> list[str]:
        return self.tools.retort_cmd(self.retort_config, *args)

    def alembic(self, *args: str) -> list[str]:
        return self.tools.alembic_cmd(self.alembic_ini, *args)


@dataclass
class Check:
    """`check` on a database at head whose schema matches the models."""

    tables: int
    target: Target
    alembic_runs: int | None = None
    floor: str = "pg_dump"

    @property
    def name(self) -> str:
        return f"`check`, {self.tables:,} tables"

    @property
    def databases(self) -> list[str]:
        return [f"{db.PREFIX}check_{self.tables}", f"{db.PREFIX}check_{self.tables}_alembic"]

    def contenders(self, ctx: Context) -> list[Contender]:
        schema = sch.synthetic(self.tables, SEED)
        at = SchemaAtHead.build(ctx, ctx.work / f"check-{self.tables}", schema, *self.databases)
        pg_dump = ["pg_dump", "--schema-only", *db.client_args(at.retort_db)]
        dumped = verify.pattern_count(r"^CREATE TABLE public\.t\d+ ", self.tables, "synthetic tables")
        return [
            Contender("retort", at.retort("check"), verify.exit_zero),
            Contender("alembic", at.alembic("check"), verify.exit_zero, runs=self.alembic_runs),
            Contender("floor", pg_dump, dumped),
        ]


@dataclass
class Autogenerate:
    """`revision --autogenerate` after a nullable column was added to some tables of the models. The
    file written by a run is deleted before the next one."""

    tables: int
    touched: int
    target: Target = Target(max_seconds=0.5)
    floor: str | None = None

    @property
    def name(self) -> str:
        return f"`revision --autogenerate`, {self.touched} of {self.tables:,} tables"

    @property
    def databases(self) -> list[str]:
        return [f"{db.PREFIX}autogen", f"{db.PREFIX}autogen_alembic"]

    def contenders(self, ctx: Context) -> list[Contender]:
        schema = sch.synthetic(self.tables, SEED)
        at = SchemaAtHead.build(ctx, ctx.work / "autogenerate", schema, *self.databases)
        changed, touched = sch.with_new_column(schema, self.touched, SEED, sch.Column("note", sch.TEXT))
        return autogenerate_contenders(at, changed, touched)


# The retort side of `revision --autogenerate`: PostgreSQL's `ALTER TABLE public.t ADD COLUMN note
# text`, MariaDB's (in the server's own form) ``ALTER TABLE `t` ADD COLUMN `note` text DEFAULT NULL``.
RETORT_ADDED_NOTE = r"ALTER TABLE (?:public\.)?`?(\w+)`? ADD COLUMN `?note`? "
ALEMBIC_ADDED_NOTE = r"op\.add_column\('(\w+)', sa\.Column\('note'"


def autogenerate_contenders(at: SchemaAtHead, changed: sch.Schema, touched: list[str]) -> list[Contender]:
    """Both tools' `revision --autogenerate` once the models are `changed`, each run's file deleted
    before the next one."""
    proj.write_retort_schema(at.retort_config.parent, changed)
    proj.write_models(at.alembic_ini.parent, changed)
    retort_dir = at.retort_config.parent / "migrations"
    alembic_dir = at.alembic_ini.parent / "alembic" / "versions"
    args = ["revision", "--autogenerate", "-m", "add note columns"]
    return [
        Contender(
            "retort",
            at.retort(*args),
            verify.new_file_naming(retort_dir, RETORT_ADDED_NOTE, touched),
            restore_files(retort_dir),
        ),
        Contender(
            "alembic",
            at.alembic(*args),
            verify.new_file_naming(alembic_dir, ALEMBIC_ADDED_NOTE, touched),
            restore_files(alembic_dir),
        ),
    ]


# --- the synthetic schema on MariaDB ----------------------------------------------------------


@dataclass
class MariadbCheck:
    """`check` on a MariaDB database at head whose schema matches the models. retort builds the
    desired schema in a scratch database of the same server (retort_scratch_*, dropped by retort)
    on every run; Alembic reflects the database through PyMySQL."""

    tables: int
    target: Target = Target(max_floor_ratio=1.0)
    floor: str = db.MARIADB_DUMP

    @property
    def name(self) -> str:
        return f"MariaDB `check`, {self.tables:,} tables"

    @property
    def databases(self) -> list[str]:
        return []  # none on PostgreSQL

    @property
    def mariadb_databases(self) -> list[str]:
        return [f"{db.PREFIX}mariadb_check_{self.tables}", f"{db.PREFIX}mariadb_check_{self.tables}_alembic"]

    def contenders(self, ctx: Context) -> list[Contender]:
        schema = sch.synthetic(self.tables, SEED, sch.MARIADB_SCALAR_TYPES)
        at = SchemaAtHead.on_mariadb(ctx, ctx.work / f"mariadb-check-{self.tables}", schema, *self.mariadb_databases)
        dump = [db.MARIADB_DUMP, *db.mariadb_client_args(), "--no-data", at.retort_db]
        dumped = verify.pattern_count(r"^CREATE TABLE `t\d+` \(", self.tables, "synthetic tables")
        return [
            Contender("retort", at.retort("check"), verify.output_mentions("No differences")),
            Contender("alembic", at.alembic("check"), verify.exit_zero),
            Contender("floor", dump, dumped),
        ]


@dataclass
class MariadbAutogenerate:
    """`revision --autogenerate` on MariaDB after a nullable column was added to some tables of the
    models, as Autogenerate on PostgreSQL."""

    tables: int
    touched: int
    target: Target = Target(max_seconds=2.7)
    floor: str | None = None

    @property
    def name(self) -> str:
        return f"MariaDB `revision --autogenerate`, {self.touched} of {self.tables:,} tables"

    @property
    def databases(self) -> list[str]:
        return []  # none on PostgreSQL

    @property
    def mariadb_databases(self) -> list[str]:
        return [f"{db.PREFIX}mariadb_autogen", f"{db.PREFIX}mariadb_autogen_alembic"]

    def contenders(self, ctx: Context) -> list[Contender]:
        schema = sch.synthetic(self.tables, SEED, sch.MARIADB_SCALAR_TYPES)
        at = SchemaAtHead.on_mariadb(ctx, ctx.work / "mariadb-autogenerate", schema, *self.mariadb_databases)
        changed, touched = sch.with_new_column(schema, self.touched, SEED, sch.Column("note", sch.MARIADB_TEXT))
        return autogenerate_contenders(at, changed, touched)


def restore_files(directory: Path) -> Callable[[], None]:
    """A reset putting the files of `directory` back as they are now (retort's `revision` also
    rewrites retort.sum) and deleting the files a run added."""
    saved = {p: p.read_bytes() for p in directory.iterdir() if p.is_file()}

    def reset() -> None:
        for p in directory.iterdir():
            if p.is_file() and p not in saved:
                p.unlink()
        for p, content in saved.items():
            p.write_bytes(content)

    return reset
