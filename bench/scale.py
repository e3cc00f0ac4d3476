"""Do pages cost the same as the data grows? Each page's time with the demo's data at ×1,
×10 and ×100 (bench/data.py), side by side in one run (#21: aim ≤ 1.5× from ×1 to ×100).

    .venv/bin/python bench/scale.py [--scales 1 10 100] [--requests 15] [--reuse]

Each scale gets its own PostgreSQL database (`commons_fund_scale_<N>`, kept afterwards for
`EXPLAIN`; `--reuse` measures those already built). Pages are requested in-process through
Django's test client as a logged-in member (dominique@demo.test, treasurer of the pool's
host) with the production settings and no cache at all (`dummycache`, page cache off), so
that what is timed is the work a page does on a miss, not a cache hit; the figure is the
median of `--requests` after two warm-up requests; the scales are measured in turns
(`--windows`, A B C A B C) and each page keeps its fastest window. A page whose query
count changes with the data is flagged too.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench import data  # noqa: E402

AIM = 1.5
MEMBER = "dominique@demo.test"
HOST = "normandie-libre"
POOL = "/fr/pools/fonds-commun-normand"
PAGES = [
    ("home page", "/fr/"),
    ("commons page", "/fr/communs/bouquet-normand/"),
    ("commons list", "/fr/communs/"),
    ("pool list", "/fr/pools/"),
    ("pool page", f"{POOL}/"),
    ("round page, nominating", f"{POOL}/rounds/4/"),
    ("round page, voting", f"{POOL}/rounds/3/"),
    ("results page", f"{POOL}/rounds/1/"),
    ("my space", "/fr/my/"),
    ("my pledges", "/fr/my/pledges/"),
    ("books page", f"/fr/organisations/{HOST}/books/"),
    ("API pools", "/api/v1/pools/"),
    ("API projects", "/api/v1/projects/"),
    ("API rounds", "/api/v1/rounds/"),
    ("API results", "/api/v1/rounds/{round_id}/results/"),
]


def _settings(database: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commons_fund.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-scale-0123456789-abcdefghij-KLMNOPQRST-uvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_URL": "http://testserver",
        "DATABASE_URL": data.database_url(database),
        "CACHE_URL": "dummycache://",
        "PAGE_CACHE_SECONDS": "0",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "consolemail://",
        "API_ANON_RATE": "100000000/hour",
        "API_USER_RATE": "100000000/hour",
    }


def measure(requests: int) -> dict:
    """In the child process: each page's median time (ms), status and query count."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commons_fund.members.models import User
    from pledges.models import Round

    client = Client()
    client.force_login(User.objects.get(email=MEMBER))
    round_id = Round.objects.get(pool__slug="fonds-commun-normand", number=1).pk
    figures = {}
    for name, path in PAGES:
        path = path.format(round_id=round_id)
        for _ in range(2):
            response = client.get(path)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        figures[name] = {
            "ms": statistics.median(times),
            "status": response.status_code,
            "queries": len(queries),
            "slowest": [f"{float(q['time']) * 1000:.1f} ms {q['sql'][:300]}" for q in slowest],
        }
    return figures


def _measure_in(database: str, requests: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", "--requests", str(requests)],
        cwd=ROOT,
        env=_settings(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"measuring {database} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--windows", type=int, default=2, help="turns over the scales")
    parser.add_argument("--reuse", action="store_true", help="measure databases already built")
    parser.add_argument("--slowest", action="store_true", help="print each page's slowest SQL")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.requests)))
        return 0

    print(f"load average {os.getloadavg()[0]:.1f}")
    subprocess.run(  # production settings serve static files by their hashed names
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_settings("postgres"),
        check=True,
    )
    for scale in args.scales:
        database = f"commons_fund_scale_{scale}"
        if not (args.reuse and data.exists(database)):
            started = time.monotonic()
            added = data.build(database, scale)
            print(
                f"×{scale}: built in {time.monotonic() - started:.0f} s "
                f"(+{added['commons']} commons, +{added['members']} members, "
                f"+{added['pledges']} pledges, +{added['ballots']} ballots, "
                f"+{added['entries']} entries)",
                flush=True,
            )
    # The scales in turns, window by window (×1 ×10 ×100 ×1 …), each page keeping its
    # fastest window: a swing of the machine's load then touches every scale alike.
    results: dict[int, dict] = {}
    for _ in range(args.windows):
        for scale in args.scales:
            measured = _measure_in(f"commons_fund_scale_{scale}", args.requests)
            for name, figure in measured.items():
                kept = results.setdefault(scale, {}).get(name)
                if kept is None or figure["ms"] < kept["ms"]:
                    results[scale][name] = figure
    first, last = args.scales[0], args.scales[-1]
    header = "".join(f"{'×' + str(scale) + ' ms':>10}" for scale in args.scales)
    print(f"\n{'page':<24}{header}{'queries':>14}  growth ×{first} → ×{last} (aim ≤ {AIM}×)")
    missed = 0
    for name, _ in PAGES:
        row = [results[scale][name] for scale in args.scales]
        growth = row[-1]["ms"] / row[0]["ms"]
        queries = [figure["queries"] for figure in row]
        statuses = {figure["status"] for figure in row}
        verdict = "met" if growth <= AIM else "NOT met"
        notes = []
        if len(set(queries)) > 1:
            notes.append("queries grow")
        if statuses != {200}:
            notes.append(f"status {sorted(statuses)}")
            verdict = "NOT met"
        missed += verdict != "met"
        times = "".join(f"{figure['ms']:>10.1f}" for figure in row)
        counts = "/".join(str(count) for count in queries)
        print(
            f"{name:<24}{times}{counts:>14}  {growth:4.1f}× aim ≤ {AIM}×: {verdict}"
            + (f" ({', '.join(notes)})" if notes else "")
        )
    if args.slowest:
        for name, _ in PAGES:
            print(f"\n{name}, slowest queries at ×{last}:")
            print("\n".join(f"  {line}" for line in results[last][name]["slowest"]))
    print(f"\nload average {os.getloadavg()[0]:.1f}; {missed} of {len(PAGES)} pages above the aim")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
