"""Running a workload: its setup, then every tool in turn, run after run, each run verified."""

import sys
from dataclasses import dataclass, field

from . import databases as db
from .measure import Launcher, Sample, median
from .core import Context, Contender, Target, Workload


@dataclass(frozen=True)
class ToolResult:
    """A tool's median over its runs, or why it has none."""

    median: Sample | None
    runs: int
    error: str | None = None


@dataclass(frozen=True)
class Row:
    workload: str
    target: Target
    floor: str | None
    results: dict[str, ToolResult] = field(default_factory=dict)
    error: str | None = None  # the setup failed: no tool was measured

    @property
    def failed(self) -> bool:
        return self.error is not None or any(r.error for r in self.results.values())


def run_workload(workload: Workload, ctx: Context) -> Row:
    """Prepares the workload, measures every contender and drops the workload's databases."""
    log(f"== {workload.name}: preparing")
    try:
        contenders = workload.contenders(ctx)
        results = measure(workload.name, contenders, ctx.runs, ctx.tools.launcher)
    except db.SetupError as e:
        log(f"!! {workload.name}: setup failed: {e}")
        return Row(workload.name, workload.target, workload.floor, error=str(e))
    finally:
        for name in workload.databases:
            db.drop(name)
        for name in getattr(workload, "mariadb_databases", ()):
            db.mariadb_drop(name)
    return Row(workload.name, workload.target, workload.floor, results)


def measure(name: str, contenders: list[Contender], runs: int, launcher: Launcher) -> dict[str, ToolResult]:
    """Interleaves the tools run by run, so a drift of the machine weighs on all of them alike.
    A tool's first failed or wrong run ends its measurements."""
    samples: dict[str, list[Sample]] = {c.role: [] for c in contenders}
    errors: dict[str, str] = {}
    for i in range(runs):
        for c in contenders:
            if c.role in errors or i >= (c.runs or runs):
                continue
            c.reset()
            done = launcher.run(c.argv, c.stdin)
            problem = done.describe() if done.returncode != 0 else c.verify(done)
            if problem:
                errors[c.role] = problem
                log(f"!! {name}: {c.role} run {i + 1} failed: {problem}")
            else:
                samples[c.role].append(done.sample)
                log(f"   {name}: {c.role} run {i + 1}: {done.sample.seconds:.3f} s, {done.sample.peak_mb:.0f} MB")
    return {
        role: ToolResult(median(got) if got and role not in errors else None, len(got), errors.get(role))
        for role, got in samples.items()
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
