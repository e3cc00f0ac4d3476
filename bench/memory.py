"""Memory of a web worker (#24): the site under gunicorn as deployed (gunicorn.conf.py: the
site loaded once in the master, the workers forked from it), the site with each worker
loading it (gunicorn's default), and a bare Django worker (bench/ceiling_app.py), on the
same machine in the same run.

    .venv/bin/python bench/memory.py [--requests 300]

Each gunicorn runs 2 workers. Once each has answered the pages and API lists of
bench/http.py (as a visitor and as a logged-in member), each worker's memory is read from
/proc/<pid>/smaps_rollup: RSS (what `ps` shows, shared pages counted in full), USS (the
pages only that worker holds: what one more worker costs) and PSS (its share of all). The
aim is that one more site worker costs no more than 2× what a bare Django worker holds in
all (its RSS). It also prints the packages the site loads at start that weigh most, each
measured alone in a fresh interpreter.
"""

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http`: the project's root instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import urllib.request  # noqa: E402

from bench import data  # noqa: E402
from bench.http import (  # noqa: E402
    MEMBER_PAGES,
    PAGES,
    environment,
    free_port,
    member_credentials,
    serve,
)

DATABASE = "commons_fund_scale_1"
AIM = 2.0
# Packages the site imports at start, heaviest first in earlier measurements.
HEAVY = ["stripe", "reportlab.pdfgen.canvas", "schwifty", "pydantic", "num2words", "babel"]
MEASURE_IMPORT = """
import importlib, sys
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
before = rss()
importlib.import_module(sys.argv[1])
print(rss() - before)
"""


def process_memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of a process, in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        fields[name] = int(value.split()[0]) / 1024
    return {
        "rss": fields["Rss"],
        "pss": fields["Pss"],
        "uss": fields["Private_Clean"] + fields["Private_Dirty"],
    }


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _exercise(port: int, paths: list[str], requests: int, cookie: str = "") -> None:
    headers = {"Cookie": cookie} if cookie else {}
    for number in range(requests):
        path = paths[number % len(paths)]
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            response.read()


def measure(
    app: str, env: dict, requests: int, options: tuple[str, ...], cookie: str = ""
) -> list[dict[str, float]]:
    port = free_port()
    server = serve(app, port, env, ROOT, options)
    try:
        if app.startswith("bench."):
            _exercise(port, ["/?bytes=20000"], requests)
        else:
            _exercise(port, [path for _name, path, _aim in PAGES], requests)
            _exercise(port, [path for _name, path, _aim in MEMBER_PAGES], requests, cookie)
        return [process_memory(pid) for pid in worker_pids(server.pid)]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _imports() -> list[tuple[str, float]]:
    weights = []
    for package in HEAVY:
        done = subprocess.run(
            [sys.executable, "-c", MEASURE_IMPORT, package],
            capture_output=True,
            text=True,
            check=True,
        )
        weights.append((package, float(done.stdout.strip())))
    return weights


def _row(name: str, workers: list[dict[str, float]]) -> None:
    for number, worker in enumerate(workers, start=1):
        print(
            f"  {name:<34} worker {number}  RSS {worker['rss']:6.1f}  "
            f"USS {worker['uss']:6.1f}  PSS {worker['pss']:6.1f} MiB"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per worker and kind")
    args = parser.parse_args()
    if not data.exists(DATABASE):
        data.build(DATABASE, 1)
    env = environment(DATABASE)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    cookie = member_credentials(env)[0]["Cookie"]
    print(f"load average {os.getloadavg()[0]:.1f}; {sys.executable}")
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "plain.conf.py"
        plain.write_text("")  # gunicorn's defaults: each worker loads the site
        results = {
            "bare Django": measure(
                "bench.ceiling_app:application", env, args.requests, ("-c", str(plain))
            ),
            "site, each worker loading it": measure(
                "commons_fund.wsgi:application", env, args.requests, ("-c", str(plain)), cookie
            ),
            "site, gunicorn.conf.py (preloaded)": measure(
                "commons_fund.wsgi:application", env, args.requests, (), cookie
            ),
        }
    print("Memory of each gunicorn worker after serving the pages:")
    for name, workers in results.items():
        _row(name, workers)
    bare = max(worker["rss"] for worker in results["bare Django"])
    one_more = max(worker["uss"] for worker in results["site, gunicorn.conf.py (preloaded)"])
    before = max(worker["uss"] for worker in results["site, each worker loading it"])
    met = one_more <= AIM * bare
    print(
        f"One more site worker costs {one_more:.1f} MiB (USS; {before:.1f} when each worker "
        f"loads the site) against {bare:.1f} MiB for a whole bare Django worker: "
        f"{one_more / bare:.1f}× (aim ≤ {AIM:.0f}×: {'met' if met else 'NOT met'})"
    )
    print("Heaviest packages loaded at start (each alone, in a fresh interpreter):")
    for package, weight in _imports():
        print(f"  {package:<26} {weight:5.1f} MiB")
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
