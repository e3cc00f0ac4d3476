"""Demo yearly accounts (used by `seed_demo`): Ouvaton's published figures for 2022 and 2023,
and 2019–2021 modelled to fit them, marked illustrative.

Published: 2022 share capital 143 024 €, revenue 87 550 €, expenses 75 573 €, share value
7,54 €; 2023 share capital 147 792 € in 9 237 shares of 16 €, revenue 91 194 €, expenses
76 050 €, operating result +15 144 €, retained earnings −97 991 €, equity 88 029 €, 14,18 % of
revenue from non-members, 875,50 € given. Each year's retained earnings are the previous
year's plus its result, which sets the 2019–2022 values.
"""

from decimal import Decimal

from commons_fund.members.models import Organisation

from .models import FinancialYear

SHARE = Decimal(16)
# Notes are shown on the French-first demo site as written.
DERIVED_2022 = (
    "Publiés : capital social, produits, charges et valeur de la part (7,54 €). "
    "Capitaux propres et report à nouveau déduits de ces chiffres."
)
MODELLED = "Année illustrative, modélisée pour mener aux comptes publiés de 2022 et 2023."
YEARS = {
    # year: (share capital, equity, retained earnings, revenue, expenses, non-members, given,
    #        accounts, illustrative, notes)
    2019: (128_000, 28_100, -113_968, 76_400, 82_900, None, None, 1_610, True, MODELLED),
    2020: (133_600, 36_100, -120_468, 80_100, 77_300, None, None, 1_690, True, MODELLED),
    2021: (138_400, 48_500, -117_668, 83_900, 76_200, None, None, 1_740, True, MODELLED),
    2022: (143_024, 67_400, -109_968, 87_550, 75_573, None, None, None, False, DERIVED_2022),
    2023: (
        147_792,
        88_029,
        -97_991,
        91_194,
        76_050,
        Decimal("12931.31"),
        Decimal("875.50"),
        1_827,
        False,
        "Comptes publiés ; le nombre de comptes actifs est illustratif.",
    ),
}


def seed() -> None:
    ouvaton = Organisation.objects.get(slug="ouvaton")
    for year, (
        capital,
        equity,
        retained,
        revenue,
        expenses,
        non_members,
        given,
        accounts,
        illustrative,
        notes,
    ) in YEARS.items():
        FinancialYear.objects.get_or_create(
            organisation=ouvaton,
            year=year,
            defaults={
                "share_capital": Decimal(capital),
                "shares_count": int(capital // SHARE),
                "nominal_share_value": SHARE,
                "equity": Decimal(equity),
                "retained_earnings": Decimal(retained),
                "operating_revenue": Decimal(revenue),
                "operating_expenses": Decimal(expenses),
                "operating_result": Decimal(revenue - expenses),
                "non_member_revenue": non_members,
                "donations_made": given,
                "active_accounts": accounts,
                "illustrative": illustrative,
                "notes": notes,
            },
        )
