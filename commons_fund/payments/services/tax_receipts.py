"""Tax receipts (reçus fiscaux): an eligible organisation states why gifts to it open a tax
reduction; once a year is over, each donor gets one receipt for that year's gifts, numbered
without gaps per organisation and year (numbers are taken under a lock on the policy, in the
transaction that writes the receipts), emailed with its PDF. Only gifts are counted: pledges
collected by pools and donations — never a reciprocity due, a subsidy or a debt paid back."""

import hashlib
import logging
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commons_fund.jobs import queue_after_commit
from commons_fund.logs import log_event
from commons_fund.members.mailing import people_email
from commons_fund.members.models import Organisation, User
from commons_fund.members.selectors import money_keepers

from ..models import (
    TAX_RECEIPT_LEGAL_FORMS,
    Charge,
    ChargeStatus,
    TaxReceipt,
    TaxReceiptPolicy,
)
from ..permissions import require_treasurer
from ..receipts import tax_receipt_pdf

logger = logging.getLogger(__name__)

GIFT_PURPOSES = ("donations", "contributions")
# The day of January from which last year's receipts are issued by the daily sweep.
ISSUE_FROM_DAY = 15


@transaction.atomic
def tax_receipt_policy_set(
    *, organisation: Organisation, actor: User, **fields: str
) -> TaxReceiptPolicy:
    """State (or change) why gifts to the organisation open a tax reduction. Only
    associations, foundations and endowment funds may; its administrators state it."""
    require_treasurer(organisation=organisation, actor=actor)
    if organisation.legal_form not in TAX_RECEIPT_LEGAL_FORMS:
        raise ValidationError(
            _("Only associations, foundations and endowment funds issue tax receipts.")
        )
    policy = TaxReceiptPolicy.objects.select_for_update().filter(
        organisation=organisation
    ).first() or TaxReceiptPolicy(organisation=organisation)
    for name, value in fields.items():
        setattr(policy, name, value.strip())
    policy.updated_by = actor
    policy.full_clean()
    policy.save()
    return policy


def _donor_key(charge: Charge) -> tuple[str, int]:
    if charge.organisation_id:
        return ("organisation", charge.organisation_id)
    return ("user", charge.user_id or 0)


@transaction.atomic
def tax_receipts_issue(
    *, organisation: Organisation, year: int, actor: User | None = None, today: date | None = None
) -> list[TaxReceipt]:
    """Issue the receipts of `year` (once it is over) to every donor who has none yet; each
    is emailed once the transaction commits. Twice, it issues nothing more."""
    today = today or timezone.localdate()
    if actor is not None:
        require_treasurer(organisation=organisation, actor=actor)
    if year >= today.year:
        raise ValidationError(
            {
                "year": _("Tax receipts for %(year)s are issued once the year is over.")
                % {"year": year}
            }
        )
    policy = TaxReceiptPolicy.objects.select_for_update().filter(organisation=organisation).first()
    if policy is None:
        raise ValidationError(_("This organisation has not stated that gifts to it are eligible."))
    done = set()
    for user_id, organisation_id in TaxReceipt.objects.filter(
        organisation=organisation, year=year
    ).values_list("donor_user_id", "donor_organisation_id"):
        done.add(("organisation", organisation_id) if organisation_id else ("user", user_id))
    gifts: dict[tuple[str, int], list[Charge]] = defaultdict(list)
    for charge in (
        Charge.objects.filter(
            books=organisation,
            status=ChargeStatus.SUCCEEDED,
            paid_on__year=year,
            credit_purpose__in=GIFT_PURPOSES,
        )
        .select_related("user", "organisation")
        .order_by("paid_on", "pk")
    ):
        gifts[_donor_key(charge)].append(charge)
    number = (
        TaxReceipt.objects.filter(organisation=organisation, year=year).aggregate(
            last=Max("number")
        )["last"]
        or 0
    )
    issued = []
    for key in sorted(gifts):
        given = sum(charge.amount - charge.refunded for charge in gifts[key])
        if key in done or given <= 0:
            continue
        number += 1
        first = gifts[key][0]
        receipt = TaxReceipt.objects.create(
            organisation=organisation,
            year=year,
            number=number,
            donor_user=first.user if key[0] == "user" else None,
            donor_organisation=first.organisation if key[0] == "organisation" else None,
            amount=given,
        )
        receipt.charges.set(gifts[key])
        receipt.pdf = tax_receipt_pdf(
            receipt=receipt, policy=policy, gifts=gifts[key], issued_on=today
        )
        receipt.sha256 = hashlib.sha256(receipt.pdf).hexdigest()
        receipt.save(update_fields=["pdf", "sha256"])
        queue_after_commit("commons_fund.payments.tasks.tax_receipt_email", receipt.pk)
        issued.append(receipt)
    log_event(
        logger,
        "tax_receipts.issued",
        organisation=organisation.pk,
        year=year,
        count=len(issued),
        actor=actor.pk if actor else None,
    )
    return issued


def tax_receipts_issue_due(*, today: date | None = None) -> int:
    """Daily: from mid-January, last year's receipts of every eligible organisation (a
    transfer recorded late for last year gets its receipt the next day)."""
    today = today or timezone.localdate()
    if today.month == 1 and today.day < ISSUE_FROM_DAY:
        return 0
    return sum(
        len(tax_receipts_issue(organisation=policy.organisation, year=today.year - 1, today=today))
        for policy in TaxReceiptPolicy.objects.select_related("organisation")
    )


@transaction.atomic
def tax_receipt_email_send(*, receipt: TaxReceipt) -> int:
    """Send the receipt to its donor (the person, or the donor organisation's treasurers and
    administrators), once: a task delivered twice sends nothing more."""
    receipt = TaxReceipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.emailed_at is not None:
        return 0
    if receipt.donor_organisation is not None:
        people = list(money_keepers(organisation=receipt.donor_organisation))
    else:
        people = [receipt.donor_user] if receipt.donor_user else []
    sent = people_email(
        people=people,
        template="payments/email/tax_receipt.txt",
        context={"receipt": receipt, "organisation": receipt.organisation},
        attachments=[
            (f"recu-fiscal-{receipt.reference}.pdf", bytes(receipt.pdf), "application/pdf")
        ],
    )
    receipt.emailed_at = timezone.now()
    receipt.save(update_fields=["emailed_at"])
    return sent
