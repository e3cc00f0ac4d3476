"""Reads of payments."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from schwifty import IBAN

from commons_fund.members.models import MONEY_ROLES, Membership, Organisation, User

from .models import (
    BankAccount,
    BankAccountChange,
    Charge,
    ChargeStatus,
    MonthlyGift,
    MonthlyGiftStatus,
    Payout,
    PayoutBatch,
    PayoutStatus,
    SavedPaymentMethod,
    StripeAccount,
    TaxReceipt,
)
from .monthly_links import monthly_gift_url


def charges_received(*, organisation: Organisation | None) -> QuerySet[Charge]:
    return (
        Charge.objects.filter(books=organisation)
        .select_related("organisation", "user", "saved_method")
        .order_by("-created_at")
    )


def payouts_pending(*, organisation: Organisation) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(books=organisation, status=PayoutStatus.PENDING)
        .select_related("beneficiary")
        .order_by("created_at")
    )


def payout_batches(*, organisation: Organisation) -> QuerySet[PayoutBatch]:
    return (
        PayoutBatch.objects.filter(books=organisation)
        .annotate(count=Count("payouts"))
        .order_by("-created_at")[:20]
    )


def _with_creditor(methods: QuerySet[SavedPaymentMethod]) -> QuerySet[SavedPaymentMethod]:
    """Each method with `creditor_name`: the host whose Stripe account it was saved on (the
    creditor of a SEPA mandate)."""
    host = StripeAccount.objects.filter(stripe_id=OuterRef("customer__stripe_account"))
    return methods.annotate(creditor_name=Subquery(host.values("organisation__name")[:1]))


def payment_methods(*, organisation: Organisation) -> QuerySet[SavedPaymentMethod]:
    return _with_creditor(
        SavedPaymentMethod.objects.filter(
            customer__organisation=organisation, removed_at__isnull=True
        ).order_by("-created_at")
    )


def own_payment_methods(*, user: User) -> QuerySet[SavedPaymentMethod]:
    """A person's own saved cards and mandates (not their organisations')."""
    return _with_creditor(
        SavedPaymentMethod.objects.filter(customer__user=user, removed_at__isnull=True).order_by(
            "-created_at"
        )
    )


@dataclass(frozen=True)
class TransferInstructions:
    """What a payer needs to make a bank transfer: the beneficiary's account (None while the
    organisation has not given it), the amount and the reference that matches it."""

    amount: int  # minor units still to transfer
    currency: str
    reference: str
    beneficiary: str
    iban: str  # grouped by four, as banks print it
    bic: str
    account_known: bool

    @property
    def scannable(self) -> bool:
        """Whether an EPC QR code can be made: an account to pay and something left to pay."""
        return self.account_known and self.amount > 0 and self.currency.upper() == "EUR"


def transfer_instructions(*, charge: Charge) -> TransferInstructions:
    account = (
        BankAccount.objects.filter(organisation=charge.books_id).first()
        if charge.books_id
        else None
    )
    return TransferInstructions(
        amount=max(charge.outstanding, 0),  # after part of it arrived: the rest only
        currency=charge.currency,
        reference=charge.transfer_reference or "",
        beneficiary=account.holder_name if account else "",
        iban=IBAN(account.iban).formatted if account else "",
        bic=account.bic if account else "",
        account_known=account is not None,
    )


def bank_account_history(
    *, organisation: Organisation, limit: int = 20
) -> tuple[list[BankAccountChange], BankAccountChange | None]:
    """The latest changes of an organisation's bank account, newest first, and the change
    still waiting for a second person's confirmation, if any."""
    changes = list(
        organisation.bank_account_changes.select_related("changed_by", "confirmed_by")[:limit]
    )
    latest = changes[0] if changes else None
    waiting = latest if latest and latest.replaced_iban and not latest.confirmed_by_id else None
    return changes, waiting


def payments_of(*, user: User) -> QuerySet[Charge]:
    """ "My payments": what the person paid, and what the organisations they keep the money
    of (administrator or treasurer) paid — newest first, charges never sent left out."""
    organisations = Membership.objects.filter(user=user, role__in=MONEY_ROLES).values(
        "organisation"
    )
    return (
        Charge.objects.filter(Q(user=user) | Q(organisation__in=organisations))
        .exclude(status__in=[ChargeStatus.PENDING, ChargeStatus.CANCELLED])
        .select_related("books", "organisation", "user", "centre")
        .order_by("-created_at", "-pk")
    )


def monthly_gifts_of(*, user: User) -> list[tuple[MonthlyGift, str]]:
    """My monthly gifts still running, each with its own page (where it is stopped)."""
    gifts = MonthlyGift.objects.filter(user=user).exclude(status=MonthlyGiftStatus.CANCELLED)
    return [(gift, monthly_gift_url(gift)) for gift in gifts.select_related("books", "centre")[:50]]


def monthly_gift_months(*, gift: MonthlyGift) -> QuerySet[Charge]:
    """The months of a monthly gift paid so far, newest first."""
    return Charge.objects.filter(
        cause_type=ContentType.objects.get_for_model(MonthlyGift),
        cause_id=str(gift.pk),
        status=ChargeStatus.SUCCEEDED,
    ).order_by("-paid_on", "-pk")


def receipt_charge(*, user: User, pk: int) -> Charge | None:
    """A paid charge whose receipt this person may read: its payer (the person, or the paying
    organisation's administrators and treasurers) or the receiving organisation's; staff."""
    charge = (
        Charge.objects.filter(pk=pk, status=ChargeStatus.SUCCEEDED)
        .select_related("books", "organisation", "user", "centre")
        .first()
    )
    if charge is None or not _may_read(
        user, person_id=charge.user_id, organisation_ids=[charge.organisation_id, charge.books_id]
    ):
        return None
    return charge


def _may_read(user: User, *, person_id: int | None, organisation_ids: list[int | None]) -> bool:
    """Staff, the person concerned, or a treasurer or administrator of one of the
    organisations concerned."""
    if not user.is_authenticated:
        return False
    if user.is_staff or person_id == user.pk:
        return True
    return Membership.objects.filter(
        user=user, organisation__in=[pk for pk in organisation_ids if pk], role__in=MONEY_ROLES
    ).exists()


def tax_receipts_of(*, user: User) -> QuerySet[TaxReceipt]:
    """The tax receipts a person received, and those of the organisations whose money they
    keep."""
    organisations = Membership.objects.filter(user=user, role__in=MONEY_ROLES).values(
        "organisation"
    )
    return (
        TaxReceipt.objects.filter(Q(donor_user=user) | Q(donor_organisation__in=organisations))
        .select_related("organisation", "donor_user", "donor_organisation")
        .defer("pdf")
        .order_by("-year", "organisation__name")
    )


def tax_receipts_issued(*, organisation: Organisation) -> QuerySet[TaxReceipt]:
    return (
        TaxReceipt.objects.filter(organisation=organisation)
        .select_related("donor_user", "donor_organisation")
        .defer("pdf")
        .order_by("-year", "number")
    )


def tax_receipt_readable(*, user: User, pk: int) -> TaxReceipt | None:
    """A tax receipt its donor (or the donor organisation's treasurers), or the issuing
    organisation's treasurers, may read; staff."""
    receipt = TaxReceipt.objects.filter(pk=pk).first()
    if receipt is None or not _may_read(
        user,
        person_id=receipt.donor_user_id,
        organisation_ids=[receipt.donor_organisation_id, receipt.organisation_id],
    ):
        return None
    return receipt


def stripe_account_of(*, organisation: Organisation) -> StripeAccount | None:
    return StripeAccount.objects.filter(organisation=organisation).first()


def collecting_accounts(*, organisation_ids: Iterable[int]) -> dict[int, str]:
    """The Stripe account each of these hosts takes cards and debits on; a host that takes
    transfers only is absent."""
    return dict(
        StripeAccount.objects.filter(
            organisation__in=set(organisation_ids), charges_enabled=True
        ).values_list("organisation_id", "stripe_id")
    )


def takes_cards(*, organisation: Organisation | None) -> bool:
    """Whether card and SEPA payments to `organisation` can be made (None: the platform)."""
    return organisation is None or bool(collecting_accounts(organisation_ids=[organisation.pk]))


def connected_hosts() -> QuerySet[Organisation]:
    """The structures that take card and SEPA payments on their own Stripe account."""
    return Organisation.objects.filter(stripe_account__charges_enabled=True).order_by("name")
