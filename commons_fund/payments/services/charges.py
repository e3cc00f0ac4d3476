"""Charges: a sum to collect from a payer, submitted to Stripe with an idempotency key,
its outcome applied to the ledger; the emails asking a payer to act."""

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commons_fund.jobs import queue_after_commit
from commons_fund.ledger.models import Account, CostCentre, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
)
from commons_fund.logs import log_event
from commons_fund.members.mailing import people_email
from commons_fund.members.models import Organisation, Role, User
from commons_fund.models import cause_fields
from commons_fund.money import format_amount, from_minor_units, minor_units, parse_amount

from .. import stripe_client
from ..models import (
    CREDIT_PURPOSES,
    FINAL_STATUSES,
    Charge,
    ChargeStatus,
    Customer,
    MethodKind,
    SavedPaymentMethod,
)
from ..signals import charge_settle_after_commit
from .connect import payments_account
from .customers import payer_kwargs

logger = logging.getLogger(__name__)

KIND_OF_CREDIT = {
    "contributions": TransactionKind.PLEDGE_COLLECTION,
    "donations": TransactionKind.DONATION,
    "reciprocity": TransactionKind.RECIPROCITY_PAYMENT,
    "subsidies": TransactionKind.SUBSIDY,
    "receivable": TransactionKind.RECIPROCITY_PAYMENT,
}
# Crockford's base 32 without I, L, O, U: easy to read out and to type in a bank's form.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{settings.TRANSFER_REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


@transaction.atomic
def charge_create(
    *,
    payer: Organisation | User,
    books: Organisation | None,
    amount: Decimal | str,
    method: str,
    credit_purpose: str,
    description: str,
    currency: str = "EUR",
    saved_method: SavedPaymentMethod | None = None,
    cause: models.Model | None = None,
    checkout: bool = False,
    centre: CostCentre | None = None,
) -> Charge:
    """Write a charge (nothing is sent yet). A transfer gets its unique reference at once;
    a `checkout` card payment is made by the payer on Stripe's hosted page."""
    value = parse_amount(amount)
    if currency != "EUR":
        raise ValidationError({"currency": _("Only euros are accepted for now.")})
    if method not in MethodKind.values:
        raise ValidationError({"method": _("Unknown payment method.")})
    if credit_purpose not in CREDIT_PURPOSES:
        raise ValidationError({"credit_purpose": _("Unknown kind of income.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what the payment is for.")})
    payer_fields = payer_kwargs(payer)
    if payer.pk is None or (books is not None and books.pk is None):
        raise ValidationError(_("Unknown payer or beneficiary."))
    if centre is not None and (books is None or centre.organisation_id != books.pk):
        raise ValidationError(_("A sub-account's money goes to its own structure's books."))
    if method == MethodKind.TRANSFER or checkout:
        if saved_method is not None:
            raise ValidationError({"method": _("This payment uses no saved card or mandate.")})
        if checkout and method != MethodKind.CARD:
            raise ValidationError({"method": _("Stripe Checkout takes cards here.")})
    # Cards and debits are paid on the host's own Stripe account.
    stripe_account = "" if method == MethodKind.TRANSFER else payments_account(books=books)
    if method != MethodKind.TRANSFER and not checkout:
        if saved_method is None or saved_method.kind != method or not saved_method.active:
            raise ValidationError({"saved_method": _("Choose a saved card or SEPA mandate.")})
        if Customer.objects.filter(pk=saved_method.customer_id, **payer_fields).count() != 1:
            raise ValidationError({"saved_method": _("This payment method is not the payer's.")})
        if saved_method.customer.stripe_account != stripe_account:
            raise ValidationError(
                {"saved_method": _("This card or mandate was saved for another structure.")}
            )
    charge = Charge(
        books=books,
        amount=minor_units(value, currency),
        currency=currency,
        method=method,
        saved_method=saved_method,
        credit_purpose=credit_purpose,
        description=description.strip()[:200],
        centre=centre,
        stripe_account=stripe_account,
        status=ChargeStatus.AWAITING_TRANSFER
        if method == MethodKind.TRANSFER
        else ChargeStatus.PENDING,
        **cause_fields(cause),
        **payer_fields,
    )
    for _attempt in range(5):
        if method == MethodKind.TRANSFER:
            charge.transfer_reference = _new_reference()
        try:
            with transaction.atomic():
                charge.save()
            log_event(
                logger,
                "charge.created",
                charge=charge.pk,
                method=method,
                amount=charge.amount,
                currency=currency,
                books=charge.books_id,
            )
            return charge
        except IntegrityError:
            if method != MethodKind.TRANSFER:
                raise
    raise ValidationError(_("Could not find a free transfer reference; try again."))


def charge_submit(*, charge: Charge) -> Charge:
    """Send a card or SEPA charge to Stripe (off-session) and apply the answer.

    Safe to call again: the idempotency key is derived from the charge, so Stripe answers
    the first PaymentIntent instead of charging twice."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    charge = Charge.objects.select_related("saved_method__customer").get(pk=charge.pk)
    if (
        charge.method == MethodKind.TRANSFER
        or charge.status != ChargeStatus.PENDING
        or charge.saved_method is None
    ):
        return charge
    try:
        intent = stripe_client.payment_intent_create_off_session(
            amount=charge.amount,
            currency=charge.currency,
            customer_id=charge.saved_method.customer.stripe_id,
            payment_method_id=charge.saved_method.stripe_id,
            idempotency_key=f"charge-{charge.pk}",
            metadata={"charge_id": str(charge.pk), "site": settings.SITE_URL},
            description=charge.description,
            account=charge.stripe_account,
        )
    except stripe_client.ProviderUnavailable as error:
        # Still pending: a later attempt reuses the same idempotency key.
        log_event(
            logger,
            "charge.submit_deferred",
            level=logging.WARNING,
            charge=charge.pk,
            reason=error.code,
        )
        return charge
    except stripe_client.PaymentError as error:
        return _fail(charge_id=charge.pk, code=error.code, message=error.message)
    log_event(
        logger,
        "charge.submitted",
        charge=charge.pk,
        payment_intent=intent.id,
        intent_status=intent.status,
    )
    return charge_apply_intent(intent=intent)


def charges_submit_pending(*, older_than_seconds: int = 300) -> int:
    """Send again the card and SEPA charges left pending (Stripe was unreachable): the same
    idempotency keys make a charge that did reach Stripe answer its first result."""
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = Charge.objects.filter(
        status=ChargeStatus.PENDING,
        method__in=[MethodKind.CARD, MethodKind.SEPA_DEBIT],
        saved_method__isnull=False,
        created_at__lte=limit,
    ).values_list("pk", flat=True)
    submitted = 0
    for charge_id in list(pending[:500]):
        charge_submit(charge=Charge(pk=charge_id))
        submitted += 1
    return submitted


def _fail(*, charge_id: int, code: str, message: str) -> Charge:
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(pk=charge_id)
        if charge.status not in FINAL_STATUSES:
            charge.status = ChargeStatus.FAILED
            charge.failure_code = code[:100]
            charge.failure_message = message[:500]
            charge.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
            charge_settle_after_commit(charge=charge)
            log_event(
                logger,
                "charge.failed",
                level=logging.WARNING,
                charge=charge.pk,
                code=charge.failure_code,
            )
        return charge


def books_account(charge: Charge, purpose: str) -> Account:
    """The account of the charge's books, in its cost centre's sub-accounts when it has one."""
    return account_get_or_create(
        purpose=purpose,
        organisation=charge.books,
        currency=charge.currency,
        centre=charge.centre,
    )


def post_collection(
    charge: Charge, *, debit_purpose: str, amount: int, key: str, excess: int = 0
) -> None:
    """Record money in: Dr `debit_purpose` / Cr income, the excess (an overpaid transfer)
    to 'payable'. (A pool's promise resolves its own pending commitment when its
    collection is collected.)"""
    lines = [
        debit(books_account(charge, debit_purpose), amount + excess),
        credit(books_account(charge, charge.credit_purpose), amount),
    ]
    if excess:
        lines.append(credit(books_account(charge, "payable"), excess))
    kind = KIND_OF_CREDIT[charge.credit_purpose]
    memo = f"{charge.description} (#{charge.pk})"
    ledger_post(kind=kind, entries=lines, idempotency_key=key, memo=memo, cause=charge)


def charge_apply_intent(
    *, intent: stripe_client.Intent, fee: int | None = None, account: str | None = None
) -> Charge:
    """Move a charge forward from what Stripe says of its PaymentIntent. Final states never
    move back; duplicate, late and out-of-order news change nothing twice. `account` is the
    Stripe account a webhook says the PaymentIntent is on (None: an answer of our own call)."""
    charge = _charge_of_intent(intent, account)
    if intent.status == "succeeded" and fee is None and charge.status not in FINAL_STATUSES:
        # A network call: outside the lock.
        fee = stripe_client.charge_fee(intent.charge_id, account=charge.stripe_account)
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(pk=charge.pk)
        if charge.stripe_payment_intent is None:
            charge.stripe_payment_intent = intent.id
        if intent.charge_id:
            charge.stripe_charge = intent.charge_id
        if charge.status in FINAL_STATUSES:
            charge.save(update_fields=["stripe_payment_intent", "stripe_charge", "updated_at"])
            return charge
        if intent.status == "succeeded":
            charge.status = ChargeStatus.SUCCEEDED
            charge.paid_on = timezone.localdate()
            charge.fee = fee or 0
            post_collection(
                charge,
                debit_purpose="to_collect",
                amount=charge.amount,
                key=f"charge-{charge.pk}-collected",
            )
            if charge.fee:
                ledger_post(
                    kind=TransactionKind.PROCESSOR_FEE,
                    idempotency_key=f"charge-{charge.pk}-fee",
                    memo=f"Frais de paiement (#{charge.pk})",
                    cause=charge,
                    entries=[
                        debit(books_account(charge, "processor_fees"), charge.fee),
                        credit(books_account(charge, "to_collect"), charge.fee),
                    ],
                )
        elif intent.status == "processing":
            charge.status = ChargeStatus.PROCESSING
        elif intent.status == "requires_action":
            charge.status = ChargeStatus.REQUIRES_ACTION
            charge.client_secret = intent.client_secret
        elif intent.status in ("requires_payment_method", "canceled"):
            charge.status = ChargeStatus.FAILED
            charge.failure_code = intent.failure_code[:100] or intent.status
            charge.failure_message = (
                intent.failure_message or _("The payment did not go through.")
            )[:500]
        charge.save()
        log_event(
            logger,
            f"charge.{charge.status}",
            level=logging.WARNING if charge.status == ChargeStatus.FAILED else logging.INFO,
            charge=charge.pk,
            payment_intent=intent.id,
            amount=charge.amount,
            fee=charge.fee,
        )
        if charge.status in FINAL_STATUSES:
            charge_settle_after_commit(charge=charge)
        if charge.status == ChargeStatus.SUCCEEDED and charge.credit_purpose == "donations":
            queue_after_commit("commons_fund.payments.tasks.gift_receipt_email", charge.pk)
    if charge.status == ChargeStatus.REQUIRES_ACTION:
        queue_after_commit("commons_fund.payments.tasks.charge_send_action_email", charge.pk)
    return charge


def _charge_of_intent(intent: stripe_client.Intent, account: str | None) -> Charge:
    """The charge a PaymentIntent pays. A signed event may still speak of another site's
    charge (staging and production sharing an account), or name a charge it cannot pay: the
    metadata's site, the method, the PaymentIntent already known, the Stripe account and the
    customer must agree, or the event is ignored (Charge.DoesNotExist)."""
    charge = (
        Charge.objects.select_related("saved_method__customer")
        .filter(stripe_payment_intent=intent.id)
        .first()
    )
    if charge is None and intent.metadata.get("charge_id", "").isdigit():
        site = intent.metadata.get("site")
        if site is not None and site != settings.SITE_URL:
            raise Charge.DoesNotExist(f"PaymentIntent {intent.id} is for {site[:100]}.")
        charge = (
            Charge.objects.select_related("saved_method__customer")
            .filter(pk=int(intent.metadata["charge_id"]))
            .first()
        )
        if charge is not None and charge.stripe_payment_intent not in (None, intent.id):
            raise Charge.DoesNotExist(f"Charge #{charge.pk} is paid by another PaymentIntent.")
    if charge is None:
        raise Charge.DoesNotExist(f"No charge for PaymentIntent {intent.id}.")
    if charge.method == MethodKind.TRANSFER:
        raise Charge.DoesNotExist(f"Charge #{charge.pk} is a bank transfer, not a card or SEPA.")
    if account is not None and account != charge.stripe_account:
        raise Charge.DoesNotExist(f"Charge #{charge.pk} is not paid on Stripe account {account}.")
    expected_customer = charge.saved_method.customer.stripe_id if charge.saved_method else ""
    if expected_customer and intent.customer and intent.customer != expected_customer:
        raise Charge.DoesNotExist(f"PaymentIntent {intent.id} is another customer's.")
    if charge.amount != intent.amount or charge.currency != intent.currency:
        raise ValidationError(f"PaymentIntent {intent.id} does not match charge #{charge.pk}.")
    return charge


def charge_payers(*, charge: Charge) -> list[User]:
    """Who is told about a charge: the paying person, or the paying organisation's
    treasurers (its administrators when it has none)."""
    if charge.user:
        return [charge.user]
    if charge.organisation is None:
        return []
    memberships = charge.organisation.memberships.select_related("user")
    treasurers = [m.user for m in memberships if m.role == Role.TREASURER]
    return treasurers or [m.user for m in memberships if m.role == Role.ADMIN]


def charge_action_email_send(*, charge: Charge) -> bool:
    """Ask the payer to confirm a payment their bank wants to authenticate (3-D Secure):
    an email about their money, in each person's language, that cannot be turned off."""
    if charge.status != ChargeStatus.REQUIRES_ACTION:
        return False

    def context() -> dict[str, object]:
        return {
            "charge": charge,
            "amount": format_amount(
                from_minor_units(charge.amount, charge.currency), charge.currency
            ),
            "url": settings.SITE_URL.rstrip("/")
            + reverse("payments:charge_confirm", kwargs={"pk": charge.pk}),
        }

    sent = people_email(
        people=charge_payers(charge=charge), template="payments/email/confirm.txt", context=context
    )
    return sent > 0
