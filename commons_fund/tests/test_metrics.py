"""/metrics (#23): Prometheus' text format, for the holder of the token alone; counters
shared by every process through the cache, gauges read from the database."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.db.models import Count
from prometheus_client.parser import text_string_to_metric_families

from commons_fund import metrics
from commons_fund.payments.models import Charge
from pledges.models import Round

pytestmark = pytest.mark.django_db

TOKEN = "prometheus-scrapes-here"


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.parametrize(
    ("configured", "sent"),
    [
        ("", ""),
        ("", "Bearer "),  # no token set: no metrics, whatever is sent
        (TOKEN, ""),
        (TOKEN, f"Bearer {TOKEN}x"),
        (TOKEN, TOKEN),
        (TOKEN, f"Basic {TOKEN}"),
    ],
)
def test_metrics_are_hidden_without_the_token(client, settings, configured, sent):
    settings.METRICS_TOKEN = configured
    headers = {"HTTP_AUTHORIZATION": sent} if sent else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 404
    assert b"commons_fund" not in response.content


def _requests(scrape: dict, method: str, status: str) -> float:
    key = ("commons_fund_http_requests_total", ("method", method), ("status", status))
    return scrape.get(key, 0)


def test_requests_are_counted_by_method_and_status_class(client, token):
    before = scrape(client)
    for _page in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    after = scrape(client)
    # The scrape before this one counts too (it was answered after being read).
    assert _requests(after, "GET", "2xx") - _requests(before, "GET", "2xx") == 4
    assert _requests(after, "POST", "4xx") - _requests(before, "POST", "4xx") == 1


def test_counts_of_several_processes_add_up_in_the_shared_cache(client, token):
    """Each process keeps its counts a second at most, then adds them to the cache that
    every process reads: a scrape answered by any of them sees all."""
    before = _requests(scrape(client), "PATCH", "5xx")
    first, second = metrics.RequestCounts(), metrics.RequestCounts()
    for _request in range(5):
        first.count("PATCH", 503)
    second.count("PATCH", 500)
    assert _requests(scrape(client), "PATCH", "5xx") == before  # not yet added
    first.flush()
    second.flush()
    assert _requests(scrape(client), "PATCH", "5xx") == before + 6


def test_an_unknown_method_is_counted_as_other(client, token):
    before = _requests(scrape(client), "other", "4xx")
    metrics.requests.count("PROPFIND", 405)
    assert _requests(scrape(client), "other", "4xx") == before + 1


def test_gauges_are_the_database_counts(client, token, demo_data):
    scraped = scrape(client)
    charges = dict(Charge.objects.values_list("status").annotate(n=Count("id")))
    rounds = dict(Round.objects.values_list("state").annotate(n=Count("id")))
    assert charges and rounds
    for status, count in charges.items():
        assert scraped[("commons_fund_charges", ("status", status))] == count
    for state, count in rounds.items():
        assert scraped[("commons_fund_rounds", ("state", state))] == count
    assert scraped[("commons_fund_charges", ("status", "cancelled"))] == charges.get("cancelled", 0)


def test_an_unreachable_cache_breaks_no_answer_and_loses_no_count(
    client, settings, monkeypatch, unreachable_cache
):
    """Counting must never break an answer: while the cache is down, the process keeps its
    counts and adds them once the cache answers again."""
    counts = metrics.RequestCounts()
    monkeypatch.setattr(metrics, "requests", counts)
    monkeypatch.setattr(metrics, "FLUSH_SECONDS", 0)  # every answer tries to add its count
    assert client.get("/healthz").status_code == 503  # answered, the cache said down
    assert client.post("/healthz").status_code == 405
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"back-again-{uuid.uuid4()}",
        }
    }
    caches.close_all()
    counts.flush()
    assert cache.get(metrics._request_key("GET", "5xx")) == 1
    assert cache.get(metrics._request_key("POST", "4xx")) == 1


def test_a_task_ending_while_the_cache_is_down_is_not_failed_by_its_count(unreachable_cache):
    ended = metrics._task_ended("succeeded")
    ended(sender=None)  # logged and dropped: a task's outcome is not the cache's


def test_a_scrape_while_the_cache_is_down_still_tells_the_gauges(client, token, unreachable_cache):
    figures = scrape(client)
    assert not any(name == "commons_fund_http_requests_total" for name, *_labels in figures)
    assert ("commons_fund_charges", ("status", "pending")) in figures
