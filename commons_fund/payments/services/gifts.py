"""Gifts through Stripe Checkout, and the cancelling of gifts never paid."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commons_fund.ledger.models import CostCentre
from commons_fund.logs import log_event
from commons_fund.members.models import Organisation, User

from .. import stripe_client
from ..models import (
    Charge,
    ChargeStatus,
    MethodKind,
    MonthlyGift,
    MonthlyGiftStatus,
)
from .charges import charge_apply_intent, charge_create

logger = logging.getLogger(__name__)

# A donor has at most this many gifts waiting for their payment on Stripe Checkout, whose
# sessions end after a day; gifts still unpaid then are cancelled (gifts_expire).
GIFTS_WAITING_MAX = 5
GIFT_WAITING_HOURS = 24


def _gifts_waiting() -> models.QuerySet[Charge]:
    return Charge.objects.filter(
        status=ChargeStatus.PENDING,
        method=MethodKind.CARD,
        saved_method__isnull=True,
        credit_purpose="donations",
    )


def gift_recipient_name(books: Organisation | None, centre: CostCentre | None) -> str:
    """Who a gift is to: a commons (its cost centre), an organisation, or the platform."""
    if centre is not None:
        return centre.name
    return books.name if books else "Commons Fund"


def gifts_waiting_check(*, donor: User) -> None:
    """Refuse a new gift (once or monthly) to a donor with too many left unpaid today."""
    since = timezone.now() - timedelta(hours=GIFT_WAITING_HOURS)
    waiting = (
        _gifts_waiting().filter(user=donor, created_at__gte=since).count()
        + MonthlyGift.objects.filter(
            user=donor, status=MonthlyGiftStatus.PENDING, created_at__gte=since
        ).count()
    )
    if waiting >= GIFTS_WAITING_MAX:
        raise ValidationError(
            _(
                "You have %(count)s gifts waiting for their payment: finish one of them, or "
                "wait a day, before starting another."
            )
            % {"count": GIFTS_WAITING_MAX}
        )


def checkout_unreachable() -> stripe_client.ProviderUnavailable:
    """What a donor is told when Checkout cannot be reached (nothing is left waiting)."""
    return stripe_client.ProviderUnavailable(
        _(
            "The payment service cannot be reached right now: nothing was charged. "
            "Please try again in a few minutes."
        )
    )


GIFT_TOKEN_SALT = "commons_fund.payments.gift"  # noqa: S105 - a namespace, not a secret
GIFT_TOKEN_MAX_AGE = 90 * 24 * 3600


def gift_token(charge: Charge) -> str:
    """What lets a donor without an account come back to their gift's page."""
    return signing.dumps(charge.pk, salt=GIFT_TOKEN_SALT)


def gift_of_token(token: str) -> Charge:
    """The gift a token names (Charge.DoesNotExist for a bad, old or foreign token)."""
    try:
        pk = signing.loads(token, salt=GIFT_TOKEN_SALT, max_age=GIFT_TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise Charge.DoesNotExist("Unknown gift.") from error
    return Charge.objects.select_related("books").get(pk=pk, credit_purpose="donations")


def gift_start(
    *,
    donor: User,
    books: Organisation | None,
    amount: Decimal | str,
    language: str = "fr",
    guest: bool = False,
    centre: CostCentre | None = None,
) -> tuple[Charge, str]:
    """Start a one-off gift by card on Stripe Checkout; returns the charge and the page to
    send the donor to. The gift is recorded when Stripe says it is paid. A `guest` (not
    logged in) comes back to the gift's own page, by a signed address. A gift to a commons
    goes to its `centre` in its host's books."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    gifts_waiting_check(donor=donor)
    charge = charge_create(
        payer=donor,
        books=books,
        amount=amount,
        method=MethodKind.CARD,
        checkout=True,
        credit_purpose="donations",
        description=_("Gift to %(name)s") % {"name": gift_recipient_name(books, centre)},
        centre=centre,
    )
    if guest:
        page = reverse("payments:gift_thanks", kwargs={"token": gift_token(charge)})
    else:
        page = reverse("payments:charge_confirm", kwargs={"pk": charge.pk})
    back = settings.SITE_URL.rstrip("/") + page
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
            account=charge.stripe_account,
        )
    except stripe_client.ProviderUnavailable as error:
        # No one will be on the page to be sent to Checkout later: nothing is retried, the
        # gift is cancelled and the donor asked to try again.
        Charge.objects.filter(pk=charge.pk).update(status=ChargeStatus.CANCELLED)
        log_event(logger, "gift.not_started", level=logging.WARNING, charge=charge.pk)
        raise checkout_unreachable() from error
    Charge.objects.filter(pk=charge.pk).update(checkout_session=session.id)
    charge.checkout_session = session.id
    return charge, session.url


def gifts_expire() -> int:
    """Celery beat: gifts (once or monthly) left unpaid on Checkout past a day (its sessions
    have ended) are cancelled, so that no treasury fills with payments that will never come."""
    since = timezone.now() - timedelta(hours=GIFT_WAITING_HOURS)
    expired = _gifts_waiting().filter(created_at__lt=since).update(status=ChargeStatus.CANCELLED)
    expired += MonthlyGift.objects.filter(
        status=MonthlyGiftStatus.PENDING, created_at__lt=since
    ).update(status=MonthlyGiftStatus.CANCELLED, cancelled_at=timezone.now())
    if expired:
        log_event(logger, "gifts.expired", count=expired)
    return expired


def checkout_apply(*, session: stripe_client.Checkout, account: str | None = None) -> Charge | None:
    """What a Checkout session says of its gift: paid (recorded once) or expired. `account`
    as for charge_apply_intent."""
    charge = Charge.objects.filter(checkout_session=session.id).first()
    if charge is None or account not in (None, charge.stripe_account):
        raise Charge.DoesNotExist(f"No charge for Checkout session {session.id}.")
    if session.payment_status == "paid" and session.payment_intent:
        return charge_apply_intent(
            intent=stripe_client.payment_intent_retrieve(
                session.payment_intent, account=charge.stripe_account
            )
        )
    if session.status == "expired":
        Charge.objects.filter(pk=charge.pk, status=ChargeStatus.PENDING).update(
            status=ChargeStatus.CANCELLED
        )
    return charge


def charge_refresh(*, charge: Charge) -> Charge:
    """The charge after asking Stripe where it stands (webhooks may lag behind the payer)."""
    try:
        if charge.stripe_payment_intent:
            return charge_apply_intent(
                intent=stripe_client.payment_intent_retrieve(
                    charge.stripe_payment_intent, account=charge.stripe_account
                )
            )
        if charge.checkout_session:
            return (
                checkout_apply(
                    session=stripe_client.checkout_session_retrieve(
                        charge.checkout_session, account=charge.stripe_account
                    )
                )
                or charge
            )
    except stripe_client.PaymentError:
        pass
    return charge
