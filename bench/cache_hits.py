"""How often visitors are served from the page cache while organisations write (#23): a
mixed load of 95 % reads and 5 % writes from many organisations, once with every write
dropping every page (`PAGE_CACHE_SCOPE=site`, the rule before) and once dropping only the
pages that read a table it wrote (`tables`, the default), in one run, on the same data and
the same sequence of requests.

    .venv/bin/python bench/cache_hits.py [--scale 10] [--operations 4000] [--reuse]

The data is the demo grown ×`--scale` (bench/data.py) in `commons_fund_bench_cache`; each
scope runs on its own copy of it, in a process with the production settings and Redis as the
cache. Reads are anonymous visits to pool, commons and organisation pages (their popularity
falling as 1/rank, as on real sites), the home page, the lists and the API lists. Writes, by
random organisations and people: a person joins a pool, an organisation edits its
description, a commons edits its summary. The hit rate is hits / (hits + misses) of the
pages the cache may keep. Aim: the `tables` scope above the `site` scope.
"""

import argparse
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project, not bench/ (whose http.py would hide the standard one)

from bench import data  # noqa: E402

DATABASE = "commons_fund_bench_cache"
BENCH_REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
CACHE_DB = 11  # flushed before each scope
WRITE_SHARE = 0.05
SCOPES = ("site", "tables")
CEILING = "no writes"  # the same reads with the writes left out: what cold misses cost


def _settings(database: str, scope: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commons_fund.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-cache-0123456789-abcdefghij-KLMNOPQRST-uvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": data.database_url(database),
        "CACHE_URL": f"{BENCH_REDIS.replace('redis://', 'rediscache://')}/{CACHE_DB}",
        "PAGE_CACHE_SECONDS": "600",
        "PAGE_CACHE_SCOPE": scope,
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": "dummymail://",
        "API_ANON_RATE": "100000000/hour",
        "LOG_LEVEL": "WARNING",
    }


def _popular(rng: random.Random, items: list):
    """One of `items`, the first ones more often (weights 1/rank)."""
    return rng.choices(items, weights=[1 / rank for rank in range(1, len(items) + 1)])[0]


def _pick(fraction: float, items: list):
    """The item at `fraction` of the list (drawn before knowing whether the write runs, so
    that every run reads the same sequence)."""
    return items[int(fraction * len(items))]


def _final(client, path: str) -> str:
    response = client.get(path)
    return response["Location"] if response.status_code in (301, 302) else path


def measure(operations: int, seed: int, writing: bool) -> dict:
    """In the child process: the load, and each kind of page's hits and misses."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.utils import translation

    from commons_fund.members.models import Organisation, User
    from pledges import services
    from pledges.models import Pool
    from projects.models import Project

    cache.clear()
    rng = random.Random(seed)
    with translation.override("fr"):
        pools = [
            f"/fr/pools/{slug}/"
            for slug in Pool.objects.order_by("pk").values_list("slug", flat=True)
        ]
        commons = [p.get_absolute_url() for p in Project.objects.order_by("pk")[:500]]
        organisations = [o.get_absolute_url() for o in Organisation.objects.order_by("pk")[:500]]
    visitor = Client()
    # Where each address ends (a commons' address leads to its page): what visitors read.
    commons = [_final(visitor, path) for path in commons]
    organisations = [_final(visitor, path) for path in organisations]
    cache.clear()
    shared = ["/fr/", "/fr/pools/", "/api/v1/projects/", "/api/v1/pools/"]
    writers = list(Organisation.objects.order_by("pk")[:500])
    projects = list(Project.objects.order_by("pk")[:500])
    pool_objects = list(Pool.objects.order_by("pk"))
    counts: dict[str, Counter] = {}
    writes = Counter()
    for number in range(operations):
        if rng.random() < WRITE_SHARE:
            kind = rng.choice(("join", "organisation", "commons"))
            target = rng.random()
            if not writing:
                continue
            if kind == "join":
                person = User.objects.create_user(
                    email=f"cache-bench-{seed}-{number}@bench.test", password=None
                )
                services.pool_join(pool=_pick(target, pool_objects), actor=person)
            elif kind == "organisation":
                organisation = _pick(target, writers)
                organisation.description = f"Mis à jour ({number})."
                organisation.save(update_fields=["description"])
            else:
                project = _pick(target, projects)
                project.summary = f"Résumé revu ({number})."
                project.save(update_fields=["summary"])
            writes[kind] += 1
            continue
        kind = rng.choices(
            ("pool page", "commons page", "organisation page", "home and lists"),
            weights=(3, 3, 2, 2),
        )[0]
        path = (
            rng.choice(shared)
            if kind == "home and lists"
            else _popular(
                rng,
                {"pool page": pools, "commons page": commons, "organisation page": organisations}[
                    kind
                ],
            )
        )
        state = visitor.get(path).get("X-Page-Cache", "not kept")
        counts.setdefault(kind, Counter())[state] += 1
    return {
        "counts": {kind: dict(counter) for kind, counter in counts.items()},
        "writes": dict(writes),
    }


def _copy(template: str, name: str) -> None:
    subprocess.run(["dropdb", "--if-exists", "--force", *data.pg_args(), name], check=True)
    subprocess.run(["createdb", *data.pg_args(), "-T", template, name], check=True)


def _rate(counter: dict) -> tuple[float, int]:
    kept = counter.get("hit", 0) + counter.get("miss", 0)
    return (counter.get("hit", 0) / kept if kept else 0.0), kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--operations", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--reuse", action="store_true", help="use the data already built")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-writes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.operations, args.seed, not args.no_writes)))
        return 0

    if not (args.reuse and data.exists(DATABASE)):
        print(f"building the demo ×{args.scale} in {DATABASE}…", flush=True)
        data.build(DATABASE, args.scale)
    subprocess.run(  # production settings serve static files by their hashed names
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_settings("postgres", "tables"),
        check=True,
    )
    results = {}
    for scope in (*SCOPES, CEILING):
        copy = f"{DATABASE}_{SCOPES.index(scope) if scope in SCOPES else 'ceiling'}"
        _copy(DATABASE, copy)
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                "--operations",
                str(args.operations),
                "--seed",
                str(args.seed),
                *(["--no-writes"] if scope == CEILING else []),
            ],
            cwd=ROOT,
            env=_settings(copy, "tables" if scope == CEILING else scope),
            capture_output=True,
            text=True,
            check=False,
        )
        subprocess.run(["dropdb", "--if-exists", "--force", *data.pg_args(), copy], check=True)
        if done.returncode:
            sys.exit(f"the {scope} scope failed:\n{done.stderr[-3000:]}")
        results[scope] = json.loads(done.stdout.strip().splitlines()[-1])

    writes = results["tables"]["writes"]
    print(
        f"\n{args.operations} operations, {sum(writes.values())} writes "
        f"({', '.join(f'{kind} {count}' for kind, count in sorted(writes.items()))}), "
        f"data ×{args.scale}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'page':<20} {'requests':>9} {'hit rate, site':>15} {'hit rate, tables':>17} "
        f"{'no writes':>10}"
    )
    kinds = sorted(results["tables"]["counts"])
    totals = {scope: Counter() for scope in (*SCOPES, CEILING)}
    for kind in kinds:
        rates = {}
        for scope in (*SCOPES, CEILING):
            counter = results[scope]["counts"].get(kind, {})
            totals[scope].update(counter)
            rates[scope], kept = _rate(counter)
            if scope == "tables":
                requests = kept
        print(
            f"{kind:<20} {requests:>9} {rates['site']:>15.1%} {rates['tables']:>17.1%} "
            f"{rates[CEILING]:>10.1%}"
        )
    overall = {scope: _rate(totals[scope])[0] for scope in (*SCOPES, CEILING)}
    met = overall["tables"] > overall["site"]
    print(
        f"{'all pages':<20} {_rate(totals['tables'])[1]:>9} {overall['site']:>15.1%} "
        f"{overall['tables']:>17.1%} {overall[CEILING]:>10.1%}   "
        f"aim tables > site: {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
