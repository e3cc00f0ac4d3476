"""Fixtures shared by every test: a real Celery worker, logged-in clients, fast hashing."""

import os
import urllib.parse
import urllib.request
import uuid
from io import StringIO
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation
from pytest_django.django_compat import is_django_unittest

from commons_fund.celery import app as celery_app
from commons_fund.ledger import triggers as ledger_triggers
from tests.helpers import STANDIN_AUTH, standin_running
from tests.support.test_database import copy_template, migrated_template


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    """For the whole run, also for data made once per module: passwords hashed fast, and
    WhiteNoise does not index the static files of every app for each test client (about 800
    files, 40 ms per client): the live server serves them itself, as `runserver` does."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        WHITENOISE_USE_FINDERS=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Tests read `response.context`, which a cached page has not: the page cache is off,
    except in the tests of the cache itself and the visitor's browser journey."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request to an /en/ page leaves English
    active in the thread, and `reverse()` of the next test would give /en/ addresses."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached pages never leak from one test to the next."""
    cache.clear()


@pytest.fixture(scope="session")
def celery_queue():
    """A queue of this test run alone, so tests never see the demo's or another run's tasks.

    With no CELERY_BROKER_URL in the environment, the tests use Kombu's in-memory transport
    (the worker runs in a thread of the test process); CI sets it to Redis."""
    if "CELERY_BROKER_URL" not in os.environ:
        celery_app.conf.broker_url = "memory://"
        # The worker thread looks for tasks (and for its stop) every 0.1 s, not every second.
        celery_app.conf.broker_transport_options = {"polling_interval": 0.1}
    queue = f"commons-fund-test-{uuid.uuid4().hex[:12]}"
    celery_app.conf.task_default_queue = queue
    yield queue
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


@pytest.fixture(autouse=True)
def _test_queue(celery_queue):
    """Every test sends its tasks to the run's own queue (see celery_queue)."""


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings) -> bool:
    """On SQLite, each run (and each xdist worker) starts from a fresh copy of a migrated
    template instead of migrating (tests/support/test_database.py), then keeps the file."""
    reuse, create = request.config.getvalue("reuse_db"), request.config.getvalue("create_db")
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or (reuse and not create):
        return bool(reuse and not create)
    template = migrated_template(django_settings.VAR_DIR, rebuild=bool(create))
    copy_template(template, Path(database["TEST"]["NAME"]))
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database has the ledger's triggers, also when it is reused (--reuse-db)."""
    with django_db_blocker.unblock():
        ledger_triggers.install(connection)


@pytest.fixture(autouse=True)
def _ledger_triggers_around_flush(request):
    """The ledger's triggers are in place in every database test. A transactional test ends
    by emptying every table (DELETE on SQLite, TRUNCATE on PostgreSQL), which they refuse:
    they are lifted for that flush only, and the next test puts them back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in (request.fixturenames)
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if is_django_unittest(request) or not (
        transactional or marker or "db" in (request.fixturenames)
    ):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    ledger_triggers.install(connection)
    yield
    if transactional:
        ledger_triggers.uninstall(connection)


@pytest.fixture(scope="module")
def _demo_for_the_module(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_data(_demo_for_the_module, db):
    """The demo's data (`seed_demo`), made once for the tests of a module that ask for it, in
    a transaction undone after the module; each test runs in a savepoint inside it, so what
    one test changes, the next does not see. Not for transactional tests."""


@pytest.fixture
def celery_worker(celery_queue, transactional_db):
    """A real Celery worker consuming the test queue, in a thread of this process.

    Tests using it are transactional: the worker's thread has its own database connection and
    sees only committed rows."""
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=[celery_queue],
        shutdown_timeout=30,
    ) as worker:
        yield worker


@pytest.fixture
def user(db):
    from commons_fund.members.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def stripe_standin():
    """The local Stripe stand-in (localstripe + our extensions) on a free loopback port."""
    with standin_running() as url:
        yield url


def _standin_request(url: str, method: str, data: dict | None = None) -> None:
    body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data else None
    request = urllib.request.Request(url, data=body, method=method, headers=STANDIN_AUTH)
    with urllib.request.urlopen(request, timeout=5):
        pass


def _webhooks_nowhere(standin: str) -> None:
    """The stand-in's signed deliveries go to a closed port: nobody receives them."""
    _standin_request(
        f"{standin}/_config/webhooks/tests",
        "POST",
        {"url": "http://127.0.0.1:9/nowhere", "secret": "unused"},
    )


@pytest.fixture
def stripe_api(stripe_standin, settings):
    """Stripe calls of this test go to the stand-in, emptied first; webhooks go nowhere."""
    settings.STRIPE_API_BASE = stripe_standin
    _standin_request(f"{stripe_standin}/_config/data", "DELETE")
    _webhooks_nowhere(stripe_standin)
    return stripe_standin


@pytest.fixture
def stripe_webhooks(stripe_api, live_server, settings):
    """The stand-in delivers its signed webhooks to this test's live server."""
    _standin_request(
        f"{stripe_api}/_config/webhooks/tests",
        "POST",
        {
            "url": f"{live_server.url}/payments/stripe/webhook/",
            "secret": settings.STRIPE_WEBHOOK_SECRET,
        },
    )
    yield live_server
    # Deliveries still on their way (they come about a second late) must not reach the
    # session's live server during the next test: they go nowhere from now on.
    _webhooks_nowhere(stripe_api)
