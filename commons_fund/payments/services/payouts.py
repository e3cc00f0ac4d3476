"""Paying beneficiaries from a bank: bank accounts, payouts and SEPA credit-transfer batches."""

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from schwifty import BIC
from schwifty.exceptions import SchwiftyException

from commons_fund.jobs import queue_after_commit
from commons_fund.ledger.models import CostCentre, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
)
from commons_fund.logs import log_event
from commons_fund.members.mailing import people_email
from commons_fund.members.models import Organisation, User
from commons_fund.members.selectors import money_keepers
from commons_fund.models import cause_fields, require_past_or_today
from commons_fund.money import minor_units, parse_amount

from .. import sepa
from ..models import (
    BankAccount,
    BankAccountChange,
    Payout,
    PayoutBatch,
    PayoutStatus,
)
from ..permissions import require_treasurer
from ..signals import payouts_paid_after_commit
from .customers import SEPA_COUNTRIES, iban_validate

logger = logging.getLogger(__name__)

# How long a new IBAN waits before payouts go to it, unless a second person confirms it.
BANK_CHANGE_HOLD = timedelta(hours=48)


@transaction.atomic
def bank_account_set(
    *, organisation: Organisation, actor: User, holder_name: str, iban: str, bic: str = ""
) -> BankAccount:
    """Record the account an organisation is paid on (checked with schwifty)."""
    require_treasurer(organisation=organisation, actor=actor)
    account = iban_validate(iban)
    if account.country_code not in SEPA_COUNTRIES:
        raise ValidationError({"iban": _("This IBAN is outside the SEPA area.")})
    bic_code = bic.replace(" ", "").upper()
    if bic_code:
        try:
            bic_code = BIC(bic_code).compact
        except SchwiftyException as error:
            raise ValidationError({"bic": _("This BIC is not valid.")}) from error
    elif account.bic is not None:
        bic_code = account.bic.compact
    else:
        raise ValidationError({"bic": _("Give the bank's BIC: it cannot be found from the IBAN.")})
    holder = " ".join(holder_name.split())
    if not holder:
        raise ValidationError({"holder_name": _("The account holder's name is required.")})
    if len(holder) > 70:
        raise ValidationError({"holder_name": _("At most 70 characters (a bank limit).")})
    previous = BankAccount.objects.select_for_update().filter(organisation=organisation).first()
    replaced = previous.iban if previous and previous.iban != account.compact else ""
    now = timezone.now()
    bank_account, _created = BankAccount.objects.update_or_create(
        organisation=organisation,
        defaults={
            "holder_name": holder,
            "iban": account.compact,
            "bic": bic_code,
            "updated_by": actor,
            # A new IBAN in place of another waits; a first account or the same IBAN does not.
            "usable_from": now + BANK_CHANGE_HOLD if replaced else now,
        },
    )
    change = BankAccountChange.objects.create(
        organisation=organisation,
        holder_name=holder,
        iban=account.compact,
        bic=bic_code,
        replaced_iban=replaced,
        changed_by=actor,
    )
    if replaced:
        queue_after_commit("commons_fund.payments.tasks.bank_account_change_notify", change.pk)
    log_event(
        logger,
        "bank_account.set",
        level=logging.WARNING if replaced else logging.INFO,
        organisation=organisation.pk,
        actor=actor.pk,
        iban_end=account.compact[-4:],
        replaced_iban_end=replaced[-4:],
    )
    return bank_account


@transaction.atomic
def bank_account_confirm(*, organisation: Organisation, actor: User) -> BankAccount:
    """Another treasurer or administrator confirms a new IBAN: its payouts need not wait."""
    require_treasurer(organisation=organisation, actor=actor)
    bank_account = BankAccount.objects.select_for_update().get(organisation=organisation)
    change = organisation.bank_account_changes.select_for_update().first()
    if change is None or not change.replaced_iban or change.confirmed_by_id:
        raise ValidationError(_("This bank account has no change waiting for a confirmation."))
    if change.changed_by_id == actor.pk:
        raise ValidationError(
            _("Another treasurer or administrator must confirm the change you made.")
        )
    now = timezone.now()
    change.confirmed_by, change.confirmed_at = actor, now
    change.save(update_fields=["confirmed_by", "confirmed_at"])
    bank_account.usable_from = min(bank_account.usable_from, now)
    bank_account.save(update_fields=["usable_from", "updated_at"])
    log_event(
        logger,
        "bank_account.confirmed",
        organisation=organisation.pk,
        change=change.pk,
        actor=actor.pk,
    )
    return bank_account


def bank_account_change_email_send(*, change: BankAccountChange) -> int:
    """Tell the organisation's other treasurers and administrators that its IBAN changed,
    by whom, and how to stop it: one email each."""
    organisation = change.organisation
    people = money_keepers(organisation=organisation).exclude(pk=change.changed_by_id)
    account = BankAccount.objects.get(organisation=organisation)

    def context() -> dict[str, object]:
        return {
            "organisation": organisation,
            "change": change,
            "iban_end": change.iban[-4:],
            "replaced_end": change.replaced_iban[-4:],
            "usable_from": account.usable_from,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("payments:bank_account", kwargs={"slug": organisation.slug}),
        }

    return people_email(people=people, template="payments/email/bank_change.txt", context=context)


@transaction.atomic
def payout_create(
    *,
    books: Organisation,
    beneficiary: Organisation,
    amount: Decimal | str,
    description: str,
    actor: User,
    cause: models.Model | None = None,
) -> Payout:
    require_treasurer(organisation=books, actor=actor)
    if not BankAccount.objects.filter(organisation=beneficiary).exists():
        raise ValidationError(
            {
                "beneficiary": _("%(name)s has not given the bank account to pay it on yet.")
                % {"name": beneficiary.name}
            }
        )
    return payout_prepare(
        books=books,
        beneficiary=beneficiary,
        amount=minor_units(parse_amount(amount)),
        description=description,
        cause=cause,
        created_by=actor,
    )


def payout_prepare(
    *,
    books: Organisation,
    beneficiary: Organisation,
    amount: int,
    description: str,
    cause: models.Model | None = None,
    created_by: User | None = None,
    centre: CostCentre | None = None,
) -> Payout:
    """A payout to make, in cents. Without `created_by` it is the platform's doing (a pool
    round whose collection ended); a treasurer exports it to the bank like any other. With
    `centre`, the money leaves those sub-accounts of the books (a pool's)."""
    if not description.strip():
        raise ValidationError({"description": _("Say what the payment is for.")})
    if centre is not None and centre.organisation_id != books.pk:
        raise ValidationError(_("A sub-account's money leaves its own structure's books."))
    payout = Payout.objects.create(
        books=books,
        centre=centre,
        beneficiary=beneficiary,
        created_by=created_by,
        amount=amount,
        description=description.strip()[:140],
        **cause_fields(cause),
    )
    log_event(
        logger,
        "payout.created",
        payout=payout.pk,
        books=books.pk,
        beneficiary=beneficiary.pk,
        amount=amount,
    )
    return payout


@transaction.atomic
def payout_batch_export(
    *, books: Organisation, payouts: list[Payout], actor: User, execution_date: date
) -> PayoutBatch:
    """Put pending payouts in a SEPA credit-transfer file (pain.001.001.03)."""
    require_treasurer(organisation=books, actor=actor)
    debtor = BankAccount.objects.filter(organisation=books).first()
    if debtor is None:
        raise ValidationError(_("Record the organisation's own bank account first."))
    if execution_date < timezone.localdate():
        raise ValidationError({"execution_date": _("The date cannot be in the past.")})
    locked = list(
        Payout.objects.select_for_update(of=("self",))
        .filter(pk__in=[p.pk for p in payouts], books=books, status=PayoutStatus.PENDING)
        .select_related("beneficiary__bank_account")
    )
    if not locked or len(locked) != len(payouts):
        raise ValidationError(_("Choose payouts of this organisation that are still to pay."))
    unpaid = sorted(
        {
            p.beneficiary.name
            for p in locked
            if not BankAccount.objects.filter(organisation=p.beneficiary).exists()
        }
    )
    if unpaid:
        raise ValidationError(
            _("No bank account known for: %(names)s.") % {"names": ", ".join(unpaid)}
        )
    now = timezone.now()
    held = sorted(
        {
            (p.beneficiary.name, p.beneficiary.bank_account.usable_from)
            for p in locked
            if p.beneficiary.bank_account.usable_from > now
        }
    )
    if held:
        raise ValidationError(
            _(
                "The bank account of %(names)s changed recently: its payouts wait until "
                "%(date)s, or until another of its treasurers or administrators confirms it."
            )
            % {
                "names": ", ".join(name for name, _until in held),
                "date": formats.date_format(
                    timezone.localtime(max(until for _name, until in held)), "DATETIME_FORMAT"
                ),
            }
        )
    message_id, xml = sepa.credit_transfer_file(
        debtor=debtor, payouts=locked, execution_date=execution_date
    )
    for payout in locked:
        account = payout.beneficiary.bank_account
        payout.iban, payout.bic, payout.holder_name = account.iban, account.bic, account.holder_name
    batch = PayoutBatch.objects.create(
        books=books,
        message_id=message_id,
        execution_date=execution_date,
        xml=xml,
        total=sum(p.amount for p in locked),
        created_by=actor,
    )
    for payout in locked:
        payout.status, payout.batch = PayoutStatus.EXPORTED, batch
        payout.save(update_fields=["status", "batch", "iban", "bic", "holder_name"])
    log_event(
        logger,
        "payout.exported",
        batch=batch.pk,
        books=books.pk,
        payouts=[p.pk for p in locked],
        total=batch.total,
        actor=actor.pk,
    )
    return batch


@transaction.atomic
def payout_batch_mark_paid(*, batch: PayoutBatch, actor: User, paid_on: date) -> PayoutBatch:
    """The bank executed the file: each payout is posted (Dr grants paid / Cr bank), once."""
    require_treasurer(organisation=batch.books, actor=actor)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    require_past_or_today(field="paid_on", day=paid_on)
    for payout in batch.payouts.select_related("beneficiary", "centre"):
        bank, grants = (
            account_get_or_create(purpose=purpose, organisation=batch.books, centre=payout.centre)
            for purpose in ("bank", "grants_paid")
        )
        ledger_post(
            kind=TransactionKind.PAYOUT,
            idempotency_key=f"payout-{payout.pk}",
            cause=payout,
            memo=f"{payout.description} – {payout.beneficiary.name}"[:300],
            entries=[debit(grants, payout.amount), credit(bank, payout.amount)],
        )
    batch.payouts.update(status=PayoutStatus.PAID)
    log_event(
        logger,
        "payout.paid",
        batch=batch.pk,
        books=batch.books_id,
        paid_on=paid_on.isoformat(),
        actor=actor.pk,
    )
    if batch.paid_on is None:
        batch.paid_on = paid_on
        batch.save(update_fields=["paid_on"])
    payouts_paid_after_commit(payouts=list(batch.payouts.all()), paid_on=batch.paid_on)
    return batch
