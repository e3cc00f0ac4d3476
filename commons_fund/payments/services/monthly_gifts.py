"""Monthly gifts: started on Stripe Checkout (a subscription on the host's own account),
each paid invoice recorded as a charge of its own, stopped by the donor from a link in every
receipt email (or from "My payments"), or by Stripe when it gives up."""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commons_fund.ledger.models import CostCentre
from commons_fund.logs import log_event
from commons_fund.members.models import Organisation, User
from commons_fund.money import from_minor_units, minor_units, parse_amount

from .. import stripe_client
from ..models import Charge, MethodKind, MonthlyGift, MonthlyGiftStatus
from ..monthly_links import monthly_gift_url
from .charges import charge_apply_intent, charge_create
from .connect import payments_account
from .gifts import checkout_unreachable, gift_recipient_name, gifts_waiting_check

logger = logging.getLogger(__name__)


def monthly_gift_start(
    *,
    donor: User,
    books: Organisation | None,
    amount: Decimal | str,
    language: str = "fr",
    centre: CostCentre | None = None,
) -> tuple[MonthlyGift, str]:
    """Start a monthly gift by card on Stripe Checkout; returns the gift and the page to send
    the donor to. It is active once Stripe says the first month is paid. A gift to a commons
    goes to its `centre` in its host's books."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    value = parse_amount(amount)
    gifts_waiting_check(donor=donor)
    if centre is not None and (books is None or centre.organisation_id != books.pk):
        raise ValidationError(_("A sub-account's money goes to its own structure's books."))
    gift = MonthlyGift.objects.create(
        user=donor,
        books=books,
        centre=centre,
        amount=minor_units(value),
        stripe_account=payments_account(books=books),
    )
    back = monthly_gift_url(gift)
    try:
        session = stripe_client.checkout_session_create(
            amount=gift.amount,
            currency=gift.currency,
            name=_("Monthly gift to %(name)s") % {"name": gift_recipient_name(books, centre)},
            success_url=back,
            cancel_url=back,
            metadata={"monthly_gift_id": str(gift.pk), "site": settings.SITE_URL},
            customer_email=donor.email,
            locale=language,
            idempotency_key=f"monthly-gift-{gift.pk}",
            account=gift.stripe_account,
            monthly=True,
        )
    except stripe_client.ProviderUnavailable as error:
        MonthlyGift.objects.filter(pk=gift.pk).update(
            status=MonthlyGiftStatus.CANCELLED, cancelled_at=timezone.now()
        )
        log_event(logger, "monthly_gift.not_started", level=logging.WARNING, gift=gift.pk)
        raise checkout_unreachable() from error
    MonthlyGift.objects.filter(pk=gift.pk).update(checkout_session=session.id)
    gift.checkout_session = session.id
    return gift, session.url


def _activate(gift: MonthlyGift, subscription_id: str) -> MonthlyGift:
    """Tie a gift to its subscription, once; a gift already stopped has it stopped too."""
    with transaction.atomic():
        gift = MonthlyGift.objects.select_for_update().get(pk=gift.pk)
        if gift.stripe_subscription not in (None, subscription_id):
            raise ValidationError(f"Monthly gift #{gift.pk} has another subscription.")
        gift.stripe_subscription = subscription_id
        if gift.status == MonthlyGiftStatus.PENDING:
            gift.status = MonthlyGiftStatus.ACTIVE
        gift.save(update_fields=["stripe_subscription", "status"])
    if gift.status == MonthlyGiftStatus.CANCELLED:
        # Stopped while its Checkout page was still open, then paid there.
        _subscription_cancel(gift)
    else:
        log_event(logger, "monthly_gift.active", gift=gift.pk, subscription=subscription_id)
    return gift


def monthly_gift_checkout_apply(
    *, session: stripe_client.Checkout, account: str | None = None
) -> MonthlyGift:
    """What a Checkout session says of a monthly gift: subscribed, or never paid."""
    gift = MonthlyGift.objects.filter(checkout_session=session.id).first()
    if gift is None or account not in (None, gift.stripe_account):
        raise MonthlyGift.DoesNotExist(f"No monthly gift for Checkout session {session.id}.")
    if session.status == "complete" and session.subscription:
        return _activate(gift, session.subscription)
    if session.status == "expired":
        MonthlyGift.objects.filter(pk=gift.pk, status=MonthlyGiftStatus.PENDING).update(
            status=MonthlyGiftStatus.CANCELLED, cancelled_at=timezone.now()
        )
    return gift


def monthly_gift_refresh(*, gift: MonthlyGift) -> MonthlyGift:
    """Ask Stripe how a gift's Checkout stands (the donor is back before the webhook)."""
    if gift.status != MonthlyGiftStatus.PENDING or not gift.checkout_session:
        return gift
    try:
        session = stripe_client.checkout_session_retrieve(
            gift.checkout_session, account=gift.stripe_account
        )
    except stripe_client.PaymentError:
        return gift  # the webhook will tell
    return monthly_gift_checkout_apply(session=session)


def _gift_of_subscription(subscription_id: str, account: str | None) -> MonthlyGift:
    """The gift a subscription pays. Its invoice may arrive before the Checkout event that
    ties them: the subscription's metadata (site and gift) then says which gift it is."""
    gift = MonthlyGift.objects.filter(stripe_subscription=subscription_id).first()
    if gift is None:
        metadata = stripe_client.subscription_metadata(subscription_id, account=account or "")
        gift_id = metadata.get("monthly_gift_id", "")
        if metadata.get("site") != settings.SITE_URL or not gift_id.isdigit():
            raise MonthlyGift.DoesNotExist(f"Subscription {subscription_id} is not ours.")
        gift = MonthlyGift.objects.filter(pk=int(gift_id)).first()
        if gift is None:
            raise MonthlyGift.DoesNotExist(f"No monthly gift for {subscription_id}.")
        if account is None or account == gift.stripe_account:
            gift = _activate(gift, subscription_id)
    if account is not None and account != gift.stripe_account:
        raise MonthlyGift.DoesNotExist(f"Gift #{gift.pk} is not paid on Stripe account {account}.")
    return gift


def monthly_gift_invoice_paid(
    *, invoice: stripe_client.Invoice, account: str | None = None
) -> Charge | None:
    """One month of a monthly gift is paid: record it once, as a charge paid by the
    invoice's PaymentIntent (its fee, ledger entries and receipt follow as for any gift)."""
    if not invoice.subscription:
        raise MonthlyGift.DoesNotExist(f"Invoice {invoice.id} is not a subscription's.")
    gift = _gift_of_subscription(invoice.subscription, account)
    if invoice.amount_paid == 0:
        return None
    if (invoice.amount_paid, invoice.currency) != (gift.amount, gift.currency):
        raise ValidationError(f"Invoice {invoice.id} does not match monthly gift #{gift.pk}.")
    intent_id = invoice.payment_intent or stripe_client.invoice_payment_intent(
        invoice.id, account=gift.stripe_account
    )
    if not intent_id:
        raise ValidationError(f"Invoice {invoice.id} is paid by no PaymentIntent.")
    with transaction.atomic():
        MonthlyGift.objects.select_for_update().get(pk=gift.pk)
        charge = Charge.objects.filter(stripe_payment_intent=intent_id).first()
        if charge is None:
            charge = charge_create(
                payer=gift.user,
                books=gift.books,
                amount=from_minor_units(gift.amount, gift.currency),
                currency=gift.currency,
                method=MethodKind.CARD,
                checkout=True,
                credit_purpose="donations",
                description=_("Monthly gift to %(name)s")
                % {"name": gift_recipient_name(gift.books, gift.centre)},
                cause=gift,
                centre=gift.centre,
            )
            if charge.stripe_account != gift.stripe_account:
                raise ValidationError(f"Monthly gift #{gift.pk}'s host changed Stripe account.")
            charge.stripe_payment_intent = intent_id
            charge.save(update_fields=["stripe_payment_intent"])
    return charge_apply_intent(
        intent=stripe_client.payment_intent_retrieve(intent_id, account=gift.stripe_account)
    )


def _subscription_cancel(gift: MonthlyGift) -> None:
    if gift.stripe_subscription:
        stripe_client.subscription_cancel(
            gift.stripe_subscription,
            idempotency_key=f"monthly-gift-{gift.pk}-stop",
            account=gift.stripe_account,
        )
    log_event(logger, "monthly_gift.stopped", gift=gift.pk)


def monthly_gift_cancel(*, gift: MonthlyGift) -> MonthlyGift:
    """Stop a monthly gift: no month is charged after this (the months paid stay gifts)."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    gift.refresh_from_db()
    if gift.status == MonthlyGiftStatus.CANCELLED:
        return gift
    _subscription_cancel(gift)
    return monthly_gift_ended(gift=gift)


def monthly_gift_ended(*, gift: MonthlyGift) -> MonthlyGift:
    """Record that a monthly gift's subscription ended (stopped here or at Stripe)."""
    MonthlyGift.objects.filter(pk=gift.pk).exclude(status=MonthlyGiftStatus.CANCELLED).update(
        status=MonthlyGiftStatus.CANCELLED, cancelled_at=timezone.now()
    )
    gift.refresh_from_db()
    return gift


def monthly_gift_subscription_deleted(
    *, subscription_id: str, account: str | None = None
) -> MonthlyGift:
    gift = MonthlyGift.objects.filter(stripe_subscription=subscription_id).first()
    if gift is None or account not in (None, gift.stripe_account):
        raise MonthlyGift.DoesNotExist(f"No monthly gift for subscription {subscription_id}.")
    return monthly_gift_ended(gift=gift)
