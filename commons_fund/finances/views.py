"""Pages of a structure's finances: the public state of its finances, and for its
administrators and treasurers the yearly accounts (enter, correct, import, publish)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import form_apply
from commons_fund.members.models import Organisation

from . import selectors, services
from .forms import FinancialYearForm, ImportForm, RebateForm
from .importing import model_csv
from .models import FinancialYear


def _visible(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not selectors.finances_visible(organisation=organisation, user=request.user):
        raise Http404
    return organisation


def _editable(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not selectors.finances_editable(organisation=organisation, user=request.user):
        raise Http404
    return organisation


def organisation_finances(request: HttpRequest, slug: str) -> HttpResponse:
    """The state of an organisation's finances: public unless the organisation hides it."""
    organisation = _visible(request, slug)
    return render(
        request,
        "finances/organisation_finances.html",
        {
            "organisation": organisation,
            "can_edit": selectors.finances_editable(organisation=organisation, user=request.user),
            **selectors.overview_context(organisation=organisation, params=request.GET),
        },
    )


@login_required
def finances_manage(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _editable(request, slug)
    years = FinancialYear.objects.filter(organisation=organisation).order_by("-year")
    return render(
        request,
        "finances/manage.html",
        {
            "organisation": organisation,
            "years": [(accounts, accounts.warnings()) for accounts in years],
        },
    )


def _year_saved(request, accounts: FinancialYear, done: str) -> HttpResponse:
    messages.success(request, done)
    for warning in accounts.warnings():
        messages.warning(request, warning)
    return redirect("finances:manage", slug=accounts.organisation.slug)


@login_required
def financial_year_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _editable(request, slug)
    form = FinancialYearForm(request.POST or None)
    saved = []
    if request.method == "POST" and form_apply(
        form,
        lambda data: saved.append(
            services.financial_year_create(
                organisation=organisation, actor=request.user, year=data["year"], **form.figures()
            )
        ),
    ):
        return _year_saved(
            request, saved[0], _("The accounts of %(year)s are saved.") % {"year": saved[0].year}
        )
    return render(
        request,
        "finances/year_form.html",
        {
            "organisation": organisation,
            "form": form,
            "title": _("Enter a year's accounts"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def financial_year_edit(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation = _editable(request, slug)
    accounts = get_object_or_404(FinancialYear, organisation=organisation, year=year)
    form = FinancialYearForm(request.POST or None, accounts=accounts)
    saved = []
    if request.method == "POST" and form_apply(
        form,
        lambda data: saved.append(
            services.financial_year_update(accounts=accounts, actor=request.user, **form.figures())
        ),
    ):
        return _year_saved(
            request, saved[0], _("The accounts of %(year)s are corrected.") % {"year": year}
        )
    return render(
        request,
        "finances/year_form.html",
        {
            "organisation": organisation,
            "form": form,
            "accounts": accounts,
            "title": _("Accounts of %(year)s") % {"year": year},
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def financial_year_delete(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation = _editable(request, slug)
    accounts = get_object_or_404(FinancialYear, organisation=organisation, year=year)
    services.financial_year_delete(accounts=accounts, actor=request.user)
    messages.success(request, _("The accounts of %(year)s are deleted.") % {"year": year})
    return redirect("finances:manage", slug=slug)


@login_required
@require_POST
def finances_publish(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _editable(request, slug)
    publish = request.POST.get("publish") == "1"
    services.finances_publish(organisation=organisation, actor=request.user, publish=publish)
    messages.success(
        request,
        _("The finances are public.")
        if publish
        else _("The finances are now shown to the organisation's members only."),
    )
    return redirect("finances:manage", slug=slug)


@login_required
def financial_years_import(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _editable(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    reports = []
    if request.method == "POST" and form_apply(
        form,
        lambda data: reports.append(
            services.financial_years_import(
                organisation=organisation,
                actor=request.user,
                data=data["file"],
                replace=data["replace"],
            )
        ),
    ):
        report = reports[0]
        if not report.rejected:
            messages.success(
                request,
                _("Imported: %(created)s new years, %(updated)s replaced.")
                % {"created": len(report.created), "updated": len(report.updated)},
            )
            return redirect("finances:manage", slug=slug)
    return render(
        request,
        "finances/import.html",
        {
            "organisation": organisation,
            "form": form,
            "report": reports[0] if reports else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def financial_years_model(request: HttpRequest, slug: str) -> HttpResponse:
    _editable(request, slug)
    response = HttpResponse(model_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="comptes-annuels-modele.csv"'
    return response


@login_required
def rebate_simulation(request: HttpRequest, slug: str) -> HttpResponse:
    """The co-operative rebate shared among named members: the organisation's members only
    (the services billed to each member are theirs to see)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not selectors.finances_member(organisation=organisation, user=request.user):
        raise Http404
    latest = selectors.finances_overview(organisation=organisation).latest
    form = RebateForm(request.POST or None)
    rebate = None
    if latest is not None and form.is_bound and form.is_valid():
        rebate = latest.rebate(form.cleaned_data["part"], billed=form.cleaned_data["lines"])
    return render(
        request,
        "finances/rebate.html",
        {
            "organisation": organisation,
            "latest": latest,
            "form": form,
            "rebate": rebate,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
