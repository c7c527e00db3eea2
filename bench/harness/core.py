"""What a workload is made of: retort's target, the contenders (one per tool) and the context."""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from .measure import Completed
from .tools import Tools

# Looks at a run that exited 0; returns what is wrong with its result, or None.
Verify = Callable[[Completed], str | None]


@dataclass(frozen=True)
class Target:
    """What retort must do: stay under a time, within a ratio of the floor, under a peak memory."""

    max_seconds: float | None = None
    max_floor_ratio: float | None = None
    max_mb: float | None = None

    def describe(self) -> str:
        parts = []
        if self.max_seconds is not None:
            ms = self.max_seconds * 1000
            parts.append(f"< {ms:g} ms" if ms < 1000 else f"< {self.max_seconds:g} s")
        if self.max_floor_ratio is not None:
            parts.append(f"<= {self.max_floor_ratio:g}x floor")
        if self.max_mb is not None:
            parts.append(f"< {self.max_mb:g} MB")
        return ", ".join(parts)

    def met(self, seconds: float, peak_mb: float, floor_seconds: float | None) -> bool:
        within_floor = self.max_floor_ratio is None or (
            floor_seconds is not None and seconds <= self.max_floor_ratio * floor_seconds
        )
        return (
            within_floor
            and (self.max_seconds is None or seconds < self.max_seconds)
            and (self.max_mb is None or peak_mb < self.max_mb)
        )


@dataclass
class Contender:
    """One tool's part in a workload: the command, the untimed reset before each run, the check after."""

    role: str  # "retort", "alembic" or "floor"
    argv: list[str]
    verify: Verify
    reset: Callable[[], None] = lambda: None
    stdin: Path | None = None
    runs: int | None = None  # fewer runs than the others (a slow tool on a big workload)


@dataclass(frozen=True)
class Context:
    tools: Tools
    work: Path  # generated projects go in subfolders of it
    runs: int


class Workload(Protocol):
    name: str
    target: Target
    floor: str | None  # the plain client's name, None when the workload has no floor
    databases: list[str]  # PostgreSQL databases, dropped once it is measured
    # A MariaDB workload also has `mariadb_databases`, dropped likewise (see runner.run_workload).

    def contenders(self, ctx: Context) -> list[Contender]:
        """Prepares the databases and projects (untimed) and says what each tool runs."""
        ...
