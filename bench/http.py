"""Requests per second and latency of the site under gunicorn, against the framework's
ceiling on the same machine.

Run by hand (not in CI), with the local PostgreSQL and Redis:

    .venv/bin/python bench/http.py [--seconds 8] [--windows 4] [--concurrency 1 20]

It builds a scratch database (commons_fund_bench_http) on BENCH_PG with the demo data,
serves the site with gunicorn (2 workers, production settings, Redis cache) and, in the same
run, a bare Django view returning as many bytes as each page (bench/ceiling_app.py, same
gunicorn). The site and its ceiling are measured in turns, window by window (A B A B …), and
the ratio is the median of the windows' ratios: a swing of the machine's load then touches
both alike (measured one after the other, API lists read 0.42 in one run and 0.59 in the
next). For each page and API list it prints requests/s, p50 and p99 at each concurrency
and the ratio to the ceiling (aim: 0.3 for pages, 0.5 for API lists), as an anonymous
visitor gets it (from the page cache), then as a logged-in member does (dominique@demo.test,
a session cookie with two factors on for pages — the pages above and her own: my space, my
pledges, my payments, her association's treasury —, her API token for the API lists; aims
of issue #21: 0.15 for pages, 0.25 for API lists). The load comes from one process per
client, each with a keep-alive connection; it writes nothing in the repo.
"""

import sys
from pathlib import Path

# This file is named like the standard library's `http`: keep its folder off the path so
# that `import http.client` finds the real one.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import http.client  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project (not bench/): for `bench.data`

from bench.data import database_url, recreate  # noqa: E402

BENCH_REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
DATABASE = "commons_fund_bench_http"
PAGES = [
    ("home page", "/fr/", 0.3),
    ("commons page", "/fr/communs/bouquet-normand/", 0.3),
    ("pool page", "/fr/pools/fonds-commun-normand/", 0.3),
    ("results page", "/fr/pools/fonds-commun-normand/rounds/1/", 0.3),
    ("API projects", "/api/v1/projects/", 0.5),
    ("API pools", "/api/v1/pools/", 0.5),
    ("API rounds", "/api/v1/rounds/", 0.5),
    ("API organisations", "/api/v1/organisations/", 0.5),
]
MEMBER_PAGES = [
    ("my space", "/fr/my/", 0.15),
    ("my pledges", "/fr/my/pledges/", 0.15),
    ("my payments", "/fr/my/payments/", 0.15),
    ("treasury", "/fr/organisations/normandie-libre/treasury/", 0.15),
]
MEMBER_AIMS = {0.3: 0.15, 0.5: 0.25}  # a member's aim for each of the visitors' aims
# #21's p50 for a member's pages, read at one client: at 20 clients on 2 workers the p50 is
# mostly queueing (the bare-Django ceiling's own is about 20 / its req/s, 5-6 ms).
MEMBER_P50_MS = 5.0
MEMBER = "dominique@demo.test"
# A session for a person, made as a login does, with a second factor (money pages ask it).
SESSION_SCRIPT = """
from importlib import import_module
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from commons_fund.members.models import User
user = User.objects.get(email="{email}")
Authenticator.objects.get_or_create(
    user=user, type=Authenticator.Type.TOTP, defaults={{"data": {{"secret": "bench"}}}}
)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.save()
print(f"{{settings.SESSION_COOKIE_NAME}}={{store.session_key}}")
from rest_framework.authtoken.models import Token
print(f"Token {{Token.objects.get_or_create(user=user)[0].key}}")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database: str = DATABASE) -> dict:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-http-0123456789-abcdefghij-KLMNOPQRST-uvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": database_url(database),
        "CACHE_URL": f"rediscache://{urlparse(BENCH_REDIS).netloc}/12",
        "CELERY_BROKER_URL": f"{BENCH_REDIS}/11",
        "EMAIL_URL": "consolemail://",
        "API_ANON_RATE": "100000000/hour",  # the bench measures speed, not the throttle
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _prepare(env: dict) -> None:
    recreate(DATABASE)
    python = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["seed_demo"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(
            [*python, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    subprocess.run(
        ["redis-cli", "-u", f"{BENCH_REDIS}/12", "flushdb"], check=True, stdout=subprocess.DEVNULL
    )


def member_credentials(env: dict, email: str = MEMBER) -> tuple[dict, dict]:
    """A member's headers: a session cookie for pages, an API token for the API lists
    (#21 aims at API lists "for a logged-in token")."""
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SESSION_SCRIPT.format(email=email)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    cookie, token = made.stdout.strip().splitlines()[-2:]
    return {"Cookie": cookie}, {"Authorization": token}


def serve(
    app: str, port: int, env: dict, chdir: Path, options: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn with 2 workers (and the repository's gunicorn.conf.py unless `options`
    names another), once it accepts connections."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(chdir),
            *options,
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not start on {port}")


def _client(port: int, path: str, until: float, results, headers: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    while time.monotonic() < until:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        latencies.append(time.perf_counter() - started)
    results.put(latencies)


def measure(
    port: int, path: str, clients: int, seconds: float, headers: dict | None = None
) -> tuple[float, float, float]:
    """Requests/s, p50 and p99 (ms) with `clients` concurrent keep-alive clients."""
    results = multiprocessing.Queue()
    until = time.monotonic() + seconds
    workers = [
        multiprocessing.Process(target=_client, args=(port, path, until, results, headers or {}))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    latencies = sorted(value for _ in workers for value in results.get(timeout=seconds + 60))
    for worker in workers:
        worker.join()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / seconds, statistics.median(latencies) * 1000, p99 * 1000


def alternated(
    site: tuple[int, str],
    ceiling: tuple[int, str],
    clients: int,
    seconds: float,
    windows: int,
    headers: dict | None = None,
) -> tuple[float, float, float, float, float]:
    """The site and its ceiling in turns, `windows` windows each (A B A B …): the site's
    requests/s, p50 and p99 (medians over its windows), the ceiling's requests/s and the
    median of the windows' ratios."""
    site_runs, ceiling_runs = [], []
    for _window in range(windows):
        site_runs.append(measure(*site, clients, seconds / windows, headers))
        ceiling_runs.append(measure(*ceiling, clients, seconds / windows))
    ratios = [s[0] / c[0] for s, c in zip(site_runs, ceiling_runs, strict=True)]
    return (
        statistics.median(run[0] for run in site_runs),
        statistics.median(run[1] for run in site_runs),
        statistics.median(run[2] for run in site_runs),
        statistics.median(run[0] for run in ceiling_runs),
        statistics.median(ratios),
    )


def _size(port: int, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} for the member")
    return len(response.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="per measure, all windows")
    parser.add_argument("--windows", type=int, default=4, help="site/ceiling turns per measure")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    env = environment()
    _prepare(env)
    session, token = member_credentials(env)
    site_port, ceiling_port = free_port(), free_port()
    site = serve("commons_fund.wsgi:application", site_port, env, ROOT)
    ceiling = serve("bench.ceiling_app:application", ceiling_port, env, ROOT)
    rows, members, failures = [], [], 0
    try:
        visited = [(label, path, aim, MEMBER_AIMS[aim]) for label, path, aim in PAGES]
        for label, path, aim, member_aim in [*visited, *((*p, None) for p in MEMBER_PAGES)]:
            if member_aim is None:  # a member's own page
                aim, member_aim = None, aim
            member = token if path.startswith("/api/") else session
            size = _size(site_port, path, member)
            measure(site_port, path, 1, 1, member)  # warm the workers and the caches
            if aim is not None:
                measure(site_port, path, 1, 1)
            pair = ((site_port, path), (ceiling_port, f"/?bytes={size}"))
            for clients in args.concurrency:
                if aim is not None:
                    measured = alternated(*pair, clients, args.seconds, args.windows)
                    failures += measured[-1] < aim
                    rows.append((label, clients, size, *measured, aim))
                measured = alternated(*pair, clients, args.seconds, args.windows, member)
                failures += measured[-1] < member_aim
                members.append((label, clients, size, *measured, member_aim))
    finally:
        site.terminate()
        ceiling.terminate()
    print(
        f"{args.windows} alternated windows of {args.seconds / args.windows:.1f} s per measure; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    _table("As anonymous visitors get them (page cache):", rows)
    _table(f"As a logged-in member gets them ({MEMBER}):", members)
    print()
    for who, measured in (("visitors", rows), ("member", members)):
        for aim in sorted({row[-1] for row in measured}):
            ratios = [row[7] for row in measured if row[-1] == aim]
            kinds = "pages" if aim in (0.3, 0.15) else "API lists"
            verdict = "all met" if min(ratios) >= aim else "BELOW for some"
            print(
                f"verdict, {who}, {kinds}: ratio {min(ratios):.2f}–{max(ratios):.2f} against "
                f"the aim {aim:.2f} — {verdict}"
            )
    p50s = [row[4] for row in members if row[1] == 1]
    slow = [p50 for p50 in p50s if p50 > MEMBER_P50_MS]
    print(
        f"verdict, member, p50 at one client: {min(p50s):.1f}–{max(p50s):.1f} ms against the "
        f"aim ≤ {MEMBER_P50_MS:.0f} ms — {'OVER for some' if slow else 'all met'}"
    )
    return 1 if failures or slow else 0


def _table(title: str, rows: list) -> None:
    print(f"\n{title}")
    print(
        f"{'page':<20}{'clients':>8}{'bytes':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'ceiling':>9}{'ratio':>7}{'aim':>6}"
    )
    for label, clients, size, rps, p50, p99, top, ratio, aim in rows:
        verdict = "" if ratio >= aim else "  below"
        print(
            f"{label:<20}{clients:>8}{size:>8}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{top:>9.0f}"
            f"{ratio:>7.2f}{aim:>6.2f}{verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
