"""The ledger's exports at size: every organisation's FEC and CSV of each year of the ×100
data (bench/data.py, about 970 000 entries), written as the download views stream them,
with lines per second and the process's peak memory against #21's aims (≥ 200 000 lines/s,
under 150 MB).

    .venv/bin/python bench/exports.py [--scale 100] [--reuse]

The exports run in a child process on production settings, so that its peak resident
memory is the export's and Django's, nothing else; the figure printed before the export is
that process's memory once Django is loaded.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench import data  # noqa: E402

LINES_AIM = 200_000
MEMORY_AIM_MB = 150


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_all() -> dict:
    """In the child: each organisation's FEC and CSV for each year it has entries."""
    import django

    django.setup()
    from django.db.models.functions import ExtractYear

    from commons_fund.ledger import exports
    from commons_fund.ledger.models import Entry
    from commons_fund.members.models import Organisation

    loaded = _peak_mb()
    years = (
        Entry.objects.exclude(account__organisation=None)
        .annotate(year=ExtractYear("occurred_at"))
        .values_list("account__organisation", "year")
        .order_by()  # the model's ordering would make every entry distinct
        .distinct()
    )
    figures = {"loaded_mb": loaded}
    for name, chunks_of in (("fec", exports.fec_chunks), ("csv", exports.csv_chunks)):
        lines = size = 0
        started = time.perf_counter()
        for organisation_id, year in sorted(set(years)):
            organisation = Organisation.objects.get(pk=organisation_id)
            for chunk in chunks_of(organisation=organisation, year=year):
                size += len(chunk)
                lines += chunk.count(b"\n")
        figures[name] = {
            "lines": lines,
            "bytes": size,
            "seconds": time.perf_counter() - started,
            "peak_mb": _peak_mb(),
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="use the database if built")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(export_all()))
        return 0

    database = f"commons_fund_scale_{args.scale}"
    if not (args.reuse and data.exists(database)):
        data.build(database, args.scale)
    print(f"load average {os.getloadavg()[0]:.1f}; ×{args.scale} data ({database})")
    done = subprocess.run(
        [sys.executable, __file__, "--child"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "commons_fund.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-exports-0123456789-abcdefghij-KLMNOPQRST-uvwxyz",
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": data.database_url(database),
            "CELERY_BROKER_URL": "memory://",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the export failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"Django loaded: {figures['loaded_mb']:.0f} MB")
    missed = 0
    for name in ("fec", "csv"):
        figure = figures[name]
        rate = figure["lines"] / figure["seconds"]
        rate_met = rate >= LINES_AIM
        memory_met = figure["peak_mb"] < MEMORY_AIM_MB
        missed += (not rate_met) + (not memory_met)
        print(
            f"{name.upper()}: {figure['lines']:,} lines ({figure['bytes'] / 2**20:.0f} MiB) in "
            f"{figure['seconds']:.1f} s — {rate:,.0f} lines per second "
            f"(aim ≥ {LINES_AIM:,}: {'met' if rate_met else 'NOT met'}); peak memory "
            f"{figure['peak_mb']:.0f} MB, {figure['peak_mb'] - figures['loaded_mb']:.0f} MB over "
            f"Django loaded (aim < {MEMORY_AIM_MB}: {'met' if memory_met else 'NOT met'})"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
