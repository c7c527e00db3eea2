"""Running one child process and taking its wall time and peak memory.

Both figures are taken by the small launcher `spawn` (spawn.c, compiled into the work directory):
it forks the command, waits for it with wait4 and reports that one process's wall time and
ru_maxrss. The figure is the command's own (with any processes it waited for itself), never an
accumulation over the harness's other children, and not inflated by the Python harness's own
memory, which every direct child of Python would inherit as its starting peak (see spawn.c).
"""

import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).with_name("spawn.c")


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Completed:
    """One finished child: its exit code, its output and what it cost."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    sample: Sample

    def describe(self, lines: int = 20) -> str:
        """The command, its exit code and the last lines of its output, for an error message."""
        tail = (self.stdout + self.stderr).strip().splitlines()[-lines:]
        return f"`{' '.join(self.argv)}` exited {self.returncode}:\n" + "\n".join(tail)


@dataclass(frozen=True)
class Launcher:
    binary: Path

    @staticmethod
    def build(directory: Path) -> "Launcher":
        binary = directory / "spawn"
        subprocess.run(["cc", "-O2", "-o", str(binary), str(SOURCE)], check=True)
        return Launcher(binary)

    def run(self, argv: list[str], stdin: Path | None = None) -> Completed:
        """Runs argv to completion, its output in temporary files (a pipe could fill up and stall it)."""
        with (
            tempfile.NamedTemporaryFile("r") as report,
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            open(stdin or "/dev/null", "rb") as inp,
        ):
            done = subprocess.run([str(self.binary), report.name, *argv], stdin=inp, stdout=out, stderr=err)
            seconds, kib = report.read().split()
            out.seek(0)
            err.seek(0)
            return Completed(
                argv=[str(a) for a in argv],
                returncode=done.returncode,
                stdout=out.read().decode(errors="replace"),
                stderr=err.read().decode(errors="replace"),
                sample=Sample(float(seconds), int(kib) / 1024),
            )


def median(samples: list[Sample]) -> Sample:
    """The median time and the median peak memory, each taken on its own."""
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.peak_mb for s in samples),
    )
