"""Which tables a page read and which a write changed, for the page cache's freshness (#23).

Each database table has a *generation* in the shared cache, a random token that a committed
write to the table replaces. A page is kept with the generations of the tables its rendering
read; it is fresh while they are all unchanged, so a write to one pool's pledges no longer
drops the pages of every commons and organisation, only those that read pledges.

Both sides are seen in the SQL itself, by a wrapper on every database connection of every
process (web, worker, commands): the tables named after FROM and JOIN in what a rendering
runs, the table of every INSERT, UPDATE and DELETE anywhere. Writes are seen however they are
made (`save()`, `QuerySet.update()`, raw SQL), and count once their transaction commits.
Tables that database triggers keep (balances, member counts) are changed with the table whose
writes fire them. A schema change (a migration) or `everything_expires()` starts a new
generation of the pseudo-table `*`, which every page depends on.

`PAGE_CACHE_SCOPE = "site"` goes back to the simplest rule: any write replaces `*`, so any
write drops every page (what bench/cache_hits.py compares against).
"""

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from . import frontend_cache

EVERYTHING = "*"
KEY_PREFIX = "pages:table:"
# Writes that change no page: sessions, the admin's log, Celery beat's bookkeeping.
IGNORED_PREFIXES = (
    "django_session",
    "django_admin_log",
    "django_celery_beat_",
    "django_celery_results_",
)
# Tables written by database triggers when another table is written.
KEPT_BY_TRIGGERS = {
    "ledger_transaction": ("ledger_accountbalance",),
    "pledges_poolmembership": ("pledges_poolmembercount",),
}
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE
)
_SCHEMA = re.compile(r"^\s*(?:CREATE|ALTER|DROP|TRUNCATE)\b", re.IGNORECASE)
# A log-in writes when the person last logged in, which no page shows.
_LAST_LOGIN = re.compile(r'^\s*UPDATE\s+"members_user"\s+SET\s+"last_login"\s*=\s*\S+\s+WHERE')

_reading: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "tables_read", default=None
)


def table_key(table: str) -> str:
    return KEY_PREFIX + table


def everything_expires() -> None:
    """A new generation of `*`: every kept page and fragment becomes a miss."""
    cache.set(table_key(EVERYTHING), uuid.uuid4().hex, None)


def tables_expire(tables: Iterable[str]) -> None:
    """New generations for tables whose writes committed (or for `*` alone in site scope)."""
    changed = set(tables)
    if not changed:
        return
    if EVERYTHING in changed or settings.PAGE_CACHE_SCOPE == "site":
        changed = {EVERYTHING}
    cache.set_many({table_key(table): uuid.uuid4().hex for table in changed}, None)
    if frontend_cache.purging():
        frontend_cache.urls_purge(tables=model_tables() if EVERYTHING in changed else changed)


def model_tables() -> list[str]:
    """Every table of the installed models (many-to-many ones included), and `*`."""
    tables = {EVERYTHING}
    for model in apps.get_models(include_auto_created=True):
        tables.add(model._meta.db_table)
    return sorted(tables)


def generations(tables: Iterable[str]) -> dict[str, str]:
    """The current generation of each table, started for those the cache has none of (first
    use, or evicted: a page kept under the lost one is then a miss, never wrongly fresh)."""
    tables = list(tables)
    found = cache.get_many([table_key(table) for table in tables])
    missing = [table for table in tables if table_key(table) not in found]
    for table in missing:
        cache.add(table_key(table), uuid.uuid4().hex, None)
    if missing:
        found.update(cache.get_many([table_key(table) for table in missing]))
    return {table: found[table_key(table)] for table in tables}


@contextlib.contextmanager
def reading() -> Iterator[set[str]]:
    """The tables the SQL run inside the block reads (with those of enclosing blocks)."""
    outer = _reading.get()
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        yield tables
    finally:
        _reading.reset(token)
        if outer is not None:
            outer.update(tables)


def add_read(tables: Iterable[str]) -> None:
    """Tables a value from the cache was made of, counted as read by the rendering."""
    current = _reading.get()
    if current is not None:
        current.update(tables)


def _written_tables(sql: str) -> set[str]:
    if _SCHEMA.match(sql):
        return {EVERYTHING}
    match = _WRITE.match(sql)
    if match is None or _LAST_LOGIN.match(sql):
        return set()
    table = match.group(1)
    if table.startswith(IGNORED_PREFIXES):
        return set()
    return {table, *KEPT_BY_TRIGGERS.get(table, ())}


class _Expire:
    """An on-commit callback starting new generations for the tables written in one
    savepoint's scope: one write to the cache for all of them (a posting writes three)."""

    def __init__(self, tables: set[str]) -> None:
        self.tables = tables

    def __call__(self) -> None:
        tables_expire(self.tables)


def _observe(execute, sql, params, many, context):
    """The wrapper on every connection: notes what is read and what is written."""
    reading_now = _reading.get()
    if reading_now is not None:
        reading_now.update(_READ.findall(sql))
    result = execute(sql, params, many, context)
    if settings.PAGE_CACHE_SECONDS:
        written = _written_tables(sql)
        if written:
            _on_commit(context["connection"], written)
    return result


def _on_commit(connection, tables: set[str]) -> None:
    """The tables join the callback of the current savepoint's scope (a callback dropped
    with a savepoint rolled back takes only that scope's writes with it). `atomic()` blocks
    without a savepoint (`save()`, `bulk_create()`) count as None and change no scope."""
    if not connection.in_atomic_block:
        tables_expire(tables)
        return
    scope = set(connection.savepoint_ids) - {None}
    for savepoints, func, _robust in reversed(connection.run_on_commit):
        if isinstance(func, _Expire) and savepoints - {None} == scope:
            func.tables.update(tables)
            return
    transaction.on_commit(_Expire(set(tables)), using=connection.alias)


def observe_connection(sender=None, connection=None, **_signal) -> None:
    """`connection_created`: watch the connection's SQL (once per connection object)."""
    if _observe not in connection.execute_wrappers:
        # First, outermost: `connection.execute_wrapper()` blocks pop the last wrapper, which
        # stays theirs even when the connection is made inside one.
        connection.execute_wrappers.insert(0, _observe)
