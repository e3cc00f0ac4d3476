"""A host's administrator connects its own Stripe account (Connect onboarding).

Making the account is a POST that comes back to the treasury; going to Stripe's onboarding
is a link (GET, also the address Stripe sends back to when a link has expired): browsers
apply the policy's `form-action` to every redirect that follows a form, so no form here
ends on Stripe's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.members.models import Organisation, Role
from commons_fund.members.requests import AuthenticatedRequest
from commons_fund.members.selectors import organisation_has_role
from commons_fund.security import money_action

from .. import selectors, services, stripe_client


def _administered(request: AuthenticatedRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not organisation_has_role(organisation=organisation, user=request.user, roles=(Role.ADMIN,)):
        raise Http404
    return organisation


@login_required
@require_POST
@money_action
def stripe_connect(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Make the host's Stripe account; the treasury then offers to finish on Stripe."""
    organisation = _administered(request, slug)
    try:
        services.stripe_account_create(organisation=organisation, actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except stripe_client.PaymentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The Stripe account is made: finish giving Stripe what it asks.")
        )
    return redirect("payments:treasury", slug=slug)


@login_required
@money_action
def stripe_connect_onboarding(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Off to Stripe's onboarding with a fresh link (Stripe sends the administrator back
    here when a link has expired)."""
    organisation = _administered(request, slug)
    if selectors.takes_cards(organisation=organisation):
        return redirect("payments:treasury", slug=slug)  # connected: nothing left to give
    back = reverse("payments:stripe_connect_return", kwargs={"slug": slug})
    again = reverse("payments:stripe_connect_onboarding", kwargs={"slug": slug})
    try:
        url = services.stripe_account_onboarding_link(
            organisation=organisation,
            actor=request.user,
            return_url=request.build_absolute_uri(back),
            refresh_url=request.build_absolute_uri(again),
        )
    except stripe_client.PaymentError as error:
        messages.error(request, error.message)
        return redirect("payments:treasury", slug=slug)
    return redirect(url)


@login_required
@money_action
def stripe_connect_return(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Back from Stripe: where the account stands."""
    organisation = _administered(request, slug)
    try:
        account = services.stripe_account_refresh(organisation=organisation)
    except stripe_client.PaymentError as error:
        messages.error(request, error.message)
    else:
        if account is not None and account.charges_enabled:
            messages.success(
                request, _("The Stripe account is connected: cards and SEPA debits are open.")
            )
        else:
            messages.warning(
                request,
                _("Stripe still needs information before the account can take payments."),
            )
    return redirect("payments:treasury", slug=slug)
