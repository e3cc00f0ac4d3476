"""Demo payments (used by `seed_demo`): bank accounts, transfers waiting or partly received,
a payout to make, two hosts' connected Stripe accounts. Nothing here calls Stripe, so
seeding works without the stand-in; `scripts/demo` starts the stand-in with the same
connected accounts already onboarded (CONNECTED)."""

from datetime import date

from commons_fund.members.models import Organisation, Role, User

from . import services
from .models import BankAccount, Charge, Payout, StripeAccount

ACCOUNTS = {
    "ouvaton": ("Ouvaton SA coopérative", "FR1420041010050500013M02606"),
    "normandie-libre": ("Association Normandie Libre", "FR7630006000011234567890189"),
    "data-patch": ("Data Patch SCOP", "DE89370400440532013000"),
}


# The demo hosts that take cards and SEPA debits on their own Stripe account (the others,
# transfers only): slug -> the connected account's id at the stand-in.
CONNECTED = {
    "normandie-libre": "acct_demoNormandieLibre",
    "ouvaton": "acct_demoOuvaton",
}


def _treasurer(organisation: Organisation) -> User:
    membership = (
        organisation.memberships.filter(role__in=[Role.TREASURER, Role.ADMIN])
        .order_by("role")
        .first()
    )
    if membership is None:
        raise ValueError(f"The demo’s {organisation} has no treasurer or administrator.")
    return membership.user


def seed() -> None:
    organisations = {
        o.slug: o
        for o in Organisation.objects.filter(
            slug__in=["ouvaton", "normandie-libre", "data-patch", "framasoft"]
        )
    }
    for slug, (holder, iban) in ACCOUNTS.items():
        organisation = organisations[slug]
        if not BankAccount.objects.filter(organisation=organisation).exists():
            services.bank_account_set(
                organisation=organisation,
                actor=_treasurer(organisation),
                holder_name=holder,
                iban=iban,
                bic="AGRIFRPP" if slug == "normandie-libre" else "",
            )
    for slug, account_id in CONNECTED.items():
        StripeAccount.objects.get_or_create(
            organisation=organisations[slug],
            defaults={
                "stripe_id": account_id,
                "charges_enabled": True,
                "details_submitted": True,
                "payouts_enabled": True,
            },
        )
    ouvaton = organisations["ouvaton"]
    treasurer = _treasurer(ouvaton)
    waiting = [
        (organisations["normandie-libre"], "120", "Cotisation 2026 au fonds commun", None),
        (organisations["framasoft"], "300", "Contribution au pot commun – tour 1", "150"),
    ]
    for payer, amount, description, received in waiting:
        if Charge.objects.filter(books=ouvaton, description=description).exists():
            continue
        charge = services.charge_create(
            payer=payer,
            books=ouvaton,
            amount=amount,
            method="transfer",
            credit_purpose="contributions",
            description=description,
        )
        if received:
            services.transfer_record_receipt(
                charge=charge, amount=received, received_on=date(2026, 10, 15), actor=treasurer
            )
    if not Payout.objects.filter(books=ouvaton).exists():
        services.payout_create(
            books=ouvaton,
            beneficiary=organisations["data-patch"],
            amount="150",
            description="Pot commun – tour 1",
            actor=treasurer,
        )
