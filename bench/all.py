"""Run every benchmark (`make bench`), then print one summary table: for each, how long it
took, whether it finished, and its lines that state an aim or a verdict.

    .venv/bin/python bench/all.py [--quick]

`--quick` passes smaller sizes so the whole run takes a few minutes.
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = {
    "ledger": (["bench/ledger.py"], ["bench/ledger.py", "--seconds", "5"]),
    "voting": (["bench/voting.py"], ["bench/voting.py"]),
    "rounds": (["bench/rounds.py"], ["bench/rounds.py", "--voters", "20000", "--pledges", "500"]),
    "http": (["bench/http.py"], ["bench/http.py", "--seconds", "3"]),
}
KEY_LINE = re.compile(r"aim|ratio|verdict|below|per second|req/s", re.IGNORECASE)
TABLE_HEADER = re.compile(r"\bp50 ms\b")  # a table's column names are not a figure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    summary = []
    for name, (full, quick) in BENCHES.items():
        print(f"\n===== {name} =====", flush=True)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, *(quick if args.quick else full)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        print(done.stdout, end="")
        if done.returncode:
            print(done.stderr[-2000:], end="")
        keys = [
            line.strip()
            for line in done.stdout.splitlines()
            if KEY_LINE.search(line) and not TABLE_HEADER.search(line)
        ]
        summary.append((name, time.monotonic() - started, done.returncode, keys))
    print("\n===== summary =====")
    print(f"{'bench':<8}{'seconds':>9}{'exit':>6}  figures against their aim")
    for name, seconds, code, keys in summary:
        print(f"{name:<8}{seconds:>9.0f}{code:>6}  {keys[0] if keys else '—'}")
        for key in keys[1:]:
            print(f"{'':<25}{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
