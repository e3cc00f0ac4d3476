"""Double submission on a real PostgreSQL server: twenty requests cast the same member's
ballot at once; the voter roll's unique constraint lets exactly one through."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from pledges import ballots
from pledges.models import Ballot, BallotLine, VoterRoll
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
    round_, candidacies = voting_round(pool, admin.user,
                                       [ProjectFactory() for _ in range(3)])
    marks = {candidacy.pk: 4 for candidacy in candidacies}
    start = threading.Barrier(20)
    outcomes = []

    def vote():
        try:
            start.wait()
            outcomes.append(ballots.ballot_cast(round_=round_, membership=member,
                                                actor=member.user, marks=marks))
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
    assert VoterRoll.objects.count() == Ballot.objects.count() == 1
    assert BallotLine.objects.count() == 3
