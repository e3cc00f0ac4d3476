"""Writes of payments. Stripe is never called inside a database transaction that holds
locks: the local row is written first, the call is made with an idempotency key derived from
it, and the answer is applied in a short transaction of its own."""

import contextlib
import logging
import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from commons_fund.jobs import queue_after_commit
from commons_fund.ledger.models import Account, Transaction, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_resolve_pending,
)
from commons_fund.logs import log_event
from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import cause_fields, require_past_or_today
from commons_fund.money import format_amount, from_minor_units, minor_units, parse_amount

from . import sepa, stripe_client
from .models import (
    FINAL_STATUSES,
    INCOME_PURPOSES,
    BankAccount,
    Charge,
    ChargeStatus,
    Customer,
    EventStatus,
    MethodKind,
    Payout,
    PayoutBatch,
    PayoutStatus,
    Refund,
    RefundStatus,
    SavedPaymentMethod,
    TransferReceipt,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

KIND_OF_INCOME = {
    "contributions": TransactionKind.PLEDGE_COLLECTION,
    "donations": TransactionKind.DONATION,
    "reciprocity": TransactionKind.RECIPROCITY_PAYMENT,
    "subsidies": TransactionKind.SUBSIDY,
    "receivable": TransactionKind.RECIPROCITY_PAYMENT,
}
# Crockford's base 32 without I, L, O, U: easy to read out and to type in a bank's form.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _payer_kwargs(payer: Organisation | User) -> dict[str, Organisation | User]:
    if isinstance(payer, Organisation):
        return {"organisation": payer}
    if isinstance(payer, User):
        return {"user": payer}
    raise ValidationError(_("A charge is paid by an organisation or a person."))


def customer_for(*, payer: Organisation | User) -> Customer:
    """The payer's Stripe customer, created on Stripe the first time."""
    lookup = _payer_kwargs(payer)
    customer = Customer.objects.filter(**lookup).first()
    if customer is not None:
        return customer
    if isinstance(payer, Organisation):
        name, email, reference = payer.name, "", f"organisation-{payer.pk}"
    else:
        name, email, reference = payer.display_name, payer.email, f"user-{payer.pk}"
    stripe_id = stripe_client.customer_create(name=name, email=email, reference=reference)
    try:
        with transaction.atomic():
            return Customer.objects.create(stripe_id=stripe_id, **lookup)
    except IntegrityError:  # a concurrent request saved it (same idempotency key, same id)
        return Customer.objects.get(**lookup)


def _saved_method(customer: Customer, saved: stripe_client.SavedMethod) -> SavedPaymentMethod:
    """Record a saved method; one the bank wants confirmed stays inactive until it is."""
    method, _created = SavedPaymentMethod.objects.get_or_create(
        stripe_id=saved.id,
        defaults={
            "customer": customer,
            "kind": saved.type,
            "label": saved.label,
            "active": saved.status == "succeeded",
            "setup_intent": saved.setup_intent,
            "setup_client_secret": saved.client_secret if saved.status != "succeeded" else "",
        },
    )
    return method


def payment_method_refresh(*, method: SavedPaymentMethod) -> SavedPaymentMethod:
    """Activate a card once its holder confirmed it with the bank (3-D Secure)."""
    if method.active or not method.setup_intent:
        return method
    if stripe_client.setup_intent_status(method.setup_intent) == "succeeded":
        SavedPaymentMethod.objects.filter(pk=method.pk).update(active=True, setup_client_secret="")
        method.refresh_from_db()
    return method


def payment_method_save_card(
    *, payer: Organisation | User, stripe_payment_method: str
) -> SavedPaymentMethod:
    """Save a card (already tokenised by Stripe.js in the browser) for off-session charges."""
    customer = customer_for(payer=payer)
    saved = stripe_client.payment_method_save(
        customer_id=customer.stripe_id,
        payment_method_id=stripe_payment_method,
        kind=MethodKind.CARD,
        reference=f"{customer.stripe_id}-{stripe_payment_method}",
    )
    return _saved_method(customer, saved)


def card_setup_start(*, payer: Organisation | User) -> stripe_client.CardSetup:
    """Open a SetupIntent that the payer confirms in the browser with Stripe.js (the card
    number never reaches our server)."""
    return stripe_client.card_setup_create(customer_id=customer_for(payer=payer).stripe_id)


def card_setup_finish(*, payer: Organisation | User, setup_intent: str) -> SavedPaymentMethod:
    """Record the card of a SetupIntent the payer confirmed, once Stripe says it succeeded
    and it is this payer's."""
    customer = Customer.objects.filter(**_payer_kwargs(payer)).first()
    setup = stripe_client.card_setup_retrieve(setup_intent)
    if customer is None or setup.customer != customer.stripe_id:
        raise ValidationError(_("This card setup is not yours."))
    if setup.status != "succeeded" or not setup.payment_method:
        raise ValidationError(_("The bank has not confirmed this card."))
    kind, label = stripe_client.payment_method_describe(setup.payment_method)
    return _saved_method(
        customer,
        stripe_client.SavedMethod(
            id=setup.payment_method,
            type=kind,
            label=label,
            status=setup.status,
            setup_intent=setup.id,
            client_secret="",
        ),
    )


def iban_validate(value: str) -> IBAN:
    try:
        return IBAN(value)
    except SchwiftyException as error:
        raise ValidationError(
            {"iban": _("This IBAN is not valid: check the country code and the digits.")}
        ) from error


def payment_method_save_sepa(
    *,
    payer: Organisation | User,
    iban: str,
    holder_name: str,
    email: str,
    ip_address: str = "",
    user_agent: str = "",
) -> SavedPaymentMethod:
    """Record a SEPA Direct Debit mandate; the IBAN is checked before anything is sent."""
    account = iban_validate(iban)
    if not account.country_code or account.country_code not in _SEPA_COUNTRIES:
        raise ValidationError({"iban": _("This IBAN is outside the SEPA area.")})
    if not holder_name.strip():
        raise ValidationError({"holder_name": _("The account holder's name is required.")})
    customer = customer_for(payer=payer)
    reference = f"{customer.stripe_id}-{account.compact[-8:]}-{secrets.token_hex(4)}"
    method_id = stripe_client.sepa_payment_method_create(
        iban=account.compact, holder_name=holder_name.strip(), email=email, reference=reference
    )
    saved = stripe_client.payment_method_save(
        customer_id=customer.stripe_id,
        payment_method_id=method_id,
        kind=MethodKind.SEPA_DEBIT,
        reference=reference,
        mandate_ip=ip_address,
        mandate_user_agent=user_agent,
    )
    return _saved_method(customer, saved)


_SEPA_COUNTRIES = {
    "AD",
    "AT",
    "BE",
    "BG",
    "CH",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GB",
    "GI",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MC",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "SM",
    "VA",
}


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
    income_purpose: str,
    description: str,
    currency: str = "EUR",
    saved_method: SavedPaymentMethod | None = None,
    commitment: Transaction | None = None,
    cause: models.Model | None = None,
    checkout: bool = False,
    project: Any = None,  # a projects.Project: the core should not name it (issue #18)
) -> Charge:
    """Write a charge (nothing is sent yet). A transfer gets its unique reference at once;
    a `checkout` card payment is made by the payer on Stripe's hosted page."""
    value = parse_amount(amount)
    if currency != "EUR":
        raise ValidationError({"currency": _("Only euros are accepted for now.")})
    if method not in MethodKind.values:
        raise ValidationError({"method": _("Unknown payment method.")})
    if income_purpose not in INCOME_PURPOSES:
        raise ValidationError({"income_purpose": _("Unknown kind of income.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what the payment is for.")})
    payer_fields = _payer_kwargs(payer)
    if payer.pk is None or (books is not None and books.pk is None):
        raise ValidationError(_("Unknown payer or beneficiary."))
    if project is not None and (books is None or project.host_id != books.pk):
        raise ValidationError(_("A commons' money goes to its hosting structure's books."))
    if method == MethodKind.TRANSFER or checkout:
        if saved_method is not None:
            raise ValidationError({"method": _("This payment uses no saved card or mandate.")})
        if checkout and method != MethodKind.CARD:
            raise ValidationError({"method": _("Stripe Checkout takes cards here.")})
    else:
        if saved_method is None or saved_method.kind != method or not saved_method.active:
            raise ValidationError({"saved_method": _("Choose a saved card or SEPA mandate.")})
        if Customer.objects.filter(pk=saved_method.customer_id, **payer_fields).count() != 1:
            raise ValidationError({"saved_method": _("This payment method is not the payer's.")})
    charge = Charge(
        books=books,
        amount=minor_units(value, currency),
        currency=currency,
        method=method,
        saved_method=saved_method,
        income_purpose=income_purpose,
        description=description.strip()[:200],
        commitment=commitment,
        project=project,
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
        )
    except stripe_client.ProviderUnavailable:
        # Still pending: a later attempt reuses the same idempotency key.
        log_event(logger, "charge.submit_deferred", level=logging.WARNING, charge=charge.pk)
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
            log_event(
                logger,
                "charge.failed",
                level=logging.WARNING,
                charge=charge.pk,
                code=charge.failure_code,
            )
        return charge


def _books_account(charge: Charge, purpose: str) -> Account:
    """The account of the charge's books, in the commons' sub-accounts when it has one."""
    return account_get_or_create(
        purpose=purpose,
        organisation=charge.books,
        currency=charge.currency,
        project=charge.project,
    )


def _post_collection(
    charge: Charge, *, debit_purpose: str, amount: int, key: str, excess: int = 0
) -> None:
    """Record money in: Dr `debit_purpose` / Cr income, the excess (an overpaid transfer)
    to 'payable'; the charge's pending commitment, if any, is resolved by the same posting."""
    lines = [
        debit(_books_account(charge, debit_purpose), amount + excess),
        credit(_books_account(charge, charge.income_purpose), amount),
    ]
    if excess:
        lines.append(credit(_books_account(charge, "payable"), excess))
    kind = KIND_OF_INCOME[charge.income_purpose]
    memo = f"{charge.description} (#{charge.pk})"
    if charge.commitment and not hasattr(charge.commitment, "resolved_by"):
        ledger_resolve_pending(
            pending=charge.commitment,
            kind=kind,
            idempotency_key=key,
            posted_entries=lines,
            memo=memo,
            cause=charge,
        )
    else:
        ledger_post(kind=kind, entries=lines, idempotency_key=key, memo=memo, cause=charge)


def charge_apply_intent(*, intent: stripe_client.Intent, fee: int | None = None) -> Charge:
    """Move a charge forward from what Stripe says of its PaymentIntent. Final states never
    move back; duplicate, late and out-of-order news change nothing twice."""
    charge = _charge_of_intent(intent)
    if intent.status == "succeeded" and fee is None and charge.status not in FINAL_STATUSES:
        fee = stripe_client.charge_fee(intent.charge_id)  # network call: outside the lock
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
            charge.fee = fee or 0
            _post_collection(
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
                        debit(_books_account(charge, "processor_fees"), charge.fee),
                        credit(_books_account(charge, "to_collect"), charge.fee),
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
    if charge.status == ChargeStatus.REQUIRES_ACTION:
        queue_after_commit("commons_fund.payments.tasks.charge_send_action_email", charge.pk)
    return charge


def _charge_of_intent(intent: stripe_client.Intent) -> Charge:
    """The charge a PaymentIntent pays. A signed event may still speak of another site's
    charge (staging and production sharing an account), or name a charge it cannot pay: the
    metadata's site, the method, the PaymentIntent already known and the customer must agree,
    or the event is ignored (Charge.DoesNotExist)."""
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
    expected_customer = charge.saved_method.customer.stripe_id if charge.saved_method else ""
    if expected_customer and intent.customer and intent.customer != expected_customer:
        raise Charge.DoesNotExist(f"PaymentIntent {intent.id} is another customer's.")
    if charge.amount != intent.amount or charge.currency != intent.currency:
        raise ValidationError(f"PaymentIntent {intent.id} does not match charge #{charge.pk}.")
    return charge


def _require_treasurer(*, organisation: Organisation | None, actor: User) -> None:
    if not organisation_has_role(
        organisation=organisation, user=actor, roles=(Role.TREASURER, Role.ADMIN)
    ):
        raise PermissionDenied(_("Only a treasurer of the receiving organisation may do this."))


@transaction.atomic
def transfer_record_receipt(
    *,
    charge: Charge,
    amount: Decimal | str,
    received_on: date,
    actor: User,
    note: str = "",
    request_key: str = "",
) -> TransferReceipt:
    """Record money that arrived by transfer. What exceeds the amount due is kept in the
    'payable' account (to give back or to allocate), never lost. The same `request_key`
    (a form's one-use key) again returns the first receipt and books nothing."""
    _require_treasurer(organisation=charge.books, actor=actor)
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if request_key:
        done = TransferReceipt.objects.filter(charge=charge, request_key=request_key).first()
        if done is not None:
            return done
    if charge.method != MethodKind.TRANSFER:
        raise ValidationError(_("Only a bank-transfer charge receives transfers."))
    if charge.status == ChargeStatus.CANCELLED:
        raise ValidationError(_("This charge was cancelled."))
    cents = minor_units(parse_amount(amount), charge.currency)
    require_past_or_today(field="received_on", day=received_on)
    receipt = TransferReceipt.objects.create(
        charge=charge,
        amount=cents,
        received_on=received_on,
        note=note[:300],
        recorded_by=actor,
        request_key=request_key,
    )
    still_due = max(charge.amount - charge.amount_received, 0)
    towards_due, excess = min(cents, still_due), max(cents - still_due, 0)
    if towards_due:
        _post_collection(
            charge,
            debit_purpose="bank",
            amount=towards_due,
            excess=excess,
            key=f"receipt-{receipt.pk}",
        )
    else:  # everything was already received: all of it is an overpayment
        ledger_post(
            kind=TransactionKind.MANUAL_ADJUSTMENT,
            idempotency_key=f"receipt-{receipt.pk}",
            memo=f"Trop-perçu (#{charge.pk})",
            cause=charge,
            entries=[
                debit(_books_account(charge, "bank"), excess),
                credit(_books_account(charge, "payable"), excess),
            ],
        )
    charge.amount_received += cents
    charge.status = (
        ChargeStatus.SUCCEEDED
        if charge.amount_received >= charge.amount
        else ChargeStatus.PARTIALLY_RECEIVED
    )
    charge.save(update_fields=["amount_received", "status", "updated_at"])
    log_event(
        logger,
        "transfer.received",
        charge=charge.pk,
        receipt=receipt.pk,
        amount=cents,
        status=charge.status,
        actor=actor.pk,
    )
    return receipt


def refund_create(
    *, charge: Charge, amount: Decimal | str, actor: User, reason: str = "", request_key: str = ""
) -> Refund:
    """Give back all or part of a card or SEPA payment; posted as the reverse of the income.
    The same `request_key` (a form's one-use key) again asks Stripe for the same refund (its
    idempotency key), never for a second one."""
    _require_treasurer(organisation=charge.books, actor=actor)
    cents = minor_units(parse_amount(amount), charge.currency)
    with transaction.atomic():
        locked = Charge.objects.select_for_update().get(pk=charge.pk)
        done = locked.refunds.filter(request_key=request_key).first() if request_key else None
        if done is not None and done.status != RefundStatus.PENDING:
            return done
        if done is None and (
            locked.method == MethodKind.TRANSFER
            or locked.status != ChargeStatus.SUCCEEDED
            or not locked.stripe_payment_intent
        ):
            raise ValidationError(_("Only a paid card or SEPA charge can be refunded here."))
        pending = sum(
            locked.refunds.filter(status=RefundStatus.PENDING).values_list("amount", flat=True)
        )
        if done is None and cents > locked.amount - locked.refunded - pending:
            raise ValidationError({"amount": _("This is more than what is left to refund.")})
        refund = done or Refund.objects.create(
            charge=locked,
            amount=cents,
            reason=reason[:300],
            created_by=actor,
            request_key=request_key,
        )
    return _refund_submit(refund=refund, payment_intent=locked.stripe_payment_intent or "")


def _refund_submit(*, refund: Refund, payment_intent: str) -> Refund:
    """Ask Stripe for a pending refund, with the key derived from it: a refund asked again
    (Stripe was unreachable) is never made twice."""
    try:
        stripe_id = stripe_client.refund_create(
            payment_intent_id=payment_intent,
            amount=refund.amount,
            idempotency_key=f"refund-{refund.pk}",
        )
    except stripe_client.ProviderUnavailable:
        # Stays pending: refunds_submit_pending asks again with the same key.
        log_event(logger, "refund.deferred", level=logging.WARNING, refund=refund.pk)
        return refund
    except stripe_client.PaymentError as error:
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundStatus.FAILED, reason=error.message[:300]
        )
        log_event(
            logger,
            "refund.failed",
            level=logging.ERROR,
            refund=refund.pk,
            charge=refund.charge_id,
            code=error.code,
        )
        raise ValidationError(error.message) from error
    return refund_mark_succeeded(refund=refund, stripe_id=stripe_id)


def refunds_submit_pending(*, older_than_seconds: int = 300) -> int:
    """Celery beat: ask Stripe again for the refunds left pending (it was unreachable)."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = list(
        Refund.objects.filter(status=RefundStatus.PENDING, created_at__lte=limit)
        .select_related("charge")
        .order_by("pk")[:200]
    )
    for refund in pending:
        with contextlib.suppress(ValidationError):  # a refusal is recorded as failed
            _refund_submit(refund=refund, payment_intent=refund.charge.stripe_payment_intent or "")
    return len(pending)


@transaction.atomic
def refund_mark_succeeded(*, refund: Refund, stripe_id: str) -> Refund:
    refund = Refund.objects.select_for_update().select_related("charge").get(pk=refund.pk)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    charge = Charge.objects.select_for_update().get(pk=refund.charge_id)
    refund.status, refund.stripe_id = RefundStatus.SUCCEEDED, stripe_id
    refund.save(update_fields=["status", "stripe_id"])
    charge.refunded += refund.amount
    charge.save(update_fields=["refunded", "updated_at"])
    log_event(logger, "refund.succeeded", refund=refund.pk, charge=charge.pk, amount=refund.amount)
    ledger_post(
        kind=TransactionKind.REFUND,
        idempotency_key=f"refund-{refund.pk}",
        cause=refund,
        memo=f"Remboursement (#{charge.pk})",
        entries=[
            debit(_books_account(charge, charge.income_purpose), refund.amount),
            credit(_books_account(charge, "to_collect"), refund.amount),
        ],
    )
    return refund


def _refunds_from_stripe(charge_data: dict[str, Any]) -> None:
    """A refund made elsewhere (Stripe's dashboard) is recorded once, like ours."""
    charge = Charge.objects.filter(stripe_charge=charge_data["id"]).first()
    if charge is None:
        return
    for data in (charge_data.get("refunds") or {}).get("data", []):
        if data.get("status") not in (None, "succeeded"):
            continue
        refund = Refund.objects.filter(stripe_id=data["id"]).first()
        if refund is None:
            with transaction.atomic():
                refund = Refund.objects.create(
                    charge=charge, amount=int(data["amount"]), reason="Stripe", stripe_id=None
                )
        refund_mark_succeeded(refund=refund, stripe_id=data["id"])


# A donor has at most this many gifts waiting for their payment on Stripe Checkout, whose
# sessions end after a day; gifts still unpaid then are cancelled (gifts_expire).
GIFTS_WAITING_MAX = 5
GIFT_WAITING_HOURS = 24


def _gifts_waiting() -> models.QuerySet[Charge]:
    return Charge.objects.filter(
        status=ChargeStatus.PENDING,
        method=MethodKind.CARD,
        saved_method__isnull=True,
        income_purpose="donations",
    )


def gift_start(
    *, donor: User, books: Organisation | None, amount: Decimal | str, language: str = "fr"
) -> tuple[Charge, str]:
    """Start a one-off gift by card on Stripe Checkout; returns the charge and the page to
    send the donor to. The gift is recorded when Stripe says it is paid."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    since = timezone.now() - timedelta(hours=GIFT_WAITING_HOURS)
    if _gifts_waiting().filter(user=donor, created_at__gte=since).count() >= GIFTS_WAITING_MAX:
        raise ValidationError(
            _(
                "You have %(count)s gifts waiting for their payment: finish one of them, or "
                "wait a day, before starting another."
            )
            % {"count": GIFTS_WAITING_MAX}
        )
    name = books.name if books else "Commons Fund"
    charge = charge_create(
        payer=donor,
        books=books,
        amount=amount,
        method=MethodKind.CARD,
        checkout=True,
        income_purpose="donations",
        description=_("Gift to %(name)s") % {"name": name},
    )
    back = settings.SITE_URL.rstrip("/") + reverse(
        "payments:charge_confirm", kwargs={"pk": charge.pk}
    )
    try:
        session = stripe_client.checkout_session_create(
            amount=charge.amount,
            currency=charge.currency,
            name=charge.description,
            success_url=back,
            cancel_url=back,
            metadata={"charge_id": str(charge.pk), "site": settings.SITE_URL},
            customer_email=donor.email,
            locale=language,
            idempotency_key=f"checkout-{charge.pk}",
        )
    except stripe_client.ProviderUnavailable as error:
        # No one will be on the page to be sent to Checkout later: nothing is retried, the
        # gift is cancelled and the donor asked to try again.
        Charge.objects.filter(pk=charge.pk).update(status=ChargeStatus.CANCELLED)
        log_event(logger, "gift.not_started", level=logging.WARNING, charge=charge.pk)
        raise stripe_client.ProviderUnavailable(
            _(
                "The payment service cannot be reached right now: nothing was charged. "
                "Please try again in a few minutes."
            )
        ) from error
    Charge.objects.filter(pk=charge.pk).update(checkout_session=session.id)
    charge.checkout_session = session.id
    return charge, session.url


def gifts_expire() -> int:
    """Celery beat: gifts left unpaid on Checkout past a day (its sessions have ended) are
    cancelled, so that no treasury fills with payments that will never come."""
    since = timezone.now() - timedelta(hours=GIFT_WAITING_HOURS)
    expired = _gifts_waiting().filter(created_at__lt=since).update(status=ChargeStatus.CANCELLED)
    if expired:
        log_event(logger, "gifts.expired", count=expired)
    return expired


def checkout_apply(*, session: stripe_client.Checkout) -> Charge | None:
    """What a Checkout session says of its gift: paid (recorded once) or expired."""
    charge = Charge.objects.filter(checkout_session=session.id).first()
    if charge is None:
        raise Charge.DoesNotExist(f"No charge for Checkout session {session.id}.")
    if session.payment_status == "paid" and session.payment_intent:
        return charge_apply_intent(
            intent=stripe_client.payment_intent_retrieve(session.payment_intent)
        )
    if session.status == "expired":
        Charge.objects.filter(pk=charge.pk, status=ChargeStatus.PENDING).update(
            status=ChargeStatus.CANCELLED
        )
    return charge


PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.processing",
    "payment_intent.payment_failed",
    "payment_intent.requires_action",
    "payment_intent.canceled",
}


def webhook_receive(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify, store once, handle. Raises WebhookSignatureInvalid or ValidationError (400)."""
    event = stripe_client.webhook_event(payload, signature)
    if event.livemode != settings.STRIPE_LIVEMODE:
        raise ValidationError("This event is from the other Stripe mode (live/test).")
    with transaction.atomic():
        stored, created = WebhookEvent.objects.select_for_update().get_or_create(
            stripe_id=event.id,
            defaults={
                "type": event.type,
                "livemode": event.livemode,
                "created": event.created,
                "payload": event.object,
            },
        )
        if not created:
            stored.deliveries = models.F("deliveries") + 1
            stored.save(update_fields=["deliveries"])
            stored.refresh_from_db()
            log_event(
                logger, "webhook.redelivered", stripe_event=event.id, deliveries=stored.deliveries
            )
    if stored.status in (EventStatus.HANDLED, EventStatus.IGNORED):
        return stored
    return webhook_handle(event=stored)


def webhook_handle(*, event: WebhookEvent) -> WebhookEvent:
    status, error = EventStatus.HANDLED, ""
    try:
        if event.type in PAYMENT_INTENT_EVENTS:
            charge_apply_intent(intent=stripe_client.intent_from_dict(event.payload))
        elif event.type == "charge.refunded":
            _refunds_from_stripe(event.payload)
        elif event.type in ("checkout.session.completed", "checkout.session.expired"):
            checkout_apply(session=stripe_client.checkout_from_dict(event.payload))
        else:
            status = EventStatus.IGNORED
    except Charge.DoesNotExist as missing:
        status, error = EventStatus.IGNORED, str(missing)
    except (ValidationError, stripe_client.PaymentError) as failure:
        status, error = EventStatus.FAILED, str(failure)
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=status, error=error, handled_at=timezone.now()
    )
    log_event(
        logger,
        "webhook.handled",
        level=logging.ERROR if status == EventStatus.FAILED else logging.INFO,
        stripe_event=event.stripe_id,
        type=event.type,
        status=status,
        error=error[:200],
    )
    event.refresh_from_db()
    return event


def charge_payers_emails(*, charge: Charge) -> list[str]:
    """Who is told about a charge: the paying person, or the paying organisation's
    treasurers (its administrators when it has none)."""
    if charge.user:
        return [charge.user.email]
    if charge.organisation is None:
        return []
    memberships = charge.organisation.memberships.select_related("user")
    treasurers = [m.user.email for m in memberships if m.role == Role.TREASURER]
    return treasurers or [m.user.email for m in memberships if m.role == Role.ADMIN]


def charge_action_email_send(*, charge: Charge) -> bool:
    """Ask the payer to confirm a payment their bank wants to authenticate (3-D Secure)."""
    if charge.status != ChargeStatus.REQUIRES_ACTION:
        return False
    recipients = charge_payers_emails(charge=charge)
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "charge": charge,
            "amount": format_amount(
                from_minor_units(charge.amount, charge.currency), charge.currency
            ),
            "url": settings.SITE_URL.rstrip("/")
            + reverse("payments:charge_confirm", kwargs={"pk": charge.pk}),
        }
        subject = render_to_string("payments/email/confirm_subject.txt", context)
        body = render_to_string("payments/email/confirm_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)
    return True


@transaction.atomic
def bank_account_set(
    *, organisation: Organisation, actor: User, holder_name: str, iban: str, bic: str = ""
) -> BankAccount:
    """Record the account an organisation is paid on (checked with schwifty)."""
    _require_treasurer(organisation=organisation, actor=actor)
    account = iban_validate(iban)
    if account.country_code not in _SEPA_COUNTRIES:
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
    bank_account, _created = BankAccount.objects.update_or_create(
        organisation=organisation,
        defaults={
            "holder_name": holder,
            "iban": account.compact,
            "bic": bic_code,
            "updated_by": actor,
        },
    )
    log_event(
        logger,
        "bank_account.set",
        organisation=organisation.pk,
        actor=actor.pk,
        iban_end=account.compact[-4:],
    )
    return bank_account


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
    _require_treasurer(organisation=books, actor=actor)
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
) -> Payout:
    """A payout to make, in cents. Without `created_by` it is the platform's doing (a pool
    round whose collection ended); a treasurer exports it to the bank like any other."""
    if not description.strip():
        raise ValidationError({"description": _("Say what the payment is for.")})
    payout = Payout.objects.create(
        books=books,
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
    _require_treasurer(organisation=books, actor=actor)
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
    _require_treasurer(organisation=batch.books, actor=actor)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    require_past_or_today(field="paid_on", day=paid_on)
    bank = account_get_or_create(purpose="bank", organisation=batch.books)
    grants = account_get_or_create(purpose="grants_paid", organisation=batch.books)
    for payout in batch.payouts.select_related("beneficiary"):
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
    return batch
