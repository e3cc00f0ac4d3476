"""Pages of reciprocity contracts: the contract (terms, acceptances, the form to accept it)
and its PDF at a stable address. Whoever may not see a contract gets 404."""

import hashlib

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import ContractState, ReciprocityContract
from .pdf import contract_pdf


def _contract(request: HttpRequest, pk: int) -> ReciprocityContract:
    contract = get_object_or_404(
        ReciprocityContract.objects.select_related("partner", "project__host"), pk=pk)
    if not selectors.contract_visible(contract=contract, user=request.user):
        raise Http404
    return contract


def _document(contract: ReciprocityContract) -> bytes:
    """The signed PDF once signed, the proposed one while proposed, a draft otherwise."""
    if contract.state in (ContractState.SIGNED, ContractState.SUSPENDED,
                          ContractState.TERMINATED) and contract.signed_pdf:
        return bytes(contract.signed_pdf)
    if contract.proposed_pdf:
        return bytes(contract.proposed_pdf)
    return contract_pdf(contract=contract)


def contract_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    response = HttpResponse(_document(contract), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    party = services.contract_party(contract=contract, user=request.user)
    accepted = contract.acceptances.select_related("organisation", "user")
    return render(request, "reciprocity/contract_detail.html", {
        "contract": contract, "acceptances": list(accepted),
        "can_accept": contract.state == ContractState.PROPOSED and party is not None
        and not accepted.filter(party=party).exists(),
        "fingerprint": hashlib.sha256(_document(contract)).hexdigest(),
    })


@login_required
@require_POST
@reauthentication_required
def contract_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept the proposed PDF whose fingerprint the page showed; the person confirmed their
    identity again just before (allauth's re-authentication)."""
    contract = _contract(request, pk)
    try:
        services.contract_accept(contract=contract, actor=request.user,
                                 pdf_sha256=request.POST.get("fingerprint", ""),
                                 ip_address=request.META.get("REMOTE_ADDR"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("Your acceptance is recorded."))
    return redirect("reciprocity:contract_detail", pk=contract.pk)


def wall(request: HttpRequest) -> HttpResponse:
    """The public reciprocity wall: partners that give back, and revenue-share policies."""
    today = timezone.localdate()
    rows = selectors.reciprocity_wall(today=today)
    best = max((row.total for row in rows if not row.hides_amounts), default=0) or 1
    return render(request, "reciprocity/wall.html", {
        "rows": [(row, int(row.total * 100 / best)) for row in rows],
        "policies": selectors.policies_with_amounts(),
        "year": today.year,
    })
