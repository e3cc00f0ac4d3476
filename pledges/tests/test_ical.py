"""A pool's and a person's iCalendar feeds, read back with the icalendar library."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from commons_fund.members.services import user_calendar_key_renew
from pledges import rounds
from pledges.models import InstalmentStatus, Round

from .factories import PoolFactory, voting_round
from .support import collected

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


def test_a_person_s_feed_has_the_rounds_of_their_pools_and_their_payments_due(
    client, pool, admin, members, projects
):
    """#19: one feed per person, at a secret address, with the payment due dates."""
    person = members[0].user
    voting_round(PoolFactory(host=admin.organisation), admin.user, projects[:1])  # not hers
    instalments = collected(pool, admin, members, projects)
    mine = next(c for c in instalments if c.pledge.membership_id == members[0].pk)
    assert mine.status == InstalmentStatus.DUE  # a transfer to make
    key = user_calendar_key_renew(user=person).calendar_key
    url = reverse("pledges:person_calendar", kwargs={"key": key})
    response = client.get(url)  # no session: calendar apps fetch it alone
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # never kept by the page cache
    events = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    (round_,) = pool.rounds.all()
    assert set(events) == {
        f"round-{round_.pk}-nominations@127.0.0.1",
        f"round-{round_.pk}-vote@127.0.0.1",
        f"collection-{mine.pk}-payment@127.0.0.1",
    }  # not the round of a pool she is not in, nor the others' payments
    payment = events[f"collection-{mine.pk}-payment@127.0.0.1"]
    assert "Paiement dû" in str(payment["SUMMARY"]) and "Fonds normand" in str(payment["SUMMARY"])
    assert payment.decoded("DTSTART") == timezone.localdate(round_.voting_closes_at)

    renewed = user_calendar_key_renew(user=person).calendar_key
    assert client.get(url).status_code == 404  # the old address stops working
    assert (
        client.get(reverse("pledges:person_calendar", kwargs={"key": renewed})).status_code == 200
    )
    assert (
        client.get(reverse("pledges:person_calendar", kwargs={"key": "x" * 43})).status_code == 404
    )


def test_my_space_makes_and_shows_my_calendar_address(client, members):
    person = members[0].user
    client.force_login(person)
    assert ".ics" not in client.get(reverse("members:my_space")).text
    response = client.post(reverse("members:calendar_key_renew"))
    assert response.status_code == 302
    person.refresh_from_db()
    page = client.get(reverse("members:my_space")).text
    assert reverse("pledges:person_calendar", kwargs={"key": person.calendar_key}) in page
