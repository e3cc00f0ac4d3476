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
