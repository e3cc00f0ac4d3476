"""The SQLite test database starts as a copy of a migrated template.

Running every migration (Wagtail's take most of it) cost 20-45 s per test run and per xdist
worker. The template is migrated once, by `manage.py migrate` in a subprocess, and kept in
var/ under a name derived from everything that shapes it (the project's migrations, the
settings, the locked versions of the libraries); a change to any of them makes a new one.
Each run copies it afresh, so no test sees another run's rows (unlike --reuse-db).
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHAPERS = ["requirements-dev.lock", "commons_fund/settings.py"]


def _migrations() -> list[Path]:
    """The project's migration files, without walking virtualenvs, var/ or .git (a glob of
    `**/migrations` over .venv took 5 s per test worker)."""
    found = []
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if not _outside(name)]
        if Path(directory).name == "migrations":
            found += [Path(directory, name) for name in files if name.endswith(".py")]
    return sorted(found)


def _outside(name: str) -> bool:
    return name.startswith(".") or name in {"var", "node_modules", "__pycache__"}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [*(ROOT / name for name in SHAPERS), *_migrations()]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_template(var_dir: Path, *, rebuild: bool = False) -> Path:
    """The migrated template for the current code, made once (other workers wait for it)."""
    template = var_dir / f"test-template-{_fingerprint()}.sqlite3"
    with open(var_dir / "test-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if rebuild:
            template.unlink(missing_ok=True)
        if not template.exists():
            for old in var_dir.glob("test-template-*.sqlite3*"):
                old.unlink()
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                check=True,
                env={**os.environ, "DATABASE_URL": f"sqlite:///{building}"},
            )
            building.rename(template)
    return template


def copy_template(template: Path, target: Path) -> None:
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, target)
