"""An organisation's treasury, for its treasurers and administrators: charges received,
transfers recorded, refunds, its bank account and saved means of payment, payouts and their
files, tax receipts."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors, form_add_error, form_apply
from commons_fund.members.models import Organisation, Role
from commons_fund.members.requests import AuthenticatedRequest
from commons_fund.members.selectors import organisation_has_role
from commons_fund.security import money_action

from .. import selectors, services, stripe_client
from ..forms import (
    BankAccountForm,
    MarkPaidForm,
    OrganisationMandateForm,
    PayoutExportForm,
    RefundForm,
    TaxReceiptPolicyForm,
    TaxReceiptsIssueForm,
    TransferReceiptForm,
)
from ..models import (
    TAX_RECEIPT_LEGAL_FORMS,
    BankAccount,
    Charge,
    ChargeStatus,
    PayoutBatch,
    RefundStatus,
    TaxReceipt,
    TaxReceiptPolicy,
)
from .payers import remove_saved_method


def _treasury(request: HttpRequest, slug: str) -> Organisation:
    """The organisation whose money the person handles: treasurers, admins, staff; 404 else."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not organisation_has_role(
        organisation=organisation, user=request.user, roles=(Role.ADMIN, Role.TREASURER)
    ):
        raise Http404
    return organisation


STATUS_FILTERS = {
    "failed": [ChargeStatus.FAILED],
    "waiting": [
        ChargeStatus.AWAITING_TRANSFER,
        ChargeStatus.PARTIALLY_RECEIVED,
        ChargeStatus.REQUIRES_ACTION,
        ChargeStatus.PROCESSING,
        ChargeStatus.PENDING,
    ],
}


@login_required
def treasury(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = _treasury(request, slug)
    shown = request.GET.get("status", "")
    charges = selectors.charges_received(organisation=organisation)
    if shown in STATUS_FILTERS:
        charges = charges.filter(status__in=STATUS_FILTERS[shown])
    page = Paginator(charges, 50).get_page(request.GET.get("page"))
    pending = selectors.payouts_pending(organisation=organisation)
    return render(
        request,
        "payments/treasury.html",
        {
            "organisation": organisation,
            "stripe_account": selectors.stripe_account_of(organisation=organisation),
            "is_admin": organisation_has_role(
                organisation=organisation, user=request.user, roles=(Role.ADMIN,)
            ),
            "page": page,
            "shown": shown,
            "bank_account": BankAccount.objects.filter(organisation=organisation).first(),
            "export_form": PayoutExportForm(payouts=pending),
            "pending_payouts": pending,
            "batches": selectors.payout_batches(organisation=organisation),
            "mark_paid_form": MarkPaidForm(),
        },
    )


def _charge_of(organisation: Organisation, pk: int) -> Charge:
    return get_object_or_404(Charge, pk=pk, books=organisation)


def _charge_action(
    request: AuthenticatedRequest,
    slug: str,
    pk: int,
    form_class: type[forms.Form],
    action: Callable[..., Any],
    done: str | Callable[[Any], str],
    title: str,
) -> HttpResponse:
    """A treasurer's action on a charge; `done` is the message, or makes it from the result."""
    organisation = _treasury(request, slug)
    charge = _charge_of(organisation, pk)
    form = form_class(request.POST or None)
    results: list[Any] = []
    if request.method == "POST" and form_apply(
        form, lambda data: results.append(action(charge=charge, actor=request.user, **data))
    ):
        messages.success(request, done(results[0]) if callable(done) else done)
        return redirect("payments:treasury", slug=slug)
    return render(
        request,
        "payments/charge_action.html",
        {
            "organisation": organisation,
            "charge": charge,
            "form": form,
            "title": title,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@money_action
def charge_record_receipt(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _charge_action(
        request,
        slug,
        pk,
        TransferReceiptForm,
        services.transfer_record_receipt,
        _("The transfer was recorded."),
        _("Record a transfer received"),
    )


@login_required
@money_action
def charge_refund(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _charge_action(
        request,
        slug,
        pk,
        RefundForm,
        services.refund_create,
        lambda refund: (
            _("The refund was sent.")
            if refund.status == RefundStatus.SUCCEEDED
            else _(
                "The refund is waiting: the payment service cannot be reached right now; it "
                "will be asked again in a few minutes, with nothing refunded twice."
            )
        ),
        _("Refund a payment"),
    )


@login_required
@money_action
def bank_account(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = _treasury(request, slug)
    current = BankAccount.objects.filter(organisation=organisation).first()
    initial = (
        {"holder_name": current.holder_name, "iban": current.iban, "bic": current.bic}
        if current
        else {"holder_name": organisation.name}
    )
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form_apply(
        form,
        lambda data: services.bank_account_set(
            organisation=organisation, actor=request.user, **data
        ),
    ):
        messages.success(request, _("The bank account was saved."))
        return redirect("payments:treasury", slug=slug)
    changes, waiting = selectors.bank_account_history(organisation=organisation)
    return render(
        request,
        "payments/bank_account.html",
        {
            "organisation": organisation,
            "form": form,
            "current": current,
            "changes": changes,
            "may_confirm": waiting is not None and waiting.changed_by_id != request.user.pk,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
@money_action
def bank_account_confirm(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = _treasury(request, slug)
    try:
        services.bank_account_confirm(organisation=organisation, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The new bank account is confirmed: payouts can go to it."))
    return redirect("payments:bank_account", slug=slug)


@login_required
@require_POST
@money_action
def payouts_export(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = _treasury(request, slug)
    form = PayoutExportForm(
        request.POST, payouts=selectors.payouts_pending(organisation=organisation)
    )
    batches: list[PayoutBatch] = []
    if form_apply(
        form,
        lambda data: batches.append(
            services.payout_batch_export(
                books=organisation,
                actor=request.user,
                payouts=list(data["payouts"]),
                execution_date=data["execution_date"],
            )
        ),
    ):
        messages.success(request, _("The transfer file is ready: give it to your bank."))
    else:
        flash_errors(request, form)
    return redirect("payments:treasury", slug=slug)


@login_required
@money_action
def payout_batch_xml(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _treasury(request, slug)
    batch = get_object_or_404(PayoutBatch, pk=pk, books=organisation)
    response = HttpResponse(batch.xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
    return response


@login_required
@require_POST
@money_action
def payout_batch_paid(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _treasury(request, slug)
    batch = get_object_or_404(PayoutBatch, pk=pk, books=organisation)
    form = MarkPaidForm(request.POST)
    if form_apply(
        form, lambda data: services.payout_batch_mark_paid(batch=batch, actor=request.user, **data)
    ):
        messages.success(request, _("The payouts are recorded as paid."))
    else:
        messages.error(request, _("Give the date the bank paid the transfers."))
    return redirect("payments:treasury", slug=slug)


@login_required
def tax_receipts(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """An organisation's tax receipts: why gifts to it are eligible, the receipts issued, and
    issuing those of a past year (its treasurers and administrators)."""
    organisation = _treasury(request, slug)
    policy = TaxReceiptPolicy.objects.filter(organisation=organisation).first()
    policy_form = TaxReceiptPolicyForm(
        request.POST if request.POST.get("action") == "policy" else None, instance=policy
    )
    issue_form = TaxReceiptsIssueForm(
        request.POST if request.POST.get("action") == "issue" else None,
        initial={"year": timezone.localdate().year - 1},
    )
    issued: list[TaxReceipt] = []
    if request.method == "POST":
        if request.POST.get("action") == "policy" and form_apply(
            policy_form,
            lambda data: services.tax_receipt_policy_set(
                organisation=organisation, actor=request.user, **data
            ),
        ):
            messages.success(request, _("The organisation's tax receipt details are saved."))
            return redirect("payments:tax_receipts", slug=slug)
        if request.POST.get("action") == "issue" and form_apply(
            issue_form,
            lambda data: issued.extend(
                services.tax_receipts_issue(
                    organisation=organisation, year=data["year"], actor=request.user
                )
            ),
        ):
            messages.success(
                request,
                _("%(count)s tax receipts issued and sent.") % {"count": len(issued)},
            )
            return redirect("payments:tax_receipts", slug=slug)
    page = Paginator(selectors.tax_receipts_issued(organisation=organisation), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/tax_receipts.html",
        {
            "organisation": organisation,
            "policy": policy,
            "policy_form": policy_form,
            "issue_form": issue_form,
            "eligible_form": organisation.legal_form in TAX_RECEIPT_LEGAL_FORMS,
            "page": page,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def payment_methods(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The organisation's saved means of payment; a SEPA Direct Debit mandate can be added
    here (cards are saved with Stripe.js where a payment is set up)."""
    organisation = _treasury(request, slug)
    form = OrganisationMandateForm(
        request.POST or None,
        creditors=selectors.connected_hosts(),
        initial={
            "holder_name": organisation.name,
            "email": request.user.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_method_save_sepa(
                payer=organisation,
                books=data["creditor"],
                iban=data["iban"],
                holder_name=data["holder_name"],
                email=data["email"],
                ip_address=request.META.get("REMOTE_ADDR", ""),
                user_agent=request.headers.get("User-Agent", "")[:200],
            )
        except ValidationError as error:
            form_add_error(form, error)
        except stripe_client.PaymentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The SEPA Direct Debit mandate was saved."))
            return redirect("payments:payment_methods", slug=slug)
    return render(
        request,
        "payments/payment_methods.html",
        {
            "organisation": organisation,
            "form": form,
            "methods": selectors.payment_methods(organisation=organisation),
        },
    )


@login_required
@require_POST
def payment_method_remove(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Remove one of the organisation's saved cards or mandates (its treasurers)."""
    organisation = _treasury(request, slug)
    remove_saved_method(
        request,
        get_object_or_404(selectors.payment_methods(organisation=organisation), pk=pk),
    )
    return redirect("payments:payment_methods", slug=slug)
