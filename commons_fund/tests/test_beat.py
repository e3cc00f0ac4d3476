"""The beat lock (#23): of several schedulers, the one holding PostgreSQL's advisory lock
sends; the others stand by and take over when its connection ends."""

import pytest
from django.db import connection

from commons_fund import celery_app
from commons_fund.beat import STANDBY_SECONDS, BeatLock, SingleBeatScheduler
from tests.helpers import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="an advisory lock"),
]


def test_one_holder_at_a_time_and_the_next_when_it_lets_go():
    first, second = BeatLock(), BeatLock()
    try:
        assert first.held() and first.held()  # kept, asked again
        assert not second.held()
        first.release()  # a beat stopping lets it go at once
        assert second.held()
        assert not first.held()
    finally:
        first.release()
        second.release()


def test_a_lock_whose_connection_died_is_asked_for_again():
    lock = BeatLock()
    try:
        assert lock.held()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            )
        assert not lock.held()  # the connection was cut: not held any more
        # Asked anew, and free once PostgreSQL has ended the backend.
        assert wait_for(lock.held, timeout=10)
    finally:
        lock.release()


def test_a_standing_by_scheduler_sends_nothing():
    holder = BeatLock()
    try:
        assert holder.held()
        scheduler = SingleBeatScheduler(app=celery_app, lazy=True)
        sent = []
        scheduler.apply_async = lambda entry, *args, **kwargs: sent.append(entry.name)
        assert scheduler.tick() == STANDBY_SECONDS
        assert not scheduler.sending and sent == []
        holder.release()
        scheduler.tick()
        assert scheduler.sending
        scheduler.close()
    finally:
        holder.release()
