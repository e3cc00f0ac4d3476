import factory
from djmoney.money import Money

from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from pledges.models import Pledge, Pool, PoolMembership


class PoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pool

    name = factory.Sequence(lambda n: f"Fonds commun {n}")
    slug = factory.Sequence(lambda n: f"fonds-commun-{n}")
    host = factory.SubFactory(OrganisationFactory)
    quorum_percent = 50


class PoolMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolMembership

    pool = factory.SubFactory(PoolFactory)
    user = factory.SubFactory(UserFactory)


class PledgeFactory(factory.django.DjangoModelFactory):
    """A pledge paid by bank transfer (card and SEPA pledges need a saved method)."""

    class Meta:
        model = Pledge

    membership = factory.SubFactory(PoolMembershipFactory)
    amount = Money("10.00", "EUR")
    method = "transfer"


def voting_round(pool, actor, projects, **dates):
    """A round of `pool` whose vote is open (it opened a day ago and closes in a day), with
    `projects` nominated by `actor`; returns the round and its candidacies."""
    from datetime import timedelta

    from django.utils import timezone

    from pledges import rounds

    now = timezone.now()
    round_ = rounds.round_schedule(
        pool=pool,
        actor=actor,
        nominations_open_at=dates.get("nominations_open_at", now - timedelta(days=2)),
        voting_opens_at=dates.get("voting_opens_at", now - timedelta(days=1)),
        voting_closes_at=dates.get("voting_closes_at", now + timedelta(days=1)),
        matching_pool=dates.get("matching_pool"),
        matching_cap_percent=dates.get("matching_cap_percent"),
    )
    candidacies = [
        rounds.candidacy_nominate(round_=round_, actor=actor, project=project)
        for project in projects
    ]
    return rounds.round_open_voting(round_=round_), candidacies
