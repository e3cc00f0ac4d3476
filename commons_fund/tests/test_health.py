import socket
import threading
import uuid
from datetime import timedelta

import pytest
import redis
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from commons_fund import health

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_broker_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "beat": "never ran",  # no scheduler in the tests: said, not fatal
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_cache_is_unreachable(client, unreachable_cache):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("error", "ok", "ok")
    assert body["cache"] == "error: ConnectionError"


def test_healthz_tells_when_the_beat_last_sent_a_task(client):
    schedule = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(
        name="unseal-ballots", task="pledges.tasks.ballots_unseal_waiting", interval=schedule
    )
    long_ago = timezone.now() - timedelta(hours=2)
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=long_ago)
    response = client.get("/healthz")
    assert response.status_code == 200  # reported, not fatal
    assert response.json()["beat"] == f"silent since {long_ago.isoformat(timespec='seconds')}"
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now())
    assert client.get("/healthz").json()["beat"] == "ok"


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"]) == ("error", "ok")
    assert body["broker"].startswith("error")


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken(self, sql, params=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def test_a_silent_broker_is_tried_once_with_a_short_timeout(client, settings):
    """A broker that accepts connections and never answers (the probe waited 12.6 s): one
    attempt, cut short by the timeout, instead of several (counted, not timed)."""
    attempts = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept_and_say_nothing():
        held = []
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
                attempts.append(1)
            except TimeoutError:
                continue
        for accepted in held:
            accepted.close()

    thread = threading.Thread(target=accept_and_say_nothing)
    thread.start()
    answers = []
    try:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        probe = threading.Thread(target=lambda: answers.append(client.get("/healthz")), daemon=True)
        probe.start()
        probe.join(60)  # before the fix it waited for ever
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert answers, "/healthz never answered"
    assert answers[0].json()["broker"].startswith("error")
    assert len(attempts) == 1


def test_probes_keep_one_broker_connection_and_replace_a_broken_one(client, settings, monkeypatch):
    """A probe every few seconds used to open a broker connection each time (#23)."""
    opened = []
    real = health.Connection

    def counting(*args, **kwargs):
        opened.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(health, "Connection", counting)
    monkeypatch.setattr(health, "_broker", health._KeptBroker())
    for _probe in range(3):
        assert client.get("/healthz").json()["broker"] == "ok"
    assert opened == [settings.CELERY_BROKER_URL]
    good = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens
    assert client.get("/healthz").json()["broker"].startswith("error")
    settings.CELERY_BROKER_URL = good
    assert client.get("/healthz").json()["broker"] == "ok"
    assert client.get("/healthz").json()["broker"] == "ok"
    assert opened == [good, "redis://127.0.0.1:9/0", good]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="needs the local Redis")
def test_a_kept_redis_connection_closed_by_the_server_is_replaced(settings):
    """A Redis that closed the kept socket (restarted, idle timeout): the probe does not
    report the dead socket for ever, it answers "ok" again once Redis does."""
    url = "redis://127.0.0.1:6379/13"
    kept = health._KeptBroker()
    assert kept.status(url) == "ok"
    name = f"healthz-{uuid.uuid4().hex}"
    kept._connection.default_channel.client.client_setname(name)
    server = redis.Redis.from_url(url)
    (found,) = [c for c in server.client_list() if c["name"] == name]
    server.client_kill_filter(_id=found["id"])
    answers = [kept.status(url), kept.status(url)]
    assert answers[-1] == "ok"
    assert not any(c["name"] == name for c in server.client_list())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
def test_the_database_probe_is_cut_short_without_touching_other_queries(monkeypatch):
    """The probe's query runs under a short statement_timeout, set for its own transaction
    alone: the connection, kept for the next requests, has none afterwards."""
    monkeypatch.setattr(health, "DATABASE_TIMEOUT_MS", 50)
    real = CursorWrapper.execute

    def slow_probe(self, sql, params=None):
        return real(self, "SELECT pg_sleep(1)" if sql == "SELECT 1" else sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", slow_probe)
    assert health.database_status() == "error: OperationalError"
    monkeypatch.undo()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert health.database_status() == "ok"
