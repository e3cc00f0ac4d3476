"""Ballots: a receipt replaces only its own member's ballot, and nothing a database reader
sees pairs a counted ballot with its voter (probe of issue #17, points 2 and 3)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from pledges import ballots, rounds
from pledges.models import Ballot, BallotLine, SealedBallot, VoterRoll
from pledges.tests.factories import (
    PledgeFactory,
    PoolFactory,
    PoolMembershipFactory,
    voting_round,
)
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_and_members():
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation)
    members = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(20)
    ]
    projects = [ProjectFactory(name=name) for name in ("Alpha", "Beta", "Gamma")]
    round_, candidacies = voting_round(pool, admin.user, projects)
    return round_, candidacies, members


def _vote(round_, member, candidacies, grades, previous=""):
    return ballots.ballot_cast(
        round_=round_,
        membership=member,
        actor=member.user,
        marks={c.pk: g for c, g in zip(candidacies, grades, strict=True)},
        previous_receipt=previous,
    )


def test_a_receipt_replaces_only_the_ballot_of_the_member_who_cast_it(round_and_members):
    round_, candidacies, (alex, lou, *_others) = round_and_members
    lou_receipt = _vote(round_, lou, candidacies, (6, 0, 0))
    alex_receipt = _vote(round_, alex, candidacies, (0, 6, 0))
    with pytest.raises(ValidationError) as refused:  # alex quotes lou's receipt
        _vote(round_, alex, candidacies, (0, 0, 6), previous=lou_receipt)
    assert "previous_receipt" in refused.value.message_dict
    boxed = set(SealedBallot.objects.values_list("receipt", flat=True))
    assert boxed == {lou_receipt, alex_receipt}
    ballots.ballots_unseal(round_=round_)
    with pytest.raises(ValidationError):  # counted ballots are no easier to take over
        _vote(round_, alex, candidacies, (0, 0, 6), previous=lou_receipt)
    assert set(Ballot.objects.values_list("receipt", flat=True)) == {lou_receipt, alex_receipt}
    new = _vote(round_, alex, candidacies, (0, 0, 6), previous=alex_receipt.lower())
    assert set(Ballot.objects.values_list("receipt", flat=True)) == {lou_receipt}
    assert set(SealedBallot.objects.values_list("receipt", flat=True)) == {new}


def test_the_voter_roll_keeps_no_time_and_no_receipt(round_and_members):
    round_, candidacies, members = round_and_members
    receipt = _vote(round_, members[0], candidacies, (6, 3, 1))
    fields = {field.name for field in VoterRoll._meta.get_fields()}
    assert not {name for name in fields if "time" in name or name.endswith("_at")}
    roll = VoterRoll.objects.get()
    row = " ".join(str(value) for value in VoterRoll.objects.values().get().values())
    assert receipt not in row and receipt.replace("-", "") not in row
    assert len(roll.receipt_digest) == 64


def test_counted_ballots_keep_no_trace_of_the_voting_order(round_and_members, settings):
    round_, candidacies, members = round_and_members
    settings.BALLOT_BOX_MINIMUM = 20
    receipts = [_vote(round_, m, candidacies, (i % 7, 3, 1)) for i, m in enumerate(members[:19])]
    assert ballots.ballots_unseal_waiting() == 0  # 19 wait: too few to hide among
    assert not Ballot.objects.exists() and SealedBallot.objects.count() == 19
    receipts.append(_vote(round_, members[19], candidacies, (5, 3, 1)))
    assert ballots.ballots_unseal_waiting() == 20
    assert not SealedBallot.objects.exists()

    roll_order = list(VoterRoll.objects.order_by("pk").values_list("pk", flat=True))
    by_key = list(Ballot.objects.order_by("pk").values_list("receipt", flat=True))
    by_line = list(
        BallotLine.objects.order_by("pk").values_list("ballot__receipt", flat=True).distinct()
    )
    assert set(by_key) == set(receipts)
    assert by_key != receipts and by_line != receipts  # 1 chance in 20! each to fail
    assert not set(Ballot.objects.values_list("pk", flat=True)) & set(roll_order)
    if connection.vendor == "postgresql":  # written by another transaction than the votes
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT xmin::text FROM pledges_ballot")
            ballot_versions = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT DISTINCT xmin::text FROM pledges_voterroll")
            roll_versions = {row[0] for row in cursor.fetchall()}
        assert not ballot_versions & roll_versions


def test_the_count_opens_the_box_whatever_its_size(round_and_members, settings):
    round_, candidacies, members = round_and_members
    settings.BALLOT_BOX_MINIMUM = 50
    for member in members[:12]:
        _vote(round_, member, candidacies, (6, 2, 0))
    round_ = rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))
    assert round_.results["voters"] == 12 and Ballot.objects.count() == 12
    assert not SealedBallot.objects.exists()


def test_a_receipt_is_looked_up_by_post_so_that_no_access_log_pairs_it_with_an_address(
    round_and_members, client
):
    """Probe of issue #17, point 17: `?receipt=…` put receipts next to IP addresses."""
    round_, candidacies, members = round_and_members
    mine = _vote(round_, members[0], candidacies, (6, 3, 1))
    for member in members[1:12]:  # enough voters for the quorum
        _vote(round_, member, candidacies, (1, 3, 6))
    rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))
    url = f"{round_.get_absolute_url()}receipts/"
    page = client.get(url)
    assert 'method="post"' in page.text and 'method="get"' not in page.text.split("<table")[0]
    assert client.get(url, {"receipt": mine}).context["page"].paginator.count == 12  # all
    found = client.post(url, {"receipt": mine})
    assert found.status_code == 200 and found.context["page"].paginator.count == 1
    assert mine in found.text
