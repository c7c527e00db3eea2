"""Writing the projects both tools run on: a retort project (retort.toml, SQL migrations, desired
schema) and an Alembic project (alembic.ini, env.py, revision modules, models), plus the plain SQL
scripts the floor clients run."""

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import schema as sch
from .databases import SetupError
from .tools import Tools, run_checked

CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Revision:
    """One migration, written for both tools from the same tables."""

    id: str
    parent: str | None
    message: str
    creates: tuple[sch.Table, ...] = ()  # created by the upgrade, dropped by the downgrade

    def upgrade_sql(self) -> str:
        return "\n\n".join(sch.create_table_sql(t) for t in self.creates)

    def downgrade_sql(self) -> str:
        return "\n".join(f"DROP TABLE {t.name};" for t in reversed(self.creates))


@dataclass(frozen=True)
class SqlRevision:
    """One retort migration given as its SQL (see history.py); written like a Revision."""

    id: str
    parent: str | None
    message: str
    upgrade: str
    downgrade: str

    def upgrade_sql(self) -> str:
        return self.upgrade

    def downgrade_sql(self) -> str:
        return self.downgrade


def revision_id(i: int) -> str:
    return f"r{i:05d}"


def chain(count: int, dialect: str = "postgresql") -> list[Revision]:
    """`count` revisions in a line, each creating one table (DDL for `dialect`, see sch.CREATED_AT)."""
    return [
        Revision(
            revision_id(i),
            revision_id(i - 1) if i > 1 else None,
            f"create {sch.table_name(i)}",
            (sch.chain_table(i, dialect),),
        )
        for i in range(1, count + 1)
    ]


def chunked(schema: sch.Schema, tables_per_revision: int = 500) -> list[Revision]:
    """Revisions in a line creating the schema's tables, a few hundred in each."""
    tables = schema.tables
    chunks = [tables[i : i + tables_per_revision] for i in range(0, len(tables), tables_per_revision)]
    return [
        Revision(revision_id(n), revision_id(n - 1) if n > 1 else None, f"synthetic schema part {n}", chunk)
        for n, chunk in enumerate(chunks, start=1)
    ]


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# --- retort ----------------------------------------------------------------------------------


def write_retort_project(
    tools: Tools, root: Path, url: str, revisions: list[Revision] | list[SqlRevision], schema: sch.Schema | None = None
) -> Path:
    """A retort project in `root`; returns its retort.toml. Each revision is made as a user makes
    it: `retort revision` writes the file (and retort.sum), then its SQL is filled in."""
    migrations = fresh_dir(root / "migrations")
    config = f'[database]\nurl = "{url}"\n\n[migrations]\ndir = "migrations"\n'
    if schema is not None:
        write_retort_schema(root, schema)
        config += '\n[schema]\npaths = ["schema/*.sql"]\n'
    (root / "retort.toml").write_text(config)
    for rev in revisions:
        _fill_retort_migration(_retort_revision(tools, root / "retort.toml", migrations, rev), rev)
    return root / "retort.toml"


def write_retort_schema(root: Path, schema: sch.Schema) -> None:
    (root / "schema").mkdir(exist_ok=True)
    (root / "schema" / "models.sql").write_text(sch.schema_sql(schema))


def _retort_revision(tools: Tools, config: Path, migrations: Path, rev: Revision | SqlRevision) -> Path:
    """Runs `retort revision` for `rev`, on its parent (`base` for none); the file it wrote."""
    args = ["revision", "-m", rev.message, "--rev-id", rev.id, "--head", rev.parent or "base"]
    run_checked(tools.retort_cmd(config, *args))
    written = list(migrations.glob(f"{rev.id}_*.sql"))
    if len(written) != 1:
        raise SetupError(f"`retort {' '.join(args)}`: expected one {rev.id}_*.sql in {migrations}, found {written}")
    return written[0]


UPGRADE_MARKER = "-- migrate:upgrade\n"
DOWNGRADE_MARKER = "-- migrate:downgrade\n"


def _fill_retort_migration(path: Path, rev: Revision | SqlRevision) -> None:
    """Puts the revision's SQL after the markers of the empty file `retort revision` wrote, keeping
    the header above them."""
    header, upgrade, rest = path.read_text().partition(UPGRADE_MARKER)
    downgrade = rest.partition(DOWNGRADE_MARKER)[1]
    if not (upgrade and downgrade):
        raise SetupError(f"{path}: no `{UPGRADE_MARKER.strip()}` line followed by `{DOWNGRADE_MARKER.strip()}`")
    path.write_text(f"{header}{upgrade}{rev.upgrade_sql()}\n\n{downgrade}{rev.downgrade_sql()}\n")


# --- Alembic ---------------------------------------------------------------------------------

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/alembic
path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''\
"""Online migrations, one transaction per revision; retort's own tables are not Alembic's business."""

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
fileConfig(config.config_file_name)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
{metadata}
RETORT_TABLES = {{"retort_version", "retort_history"}}


def include_name(name, type_, parent_names):
    return not (type_ == "table" and name in RETORT_TABLES)


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_name=include_name,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def write_alembic_project(
    root: Path, url: str, revisions: list[Revision], schema: sch.Schema | None = None
) -> Path:
    """An Alembic project in `root`, with `models.py` as target metadata when a schema is given;
    returns its alembic.ini."""
    scripts = fresh_dir(root / "alembic")
    versions = scripts / "versions"
    versions.mkdir()
    for n, rev in enumerate(revisions):
        slug = rev.message.replace(" ", "_")
        (versions / f"{rev.id}_{slug}.py").write_text(_alembic_revision(rev, n))
    metadata = "target_metadata = None\n"
    if schema is not None:
        write_models(root, schema)
        metadata = "from models import metadata as target_metadata  # noqa: E402\n"
    (scripts / "env.py").write_text(ENV_PY.format(metadata=metadata))
    (scripts / "script.py.mako").write_text(SCRIPT_MAKO)
    (root / "alembic.ini").write_text(ALEMBIC_INI.format(url=url))
    return root / "alembic.ini"


def write_models(root: Path, schema: sch.Schema) -> None:
    shutil.rmtree(root / "__pycache__", ignore_errors=True)
    (root / "models.py").write_text(sch.models_py(schema))


def _alembic_revision(rev: Revision, n: int) -> str:
    upgrade = "".join(
        f'    op.create_table(\n        "{t.name}",\n{sch.sqlalchemy_items(t, " " * 8)}    )\n'
        for t in rev.creates
    )
    downgrade = "".join(f'    op.drop_table("{t.name}")\n' for t in reversed(rev.creates))
    return (
        f'"""{rev.message}\n\nRevision ID: {rev.id}\nRevises: {rev.parent or ""}\n'
        f'Create Date: {CREATED + timedelta(seconds=n)}\n"""\n\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev.id!r}\ndown_revision = {rev.parent!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n{upgrade or '    pass'}\n\n\n"
        f"def downgrade():\n{downgrade or '    pass'}\n"
    )


# --- the floor's scripts ---------------------------------------------------------------------


def upgrade_script(path: Path, revisions: list[Revision], transactions: bool = True) -> Path:
    """Every revision's upgrade in its own transaction, for psql -f or sqlite3 .read. Without
    `transactions`, the bare statements: on MariaDB every DDL statement commits by itself, so a
    BEGIN/COMMIT around it would only add two empty round trips to the floor."""
    path.write_text("".join(_transaction(r.upgrade_sql(), transactions) for r in revisions))
    return path


def downgrade_script(path: Path, revisions: list[Revision], transactions: bool = True) -> Path:
    path.write_text("".join(_transaction(r.downgrade_sql(), transactions) for r in reversed(revisions)))
    return path


def _transaction(sql: str, transactions: bool) -> str:
    return f"BEGIN;\n{sql}\nCOMMIT;\n" if transactions else f"{sql}\n"
