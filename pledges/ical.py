"""Pools' rounds as iCalendar feeds (RFC 5545) that calendar apps subscribe to: a pool's
feed (public), and a person's (behind a secret address) with the rounds of every pool they
act in and their payments due. Each event keeps its UID across changes of dates, so an app
moves the event instead of adding another."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from commons_fund.money import format_amount

from .models import Instalment, InstalmentStatus, Pool, Round, RoundState
from .personal import PersonCalendar


def _uid(kind: str, pk: int, what: str) -> str:
    return f"{kind}-{pk}-{what}@{urlsplit(settings.SITE_URL).hostname or 'commons-fund'}"


def _event(*, uid: str, stamp, summary: str, start, end, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp or timezone.now())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("url", settings.SITE_URL.rstrip("/") + url)
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Commons Fund//Pools//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _round_events(round_: Round, pool: Pool) -> list[Event]:
    """Nominations, then the vote from its opening to its close."""
    names = {"pool": pool.name, "number": round_.number}
    steps = (
        (
            "nominations",
            _("%(pool)s, round %(number)s: nominations open") % names,
            round_.nominations_open_at,
            round_.voting_opens_at,
        ),
        (
            "vote",
            _("%(pool)s, round %(number)s: the vote") % names,
            round_.voting_opens_at,
            round_.voting_closes_at,
        ),
    )
    return [
        _event(
            uid=_uid("round", round_.pk, what),
            stamp=round_.updated_at,
            summary=summary,
            start=start,
            end=end,
            url=round_.get_absolute_url(),
        )
        for what, summary, start, end in steps
    ]


def _payment_event(instalment: Instalment) -> Event:
    """A payment due (on the day the round was collected) or failed (on the day it is tried
    again), as an all-day event."""
    round_ = instalment.round
    names = {
        "amount": format_amount(instalment.amount.amount),
        "pool": round_.pool.name,
        "number": round_.number,
    }
    if instalment.status == InstalmentStatus.FAILED:
        summary = _("Payment failed, tried again: %(amount)s, %(pool)s round %(number)s") % names
    else:
        summary = _("Payment due: %(amount)s, %(pool)s round %(number)s") % names
    when = timezone.localdate(instalment.next_attempt_at or round_.voting_closes_at)
    return _event(
        uid=_uid("collection", instalment.pk, "payment"),
        stamp=instalment.updated_at,
        summary=summary,
        start=when,
        end=when + timedelta(days=1),
        url=round_.get_absolute_url(),
    )


def pool_calendar(*, pool: Pool, rounds: list[Round]) -> bytes:
    """The feed of `rounds` (cancelled ones are left out)."""
    calendar = _calendar(pool.name)
    for round_ in rounds:
        if round_.state != RoundState.CANCELLED:
            for event in _round_events(round_, pool):
                calendar.add_component(event)
    return calendar.to_ical()


def person_calendar(*, items: PersonCalendar) -> bytes:
    """A person's feed: the rounds of their pools and their payments due."""
    calendar = _calendar(_("Commons Fund: my pools"))
    for round_ in items.rounds:
        for event in _round_events(round_, round_.pool):
            calendar.add_component(event)
    for instalment in items.payments:
        calendar.add_component(_payment_event(instalment))
    return calendar.to_ical()
