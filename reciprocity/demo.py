"""Demo reciprocity (used by `seed_demo`): Numérique Bocage (a fictional SCOP installing the
Normandy bundle) and Data Patch (a fictional data SCOP that also sells Dokos services) under
signed contracts with a declaration for each quarter ended — Data Patch is late on its last
two — and the hosting
cooperative's 1 % policy: 1 % of its 2022 revenue (87 550 €, read from its yearly accounts)
given in 2023 to La Quadrature du Net and Debian France, 437,75 € each; and Data Patch's
for this year, 1 % of last year's 48 000 € to Framasoft and the Dokos commons. Nothing
calls Stripe: payments are transfers."""

from datetime import date

from django.utils import timezone

from commons_fund.members.models import Organisation, Role
from commons_fund.payments import services as payments
from projects.models import Project

from . import services
from .models import ReciprocityContract, RevenueSharePolicy
from .selectors import GRACE_DAYS

CONTRACTS = [
    # partner, commons, rate, base, floor, quarterly revenues (repeated), quarters left out
    (
        "numerique-bocage",
        "bouquet-normand",
        "5",
        "Chiffre d’affaires hors taxes des installations et de l’assistance du bouquet normand",
        "30",
        ["4 800", "6 150", "5 420"],
        0,
    ),
    (
        "data-patch",
        "dokos",
        "3",
        "Chiffre d’affaires hors taxes des prestations d’intégration et de formation Dokos",
        None,
        ["12 000", "9 300"],
        2,
    ),  # its last two quarters are not declared: late
]
START = date(2026, 1, 1)


def _ended_quarters(today: date) -> list[date]:
    """First days of the quarters since START that have ended by `today`."""
    quarters, start = [], START
    while True:
        following = date(start.year + start.month // 10, (start.month + 2) % 12 + 1, 1)
        if following > today:
            return quarters
        quarters.append(start)
        start = following


def _admin(organisation: Organisation):
    return organisation.memberships.filter(role=Role.ADMIN).order_by("id").first().user


def _treasurer(organisation: Organisation):
    membership = (
        organisation.memberships.filter(role__in=[Role.TREASURER, Role.ADMIN])
        .order_by("-role", "id")
        .first()
    )
    return membership.user


def seed() -> None:
    today = timezone.localdate()
    for partner_slug, project_slug, rate, base, floor, revenues, left_out in CONTRACTS:
        partner = Organisation.objects.get(slug=partner_slug)
        project = Project.objects.get(slug=project_slug)
        if ReciprocityContract.objects.filter(partner=partner, project=project).exists():
            continue
        contract = services.contract_create(
            partner=partner,
            project=project,
            actor=_admin(partner),
            rate=rate,
            base=base,
            starts_on=START,
            floor=floor,
        )
        contract = services.contract_propose(contract=contract, actor=_admin(partner))
        for user in (_admin(partner), _admin(project.host)):
            contract = services.contract_accept(
                contract=contract,
                actor=user,
                pdf_sha256=contract.proposed_sha256,
                ip_address="127.0.0.1",
            )
        quarters = _ended_quarters(today)
        declared = quarters[: len(quarters) - left_out]
        for number, start in enumerate(declared):
            declaration = services.declaration_create(
                contract=contract,
                actor=_treasurer(partner),
                period_start=start,
                revenue=revenues[number % len(revenues)],
            )
            # The very last one is still due while its quarter ended within the grace (after
            # it, an unpaid period is late on the wall: this partner is the good example).
            recent = (today - declaration.period_end).days <= GRACE_DAYS
            if number < len(declared) - 1 or left_out or not recent:
                declaration = services.declaration_pay(
                    declaration=declaration, actor=_treasurer(partner), method="transfer"
                )
                payments.transfer_record_receipt(
                    charge=declaration.charge,
                    amount=declaration.due.amount,
                    received_on=today,
                    actor=_treasurer(project.host),
                )
                services.declaration_follow_charge(declaration=declaration)
    ouvaton = Organisation.objects.get(slug="ouvaton")
    if not RevenueSharePolicy.objects.filter(organisation=ouvaton, year=2023).exists():
        services.policy_set(
            organisation=ouvaton,
            actor=_treasurer(ouvaton),
            year=2023,
            percent="1",
            base_revenue=None,  # read from its 2022 accounts (commons_fund.finances.demo)
            beneficiaries=[
                (Organisation.objects.get(slug="la-quadrature-du-net"), 1),
                (Organisation.objects.get(slug="debian-france"), 1),
            ],
        )
    data_patch = Organisation.objects.get(slug="data-patch")
    this_year = timezone.localdate().year
    if not RevenueSharePolicy.objects.filter(organisation=data_patch, year=this_year).exists():
        services.policy_set(
            organisation=data_patch,
            actor=_treasurer(data_patch),
            year=this_year,
            percent="1",
            base_revenue="48000",
            beneficiaries=[
                (Organisation.objects.get(slug="framasoft"), 1),
                (Project.objects.get(slug="dokos"), 1),
            ],
        )
