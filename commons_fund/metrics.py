"""Metrics for Prometheus at /metrics, for whoever holds METRICS_TOKEN (#23).

One scrape must count every web process and worker, on every machine, behind one address:
counters (requests by method and status class, Celery tasks by name and outcome) are therefore
kept in the shared cache, Redis in production. A web process adds its requests there at most
once a second (what a process killed in between had counted is lost); a worker adds each task
as it ends. Counters start again from zero when the cache is emptied, which Prometheus reads
as a reset. Counting never breaks an answer nor a task: while the cache is unreachable a web
process keeps its counts for the next flush (a worker's are logged and dropped), and a scrape
gives the gauges alone. Gauges (charges by status, rounds by state, the beat's last run) are
read from the database at each scrape.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from celery.signals import task_failure, task_retry, task_success
from django.core.cache import cache
from django.db.models import Count, Max
from django_celery_beat.models import PeriodicTask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from commons_fund.payments.models import Charge, ChargeStatus
from pledges.models import Round, RoundState

from .celery import app

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
TASK_OUTCOMES = ("succeeded", "failed", "retried")
FLUSH_SECONDS = 1.0

logger = logging.getLogger(__name__)


def _request_key(method: str, status_class: str) -> str:
    return f"metrics:requests:{method}:{status_class}"


def _task_key(task: str, outcome: str) -> str:
    return f"metrics:tasks:{task}:{outcome}"


def _add(counts: dict[str, int]) -> Counter[str]:
    """Add to the shared counters (created at zero, kept until the cache is emptied); return
    what could not be added. Any backend's error is caught: a counter is never worth an
    answer."""
    left = Counter(counts)
    try:
        for key, count in counts.items():
            cache.add(key, 0, None)
            cache.incr(key, count)
            del left[key]
    except Exception:
        logger.warning("Metrics not counted: the cache is unreachable", exc_info=True)
    return left


class RequestCounts:
    """This process' requests not yet added to the shared counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()
        self._flushed_at = time.monotonic()

    def count(self, method: str, status: int) -> None:
        method = method if method in METHODS else "other"
        status_class = f"{min(max(status // 100, 1), 5)}xx"
        with self._lock:
            self._pending[_request_key(method, status_class)] += 1
            if time.monotonic() - self._flushed_at < FLUSH_SECONDS:
                return
        self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._flushed_at = time.monotonic()
        left = _add(pending)
        if left:
            with self._lock:
                self._pending.update(left)


requests = RequestCounts()


class RequestCountMiddleware:
    """Counts every answer, those from the page cache included (first in the stack)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        requests.count(request.method, response.status_code)
        return response


def _task_ended(outcome: str):
    def receiver(sender=None, **_signal) -> None:
        name = getattr(sender, "name", None) or str(sender)
        _add({_task_key(name, outcome): 1})

    return receiver


def connect_task_signals() -> None:
    for signal, outcome in (
        (task_success, "succeeded"),
        (task_failure, "failed"),
        (task_retry, "retried"),
    ):
        signal.connect(_task_ended(outcome), weak=False, dispatch_uid=f"metrics-{outcome}")


def _task_names() -> list[str]:
    return sorted(name for name in app.tasks if not name.startswith("celery."))


class CommonsFundCollector(Collector):
    """Read at each scrape: the shared counters and the database's gauges."""

    def collect(self) -> Iterator[Metric]:
        yield from self._requests()
        yield from self._tasks()
        yield from self._charges()
        yield from self._rounds()
        yield from self._beat()

    @staticmethod
    def _counter(
        name: str, documentation: str, labels: list[str], keys: Iterable[tuple[tuple, str]]
    ) -> CounterMetricFamily:
        keys = list(keys)
        try:
            found = cache.get_many([key for _values, key in keys])
        except Exception:  # the scrape still tells the database's gauges
            logger.warning("Counters not read: the cache is unreachable", exc_info=True)
            found = {}
        family = CounterMetricFamily(name, documentation, labels=labels)
        for values, key in keys:
            if key in found:
                family.add_metric(list(values), found[key])
        return family

    def _requests(self) -> Iterator[Metric]:
        requests.flush()  # this process' own, so that a scrape counts itself
        yield self._counter(
            "commons_fund_http_requests",
            "HTTP requests answered, by method and status class.",
            ["method", "status"],
            (
                ((method, status), _request_key(method, status))
                for method in METHODS
                for status in STATUS_CLASSES
            ),
        )

    def _tasks(self) -> Iterator[Metric]:
        yield self._counter(
            "commons_fund_celery_tasks",
            "Celery tasks ended, by task and outcome.",
            ["task", "outcome"],
            (
                ((task, outcome), _task_key(task, outcome))
                for task in _task_names()
                for outcome in TASK_OUTCOMES
            ),
        )

    @staticmethod
    def _grouped(name: str, documentation: str, rows, label: str, values) -> Metric:
        """A gauge of rows grouped by one field, every value shown (0 when there is none)."""
        counts = dict(rows.order_by().values_list(label).annotate(count=Count("id")))
        family = GaugeMetricFamily(name, documentation, labels=[label])
        for value in values:
            family.add_metric([value], counts.get(value, 0))
        return family

    def _charges(self) -> Iterator[Metric]:
        yield self._grouped(
            "commons_fund_charges",
            "Charges (card, SEPA, transfer) by status.",
            Charge.objects.all(),
            "status",
            ChargeStatus.values,
        )

    def _rounds(self) -> Iterator[Metric]:
        yield self._grouped(
            "commons_fund_rounds",
            "Pools' rounds by state.",
            Round.objects.all(),
            "state",
            RoundState.values,
        )

    def _beat(self) -> Iterator[Metric]:
        last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
        if last is not None:
            yield GaugeMetricFamily(
                "commons_fund_beat_last_run_timestamp_seconds",
                "When the scheduler last sent a task.",
                value=last.timestamp(),
            )


def registry() -> CollectorRegistry:
    """A registry of this project's metrics alone (not the process' Python figures, which
    would describe whichever worker answered the scrape)."""
    collected = CollectorRegistry(auto_describe=False)
    collected.register(CommonsFundCollector())
    return collected
