"""#19: an administrator extends a vote under way; the new close shows everywhere (round
page, API, the pool's calendar) and the reminder goes again before it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from commons_fund.members.tests.factories import UserFactory
from pledges import rounds

from .factories import voting_round

pytestmark = pytest.mark.django_db


def test_an_administrator_extends_the_vote_and_every_date_follows(client, pool, admin, projects):
    round_, _candidacies = voting_round(pool, admin.user, projects)
    round_.reminded_at = timezone.now()
    round_.save(update_fields=["reminded_at"])
    later = (round_.voting_closes_at + timedelta(days=3)).replace(second=0, microsecond=0)
    client.force_login(admin.user)
    response = client.post(
        f"{round_.get_absolute_url()}actions/extend/",
        {"voting_closes_at": timezone.localtime(later).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.voting_closes_at == later and round_.reminded_at is None
    api = client.get(f"/api/v1/rounds/{round_.pk}/").json()
    assert api["voting_closes_at"].startswith(timezone.localtime(later).strftime("%Y-%m-%dT%H:%M"))
    feed = Calendar.from_ical(client.get(f"{pool.get_absolute_url()}calendar.ics").content)
    (vote,) = [e for e in feed.walk("VEVENT") if "vote" in str(e["UID"])]
    assert vote.decoded("DTEND") == later


def test_an_extension_must_be_later_and_within_30_days_and_by_an_administrator(
    pool, admin, projects
):
    round_, _candidacies = voting_round(pool, admin.user, projects)
    closes = round_.voting_closes_at
    for bad in (closes - timedelta(hours=1), closes + timedelta(days=31)):
        with pytest.raises(ValidationError) as raised:
            rounds.round_extend_vote(round_=round_, actor=admin.user, closes_at=bad)
        assert "voting_closes_at" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        rounds.round_extend_vote(
            round_=round_, actor=UserFactory(), closes_at=closes + timedelta(days=1)
        )
    round_.refresh_from_db()
    assert round_.voting_closes_at == closes
