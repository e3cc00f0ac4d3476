"""What stands in front of the actions that move money."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from commons_fund.members.models import Membership, Role, User


def _handles_money(user: User | AnonymousUser) -> bool:
    """Staff, and the treasurers and administrators of any organisation. Anyone else goes on
    to the view, which answers 404 to whoever may not act there."""
    return user.is_authenticated and (
        user.is_staff
        or Membership.objects.filter(user=user, role__in=[Role.ADMIN, Role.TREASURER]).exists()
    )


def money_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A treasurer's money action (record a transfer, refund, export or mark payouts paid,
    change the bank account...): the person has two-factor authentication turned on, and has
    confirmed their identity in the last few minutes (allauth's re-authentication, which then
    resumes the action). Reading the pages (GET) only needs the second factor."""
    fresh = reauthentication_required(view, allow_get=True)

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _handles_money(request.user):
            return view(request, *args, **kwargs)
        if not is_mfa_enabled(request.user):
            messages.warning(
                request,
                _(
                    "Turn on two-factor authentication first: it protects "
                    "the money of the people who trust the fund."
                ),
            )
            return redirect(
                f"{reverse('mfa_index')}?{urlencode({'next': request.get_full_path()})}"
            )
        return fresh(request, *args, **kwargs)

    return guarded
