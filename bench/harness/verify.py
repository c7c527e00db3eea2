"""The checks after each run, so that no figure comes from a run that did the wrong thing."""

import re
from pathlib import Path
from typing import Callable

from . import databases as db
from .core import Verify
from .measure import Completed


def exit_zero(_: Completed) -> str | None:
    """Nothing more to check than the exit code (the runner checks that for every run)."""
    return None


def output_mentions(*needles: str) -> Verify:
    def verify(done: Completed) -> str | None:
        missing = [n for n in needles if n not in done.stdout]
        return f"output lacks {missing}:\n{done.stdout[-2000:]}" if missing else None

    return verify


def state(
    count_tables: Callable[[], int], versions: Callable[[], list[str]], tables: int, at: list[str]
) -> Verify:
    """This many tables, and the version table holding exactly the revisions `at`."""

    def verify(_: Completed) -> str | None:
        found, found_at = count_tables(), versions()
        if (found, found_at) != (tables, at):
            return f"expected {tables} tables at {at}, found {found} tables at {found_at}"
        return None

    return verify


def pg_state(name: str, version_table: str | None, tables: int, at: list[str]) -> Verify:
    """`state` of a PostgreSQL database; without a version table (the floor) only the tables count."""
    versions = (lambda: db.versions(name, version_table)) if version_table else (lambda: at)
    return state(lambda: db.count_tables(name), versions, tables, at)


def mariadb_state(name: str, version_table: str | None, tables: int, at: list[str]) -> Verify:
    """`state` of a MariaDB database; without a version table (the floor) only the tables count."""
    versions = (lambda: db.mariadb_versions(name, version_table)) if version_table else (lambda: at)
    return state(lambda: db.mariadb_count_tables(name), versions, tables, at)


def sqlite_state(path: Path, version_table: str | None, tables: int, at: list[str]) -> Verify:
    versions = (lambda: db.sqlite_versions(path, version_table)) if version_table else (lambda: at)
    return state(lambda: db.sqlite_count_tables(path), versions, tables, at)


def pattern_count(pattern: str, expected: int, what: str) -> Verify:
    """The output matches `pattern` (a multi-line regex) exactly `expected` times."""

    def verify(done: Completed) -> str | None:
        found = len(re.findall(pattern, done.stdout, re.MULTILINE))
        return None if found == expected else f"the output has {found} {what}, expected {expected}"

    return verify


def new_file_naming(directory: Path, pattern: str, names: list[str]) -> Verify:
    """The run wrote one new file in `directory`, whose matches of `pattern` are exactly `names`."""
    before = set(directory.iterdir())

    def verify(_: Completed) -> str | None:
        new = [p for p in directory.iterdir() if p not in before and p.is_file()]
        if len(new) != 1:
            return f"expected one new file in {directory}, found {[p.name for p in new]}"
        found = sorted(set(re.findall(pattern, new[0].read_text())))
        if found != names:
            missing, extra = sorted(set(names) - set(found)), sorted(set(found) - set(names))
            return f"{new[0]}: {len(found)} of the {len(names)} changes; missing {missing}, unexpected {extra}"
        return None

    return verify
