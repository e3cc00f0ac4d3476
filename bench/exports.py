"""The ledger's exports at size: every organisation's FEC and CSV of each year of the ×100
data (bench/data.py, about 970 000 entries), downloaded as a treasurer downloads them, with
lines per second and the memory of the process that streams them against #21's aims
(≥ 200 000 lines/s, under 150 MB).

    .venv/bin/python bench/exports.py [--scale 100] [--reuse]

The aims are read where the exports run for users: the site under gunicorn as deployed
(gunicorn.conf.py: the site loaded once in the master, 2 workers forked from it), each file
read over HTTP as it streams. A worker's memory is sampled every 100 ms from
/proc/<pid>/smaps_rollup: its PSS (the pages it holds alone, plus its share of those it
shares with the master and the other worker: what the machine spends on it; the aim is read
on it), its USS (its own pages only) and its RSS (the shared pages counted in full, as `ps`
shows them; VmHWM, the kernel's exact peak). Each reading walks the worker's pages, about
2 ms of the kernel's time: sampled every 10 ms, the bench took a quarter of a core from the
export it measured.

For comparison, the same exports also run in a process of their own on production settings
(`django.setup()` and nothing more, no gunicorn): its peak RSS holds the whole site's
modules and the export's few MB.
"""

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http`: the project's root instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from bench import data  # noqa: E402
from bench.http import environment, free_port, member_credentials, serve  # noqa: E402
from bench.memory import process_memory, worker_pids  # noqa: E402

LINES_AIM = 200_000
MEMORY_AIM_MB = 150
SAMPLE_EVERY = 0.1  # a streaming export's memory is flat over seconds; VmHWM is exact
KINDS = ("fec", "csv")
TREASURER = "treasurer@bench.test"
# The treasurer of every organisation whose books are downloaded (the bench's data only).
TREASURER_SCRIPT = """
from commons_fund.members.models import Membership, Organisation, Role, User
user = User.objects.filter(email="{email}").first() or User.objects.create_user("{email}")
for organisation in Organisation.objects.filter(slug__in={slugs!r}):
    Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={{"role": Role.TREASURER}}
    )
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _counted(chunks, figure: dict) -> None:
    for chunk in chunks:
        figure["bytes"] += len(chunk)
        figure["lines"] += chunk.count(b"\n")


def export_all() -> dict:
    """In the child: each organisation's FEC and CSV for each year it has entries."""
    import django

    django.setup()
    from django.db.models.functions import ExtractYear

    from commons_fund.ledger import exports
    from commons_fund.ledger.models import Entry
    from commons_fund.members.models import Organisation

    years = (
        Entry.objects.exclude(account__organisation=None)
        .annotate(year=ExtractYear("occurred_at"))
        .values_list("account__organisation", "year")
        .order_by()  # the model's ordering would make every entry distinct
        .distinct()
    )
    books = [
        (Organisation.objects.get(pk=organisation_id), year)
        for organisation_id, year in sorted(set(years))
    ]
    figures: dict = {
        "loaded_mb": _peak_mb(),
        "books": [(organisation.slug, year) for organisation, year in books],
    }
    for name, chunks_of in zip(KINDS, (exports.fec_chunks, exports.csv_chunks), strict=True):
        figure = figures[name] = {"lines": 0, "bytes": 0}
        started = time.perf_counter()
        for organisation, year in books:
            _counted(chunks_of(organisation=organisation, year=year), figure)
        figure["seconds"] = time.perf_counter() - started
        figure["peak_mb"] = _peak_mb()
    return figures


def _sample(workers: list[int], peaks: dict[str, float], done: threading.Event) -> None:
    """Every `SAMPLE_EVERY` seconds until `done`: the workers' highest PSS and USS, in MiB."""
    while not done.wait(SAMPLE_EVERY):
        for pid in workers:
            for kind, value in process_memory(pid).items():
                peaks[kind] = max(peaks.get(kind, 0.0), value)


def _hwm(pid: int) -> float:
    """The process's peak resident memory (VmHWM, exact), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def _download(port: int, path: str, headers: dict, figure: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, None, headers)
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        _counted(iter(lambda: response.read(1 << 16), b""), figure)
    finally:
        connection.close()


def served(database: str, books: list[tuple[str, int]]) -> dict:
    """Each file downloaded by a treasurer of the organisation from gunicorn as deployed,
    read as it streams; the workers' memory before the first and at its peak."""
    env = environment(database)
    script = TREASURER_SCRIPT.format(email=TREASURER, slugs=sorted({slug for slug, _ in books}))
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    headers = {"Host": "127.0.0.1", **member_credentials(env, TREASURER)[0]}
    port = free_port()
    server = serve("commons_fund.wsgi:application", port, env, ROOT)
    try:
        while len(workers := worker_pids(server.pid)) < 2:  # forked once the master listens
            time.sleep(0.1)
        memories = [process_memory(pid) for pid in workers]
        figures: dict = {kind: max(memory[kind] for memory in memories) for kind in memories[0]}
        for name in KINDS:
            figure = figures[name] = {"lines": 0, "bytes": 0}
            peaks: dict[str, float] = {}
            done = threading.Event()
            sampler = threading.Thread(target=_sample, args=(workers, peaks, done))
            sampler.start()
            started = time.perf_counter()
            for slug, year in books:
                _download(port, f"/fr/organisations/{slug}/books/{year}/{name}/", headers, figure)
            figure["seconds"] = time.perf_counter() - started
            done.set()
            sampler.join()
            figure.update(peaks, hwm=max(_hwm(pid) for pid in workers))
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def _in_own_process(database: str) -> dict:
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
    return json.loads(done.stdout.strip().splitlines()[-1])


def _volume(figure: dict) -> str:
    rate = figure["lines"] / figure["seconds"]
    return (
        f"{figure['lines']:,} lines ({figure['bytes'] / 2**20:.0f} MiB) in "
        f"{figure['seconds']:.1f} s — {rate:,.0f} lines per second"
    )


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
    own = _in_own_process(database)
    web = served(database, [(slug, year) for slug, year in own["books"]])
    print(
        f"Downloaded from gunicorn as deployed (2 workers forked from the preloaded site; "
        f"before the first download a worker's PSS {web['pss']:.0f} MiB, USS "
        f"{web['uss']:.0f}, RSS {web['rss']:.0f}):"
    )
    missed = 0
    for name in KINDS:
        figure = web[name]
        rate_met = figure["lines"] / figure["seconds"] >= LINES_AIM
        memory_met = figure["pss"] < MEMORY_AIM_MB
        missed += (not rate_met) + (not memory_met)
        print(
            f"  {name.upper()}: {_volume(figure)} (aim ≥ {LINES_AIM:,}: "
            f"{'met' if rate_met else 'NOT met'}); the worker's peak PSS {figure['pss']:.0f} "
            f"MiB (aim < {MEMORY_AIM_MB}: {'met' if memory_met else 'NOT met'}), USS "
            f"{figure['uss']:.0f}, RSS {figure['hwm']:.0f}"
        )
    print(
        f"In a process of their own (django.setup() only; {own['loaded_mb']:.0f} MB once "
        f"loaded), for comparison:"
    )
    for name in KINDS:
        figure = own[name]
        print(
            f"  {name.upper()}: {_volume(figure)}; peak RSS {figure['peak_mb']:.0f} MB, "
            f"{figure['peak_mb'] - own['loaded_mb']:.0f} MB over Django loaded"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
