"""Run every benchmark (`make bench`), then print one summary table: for each, how long it
took, how it ended (ok, aim missed, failed with its exit code, or stopped at its time limit),
the machine's load average before and after, and its lines that state an aim or a verdict.
A bench that crashed keeps its row, with the last line of its error.

Exits 0 only when every bench finished and met every aim it states; otherwise 1.

    .venv/bin/python bench/all.py [--quick] [--only NAME ...] [--limit SECONDS]

`--quick` passes smaller sizes so the whole run takes a few minutes.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = {
    "ledger": (["bench/ledger.py"], ["bench/ledger.py", "--seconds", "5"]),
    "voting": (["bench/voting.py"], ["bench/voting.py"]),
    "rounds": (["bench/rounds.py"], ["bench/rounds.py", "--voters", "20000", "--pledges", "500"]),
    "http": (["bench/http.py"], ["bench/http.py", "--seconds", "3"]),
    "scale": (["bench/scale.py"], ["bench/scale.py", "--scales", "1", "10", "--requests", "5"]),
    # After "scale", which builds the databases it reads.
    "exports": (["bench/exports.py", "--reuse"], ["bench/exports.py", "--scale", "10", "--reuse"]),
    "memory": (["bench/memory.py"], ["bench/memory.py", "--requests", "40"]),
    "cache hits": (
        ["bench/cache_hits.py"],
        ["bench/cache_hits.py", "--scale", "1", "--operations", "1000"],
    ),
}
KEY_LINE = re.compile(r"aim|ratio|verdict|below|per second|req/s", re.IGNORECASE)
TABLE_HEADER = re.compile(r"\bp50 ms\b")  # a table's column names are not a figure
# How the benches say an aim is missed.
MISSED = re.compile(r"\bNOT met\b|\bBELOW\b|\bOVER\b|\bbelow\b")
LIMIT_SECONDS = 3600


@dataclass
class Outcome:
    name: str
    seconds: float
    code: int | None  # None: stopped at the time limit
    stdout: str
    stderr: str
    load: tuple[float, float]  # 1-minute load average before and after
    keys: list[str] = field(default_factory=list)

    @property
    def missed(self) -> list[str]:
        return [line for line in self.keys if MISSED.search(line)]

    @property
    def status(self) -> str:
        if self.code is None:
            return "TIMED OUT"
        if self.missed and self.code in (0, 1):  # a bench may exit 1 for its missed aims
            return "aim MISSED"
        if self.code:
            return f"FAILED ({self.code})"
        return "ok"

    @property
    def passed(self) -> bool:
        return self.status == "ok"


def _load() -> float:
    return os.getloadavg()[0]


def run(name: str, command: list[str], *, limit: float) -> Outcome:
    """Run one bench to its end (or its time limit), keeping everything it printed."""
    before, started = _load(), time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, *command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=limit,
        )
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as stopped:
        code = None
        stdout = _text(stopped.stdout)
        stderr = _text(stopped.stderr) + f"\nstopped after {limit:.0f} s"
    outcome = Outcome(name, time.monotonic() - started, code, stdout, stderr, (before, _load()))
    outcome.keys = [
        line.strip()
        for line in stdout.splitlines()
        if KEY_LINE.search(line) and not TABLE_HEADER.search(line)
    ]
    return outcome


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


def summary(outcomes: list[Outcome]) -> list[str]:
    """The table printed at the end: one row per bench, whatever became of it."""
    lines = [f"{'bench':<8}{'seconds':>9}  {'status':<12}{'load':>11}  figures against their aim"]
    for outcome in outcomes:
        figures = list(outcome.keys)
        if outcome.status.startswith(("FAILED", "TIMED OUT")):
            last = [line for line in outcome.stderr.strip().splitlines() if line.strip()]
            figures.append(f"error: {last[-1].strip() if last else 'no output'}")
        load = f"{outcome.load[0]:.1f}→{outcome.load[1]:.1f}"
        lines.append(
            f"{outcome.name:<8}{outcome.seconds:>9.0f}  {outcome.status:<12}{load:>11}  "
            f"{figures[0] if figures else '—'}"
        )
        lines += [f"{'':<42}{figure}" for figure in figures[1:]]
    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    lines.append(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} benches ok"
        + (f"; not ok: {', '.join(failed)}" if failed else "")
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), default=None)
    parser.add_argument("--limit", type=float, default=LIMIT_SECONDS, help="seconds per bench")
    args = parser.parse_args()
    outcomes = []
    for name, (full, quick) in BENCHES.items():
        if args.only and name not in args.only:
            continue
        print(f"\n===== {name} =====", flush=True)
        outcome = run(name, quick if args.quick else full, limit=args.limit)
        print(outcome.stdout, end="")
        if outcome.status.startswith(("FAILED", "TIMED OUT")):
            print(outcome.stderr[-2000:], end="")
        outcomes.append(outcome)
    print("\n===== summary =====")
    print("\n".join(summary(outcomes)))
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
