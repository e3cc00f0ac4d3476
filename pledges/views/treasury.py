"""The treasurer's console of a round: its collections and what a treasurer does with a
failed or waiting one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors
from commons_fund.security import money_action

from .. import collecting, selectors
from ..models import (
    Instalment,
    Round,
)
from .lookups import round_or_404


def _treasury_round(request, slug, number) -> Round:
    round_ = round_or_404(slug, number)
    if not selectors.pool_treasurer(pool=round_.pool, user=request.user):
        raise Http404
    return round_


@login_required
def round_collections(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = _treasury_round(request, slug, number)
    page = Paginator(selectors.treasury_collections(round_=round_), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "pledges/round_collections.html",
        {
            "round": round_,
            "pool": round_.pool,
            "page": page,
            "pot": selectors.round_pot(round_=round_),
        },
    )


@login_required
@require_POST
@money_action
def collection_action(
    request: HttpRequest, slug: str, number: int, pk: int, action: str
) -> HttpResponse:
    round_ = _treasury_round(request, slug, number)
    instalment = get_object_or_404(Instalment, round=round_, pk=pk)
    try:
        if action == "retry":
            collecting.collection_retry_now(instalment=instalment, actor=request.user)
        elif action == "default":
            collecting.collection_default(instalment=instalment, actor=request.user)
        else:
            raise Http404
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect("pledges:round_collections", slug=slug, number=number)
