"""The only module that imports `stripe`. It speaks Stripe's API and turns its errors into
the project's exceptions, with messages a treasurer understands.

Configuration: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE (empty: Stripe
itself; the tests and the demo point it at the local stand-in), STRIPE_LIVEMODE.

Connect: a host's payments are made on its own (connected) Stripe account. Every function
that touches a payer, a payment method or a payment takes `account`, the connected
account's id ("" for the platform's own account, used only for the platform's own gifts),
sent as the `Stripe-Account` header.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.utils.translation import gettext as _


class PaymentError(Exception):
    """A payment call failed; `message` is meant for the payer or the treasurer."""

    code = "payment_error"

    def __init__(self, message: str, *, code: str = "", decline_code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.decline_code = decline_code


class PaymentDeclined(PaymentError):
    code = "declined"


class AuthenticationRequired(PaymentError):
    code = "authentication_required"


class ProviderUnavailable(PaymentError):
    """Stripe could not be reached or answered with an error of its own: try again later."""

    code = "provider_unavailable"


class IdempotencyConflict(ProviderUnavailable):
    """Stripe refused an idempotency key sent again with other parameters. Its first sending
    may have charged: never a failure (a failed charge is tried again under a new key, which
    would charge twice); the operation stays pending until someone looks."""

    code = "idempotency_conflict"


class InvalidPaymentRequest(PaymentError):
    code = "invalid_request"


class WebhookSignatureInvalid(Exception):
    pass


class WebhookMalformed(Exception):
    """A signed event that lacks what every Stripe event has (its id, type or data)."""


@cache
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key, max_network_retries=2, base_addresses={"api": api_base} if api_base else {}
    )


def checkout_origin() -> str:
    """Where Stripe Checkout's hosted page lives: the stand-in's own address, or Stripe's."""
    if settings.STRIPE_API_BASE:
        parts = urlsplit(settings.STRIPE_API_BASE)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://checkout.stripe.com"


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _translate(error: stripe.StripeError) -> PaymentError:
    if isinstance(error, stripe.CardError):
        code = error.code or ""
        if code == "authentication_required":
            return AuthenticationRequired(
                _("The bank asks the payer to confirm this payment."), code=code
            )
        return PaymentDeclined(
            _("The payment was declined by the bank (%(reason)s).")
            % {"reason": error.user_message or code or _("no reason given")},
            code=code,
            decline_code=getattr(error, "decline_code", "") or "",
        )
    if isinstance(error, stripe.IdempotencyError):
        return IdempotencyConflict(
            _(
                "The payment service holds an earlier request for this operation; it was left "
                "pending."
            )
        )
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        return ProviderUnavailable(
            _(
                "The payment service cannot be reached right now; nothing was charged twice, "
                "the operation will be tried again."
            )
        )
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return ProviderUnavailable(_("The payment service refused our credentials."))
    return InvalidPaymentRequest(
        _("The payment service refused the request: %(reason)s")
        % {"reason": error.user_message or str(error)}
    )


def _options(idempotency_key: str = "", account: str = "") -> dict[str, str]:
    options = {"idempotency_key": idempotency_key} if idempotency_key else {}
    if account:
        options["stripe_account"] = account
    return options


def _call(
    method: Callable[..., Any],
    *ids: str,
    params: dict[str, Any],
    idempotency_key: str = "",
    account: str = "",
) -> Any:
    try:
        return method(*ids, params=params, options=_options(idempotency_key, account))
    except stripe.StripeError as error:
        raise _translate(error) from error


@dataclass(frozen=True)
class Intent:
    """What the project needs to know of a PaymentIntent."""

    id: str
    status: str  # succeeded, processing, requires_action, requires_payment_method, canceled
    amount: int
    currency: str
    charge_id: str
    failure_code: str
    failure_message: str
    client_secret: str
    metadata: dict[str, str]
    customer: str = ""


def _intent(payment_intent: Any) -> Intent:
    return intent_from_dict(payment_intent.to_dict())


def intent_from_dict(data: dict[str, Any]) -> Intent:
    """An Intent from a PaymentIntent as Stripe sends it (API answer or webhook event)."""
    error = data.get("last_payment_error") or {}
    latest = data.get("latest_charge")
    charge_id = latest if isinstance(latest, str) else ((latest or {}).get("id") or "")
    return Intent(
        id=data["id"],
        status=data["status"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        charge_id=charge_id,
        failure_code=error.get("code") or "",
        failure_message=error.get("message") or "",
        client_secret=data.get("client_secret") or "",
        metadata=dict(data.get("metadata") or {}),
        customer=_id_of(data.get("customer")),
    )


def _id_of(value: Any) -> str:
    """The id of a related object, whether Stripe sent its id or the object expanded."""
    if isinstance(value, str):
        return value
    return str((value or {}).get("id") or "")


def customer_create(*, name: str, email: str, reference: str, account: str = "") -> str:
    customer = _call(
        client().v1.customers.create,
        params={"name": name, "email": email, "metadata": {"reference": reference}},
        idempotency_key=f"customer-{reference}-{account or 'platform'}",
        account=account,
    )
    return str(customer.id)


@dataclass(frozen=True)
class SavedMethod:
    id: str
    type: str  # card or sepa_debit
    label: str
    status: str  # succeeded, or requires_action until the holder confirms with the bank
    setup_intent: str
    client_secret: str


def _describe(payment_method: Any) -> str:
    if payment_method.type == "card":
        card = payment_method.card
        return f"{(card.brand or 'card').capitalize()} •••• {card.last4}"
    sepa = payment_method.sepa_debit
    return f"SEPA {sepa.country or ''} •••• {sepa.last4}".replace("  ", " ")


def payment_method_save(
    *,
    customer_id: str,
    payment_method_id: str,
    kind: str,
    reference: str,
    mandate_ip: str = "",
    mandate_user_agent: str = "",
    account: str = "",
) -> SavedMethod:
    """Save a payment method for later off-session charges through a SetupIntent.

    For SEPA Direct Debit the customer's online acceptance of the mandate is recorded."""
    params: dict[str, Any] = {
        "customer": customer_id,
        "payment_method_types": [kind],
        "usage": "off_session",
        "metadata": {"reference": reference},
    }
    setup = _call(
        client().v1.setup_intents.create,
        params=params,
        idempotency_key=f"setup-{reference}",
        account=account,
    )
    confirm: dict[str, Any] = {"payment_method": payment_method_id}
    if kind == "sepa_debit":
        confirm["mandate_data"] = {
            "customer_acceptance": {
                "type": "online",
                "online": {
                    "ip_address": mandate_ip or "127.0.0.1",
                    "user_agent": mandate_user_agent or "Commons Fund",
                },
            }
        }
    setup = _call(
        client().v1.setup_intents.confirm,
        setup.id,
        params=confirm,
        idempotency_key=f"setup-confirm-{reference}",
        account=account,
    )
    method = _call(
        client().v1.payment_methods.retrieve, payment_method_id, params={}, account=account
    )
    if getattr(method, "customer", None) != customer_id:
        method = _call(
            client().v1.payment_methods.attach,
            payment_method_id,
            params={"customer": customer_id},
            idempotency_key=f"attach-{reference}",
            account=account,
        )
    return SavedMethod(
        id=method.id,
        type=method.type,
        label=_describe(method),
        status=setup.status,
        setup_intent=setup.id,
        client_secret=setup.client_secret or "",
    )


def payment_method_detach(payment_method_id: str, *, account: str = "") -> None:
    """Detach a saved method from its customer: it can no longer be charged. Detaching one
    already detached (a retry) is not an error."""
    method = _call(
        client().v1.payment_methods.retrieve, payment_method_id, params={}, account=account
    )
    if getattr(method, "customer", None):
        _call(
            client().v1.payment_methods.detach,
            payment_method_id,
            params={},
            idempotency_key=f"detach-{payment_method_id}",
            account=account,
        )


def setup_intent_status(setup_intent_id: str, *, account: str = "") -> str:
    setup = _call(client().v1.setup_intents.retrieve, setup_intent_id, params={}, account=account)
    return str(setup.status)


@dataclass(frozen=True)
class CardSetup:
    """A SetupIntent the payer confirms in the browser with Stripe.js."""

    id: str
    client_secret: str
    status: str
    customer: str
    payment_method: str


def card_setup_create(*, customer_id: str, account: str = "") -> CardSetup:
    setup = _call(
        client().v1.setup_intents.create,
        params={"customer": customer_id, "payment_method_types": ["card"], "usage": "off_session"},
        account=account,
    )
    return _card_setup(setup)


def card_setup_retrieve(setup_intent_id: str, *, account: str = "") -> CardSetup:
    return _card_setup(
        _call(client().v1.setup_intents.retrieve, setup_intent_id, params={}, account=account)
    )


def _card_setup(setup: Any) -> CardSetup:
    method = getattr(setup, "payment_method", None) or ""
    return CardSetup(
        id=setup.id,
        client_secret=setup.client_secret or "",
        status=setup.status,
        customer=getattr(setup, "customer", None) or "",
        payment_method=method if isinstance(method, str) else method.id,
    )


def payment_method_describe(payment_method_id: str, *, account: str = "") -> tuple[str, str]:
    """(type, label) of a payment method, e.g. ("card", "Visa •••• 4242")."""
    method = _call(
        client().v1.payment_methods.retrieve, payment_method_id, params={}, account=account
    )
    return str(method.type), _describe(method)


def sepa_payment_method_create(
    *, iban: str, holder_name: str, email: str, reference: str, account: str = ""
) -> str:
    method = _call(
        client().v1.payment_methods.create,
        params={
            "type": "sepa_debit",
            "sepa_debit": {"iban": iban},
            "billing_details": {"name": holder_name, "email": email},
        },
        idempotency_key=f"sepa-method-{reference}",
        account=account,
    )
    return str(method.id)


def payment_intent_create_off_session(
    *,
    amount: int,
    currency: str,
    customer_id: str,
    payment_method_id: str,
    idempotency_key: str,
    metadata: dict[str, str],
    description: str = "",
    account: str = "",
) -> Intent:
    """Charge a saved payment method without the payer being there (after a vote): a direct
    charge on the host's connected account when `account` is given."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency.lower(),
        "customer": customer_id,
        "payment_method": payment_method_id,
        "confirm": True,
        "off_session": True,
        "metadata": metadata,
    }
    if description:
        params["description"] = description[:200]
    try:
        payment_intent = client().v1.payment_intents.create(
            params=params,  # type: ignore[arg-type]  # a plain dict, checked by Stripe
            options=_options(idempotency_key, account),  # type: ignore[arg-type]
        )
    except stripe.CardError as error:
        # A declined off-session payment: the PaymentIntent exists and says why.
        declined = getattr(error.error, "payment_intent", None) if error.error else None
        if declined is None:
            raise _translate(error) from error
        return _intent(declined)
    except stripe.StripeError as error:
        raise _translate(error) from error
    return _intent(payment_intent)


@dataclass(frozen=True)
class Checkout:
    id: str
    url: str
    status: str  # open, complete, expired
    payment_status: str  # unpaid, paid
    payment_intent: str
    mode: str = "payment"  # or "subscription" (a monthly gift)
    subscription: str = ""


def _checkout(session: Any) -> Checkout:
    return checkout_from_dict(session.to_dict())


def checkout_from_dict(data: dict[str, Any]) -> Checkout:
    """A Checkout from a session as Stripe sends it (API answer or webhook event)."""
    return Checkout(
        id=data["id"],
        url=data.get("url") or "",
        status=data["status"],
        payment_status=data.get("payment_status") or "",
        payment_intent=_id_of(data.get("payment_intent")),
        mode=data.get("mode") or "payment",
        subscription=_id_of(data.get("subscription")),
    )


def checkout_session_create(
    *,
    amount: int,
    currency: str,
    name: str,
    success_url: str,
    cancel_url: str,
    metadata: dict[str, str],
    customer_email: str,
    locale: str,
    idempotency_key: str,
    account: str = "",
    monthly: bool = False,
) -> Checkout:
    """A hosted payment page for a gift: once, or `monthly` (a subscription on `account`
    whose `metadata` names the gift; each month's invoice pays it again)."""
    price: dict[str, Any] = {
        "currency": currency.lower(),
        "unit_amount": amount,
        "product_data": {"name": name},
    }
    params: dict[str, Any] = {
        "mode": "payment",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "customer_email": customer_email,
        "locale": locale,
    }
    if monthly:
        price["recurring"] = {"interval": "month"}
        params.update(mode="subscription", subscription_data={"metadata": metadata})
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    params["line_items"] = [{"quantity": 1, "price_data": price}]
    return _checkout(
        _call(
            client().v1.checkout.sessions.create,
            params=params,
            idempotency_key=idempotency_key,
            account=account,
        )
    )


def checkout_session_retrieve(session_id: str, *, account: str = "") -> Checkout:
    return _checkout(
        _call(client().v1.checkout.sessions.retrieve, session_id, params={}, account=account)
    )


def payment_intent_retrieve(intent_id: str, *, account: str = "") -> Intent:
    return _intent(
        _call(client().v1.payment_intents.retrieve, intent_id, params={}, account=account)
    )


@dataclass(frozen=True)
class Invoice:
    """A paid invoice of a subscription (one month of a monthly gift)."""

    id: str
    subscription: str
    amount_paid: int
    currency: str
    payment_intent: str  # "" when the event does not say (Stripe's API since 2025-03)


def invoice_from_dict(data: dict[str, Any]) -> Invoice:
    parent = (data.get("parent") or {}).get("subscription_details") or {}
    payments = (data.get("payments") or {}).get("data") or [{}]
    paid_by = (payments[0].get("payment") or {}).get("payment_intent")
    return Invoice(
        id=data["id"],
        subscription=_id_of(parent.get("subscription") or data.get("subscription")),
        amount_paid=int(data.get("amount_paid") or 0),
        currency=str(data.get("currency") or "").upper(),
        payment_intent=_id_of(data.get("payment_intent") or paid_by),
    )


def invoice_payment_intent(invoice_id: str, *, account: str = "") -> str:
    """The PaymentIntent that paid an invoice ("" if none did)."""
    listing = _call(
        client().v1.invoice_payments.list,
        params={"invoice": invoice_id, "status": "paid"},
        account=account,
    )
    for payment in listing.data:
        if payment.payment.type == "payment_intent":
            return _id_of(payment.payment.payment_intent)
    return ""


def subscription_metadata(subscription_id: str, *, account: str = "") -> dict[str, str]:
    subscription = _call(
        client().v1.subscriptions.retrieve, subscription_id, params={}, account=account
    )
    return dict(subscription.to_dict().get("metadata") or {})


def subscription_cancel(subscription_id: str, *, idempotency_key: str, account: str = "") -> str:
    """Stop a subscription at once (no more invoices); returns its status."""
    subscription = _call(
        client().v1.subscriptions.cancel,
        subscription_id,
        params={},
        idempotency_key=idempotency_key,
        account=account,
    )
    return str(subscription.status)


def charge_fee(charge_id: str, *, account: str = "") -> int:
    """The processor's fee for a charge, in minor units (0 while it is not known yet)."""
    if not charge_id:
        return 0
    charge = _call(
        client().v1.charges.retrieve,
        charge_id,
        params={"expand": ["balance_transaction"]},
        account=account,
    )
    transaction = charge.balance_transaction
    return int(transaction.fee) if transaction and not isinstance(transaction, str) else 0


def refund_create(
    *, payment_intent_id: str, amount: int, idempotency_key: str, account: str = ""
) -> str:
    refund = _call(
        client().v1.refunds.create,
        params={"payment_intent": payment_intent_id, "amount": amount},
        idempotency_key=idempotency_key,
        account=account,
    )
    return str(refund.id)


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    livemode: bool
    created: int
    object: dict[str, Any]
    account: str = ""  # the connected account the event happened on ("" for the platform)


def webhook_event(payload: bytes, signature: str) -> WebhookEvent:
    """Check a webhook's signature with Stripe's own code; raise WebhookSignatureInvalid."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise WebhookSignatureInvalid(str(error)) from error
    data = event.to_dict()
    body = data.get("data")
    if not isinstance(body, dict) or not isinstance(body.get("object"), dict):
        raise WebhookMalformed("The event has no data object.")
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise WebhookMalformed("The event has no id or type.")
    return WebhookEvent(
        id=data["id"],
        type=data["type"],
        livemode=bool(data.get("livemode")),
        created=int(data.get("created") or 0),
        object=body["object"],
        account=str(data.get("account") or ""),
    )


def webhook_sign(payload: bytes, secret: str) -> str:
    """A valid Stripe-Signature header for a payload (tests of events the stand-in lacks)."""
    return str(stripe.WebhookSignature.generate_signature_header(payload.decode(), secret))


@dataclass(frozen=True)
class StripePayout:
    """Stripe's own payout of an account's balance to its bank account."""

    id: str
    status: str  # pending, in_transit, paid, failed, canceled
    amount: int
    currency: str
    arrival_date: int


def stripe_payout_from_dict(data: dict[str, Any]) -> StripePayout:
    return StripePayout(
        id=str(data["id"]),
        status=str(data["status"]),
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        arrival_date=int(data.get("arrival_date") or 0),
    )


@dataclass(frozen=True)
class ConnectedAccount:
    id: str
    charges_enabled: bool
    details_submitted: bool
    payouts_enabled: bool


def connected_account_from_dict(data: dict[str, Any]) -> ConnectedAccount:
    """A ConnectedAccount from an account as Stripe sends it (API answer or webhook)."""
    return ConnectedAccount(
        id=str(data["id"]),
        charges_enabled=bool(data.get("charges_enabled")),
        details_submitted=bool(data.get("details_submitted")),
        payouts_enabled=bool(data.get("payouts_enabled")),
    )


def connected_account_create(*, email: str, reference: str) -> ConnectedAccount:
    """A Standard connected account for a host, to be onboarded by its administrator."""
    account = _call(
        client().v1.accounts.create,
        params={
            "type": "standard",
            "country": "FR",
            "email": email,
            "metadata": {"reference": reference},
        },
        idempotency_key=f"account-{reference}",
    )
    return connected_account_from_dict(account.to_dict())


def connected_account_retrieve(account_id: str) -> ConnectedAccount:
    account = _call(client().v1.accounts.retrieve, account_id, params={})
    return connected_account_from_dict(account.to_dict())


def onboarding_link_create(*, account_id: str, refresh_url: str, return_url: str) -> str:
    """Where to send the host's administrator to give Stripe what it asks (a single-use
    address that expires after minutes)."""
    link = _call(
        client().v1.account_links.create,
        params={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        },
    )
    return str(link.url)
