"""A pool's rounds as an iCalendar feed (RFC 5545) that calendar apps subscribe to: when
nominations open, and the vote from its opening to its close. Each event keeps its UID
across changes of dates, so an app moves the event instead of adding another."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Pool, Round, RoundState


def _uid(round_: Round, what: str) -> str:
    return f"round-{round_.pk}-{what}@{urlsplit(settings.SITE_URL).hostname or 'commons-fund'}"


def _event(round_: Round, what: str, summary: str, start, end) -> Event:
    event = Event()
    event.add("uid", _uid(round_, what))
    event.add("dtstamp", round_.updated_at or timezone.now())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("url", settings.SITE_URL.rstrip("/") + round_.get_absolute_url())
    return event


def pool_calendar(*, pool: Pool, rounds: list[Round]) -> bytes:
    """The feed of `rounds` (cancelled ones are left out)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Commons Fund//Pools//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", pool.name)
    for round_ in rounds:
        if round_.state == RoundState.CANCELLED:
            continue
        names = {"pool": pool.name, "number": round_.number}
        calendar.add_component(
            _event(
                round_,
                "nominations",
                _("%(pool)s, round %(number)s: nominations open") % names,
                round_.nominations_open_at,
                round_.voting_opens_at,
            )
        )
        calendar.add_component(
            _event(
                round_,
                "vote",
                _("%(pool)s, round %(number)s: the vote") % names,
                round_.voting_opens_at,
                round_.voting_closes_at,
            )
        )
    return calendar.to_ical()
