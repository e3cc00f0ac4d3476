"""A pool's iCalendar feed, read back with the icalendar library."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from pledges import rounds
from pledges.models import Round

from .factories import voting_round

pytestmark = pytest.mark.django_db


def test_the_feed_lists_each_round_with_stable_uids(client, pool, admin, projects):
    round_, _candidacies = voting_round(pool, admin.user, projects)
    url = f"/fr/pools/{pool.slug}/calendar.ics"
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    feed = Calendar.from_ical(response.content)
    assert str(feed["X-WR-CALNAME"]) == pool.name
    events = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    vote = events[f"round-{round_.pk}-vote@127.0.0.1"]
    assert vote.decoded("DTSTART") == round_.voting_opens_at.replace(microsecond=0)  # seconds
    assert vote.decoded("DTEND") == round_.voting_closes_at.replace(microsecond=0)
    assert str(vote["URL"]).endswith(round_.get_absolute_url())
    assert "tour 1" in str(vote["SUMMARY"])
    assert f"round-{round_.pk}-nominations@127.0.0.1" in events

    later = round_.voting_closes_at + timedelta(days=2)
    Round.objects.filter(pk=round_.pk).update(voting_closes_at=later)  # the vote is extended
    again = {str(e["UID"]): e for e in Calendar.from_ical(client.get(url).content).walk("VEVENT")}
    assert set(again) == set(events)  # the same events, moved: never duplicates
    assert again[f"round-{round_.pk}-vote@127.0.0.1"].decoded("DTEND") == later.replace(
        microsecond=0
    )


def test_cancelled_rounds_leave_the_feed_and_unknown_pools_are_404(client, pool, admin, projects):
    round_, _candidacies = voting_round(pool, admin.user, projects)
    rounds.round_cancel(round_=round_, actor=admin.user, reason="Test")
    feed = Calendar.from_ical(client.get(f"/fr/pools/{pool.slug}/calendar.ics").content)
    assert list(feed.walk("VEVENT")) == []
    assert client.get("/fr/pools/nowhere/calendar.ics").status_code == 404
