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

from commons_fund.forms import flash_errors, form_apply
from commons_fund.members.models import Organisation
from commons_fund.members.selectors import organisation_has_role, organisations_with_role
from commons_fund.money import format_amount
from commons_fund.payments import selectors as payment_selectors
from commons_fund.payments import stripe_client
from commons_fund.payments.models import SavedPaymentMethod

from . import selectors, services
from .forms import ContractForm, CorrectionForm, DeclarationForm, PaymentForm, PolicyForm
from .models import ContractState, DeclarationStatus, ReciprocityContract, RevenueDeclaration
from .pdf import certificate_pdf, contract_pdf
from .services.contracts import NOTICE_MONTHS


def _contract(request: HttpRequest, pk: int) -> ReciprocityContract:
    contract = get_object_or_404(
        ReciprocityContract.objects.select_related("partner", "project__host"), pk=pk
    )
    if not selectors.contract_visible(contract=contract, user=request.user):
        raise Http404
    return contract


def _document(contract: ReciprocityContract) -> bytes:
    """The signed PDF once signed, the proposed one while proposed, a draft otherwise."""
    if (
        contract.state in (ContractState.SIGNED, ContractState.SUSPENDED, ContractState.TERMINATED)
        and contract.signed_pdf
    ):
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
    declares = contract.state == ContractState.SIGNED and organisation_has_role(
        organisation=contract.partner, user=request.user, roles=services.MONEY_ROLES
    )
    missing = [
        row
        for row in selectors.missing_declarations(
            today=timezone.localdate(), partner=contract.partner
        )
        if row.contract.pk == contract.pk
    ]
    return render(
        request,
        "reciprocity/contract_detail.html",
        {
            "contract": contract,
            "acceptances": list(accepted),
            "can_accept": contract.state == ContractState.PROPOSED
            and party is not None
            and not accepted.filter(party=party).exists(),
            "can_propose": contract.state == ContractState.DRAFT and party is not None,
            "state_moves": _state_moves(contract, request.user, party),
            "fingerprint": hashlib.sha256(_document(contract)).hexdigest(),
            "declarations": contract.declarations.select_related("charge").order_by(
                "-period_start", "-declared_at"
            ),
            "declares": declares,
            "missing": missing,
            "declaration_form": DeclarationForm(periods=missing) if declares and missing else None,
            "payment_form": PaymentForm(saved_methods=_saved_methods(contract))
            if declares
            else None,
            "DUE": DeclarationStatus.DUE,
        },
    )


@login_required
@require_POST
@reauthentication_required
def contract_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept the proposed PDF whose fingerprint the page showed; the person confirmed their
    identity again just before (allauth's re-authentication)."""
    contract = _contract(request, pk)
    try:
        services.contract_accept(
            contract=contract,
            actor=request.user,
            pdf_sha256=request.POST.get("fingerprint", ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("Your acceptance is recorded."))
    return redirect("reciprocity:contract_detail", pk=contract.pk)


def wall(request: HttpRequest) -> HttpResponse:
    """The public reciprocity wall: partners that give back, and revenue-share policies."""
    return render(
        request, "reciprocity/wall.html", selectors.wall_context(today=timezone.localdate())
    )


def _apply_and_return(request, pk: int, form, action, done: str) -> HttpResponse:
    """Run the action on the form's data; say how it went; back to the contract."""
    if form_apply(form, action):
        messages.success(request, done)
    else:
        flash_errors(request, form)
    return redirect("reciprocity:contract_detail", pk=pk)


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    """A partner's administrator drafts a contract with a commons."""
    partners = organisations_with_role(user=request.user)
    form = ContractForm(
        request.POST or None, partners=partners, initial={"project": request.GET.get("project")}
    )
    created = []
    if request.method == "POST" and form_apply(
        form, lambda data: created.append(services.contract_create(actor=request.user, **data))
    ):
        messages.success(
            request, _("The draft is saved: read it, then propose it to the other party.")
        )
        return redirect("reciprocity:contract_detail", pk=created[0].pk)
    return render(
        request,
        "reciprocity/contract_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def contract_propose(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    try:
        services.contract_propose(contract=contract, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("The contract is proposed: each party now accepts it."))
    return redirect("reciprocity:contract_detail", pk=pk)


def _declaration(request, pk: int, declaration_pk: int) -> RevenueDeclaration:
    contract = _contract(request, pk)
    return get_object_or_404(
        RevenueDeclaration.objects.select_related("contract"), contract=contract, pk=declaration_pk
    )


@login_required
@require_POST
def declaration_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = DeclarationForm(
        request.POST,
        periods=selectors.missing_declarations(
            today=timezone.localdate(), partner=contract.partner
        ),
    )
    return _apply_and_return(
        request,
        pk,
        form,
        lambda data: services.declaration_create(contract=contract, actor=request.user, **data),
        _("The declaration is recorded; the amount due is shown below."),
    )


@login_required
@require_POST
def declaration_correct(request: HttpRequest, pk: int, declaration_pk: int) -> HttpResponse:
    declaration = _declaration(request, pk, declaration_pk)
    form = CorrectionForm(request.POST)
    return _apply_and_return(
        request,
        pk,
        form,
        lambda data: services.declaration_correct(
            declaration=declaration, actor=request.user, **data
        ),
        _("The correction replaces the previous declaration, which is kept."),
    )


@login_required
@require_POST
def declaration_pay(request: HttpRequest, pk: int, declaration_pk: int) -> HttpResponse:
    declaration = _declaration(request, pk, declaration_pk)
    form = PaymentForm(request.POST, saved_methods=_saved_methods(declaration.contract))
    try:
        paid = []
        ok = form_apply(
            form,
            lambda data: paid.append(
                services.declaration_pay(
                    declaration=declaration,
                    actor=request.user,
                    method=data["method"],
                    saved_method=data.get("saved_method") if data["method"] != "transfer" else None,
                )
            ),
        )
    except stripe_client.PaymentError as error:
        messages.error(request, error.message)
        return redirect("reciprocity:contract_detail", pk=pk)
    if not ok:
        flash_errors(request, form)
    elif paid[0].status == "paid":
        messages.success(request, _("Paid, thank you."))
    elif paid[0].charge.transfer_reference:
        messages.success(
            request,
            _("Please make a bank transfer of %(amount)s with the reference %(reference)s.")
            % {
                "amount": format_amount(paid[0].due.amount),
                "reference": paid[0].charge.transfer_reference,
            },
        )
    else:
        messages.warning(request, _("The payment is under way."))
    return redirect("reciprocity:contract_detail", pk=pk)


def _state_moves(contract, user, party) -> list[tuple[str, str]]:
    """The state changes this person may make: the host suspends and resumes; either
    party's administrator ends the contract."""
    moves = []
    host_admin = organisation_has_role(organisation=contract.project.host, user=user)
    if contract.state == ContractState.SIGNED and host_admin:
        moves.append((ContractState.SUSPENDED, _("Suspend")))
    if contract.state == ContractState.SUSPENDED and host_admin:
        moves.append((ContractState.SIGNED, _("Resume")))
    if contract.state in (ContractState.SIGNED, ContractState.SUSPENDED) and (
        party is not None or host_admin
    ):
        moves.append((ContractState.TERMINATED, _("End the contract")))
    return moves


def _saved_methods(contract):
    """The partner's cards and mandates saved on the host's Stripe account (none while the
    host takes transfers only)."""
    host = contract.project.host
    account = payment_selectors.collecting_accounts(organisation_ids=[host.pk]).get(host.pk)
    if account is None:
        return SavedPaymentMethod.objects.none()
    return SavedPaymentMethod.objects.filter(
        customer__organisation=contract.partner, customer__stripe_account=account, active=True
    ).order_by("kind", "label")


def _member_of(request: HttpRequest, slug: str) -> Organisation:
    """An organisation whose member (or staff) the person is; 404 for anyone else."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not (request.user.is_staff or organisation.memberships.filter(user=request.user).exists()):
        raise Http404
    return organisation


@login_required
def organisation_reciprocity(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's reciprocity: its contracts as a partner and as a hosting structure,
    the periods left undeclared, its revenue-share policies. Its members only."""
    organisation = _member_of(request, slug)
    today = timezone.localdate()
    contracts = ReciprocityContract.objects.select_related("partner", "project__host")
    return render(
        request,
        "reciprocity/organisation.html",
        {
            "organisation": organisation,
            "certificate_years": selectors.certificate_years(partner=organisation),
            "this_year": today.year,
            "sections": [
                (
                    _("As a partner"),
                    list(contracts.filter(partner=organisation)),
                    selectors.missing_declarations(today=today, partner=organisation),
                ),
                (
                    _("As the hosting structure of commons"),
                    list(contracts.filter(project__host=organisation)),
                    selectors.missing_declarations(today=today, host=organisation),
                ),
            ],
            "policies": [
                selectors.policy_amounts(policy=policy)
                for policy in organisation.revenue_share_policies.all()
            ],
            "policy_form": PolicyForm(organisation=organisation, initial={"year": today.year})
            if organisation_has_role(
                organisation=organisation, user=request.user, roles=services.MONEY_ROLES
            )
            else None,
        },
    )


@login_required
@require_POST
def policy_set(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _member_of(request, slug)
    if not organisation_has_role(
        organisation=organisation, user=request.user, roles=services.MONEY_ROLES
    ):
        raise Http404
    form = PolicyForm(request.POST, organisation=organisation)
    if form_apply(
        form,
        lambda data: services.policy_set(
            organisation=organisation,
            actor=request.user,
            year=data["year"],
            percent=data["percent"],
            base_revenue=data["base_revenue"],
            beneficiaries=form.beneficiaries(),
        ),
    ):
        messages.success(
            request, _("The revenue-share policy is saved; it shows on the reciprocity wall.")
        )
    else:
        flash_errors(request, form)
    return redirect("reciprocity:organisation", slug=slug)


@login_required
@require_POST
def contract_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend or resume (the host). Ending a contract has its own confirmation page."""
    contract = _contract(request, pk)
    if request.POST.get("state") == ContractState.TERMINATED:
        return redirect("reciprocity:contract_terminate", pk=pk)
    try:
        services.contract_set_state(
            contract=contract, actor=request.user, state=request.POST.get("state", "")
        )
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("The contract's state was changed."))
    return redirect("reciprocity:contract_detail", pk=pk)


@login_required
@reauthentication_required(allow_get=True)
def contract_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """Ending a contract: the page says when it will end (after the three months' notice of
    its article 5) and what is still owed; the party confirms, having confirmed who they are
    a moment ago."""
    contract = _contract(request, pk)
    party = services.contract_party(contract=contract, user=request.user)
    if ContractState.TERMINATED not in dict(_state_moves(contract, request.user, party)):
        raise Http404
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.contract_set_state(
                contract=contract, actor=request.user, state=ContractState.TERMINATED
            )
        except ValidationError as error:
            flash_errors(request, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("Notice is given: the contract ends on the date shown."))
        return redirect("reciprocity:contract_detail", pk=pk)
    return render(
        request,
        "reciprocity/contract_terminate.html",
        {
            "contract": contract,
            "ends_on": services.termination_end(contract=contract, today=timezone.localdate()),
            "notice_months": NOTICE_MONTHS,
        },
    )


@login_required
def certificate(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A partner's yearly reciprocity certificate: what it declared and paid per contract."""
    organisation = _member_of(request, slug)
    response = HttpResponse(
        certificate_pdf(partner=organisation, year=year), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'inline; filename="attestation-reciprocite-{organisation.slug}-{year}.pdf"'
    )
    return response
