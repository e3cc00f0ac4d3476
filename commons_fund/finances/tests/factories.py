from decimal import Decimal

import factory

from commons_fund.finances.models import FinancialYear
from commons_fund.members.tests.factories import OrganisationFactory


class FinancialYearFactory(factory.django.DjangoModelFactory):
    """A healthy small cooperative's year: 100 shares of 100 €, a 5 000 € surplus."""

    class Meta:
        model = FinancialYear

    organisation = factory.SubFactory(OrganisationFactory)
    year = 2023
    share_capital = Decimal(10_000)
    shares_count = 100
    nominal_share_value = Decimal(100)
    equity = Decimal(20_000)
    retained_earnings = Decimal(2_000)
    operating_revenue = Decimal(60_000)
    operating_expenses = Decimal(55_000)
    operating_result = factory.LazyAttribute(lambda o: o.operating_revenue - o.operating_expenses)


# Ouvaton's published 2023 accounts: the worked example.
OUVATON_2023 = {
    "year": 2023,
    "share_capital": Decimal(147_792),
    "shares_count": 9_237,
    "nominal_share_value": Decimal(16),
    "equity": Decimal(88_029),
    "retained_earnings": Decimal(-97_991),
    "operating_revenue": Decimal(91_194),
    "operating_expenses": Decimal(76_050),
    "operating_result": Decimal(15_144),
    "non_member_revenue": Decimal("12931.31"),
    "donations_made": Decimal("875.50"),
}
