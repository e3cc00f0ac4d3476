"""Payers on Stripe: their customer record, saved cards and SEPA mandates, IBAN checks.

A payer's cards and mandates are saved on the Stripe account of the host they pay (its
connected account): `books` names that host (None: the platform's own account)."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role

from .. import stripe_client
from ..models import (
    ChargeStatus,
    Customer,
    MethodKind,
    SavedPaymentMethod,
)
from ..signals import method_removing
from .connect import payments_account


def payer_kwargs(payer: Organisation | User) -> dict[str, Organisation | User]:
    if isinstance(payer, Organisation):
        return {"organisation": payer}
    if isinstance(payer, User):
        return {"user": payer}
    raise ValidationError(_("A charge is paid by an organisation or a person."))


def customer_for(*, payer: Organisation | User, account: str = "") -> Customer:
    """The payer's Stripe customer on a Stripe account, created there the first time."""
    lookup = {**payer_kwargs(payer), "stripe_account": account}
    customer = Customer.objects.filter(**lookup).first()
    if customer is not None:
        return customer
    if isinstance(payer, Organisation):
        name, email, reference = payer.name, "", f"organisation-{payer.pk}"
    else:
        name, email, reference = payer.display_name, payer.email, f"user-{payer.pk}"
    stripe_id = stripe_client.customer_create(
        name=name, email=email, reference=reference, account=account
    )
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
    if method.active or not method.setup_intent or method.removed_at:
        return method
    account = method.customer.stripe_account
    if stripe_client.setup_intent_status(method.setup_intent, account=account) == "succeeded":
        SavedPaymentMethod.objects.filter(pk=method.pk).update(active=True, setup_client_secret="")
        method.refresh_from_db()
    return method


def payment_method_save_card(
    *, payer: Organisation | User, books: Organisation | None, stripe_payment_method: str
) -> SavedPaymentMethod:
    """Save a card (already tokenised by Stripe.js in the browser) for off-session charges."""
    account = payments_account(books=books)
    customer = customer_for(payer=payer, account=account)
    saved = stripe_client.payment_method_save(
        customer_id=customer.stripe_id,
        payment_method_id=stripe_payment_method,
        kind=MethodKind.CARD,
        reference=f"{customer.stripe_id}-{stripe_payment_method}",
        account=account,
    )
    return _saved_method(customer, saved)


def card_setup_start(
    *, payer: Organisation | User, books: Organisation | None
) -> stripe_client.CardSetup:
    """Open a SetupIntent that the payer confirms in the browser with Stripe.js (the card
    number never reaches our server)."""
    account = payments_account(books=books)
    customer = customer_for(payer=payer, account=account)
    return stripe_client.card_setup_create(customer_id=customer.stripe_id, account=account)


def card_setup_finish(
    *, payer: Organisation | User, books: Organisation | None, setup_intent: str
) -> SavedPaymentMethod:
    """Record the card of a SetupIntent the payer confirmed, once Stripe says it succeeded
    and it is this payer's."""
    account = payments_account(books=books)
    customer = Customer.objects.filter(**payer_kwargs(payer), stripe_account=account).first()
    setup = stripe_client.card_setup_retrieve(setup_intent, account=account)
    if customer is None or setup.customer != customer.stripe_id:
        raise ValidationError(_("This card setup is not yours."))
    if setup.status != "succeeded" or not setup.payment_method:
        raise ValidationError(_("The bank has not confirmed this card."))
    kind, label = stripe_client.payment_method_describe(setup.payment_method, account=account)
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
    books: Organisation | None,
    iban: str,
    holder_name: str,
    email: str,
    ip_address: str = "",
    user_agent: str = "",
) -> SavedPaymentMethod:
    """Record a SEPA Direct Debit mandate; the IBAN is checked before anything is sent."""
    account = iban_validate(iban)
    if not account.country_code or account.country_code not in SEPA_COUNTRIES:
        raise ValidationError({"iban": _("This IBAN is outside the SEPA area.")})
    if not holder_name.strip():
        raise ValidationError({"holder_name": _("The account holder's name is required.")})
    stripe_account = payments_account(books=books)
    customer = customer_for(payer=payer, account=stripe_account)
    reference = f"{customer.stripe_id}-{account.compact[-8:]}-{secrets.token_hex(4)}"
    method_id = stripe_client.sepa_payment_method_create(
        iban=account.compact,
        holder_name=holder_name.strip(),
        email=email,
        reference=reference,
        account=stripe_account,
    )
    saved = stripe_client.payment_method_save(
        account=stripe_account,
        customer_id=customer.stripe_id,
        payment_method_id=method_id,
        kind=MethodKind.SEPA_DEBIT,
        reference=reference,
        mandate_ip=ip_address,
        mandate_user_agent=user_agent,
    )
    method = _saved_method(customer, saved)
    if not method.mandate_reference:
        method.mandate_reference = mandate_reference_new(customer=customer)
        method.mandate_holder = holder_name.strip()[:70]
        method.mandate_accepted_at = timezone.now()
        method.mandate_ip = ip_address or None
        method.save(
            update_fields=[
                "mandate_reference",
                "mandate_holder",
                "mandate_accepted_at",
                "mandate_ip",
            ]
        )
    return method


def mandate_reference_new(*, customer: Customer) -> str:
    """A unique mandate reference (RUM): up to 35 characters of A–Z, 0–9 and "-", as the
    SEPA rulebook allows; it names the creditor's customer and a random part."""
    return f"CF-{customer.pk:08d}-{secrets.token_hex(6).upper()}"


SEPA_COUNTRIES = {
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


IN_FLIGHT = (ChargeStatus.PROCESSING, ChargeStatus.REQUIRES_ACTION)


@transaction.atomic
def payment_method_remove(*, method: SavedPaymentMethod, actor: User) -> SavedPaymentMethod:
    """The holder removes a saved card or mandate: detached at Stripe, never charged again.
    Refused while a payment with it is under way, or while something relies on it (a
    `method_removing` receiver says what: a pledge paid with it must change method first)."""
    method = (
        SavedPaymentMethod.objects.select_for_update().select_related("customer").get(pk=method.pk)
    )
    customer = method.customer
    if customer.user_id:
        allowed = customer.user_id == actor.pk
    else:
        allowed = organisation_has_role(
            organisation=customer.organisation, user=actor, roles=(Role.ADMIN, Role.TREASURER)
        )
    if not allowed:
        raise PermissionDenied(_("Only its holder may remove this means of payment."))
    if method.removed_at:
        return method
    if method.charges.filter(status__in=IN_FLIGHT).exists():
        raise ValidationError(
            _("A payment with %(label)s is under way: remove it once it is settled.")
            % {"label": method.label}
        )
    method_removing.send(sender=SavedPaymentMethod, method=method)
    stripe_client.payment_method_detach(method.stripe_id, account=customer.stripe_account)
    method.removed_at, method.active, method.setup_client_secret = timezone.now(), False, ""
    method.save(update_fields=["removed_at", "active", "setup_client_secret"])
    return method
