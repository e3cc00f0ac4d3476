"""Pages of commons: the public list and page with the co-financing plan, and the
maintainers' pages. Editing pages answer 404 to whoever may not edit (maintainers and the
hosting structure's administrators may); receiving money and paying contributors are for
the host's treasurers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors, form_apply
from commons_fund.members.models import Role
from commons_fund.members.selectors import organisation_has_role, organisations_with_role
from commons_fund.payments.views import give_page
from commons_fund.security import money_action

from . import contributions, selectors, services
from .forms import (
    BudgetLineForm,
    BudgetRevisionFormSet,
    ContributionForm,
    ContributorPaymentForm,
    FundingDecisionForm,
    FundingReceiptForm,
    FundingSourceForm,
    ProjectForm,
    StepForm,
    StepStatusForm,
)
from .models import (
    FROZEN_BUDGET_STATUSES,
    BudgetLine,
    FundingSource,
    Project,
    SourceStatus,
    Step,
    StepStatus,
)

TREASURERS = (Role.TREASURER, Role.ADMIN)
DEBTS_PER_PAGE = 25  # contributors shown at once; their total is the whole plan's


def _editable(request: HttpRequest, slug: str) -> Project:
    project = get_object_or_404(Project.objects.select_related("host"), slug=slug)
    if not services.project_can_edit(project=project, user=request.user):
        raise Http404
    return project


def _payable(request: HttpRequest, slug: str) -> Project:
    project = get_object_or_404(Project.objects.select_related("host"), slug=slug)
    if not organisation_has_role(organisation=project.host, user=request.user, roles=TREASURERS):
        raise Http404
    return project


def _step(project: Project, position: int) -> Step:
    return get_object_or_404(Step, project=project, position=position)


def _form_page(request, project, form, title, *, lead="", status_code=None):
    return render(
        request,
        "projects/form.html",
        {
            "project": project,
            "form": form,
            "title": title,
            "lead": lead,
        },
        status=status_code or (400 if request.method == "POST" else 200),
    )


def project_list(request: HttpRequest) -> HttpResponse:
    context = selectors.list_filters(params=request.GET)
    page = Paginator(context.pop("projects"), 24).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            **context,
            "page": page,
            "can_create": request.user.is_authenticated,
        },
    )


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("host"), slug=slug)
    plan = selectors.project_plan(project=project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "plan": plan,
            "debts": Paginator(plan.debts, DEBTS_PER_PAGE).get_page(request.GET.get("debts")),
            "maintainers": list(project.maintainers.all()),
            "can_edit": services.project_can_edit(project=project, user=request.user),
            "can_pay": organisation_has_role(
                organisation=project.host, user=request.user, roles=TREASURERS
            ),
        },
    )


def project_give(request: HttpRequest, slug: str) -> HttpResponse:
    """A gift to a commons, once or monthly: its host receives it in the commons' own
    sub-accounts (a commons has no legal body) and gives the receipt."""
    project = get_object_or_404(Project.objects.select_related("host"), slug=slug)
    return give_page(
        request,
        books=project.host,
        name=project.name,
        centre=lambda: services.project_centre(project=project),
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    hosts = organisations_with_role(user=request.user)
    form = ProjectForm(request.POST or None, hosts=hosts)
    created = []
    if request.method == "POST" and form_apply(
        form, lambda data: created.append(services.project_create(creator=request.user, **data))
    ):
        messages.success(request, _("The commons was created; you are its maintainer."))
        return redirect(created[0].get_manage_url())
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "has_hosts": hosts.exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    form = ProjectForm(request.POST or None, instance=Project.objects.get(pk=project.pk))
    if request.method == "POST" and form_apply(
        form, lambda data: services.project_update(project=project, actor=request.user, **data)
    ):
        messages.success(request, _("The commons was updated."))
        return redirect("projects:project_manage", slug=project.slug)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def step_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    form = StepForm(request.POST or None)
    created = []
    if request.method == "POST" and form_apply(
        form,
        lambda data: created.append(
            services.step_create(project=project, actor=request.user, **data)
        ),
    ):
        messages.success(request, _("The step was added: now give it a budget."))
        return redirect("projects:step_edit", slug=slug, position=created[0].position)
    return _form_page(request, project, form, _("Add a step"))


@login_required
def step_edit(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    project = _editable(request, slug)
    step = _step(project, position)
    form = StepForm(
        request.POST or None,
        initial={
            "title": step.title,
            "deliverables": step.deliverables,
            "planned_start": step.planned_start,
            "planned_end": step.planned_end,
        },
    )
    if request.method == "POST" and form_apply(
        form, lambda data: services.step_update(step=step, actor=request.user, **data)
    ):
        messages.success(request, _("The step was updated."))
        return redirect("projects:step_edit", slug=slug, position=position)
    return _step_page(request, project, step, form=form)


def _step_page(request, project, step, *, form=None, line_form=None):
    budget = next(b for b in selectors.project_budgets(project=project) if b.step.pk == step.pk)
    return render(
        request,
        "projects/step_edit.html",
        {
            "project": project,
            "step": step,
            "budget": budget,
            "form": form
            or StepForm(
                initial={
                    "title": step.title,
                    "deliverables": step.deliverables,
                    "planned_start": step.planned_start,
                    "planned_end": step.planned_end,
                }
            ),
            "line_form": line_form or BudgetLineForm(),
            "frozen": step.status in FROZEN_BUDGET_STATUSES,
            "moves": [
                (status, label)
                for status, label in StepStatus.choices
                if status in services.STEP_MOVES[step.status]
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def step_status(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    project = _editable(request, slug)
    step = _step(project, position)
    form = StepStatusForm(request.POST)
    if form_apply(
        form,
        lambda data: services.step_set_status(step=step, actor=request.user, status=data["status"]),
    ):
        messages.success(request, _("The step's status was changed."))
    else:
        for message in form.non_field_errors() or [_("Choose a status from the list.")]:
            messages.error(request, message)
    return redirect("projects:step_edit", slug=slug, position=position)


@login_required
@require_POST
def line_add(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    project = _editable(request, slug)
    step = _step(project, position)
    form = BudgetLineForm(request.POST)
    if form_apply(
        form, lambda data: services.budget_line_add(step=step, actor=request.user, **data)
    ):
        messages.success(request, _("The budget line was added."))
        return redirect("projects:step_edit", slug=slug, position=position)
    return _step_page(request, project, step, line_form=form)


@login_required
@require_POST
def line_remove(request: HttpRequest, slug: str, position: int, pk: int) -> HttpResponse:
    project = _editable(request, slug)
    line = get_object_or_404(
        BudgetLine.objects.select_related("step__project"), step=_step(project, position), pk=pk
    )
    try:
        services.budget_line_remove(line=line, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The budget line was removed."))
    return redirect("projects:step_edit", slug=slug, position=position)


@login_required
def step_revise(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    """A new revision of a step's budget, starting from the current lines."""
    project = _editable(request, slug)
    step = _step(project, position)
    current = step.budget_lines.filter(revision=step.budget_revision).order_by("id")
    formset = BudgetRevisionFormSet(
        request.POST or None,
        initial=[
            {
                "kind": line.kind,
                "label": line.label,
                "hours": line.hours or "",
                "hourly_rate": line.hourly_rate.amount if line.hourly_rate else "",
                "lump_sum": line.lump_sum.amount if line.lump_sum else "",
                "vat_rate": line.vat_rate,
                "required": line.required,
            }
            for line in current
        ],
    )
    if request.method == "POST" and formset.is_valid():
        lines = [
            form.cleaned_data
            for form in formset
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.step_budget_revise(
                step=step,
                actor=request.user,
                lines=[
                    {key: value for key, value in line.items() if key != "DELETE"} for line in lines
                ],
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(
                request, _("The new budget revision was saved; the previous one is kept.")
            )
            return redirect("projects:step_edit", slug=slug, position=position)
    return render(
        request,
        "projects/step_revise.html",
        {
            "project": project,
            "step": step,
            "formset": formset,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def source_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    form = FundingSourceForm(request.POST or None, project=project)
    if request.method == "POST" and form_apply(
        form, lambda data: services.funding_source_add(project=project, actor=request.user, **data)
    ):
        messages.success(request, _("The funding source was added."))
        return redirect("projects:project_manage", slug=slug)
    return _form_page(
        request,
        project,
        form,
        _("Add a funding source"),
        lead=_("A seed budget, co-financing, a subsidy applied for or granted, a donation."),
    )


def _source(project: Project, pk: int) -> FundingSource:
    return get_object_or_404(FundingSource, project=project, pk=pk)


@login_required
def source_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _editable(request, slug)
    source = _source(project, pk)
    form = FundingDecisionForm(request.POST or None)
    if request.method == "POST" and form_apply(
        form, lambda data: services.funding_source_decide(source=source, actor=request.user, **data)
    ):
        messages.success(request, _("The answer was recorded."))
        return redirect("projects:project_manage", slug=slug)
    return _form_page(
        request, project, form, _("Answer to “%(funder)s”") % {"funder": source.funder_name}
    )


@login_required
@money_action
def source_receive(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _payable(request, slug)
    source = _source(project, pk)
    if source.status == SourceStatus.RECEIVED:
        raise Http404
    form = FundingReceiptForm(request.POST or None)
    if request.method == "POST" and form_apply(
        form,
        lambda data: services.funding_source_receive(source=source, actor=request.user, **data),
    ):
        messages.success(request, _("The money received is in the commons' account."))
        return redirect("projects:project_manage", slug=slug)
    return _form_page(
        request,
        project,
        form,
        _("Money received from “%(funder)s”") % {"funder": source.funder_name},
        lead=_("It is posted in the hosting structure's books, in the commons' account."),
    )


@login_required
def contribution_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    form = ContributionForm(
        request.POST or None, project=project, initial={"contributor": request.user.email}
    )
    if request.method == "POST" and form_apply(
        form,
        lambda data: contributions.contribution_log(project=project, actor=request.user, **data),
    ):
        messages.success(request, _("The hours were logged."))
        return redirect("projects:project_manage", slug=slug)
    return _form_page(
        request,
        project,
        form,
        _("Log hours given"),
        lead=_(
            "Their value (hours × rate) is owed to the contributor until "
            "paid: the contributive debt."
        ),
    )


@login_required
@money_action
def contributor_payment(request: HttpRequest, slug: str) -> HttpResponse:
    project = _payable(request, slug)
    form = ContributorPaymentForm(
        request.POST or None, debts=selectors.contributive_debts(project=project)
    )
    if request.method == "POST" and form_apply(
        form,
        lambda data: contributions.contributor_pay(project=project, actor=request.user, **data),
    ):
        messages.success(request, _("The payment was recorded in the books."))
        return redirect("projects:project_manage", slug=slug)
    return _form_page(
        request,
        project,
        form,
        _("Pay a contributor"),
        lead=_("From the commons' account: never more than it holds, nor more than what is owed."),
    )
