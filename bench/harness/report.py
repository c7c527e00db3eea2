"""The results table, and the machine it was measured on."""

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import databases as db
from .runner import Row, ToolResult
from .tools import REPO, package_versions

HEADER = ("workload", "retort", "Alembic", "floor", "retort/floor", "Alembic/retort", "retort target", "met")


def table(rows: list[Row], runs: int) -> str:
    """A Markdown table: time and peak memory of each tool, the ratios, the target."""
    lines = [_line(HEADER), _line(["---"] * len(HEADER))]
    lines += [_line(_cells(row, runs)) for row in rows]
    return "\n".join(lines) + "\n"


def _cells(row: Row, runs: int) -> list[str]:
    if row.error is not None:
        return [row.workload, "setup failed", "", "", "", "", row.target.describe(), "-"]
    retort, alembic, floor = (row.results.get(r) for r in ("retort", "alembic", "floor"))
    seconds = {role: r.median.seconds for role, r in row.results.items() if r.median}
    met = "-"
    if retort and retort.median:
        met_target = row.target.met(retort.median.seconds, retort.median.peak_mb, seconds.get("floor"))
        met = "yes" if met_target else "**no**"
    floor_cell = f"{row.floor} {_figure(floor, runs)}" if floor else "-"
    return [
        row.workload,
        _figure(retort, runs),
        _figure(alembic, runs),
        floor_cell,
        _ratio(seconds.get("retort"), seconds.get("floor")),
        _ratio(seconds.get("alembic"), seconds.get("retort")),
        row.target.describe(),
        met,
    ]


def _figure(result: ToolResult | None, runs: int) -> str:
    if result is None:
        return "-"
    if result.median is None:
        return "FAILED"
    text = f"{_duration(result.median.seconds)}, {result.median.peak_mb:.0f} MB"
    return text if result.runs == runs else f"{text} ({result.runs} runs)"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return f"{numerator / denominator:.2f}x" if numerator and denominator else "-"


def _line(cells) -> str:
    return "| " + " | ".join(cells) + " |"


@dataclass(frozen=True)
class Start:
    """What is read when the run starts, as the retort binary is copied: the repository moves on
    while a full run takes its minutes."""

    date: datetime
    retort_commit: str
    retort_built: datetime
    load: str

    @staticmethod
    def now(retort: Path) -> "Start":
        built = datetime.fromtimestamp(retort.stat().st_mtime, timezone.utc)
        return Start(datetime.now(timezone.utc), _retort_commit(), built, _load())


def machine(start: Start) -> list[str]:
    """What the figures depend on, one Markdown list item each."""
    sqlite_version = _first_line(["sqlite3", "--version"]).split()[0]
    return [
        f"date: {start.date:%Y-%m-%d %H:%M} UTC",
        f"machine: {os.cpu_count()} cores (nproc), {_memory_gib():.0f} GiB RAM, {_cpu_model()}, "
        + platform.platform(),
        f"load average (1, 5, 15 min): {start.load} at the start, {_load()} at the end",
        f"PostgreSQL {db.server_version()} at {db.HOST}:{db.PORT}; "
        + f"MariaDB {db.mariadb_server_version()} at {db.HOST}:{db.MARIADB_PORT}; SQLite {sqlite_version}",
        f"retort commit {start.retort_commit}, binary built {start.retort_built:%Y-%m-%d %H:%M} UTC; "
        + package_versions(),
    ]


def write_results(path: Path, rows: list[Row], runs: int, command: str, start: Start) -> None:
    body = "\n".join(f"- {item}" for item in machine(start))
    path.write_text(
        "# retort benchmark results\n\n"
        "Written by `bench/run.py` (see bench/README.md); each figure is the median of the runs, "
        "time is wall time of one cold process and memory its peak resident set.\n\n"
        f"{body}\n- command: `{command}`\n- runs: {runs} per tool unless a cell says otherwise\n\n"
        f"{table(rows, runs)}"
    )


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _memory_gib() -> float:
    with open("/proc/meminfo") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
    return kib / 1024 / 1024


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as f:
        return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown CPU")


def _retort_commit() -> str:
    git = ["git", "-C", str(REPO)]
    commit = _first_line([*git, "rev-parse", "--short=12", "HEAD"])
    dirty = _first_line([*git, "status", "--porcelain", "--untracked-files=no", "--", "crates", "Cargo.lock"])
    return f"{commit} (with uncommitted changes under crates/)" if dirty else commit


def _first_line(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True).stdout.strip()
    return out.splitlines()[0] if out else ""
