"""The tools under test: the retort binary and Alembic in its virtualenv, and untimed runs of either."""

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .databases import SetupError
from .measure import Launcher

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
VENV = BENCH / ".venv"
REQUIREMENTS = BENCH / "requirements.txt"
BUILT_RETORT = REPO / "target" / "release" / "retort"


@dataclass(frozen=True)
class Tools:
    retort: Path
    alembic: Path
    launcher: Launcher

    def retort_cmd(self, config: Path, *args: str) -> list[str]:
        return [str(self.retort), "-c", str(config), *args]

    def alembic_cmd(self, ini: Path, *args: str) -> list[str]:
        return [str(self.alembic), "-c", str(ini), *args]


def prepare(work: Path, retort: Path) -> Tools:
    """Installs Alembic if needed, builds the launcher and copies the retort binary into the work
    directory, so a rebuild during the run cannot swap binaries between measurements."""
    (work / "bin").mkdir(parents=True, exist_ok=True)
    return Tools(_copy_retort(work, retort), _ensure_alembic(), Launcher.build(work / "bin"))


def _copy_retort(work: Path, retort: Path, attempts: int = 20) -> Path:
    for _ in range(attempts):
        if retort.is_file():
            copy = work / "bin" / "retort"
            shutil.copy2(retort, copy)
            return copy
        print(f"{retort} is missing (being rebuilt?); retrying in 30 s", file=sys.stderr)
        time.sleep(30)
    raise SetupError(f"{retort} not found; build it with `cargo build --release`")


def _ensure_alembic() -> Path:
    """Installs requirements.txt into the virtualenv unless it was installed from the same file."""
    installed = VENV / "requirements.txt"  # the copy installed last
    wanted = REQUIREMENTS.read_text()
    if not installed.exists() or installed.read_text() != wanted:
        print(f"installing {' '.join(wanted.split())} into {VENV} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        installed.write_text(wanted)
    return VENV / "bin" / "alembic"


def package_versions() -> str:
    """Alembic's, SQLAlchemy's, psycopg2's and PyMySQL's versions as installed in the virtualenv."""
    code = (
        "import alembic, sqlalchemy, psycopg2, pymysql;"
        "print(alembic.__version__, sqlalchemy.__version__, psycopg2.__version__.split()[0], pymysql.VERSION_STRING)"
    )
    out = subprocess.run([str(VENV / "bin" / "python"), "-c", code], capture_output=True, text=True)
    alembic, sqlalchemy, psycopg2, pymysql = out.stdout.split()
    return f"Alembic {alembic}, SQLAlchemy {sqlalchemy}, psycopg2 {psycopg2}, PyMySQL {pymysql}"


def run_checked(argv: list[str]) -> str:
    """Runs an untimed setup step; its output on success, a SetupError naming it otherwise."""
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise SetupError(f"`{' '.join(map(str, argv))}` exited {done.returncode}:\n{output}")
    return done.stdout
