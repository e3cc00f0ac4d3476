"""Many processes, one truth (#23): two gunicorn instances, two Celery worker processes and two
beats on this machine, sharing PostgreSQL and Redis as processes on separate machines would.

- A write through one instance is read at once through the other, whose page cache held the
  page before (the cache's generation is shared).
- A rate limit counts the requests of both instances together.
- A worker killed in the middle of a collection, the other still working: every promise is
  charged once, counted at the Stripe stand-in, and the books balance.
- Of two beats, one sends the periodic tasks while the other stands by, and takes over when
  the first dies.
"""

import re
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from bench.http import serve
from commons_fund import celery_app
from commons_fund.members.tests.factories import UserFactory
from pledges import rounds
from pledges.models import Instalment, InstalmentStatus, RoundState
from pledges.tests.factories import PoolFactory
from tests.helpers import ROOT, free_port, wait_for

from .support import (
    all_charged,
    assert_every_promise_charged_once,
    beat_process,
    beat_sweeps_run,
    card_pledging_round,
    celery_worker_process,
    charge_on_its_way,
    kill_group,
    process_environment,
)

API_RATE = 6  # anonymous API requests a minute, in all
PLEDGES = 16
VISIBILITY_TIMEOUT = 8  # seconds before a dead worker's tasks are handed out again
LATENCY = "0.3"  # seconds each PaymentIntent's answer is held back

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="several processes need a database server"
    ),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis")
        or not settings.CACHES["default"]["BACKEND"].startswith("django_redis"),
        reason="the processes share Redis as broker and cache",
    ),
]


@pytest.fixture
def instances(celery_queue, slow_stripe):
    """Two gunicorn instances of the site (2 workers each), pages kept in the cache."""
    env = process_environment(
        celery_queue,
        slow_stripe,
        PAGE_CACHE_SECONDS="60",
        API_ANON_RATE=f"{API_RATE}/minute",
    )
    ports, started = [free_port(), free_port()], []
    try:
        for port in ports:
            started.append(serve("commons_fund.wsgi", port, env, ROOT))
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in started:
            server.terminate()
            server.wait(timeout=30)


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, data: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _members_heading(page: str) -> str:
    return re.search(r'<h2 id="members-title">([^<]*)</h2>', page).group(1)


def test_a_write_through_one_instance_is_read_at_once_through_the_other(instances):
    first, second = instances
    pool = PoolFactory(name="Fonds partagé", slug="fonds-partage", quorum_percent=0)
    page = f"{second}/fr/pools/{pool.slug}/"
    _status, headers, before = _get(page)
    assert _members_heading(before) == "0 membre"
    _status, headers, _body = _get(page)
    assert headers["X-Page-Cache"] == "hit"

    # A member joins through the other instance, with a session both instances read.
    session = Client()
    session.force_login(UserFactory())
    csrf = uuid.uuid4().hex  # a CSRF secret of 32 characters, sent as cookie and field
    cookies = (
        f"{settings.SESSION_COOKIE_NAME}={session.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    status = _post(
        f"{first}/fr/pools/{pool.slug}/join/",
        f"member=me&csrfmiddlewaretoken={csrf}".encode(),
        {
            "Cookie": f"{cookies}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 302
    assert pool.memberships.count() == 1

    _status, headers, after = _get(page)
    assert headers["X-Page-Cache"] == "miss"
    assert _members_heading(after) == "1 membre"


def test_a_rate_limit_counts_the_requests_of_every_instance(instances):
    """The API's anonymous rate, asked of both instances in turn (a query parameter the page
    cache does not keep, so that each request reaches the throttle)."""
    answers = [
        _get(f"{instances[number % 2]}/api/v1/pools/?probe={number}")[0]
        for number in range(API_RATE + 2)
    ]
    assert answers[:API_RATE] == [200] * API_RATE
    assert answers[API_RATE:] == [429, 429]


def test_a_worker_killed_while_the_other_collects_charges_every_promise_once(
    slow_stripe, celery_queue, tmp_path
):
    round_ = card_pledging_round(PLEDGES)
    instalments = Instalment.objects.filter(round=round_)
    workers = [
        celery_worker_process(
            celery_queue, slow_stripe, tmp_path / f"worker-{name}.log", VISIBILITY_TIMEOUT
        )
        for name in ("a", "b")
    ]
    try:
        rounds.rounds_advance(now=round_.voting_closes_at + timedelta(seconds=1))
        round_.refresh_from_db()
        assert round_.state == RoundState.COLLECTING and instalments.count() == PLEDGES
        assert wait_for(charge_on_its_way(instalments, 3), timeout=120)
        kill_group(workers[0])
        assert instalments.filter(status=InstalmentStatus.SUCCEEDED).count() < PLEDGES
        # The other worker goes on; what the dead one had taken comes back to it once the
        # visibility timeout has passed (kombu's restore scan: at start, then every 100 s),
        # and what Redis lost at the kill is taken up by the beat's sweeps
        # (test_worker_killed).
        if not wait_for(all_charged(instalments), timeout=150):
            beat_sweeps_run()
        assert wait_for(all_charged(instalments), timeout=120), list(
            instalments.values_list("status", flat=True)
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_group(worker)
    assert_every_promise_charged_once(round_, PLEDGES)


def _sent(log) -> int:
    return log.read_text().count("Sending due task every-second")


def test_of_two_beats_one_sends_and_the_other_takes_over_when_it_dies(slow_stripe, tmp_path):
    """A task due every second: while both beats run, only one sends it; once that one is
    killed, the other sends it."""
    queue = f"commons-fund-beat-test-{uuid.uuid4().hex[:8]}"  # no worker takes from it
    PeriodicTask.objects.create(
        name="every-second",
        task="commons_fund.members.tasks.invitations_expire",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
    )
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    beats = [beat_process(queue, slow_stripe, logs[0])]
    try:
        assert wait_for(lambda: _sent(logs[0]) >= 1, timeout=60), logs[0].read_text()
        beats.append(beat_process(queue, slow_stripe, logs[1]))
        assert wait_for(lambda: "standing by" in logs[1].read_text(), timeout=60)
        time.sleep(4)
        assert _sent(logs[1]) == 0 and _sent(logs[0]) >= 4
        kill_group(beats[0])
        assert wait_for(lambda: _sent(logs[1]) >= 2, timeout=60), logs[1].read_text()
        assert "holds the lock" in logs[1].read_text()
    finally:
        for beat in beats:
            if beat.poll() is None:
                kill_group(beat)
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)
