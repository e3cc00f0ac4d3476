"""One scheduler sends the periodic tasks, however many beats are started (#23).

Every beat process may run (one per machine, a spare after a deployment); on PostgreSQL each
asks for a session-level advisory lock on a connection of its own, and only the one holding
it sends tasks. The others stand by and ask again every few seconds: when the holder dies, its
connection closes, PostgreSQL lets the lock go and a standby takes over, first reading the
schedule back from the database (when each task last ran). With SQLite there is one machine
and nothing to share: the beat sends, as before.
"""

import logging

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# pg_try_advisory_lock's key: "CFBEAT01" read as a 64-bit integer.
LOCK_KEY = int.from_bytes(b"CFBEAT01", "big", signed=True)
STANDBY_SECONDS = 5.0  # how often a standing-by beat asks for the lock


class BeatLock:
    """The advisory lock, held by a database connection kept apart from Django's (which the
    scheduler closes between ticks)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._holder: BaseDatabaseWrapper | None = None
        self._taken = False

    @property
    def needed(self) -> bool:
        return connections[self.alias].vendor == "postgresql"

    def held(self) -> bool:
        """Whether this process holds the lock now: taken if free; once taken, held for as
        long as its connection answers (PostgreSQL releases it when the connection ends)."""
        try:
            if self._holder is None:
                self._holder = connections.create_connection(self.alias)
                self._taken = False
            with self._holder.cursor() as cursor:
                if self._taken:
                    cursor.execute("SELECT true")
                else:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                self._taken = bool(cursor.fetchone()[0])
                return self._taken
        except DatabaseError:
            self.release()  # the connection died with the lock: ask again anew
            return False

    def release(self) -> None:
        """Let the lock go at once (a beat stopping); a dead process' connection lets it go
        when PostgreSQL sees the connection end."""
        if self._holder is not None:
            try:
                if self._taken:
                    with self._holder.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock_all()")
                self._holder.close()
            except DatabaseError:
                logger.debug("beat lock: the holding connection was already gone")
        self._holder = None
        self._taken = False


class SingleBeatScheduler(DatabaseScheduler):
    """django-celery-beat's scheduler (schedules edited in the admin), sending only while it
    holds the beat lock."""

    def __init__(self, *args, **kwargs) -> None:
        self.lock = BeatLock()
        self.sending: bool | None = None  # not known before the first tick
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        if self.lock.needed:
            holds = self.lock.held()
            if holds != self.sending:
                self._changed_hands(holds)
            if not holds:
                return STANDBY_SECONDS
        return super().tick(*args, **kwargs)

    def _changed_hands(self, holds: bool) -> None:
        taking_over, self.sending = self.sending is False and holds, holds
        if holds:
            logger.info("beat: this beat holds the lock and sends the periodic tasks")
            if taking_over:
                # What the previous holder sent: read when each task last ran again (synced
                # every few minutes: a task may be sent once more, the periodic tasks are
                # sweeps that find nothing left to do).
                self._initial_read = True
                self._heap = None
        else:
            logger.info("beat: another beat holds the lock; standing by")

    def close(self) -> None:
        super().close()
        self.lock.release()
