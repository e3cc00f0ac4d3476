"""Hosts' own Stripe accounts (Connect, Standard accounts): onboarding, and which account a
payment is made on.

Standard rather than Express: a cooperative or an association that hosts pools is the
merchant of its payments — its name on the payer's statement, its own Stripe dashboard,
refunds and disputes its own, its own payouts to its bank — and it can leave the platform
with its account, customers and mandates. Payments are direct charges on that account; the
platform's own account takes only gifts to the platform."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commons_fund.logs import log_event
from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role

from .. import stripe_client
from ..models import StripeAccount

logger = logging.getLogger(__name__)


def stripe_account_create(*, organisation: Organisation, actor: User) -> StripeAccount:
    """The host's Standard connected account, made at Stripe the first time (the same one
    afterwards), to be onboarded by its administrator."""
    if not organisation_has_role(organisation=organisation, user=actor, roles=(Role.ADMIN,)):
        raise PermissionDenied(_("Only an administrator may connect a Stripe account."))
    connected = StripeAccount.objects.filter(organisation=organisation).first()
    if connected is not None:
        return connected
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    made = stripe_client.connected_account_create(
        email=actor.email, reference=f"organisation-{organisation.pk}"
    )
    try:
        with transaction.atomic():
            connected = StripeAccount.objects.create(organisation=organisation, stripe_id=made.id)
    except IntegrityError:  # a concurrent request saved it (same idempotency key)
        return StripeAccount.objects.get(organisation=organisation)
    log_event(logger, "stripe_account.created", organisation=organisation.pk, account=made.id)
    return connected


def stripe_account_onboarding_link(
    *, organisation: Organisation, actor: User, return_url: str, refresh_url: str
) -> str:
    """The Stripe page where an administrator gives what Stripe asks of the host (a
    single-use address that expires after minutes); the account is made if needed."""
    connected = stripe_account_create(organisation=organisation, actor=actor)
    return stripe_client.onboarding_link_create(
        account_id=connected.stripe_id, refresh_url=refresh_url, return_url=return_url
    )


def stripe_account_apply(*, account: stripe_client.ConnectedAccount) -> StripeAccount | None:
    """What Stripe says of a connected account (after onboarding, or `account.updated`)."""
    updated = StripeAccount.objects.filter(stripe_id=account.id).update(
        charges_enabled=account.charges_enabled,
        details_submitted=account.details_submitted,
        payouts_enabled=account.payouts_enabled,
    )
    if not updated:
        return None
    log_event(
        logger,
        "stripe_account.updated",
        account=account.id,
        charges_enabled=account.charges_enabled,
    )
    return StripeAccount.objects.get(stripe_id=account.id)


def stripe_account_refresh(*, organisation: Organisation) -> StripeAccount | None:
    """Ask Stripe where the host's account stands (its administrator is back from Stripe)."""
    connected = StripeAccount.objects.filter(organisation=organisation).first()
    if connected is None:
        return None
    return stripe_account_apply(
        account=stripe_client.connected_account_retrieve(connected.stripe_id)
    )


def payments_account(*, books: Organisation | None) -> str:
    """The Stripe account card and SEPA payments to `books` are made on ("" for the
    platform's own); ValidationError when the host takes transfers only."""
    if books is None:
        return ""
    account = StripeAccount.objects.filter(organisation=books, charges_enabled=True).first()
    if account is None:
        raise ValidationError(
            {
                "method": _(
                    "%(name)s takes bank transfers only: it has not connected a Stripe "
                    "account for cards and SEPA debits."
                )
                % {"name": books.name}
            }
        )
    return account.stripe_id
