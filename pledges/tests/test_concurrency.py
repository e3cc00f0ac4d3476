"""Double submission on a real PostgreSQL server: twenty requests cast the same member's
ballot at once; the voter roll's unique constraint lets exactly one through."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from pledges import ballots
from pledges.models import Ballot, BallotLine, SealedBallot, VoterRoll
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory, voting_round

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_twenty_simultaneous_ballots_of_one_member_make_one():
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation)
    member = PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership
    round_, candidacies = voting_round(pool, admin.user, [ProjectFactory() for _ in range(3)])
    marks = {candidacy.pk: 4 for candidacy in candidacies}
    start = threading.Barrier(20)
    outcomes = []

    def vote():
        try:
            start.wait()
            outcomes.append(
                ballots.ballot_cast(
                    round_=round_, membership=member, actor=member.user, marks=marks
                )
            )
        except ValidationError:
            outcomes.append(None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 20
    assert len([receipt for receipt in outcomes if receipt]) == 1
    assert VoterRoll.objects.count() == SealedBallot.objects.count() == 1
    ballots.ballots_unseal(round_=round_)
    assert Ballot.objects.count() == 1 and BallotLine.objects.count() == 3


def test_fifty_threads_of_pledges_and_ballots_keep_every_invariant():
    """50 threads at once: 13 members each submit their ballot twice while 12 newcomers each
    submit their first pledge twice. One ballot per voter, one live pledge per member, the
    second of each pair refused, and the tally counts each voter once."""
    from django.utils import timezone

    from pledges import rounds, services
    from pledges.models import Pledge

    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation, quorum_percent=10)
    voters = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(13)
    ]
    round_, candidacies = voting_round(pool, admin.user, [ProjectFactory() for _ in range(3)])
    newcomers = [PoolMembershipFactory(pool=pool) for _ in range(12)]
    refused, errors = [], []

    def run(action):
        try:
            start.wait()
            action()
        except ValidationError:
            refused.append(1)
        except Exception as error:  # any other failure fails the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    def ballot(member, grade):
        return lambda: ballots.ballot_cast(
            round_=round_,
            membership=member,
            actor=member.user,
            marks={c.pk: grade for c in candidacies},
        )

    def pledge(member, amount):
        return lambda: services.pledge_create(
            membership=member, actor=member.user, amount=amount, method="transfer"
        )

    actions = [ballot(member, grade) for member in voters for grade in (2, 5)]
    actions += [pledge(member, amount) for member in newcomers for amount in ("10", "20")]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    assert len(threads) == 50
    start = threading.Barrier(len(threads))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(refused) == 25  # the second of each pair
    assert VoterRoll.objects.filter(round=round_).count() == 13
    assert ballots.ballots_unseal(round_=round_) == 13
    assert Ballot.objects.filter(round=round_).count() == 13
    assert BallotLine.objects.count() == 39
    for member in newcomers:
        assert Pledge.objects.filter(membership=member).count() == 1
    round_.refresh_from_db()
    round_ = rounds.round_tally(
        round_=round_, now=round_.voting_closes_at + timezone.timedelta(minutes=1)
    )
    assert round_.results["voters"] == 13
