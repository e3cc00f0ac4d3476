import socket
import threading
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

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


def test_healthz_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caches.close_all()
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
    from django.db.backends.utils import CursorWrapper

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
        for connection in held:
            connection.close()

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
