"""The PostgreSQL and MariaDB servers and SQLite files the workloads run against, and the untimed
queries that reset and verify them. Everything here goes through the `psql`, `mariadb` (with
`mariadb-dump` to copy a database) and `sqlite3` clients."""

import shutil
import subprocess
from pathlib import Path

HOST = "127.0.0.1"
PORT = 5432
USER = "postgres"
MARIADB_PORT = 3306
MARIADB_USER = "root"  # without a password
# The dump client: MariaDB's name for it, or the older one where only that is installed.
MARIADB_DUMP = "mariadb-dump" if shutil.which("mariadb-dump") or not shutil.which("mysqldump") else "mysqldump"
PREFIX = "retort_bench_"
# The bookkeeping tables of both tools; never counted as the workload's tables.
BOOKKEEPING_TABLES = ("retort_version", "retort_history", "alembic_version")


class SetupError(Exception):
    """Preparing or verifying a workload went wrong: its figures would mean nothing."""


def url(db: str) -> str:
    """The URL retort takes."""
    return f"postgres://{USER}@{HOST}:{PORT}/{db}"


def sqlalchemy_url(db: str) -> str:
    return f"postgresql+psycopg2://{USER}@{HOST}:{PORT}/{db}"


def client_args(db: str) -> list[str]:
    """Connection arguments for psql and pg_dump."""
    return ["-h", HOST, "-p", str(PORT), "-U", USER, "-d", db]


def psql(sql: str, db: str = "postgres") -> str:
    """Runs SQL and returns the unaligned, tuples-only output."""
    argv = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", *client_args(db), "-c", sql]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"psql failed on {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def drop(db: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def recreate(db: str) -> None:
    drop(db)
    psql(f'CREATE DATABASE "{db}"')


def copy(source: str, name: str) -> None:
    """Replaces database `name` with a copy of `source`."""
    drop(name)
    psql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def drop_all_bench_databases(mariadb: bool = True) -> None:
    """Drops what an interrupted earlier run left behind, on PostgreSQL and (unless told not to:
    no MariaDB workload is chosen) on MariaDB."""
    names = psql(f"SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'")
    for name in names.split():
        drop(name)
    if mariadb:
        for name in mariadb_sql(f"SHOW DATABASES LIKE '{PREFIX}%'").split():
            mariadb_drop(name)


def server_version() -> str:
    return psql("SHOW server_version")


def count_tables(db: str) -> int:
    """The tables in schema public, without either tool's bookkeeping tables."""
    names = ", ".join(f"'{t}'" for t in BOOKKEEPING_TABLES)
    return int(
        psql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            f" AND tablename NOT IN ({names})",
            db,
        )
    )


def versions(db: str, table: str) -> list[str]:
    """The revisions a version table holds; none when the table does not exist."""
    if psql(f"SELECT to_regclass('public.{table}') IS NULL", db) == "t":
        return []
    return psql(f"SELECT version_num FROM {table} ORDER BY 1", db).split()


def sqlite(path: Path, sql: str) -> str:
    done = subprocess.run(["sqlite3", "-bail", str(path), sql], capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"sqlite3 {path} failed on {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def sqlite_count_tables(path: Path) -> int:
    names = ", ".join(f"'{t}'" for t in BOOKKEEPING_TABLES)
    return int(
        sqlite(
            path,
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            f" AND name NOT LIKE 'sqlite_%' AND name NOT IN ({names})",
        )
    )


def sqlite_versions(path: Path, table: str) -> list[str]:
    if not sqlite(path, f"SELECT name FROM sqlite_master WHERE name = '{table}'"):
        return []
    return sqlite(path, f"SELECT version_num FROM {table} ORDER BY 1").split()


def remove_sqlite(path: Path) -> None:
    """Deletes a SQLite database with its journal and retort's lock file."""
    for suffix in ("", "-journal", "-wal", "-shm", ".retort-lock"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


# --- MariaDB ---------------------------------------------------------------------------------


def mariadb_url(db: str) -> str:
    """The URL retort takes."""
    return f"mysql://{MARIADB_USER}@{HOST}:{MARIADB_PORT}/{db}"


def mariadb_sqlalchemy_url(db: str) -> str:
    return f"mysql+pymysql://{MARIADB_USER}@{HOST}:{MARIADB_PORT}/{db}"


def mariadb_client_args() -> list[str]:
    """Connection arguments for the `mariadb` client (TCP, as retort and pymysql connect)."""
    return ["--protocol=TCP", "-h", HOST, "-P", str(MARIADB_PORT), "-u", MARIADB_USER]


def mariadb_sql(sql: str, db: str | None = None) -> str:
    """Runs SQL through the `mariadb` client; the tab-separated rows, without column names."""
    argv = ["mariadb", *mariadb_client_args(), "-N", "-B", "-e", sql, *([db] if db else [])]
    try:
        done = subprocess.run(argv, capture_output=True, text=True)
    except FileNotFoundError:
        raise SetupError("the `mariadb` client is not installed (apt-get install mariadb-client)") from None
    if done.returncode != 0:
        raise SetupError(f"mariadb failed on {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def mariadb_drop(db: str) -> None:
    mariadb_sql(f"DROP DATABASE IF EXISTS `{db}`")


def mariadb_recreate(db: str) -> None:
    mariadb_drop(db)
    mariadb_sql(f"CREATE DATABASE `{db}`")


def mariadb_copy(source: str, name: str) -> None:
    """Replaces database `name` with a copy of the tables of `source` (their definitions, not their
    rows), without either tool's bookkeeping tables: MariaDB has no CREATE DATABASE ... TEMPLATE."""
    mariadb_recreate(name)
    ignored = [f"--ignore-table={source}.{t}" for t in BOOKKEEPING_TABLES]
    dump = [MARIADB_DUMP, *mariadb_client_args(), "--no-data", *ignored, source]
    dumped = subprocess.run(dump, capture_output=True)
    if dumped.returncode != 0:
        raise SetupError(f"`{' '.join(dump)}` failed: {dumped.stderr.decode(errors='replace').strip()}")
    load = ["mariadb", *mariadb_client_args(), name]
    loaded = subprocess.run(load, input=dumped.stdout, capture_output=True)
    if loaded.returncode != 0:
        raise SetupError(f"`{' '.join(load)}` failed: {loaded.stderr.decode(errors='replace').strip()}")


def mariadb_server_version() -> str:
    return mariadb_sql("SELECT VERSION()")


def mariadb_count_tables(db: str) -> int:
    """The base tables of database `db`, without either tool's bookkeeping tables."""
    names = ", ".join(f"'{t}'" for t in BOOKKEEPING_TABLES)
    return int(
        mariadb_sql(
            "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
            f" AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT IN ({names})",
            db,
        )
    )


def mariadb_versions(db: str, table: str) -> list[str]:
    """The revisions a version table holds; none when the table does not exist."""
    exists = mariadb_sql(
        f"SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'",
        db,
    )
    if exists == "0":
        return []
    return mariadb_sql(f"SELECT version_num FROM `{table}` ORDER BY 1", db).split()
