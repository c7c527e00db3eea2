"""Fleets: one PostgreSQL database with a schema per tenant, every tenant brought to the head of a
short chain of revisions. retort runs `upgrade --fleet` (the tenants from `[fleet] schemas_query`,
8 at a time); Alembic runs its documented multi-tenant recipe (an env.py that sets `search_path`
to the `-x tenant=...` argument) for every tenant in one Python process, so its interpreter and
imports are paid once; the floor is the shell loop a team writes today, `retort upgrade head` once
per tenant (the tenant's schema given in the URL, `options=-csearch_path=...`)."""

import shlex
from dataclasses import dataclass

from . import databases as db
from . import projects as proj
from .core import Context, Contender, Target, Verify
from .measure import Completed
from .tools import run_checked

REVISIONS = 5

# Alembic's cookbook recipe "Rudimental Schema-Level Multi Tenancy for PostgreSQL Databases".
TENANT_ENV_PY = '''\
"""The tenant comes from -x tenant=...; its migrations run with search_path set to it."""

from alembic import context
from sqlalchemy import engine_from_config, pool, text

config = context.config
target_metadata = None


def run_migrations_online():
    current_tenant = context.get_x_argument(as_dictionary=True).get("tenant")
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        connection.execute(text('set search_path to "%s"' % current_tenant))
        connection.commit()
        connection.dialect.default_schema_name = current_tenant
        context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''

# Every tenant in turn, in one process: the recipe's loop without an interpreter per tenant.
TENANT_LOOP_PY = '''\
import argparse
import sys

from alembic import command
from alembic.config import Config

ini, tenants, run = sys.argv[1], open(sys.argv[2]).read().split(), getattr(command, sys.argv[3])
for tenant in tenants:
    config = Config(ini)
    config.cmd_opts = argparse.Namespace(x=["tenant=" + tenant])
    run(config, "head")
'''


def tenant(i: int) -> str:
    return f"tenant_{i:04d}"


@dataclass
class FleetUpgrade:
    """`upgrade --fleet` of `tenants` tenant schemas, each from empty (or, `at_head`, each already
    at head: what a rerun costs) to the head of 5 revisions."""

    tenants: int
    at_head: bool = False
    target: Target = Target(max_floor_ratio=0.5)
    floor: str = "serial `retort upgrade` loop"

    @property
    def name(self) -> str:
        what = "at head already" if self.at_head else f"{REVISIONS} revisions each"
        return f"`upgrade --fleet`, {self.tenants:,} tenant schemas, {what}"

    @property
    def databases(self) -> list[str]:
        return [f"{db.PREFIX}fleet", f"{db.PREFIX}fleet_template"]

    def contenders(self, ctx: Context) -> list[Contender]:
        name, template = self.databases
        tenants = [tenant(i) for i in range(1, self.tenants + 1)]
        db.recreate(template)
        db.psql("".join(f"CREATE SCHEMA {t};" for t in tenants), template)
        root = proj.fresh_dir(ctx.work / "fleet")
        revisions = proj.chain(REVISIONS)
        config = proj.write_retort_project(ctx.tools, root / "retort", db.url(name), revisions)
        query = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%' ORDER BY 1"
        with config.open("a") as f:
            # A TOML literal string: the query's backslash stays as written.
            f.write(f"\n[fleet]\nschemas_query = {{ sql = '''{query}''' }}\nparallel = 8\n")
        ini = proj.write_alembic_project(root / "alembic", db.sqlalchemy_url(name), revisions)
        (ini.parent / "alembic" / "env.py").write_text(TENANT_ENV_PY)
        listed = root / "tenants.txt"
        listed.write_text("\n".join(tenants) + "\n")
        loop_py = root / "alembic_tenants.py"
        loop_py.write_text(TENANT_LOOP_PY)
        python = ctx.tools.alembic.parent / "python"
        one_by_one = root / "retort_loop.sh"
        retort = shlex.join(ctx.tools.retort_cmd(config, "upgrade", "head"))
        one_by_one.write_text(
            "set -e\nwhile read -r t; do\n"
            f'  {retort} --url "{db.url(name)}?options=-csearch_path%3D$t" >/dev/null\n'
            f"done < {shlex.quote(str(listed))}\n"
        )
        head = revisions[-1].id
        if self.at_head:
            db.copy(template, name)
            run_checked(ctx.tools.retort_cmd(config, "upgrade", "--fleet"))
            # The tables are there: Alembic's version tables are stamped.
            run_checked([str(python), str(loop_py), str(ini), str(listed), "stamp"])
            db.copy(name, template)

        def reset() -> None:
            db.copy(template, name)

        def state(version_table: str) -> Verify:
            def verify(_: Completed) -> str | None:
                return tenants_at(name, tenants, version_table, head, revisions[-1].creates[0].name)

            return verify

        # The slow loops run once on the full fleet.
        slow = 1 if self.tenants > 100 else None
        return [
            Contender("retort", ctx.tools.retort_cmd(config, "upgrade", "--fleet"), state("retort_version"), reset),
            Contender(
                "alembic", [str(python), str(loop_py), str(ini), str(listed), "upgrade"], state("alembic_version"), reset, runs=slow
            ),
            Contender("floor", ["bash", str(one_by_one)], state("retort_version"), reset, runs=slow),
        ]


def tenants_at(name: str, tenants: list[str], version_table: str, head: str, last_table: str) -> str | None:
    """What is wrong with the tenants after a run: one not at head, or without the last table."""
    union = " UNION ALL ".join(f"SELECT '{t}' AS t, version_num FROM {t}.{version_table}" for t in tenants)
    at = db.psql(f"SELECT count(DISTINCT t) FROM ({union}) v WHERE version_num = '{head}'", name)
    tables = db.psql(
        f"SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'tenant\\_%' AND tablename = '{last_table}'", name
    )
    if at != str(len(tenants)) or tables != str(len(tenants)):
        return f"{at} of {len(tenants)} tenants at {head}, {tables} with table {last_table}"
    return None

