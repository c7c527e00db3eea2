#!/usr/bin/env python3
"""retort against Alembic and the plain clients (psql, pg_dump, mariadb, mariadb-dump, sqlite3): one
table of medians.

    python3 bench/run.py            # full sizes, 5 runs each, writes bench/RESULTS.md
    python3 bench/run.py --quick    # small sizes, 1 run, writes nothing; exit 1 on any failure

See bench/README.md for what each workload measures.
"""

import argparse
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from harness import databases as db
from harness import report, tools
from harness.core import Context, Target, Workload
from harness.fleet import FleetUpgrade
from harness.projects import fresh_dir
from harness.runner import log, run_workload
from harness.workloads import (
    Autogenerate,
    Check,
    GraphCommand,
    ImportAlembic,
    MariadbAutogenerate,
    MariadbCheck,
    MariadbCurrent,
    MariadbUpgrade,
    PgDowngrade,
    PgUpgrade,
    SqliteUpgrade,
    VerifyData,
)

WORK = Path("/tmp/retort-bench")
RESULTS = tools.BENCH / "RESULTS.md"


@dataclass(frozen=True)
class Scale:
    revisions: int  # length of the migration chain
    tables: int  # tables of the synthetic schema for check and autogenerate
    touched: int  # tables the autogenerate change adds a column to
    big_tables: int  # tables of the big check
    big_alembic_runs: int  # Alembic is slow there: fewer runs
    mariadb_tables: int  # tables of the synthetic schema for MariaDB's check and autogenerate
    imported: int  # revisions of the Alembic project `import alembic` converts
    verified: int  # revisions of the history `verify --data` runs on (besides the crewai example)
    tenants: int  # tenant schemas of the fleet workloads
    runs: int


FULL = Scale(
    revisions=1000,
    tables=1000,
    touched=150,
    big_tables=10_000,
    big_alembic_runs=3,
    mariadb_tables=1000,
    imported=300,
    verified=100,
    tenants=1000,
    runs=5,
)
QUICK = Scale(
    revisions=50,
    tables=50,
    touched=8,
    big_tables=200,
    big_alembic_runs=1,
    mariadb_tables=200,
    imported=50,
    verified=20,
    tenants=20,
    runs=1,
)


def workloads(scale: Scale) -> list[Workload]:
    return [
        GraphCommand("heads", scale.revisions),
        GraphCommand("history", scale.revisions),
        GraphCommand("history --graph", scale.revisions),
        GraphCommand("current", scale.revisions),
        PgUpgrade(scale.revisions),
        PgDowngrade(scale.revisions),
        Check(scale.tables, Target(max_seconds=0.4, max_mb=100)),
        Autogenerate(scale.tables, scale.touched),
        Check(scale.big_tables, Target(max_seconds=3), alembic_runs=scale.big_alembic_runs),
        SqliteUpgrade(scale.revisions),
        MariadbUpgrade(scale.revisions),
        MariadbCurrent(scale.revisions),
        MariadbCheck(scale.mariadb_tables),
        MariadbAutogenerate(scale.mariadb_tables, scale.touched),
        ImportAlembic(scale.imported),
        VerifyData(None),  # the crewai example
        VerifyData(scale.verified),
        VerifyData(scale.verified, "postgresql"),
        FleetUpgrade(scale.tenants),
        FleetUpgrade(scale.tenants, at_head=True, target=Target(max_seconds=2)),
    ]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and 1 run; writes no RESULTS.md")
    parser.add_argument("--runs", type=int, help="runs per tool and workload (default 5, quick 1)")
    parser.add_argument("--only", metavar="TEXT", help="only the workloads whose name has TEXT; writes no RESULTS.md")
    parser.add_argument("--retort", type=Path, default=tools.BUILT_RETORT, help="the binary (default: %(default)s)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.runs is not None and args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    scale = QUICK if args.quick else FULL
    runs = args.runs or scale.runs
    chosen = [w for w in workloads(scale) if not args.only or args.only in w.name]
    if os.getloadavg()[0] > 0.5:
        log(f"warning: load average {os.getloadavg()[0]:.2f}: something else is running, the figures will be noisy")
    fresh_dir(WORK)
    try:
        db.drop_all_bench_databases(mariadb=any(getattr(w, "mariadb_databases", ()) for w in chosen))
        ctx = Context(tools.prepare(WORK, args.retort), WORK, runs)
        start = report.Start.now(ctx.tools.retort)
    except db.SetupError as e:
        log(f"cannot start: {e}")
        return 1
    rows = [run_workload(w, ctx) for w in chosen]
    print(report.table(rows, runs), end="")
    if not args.quick and not args.only:
        report.write_results(RESULTS, rows, runs, shlex.join(["python3", *sys.argv]), start)
        log(f"wrote {RESULTS}")
    failed = [row.workload for row in rows if row.failed]
    if failed:
        log(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
