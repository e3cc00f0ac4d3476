"""Writes of commons projects, steps and budgets; each is atomic and checks who may act."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.ledger.models import Account, CostCentre, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    cost_centre_get_or_create,
    credit,
    debit,
    ledger_post,
)
from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import require_past_or_today, save_validated
from commons_fund.money import minor_units, parse_amount

from .models import (
    FROZEN_BUDGET_STATUSES,
    BudgetLine,
    FundingSource,
    Project,
    SourceKind,
    SourceStatus,
    Step,
    StepStatus,
)
from .signals import project_created

PROJECT_FIELDS = (
    "summary",
    "description",
    "repository_url",
    "website_url",
    "regions",
    "departments",
    "status",
    "slug",
)

# Allowed moves of a step's status.
STEP_MOVES = {
    StepStatus.DRAFT: {StepStatus.OPEN, StepStatus.ABANDONED},
    StepStatus.OPEN: {StepStatus.DRAFT, StepStatus.FUNDED, StepStatus.ABANDONED},
    StepStatus.FUNDED: {StepStatus.IN_PROGRESS, StepStatus.ABANDONED},
    StepStatus.IN_PROGRESS: {StepStatus.DELIVERED, StepStatus.ABANDONED},
    StepStatus.DELIVERED: {StepStatus.VALIDATED, StepStatus.IN_PROGRESS},
    StepStatus.VALIDATED: set(),
    StepStatus.ABANDONED: set(),
}


def project_centre(*, project: Project) -> CostCentre:
    """The commons' sub-accounts in its host's books (a commons has no legal body)."""
    return cost_centre_get_or_create(
        organisation=project.host, owner=project, code=f"COMMUN-{project.slug}", name=project.name
    )


def project_account(*, project: Project, purpose: str) -> Account:
    """The commons' sub-account for a purpose of the chart."""
    return account_get_or_create(purpose=purpose, centre=project_centre(project=project))


def project_can_edit(*, project: Project, user: User) -> bool:
    """Maintainers and the hosting structure's administrators edit a commons."""
    if not user.is_authenticated:
        return False
    return project.maintainers.filter(pk=user.pk).exists() or organisation_has_role(
        organisation=project.host, user=user
    )


def require_editor(project: Project, actor: User) -> None:
    if not project_can_edit(project=project, user=actor):
        raise PermissionDenied(
            _(
                "Only the maintainers and the hosting structure's "
                "administrators may change this commons."
            )
        )


@transaction.atomic
def project_create(
    *,
    creator: User,
    host: Organisation,
    name: str,
    kind: str,
    licence: str,
    summary: str,
    **fields,
) -> Project:
    """A commons hosted by an organisation; its administrators (or staff) create it and the
    creator becomes a maintainer."""
    if not organisation_has_role(organisation=host, user=creator):
        raise PermissionDenied(_("Only an administrator of the hosting structure may do this."))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    project = Project(
        host=host, name=name.strip(), kind=kind, licence=licence, summary=summary.strip(), **fields
    )
    project.slug = project.slug or slugify(project.name)[:80].strip("-")
    save_validated(project)
    project.maintainers.add(creator)
    project_created.send(sender=Project, project=project)
    return project


@transaction.atomic
def project_update(*, project: Project, actor: User, **fields) -> Project:
    require_editor(project, actor)
    allowed = {*PROJECT_FIELDS, "name", "kind", "licence"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(project, name, value)
    save_validated(project)
    return project


@transaction.atomic
def step_create(
    *,
    project: Project,
    actor: User,
    title: str,
    deliverables: str = "",
    planned_start: date | None = None,
    planned_end: date | None = None,
) -> Step:
    require_editor(project, actor)
    Project.objects.select_for_update().get(pk=project.pk)
    last = project.steps.aggregate(last=Max("position"))["last"] or 0
    step = Step(
        project=project,
        position=last + 1,
        title=title.strip(),
        deliverables=deliverables,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    save_validated(step)
    return step


def checked_amount(field: str, value, **limits) -> Decimal:
    """parse_amount, its refusal attached to the field it came from."""
    try:
        return parse_amount(value, **limits)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _line(step: Step, revision: int, spec: dict) -> BudgetLine:
    hours, rate, lump = spec.get("hours"), spec.get("hourly_rate"), spec.get("lump_sum")
    line = BudgetLine(
        step=step,
        revision=revision,
        kind=spec.get("kind", ""),
        label=str(spec.get("label", "")).strip(),
        vat_rate=Decimal(spec.get("vat_rate", "20")),
        required=bool(spec.get("required", True)),
    )
    if lump not in (None, "") and (hours not in (None, "") or rate not in (None, "")):
        raise ValidationError(_("A line is either hours × an hourly rate, or a lump sum."))
    if lump not in (None, ""):
        line.lump_sum = Money(checked_amount("lump_sum", lump), "EUR")
    elif hours not in (None, "") and rate not in (None, ""):
        line.hours = checked_amount("hours", hours, maximum=Decimal(100_000))
        line.hourly_rate = Money(
            checked_amount("hourly_rate", rate, maximum=Decimal(10_000)), "EUR"
        )
    else:
        raise ValidationError(_("Give hours and an hourly rate, or a lump sum."))
    line.full_clean()
    return line


@transaction.atomic
def budget_line_add(*, step: Step, actor: User, **spec) -> BudgetLine:
    """Add a line to the current budget, while no money is attached to the step."""
    require_editor(step.project, actor)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if step.status in FROZEN_BUDGET_STATUSES:
        raise ValidationError(_("This step is funded: change its budget with a new revision."))
    line = _line(step, step.budget_revision, spec)
    line.save()
    return line


@transaction.atomic
def step_budget_revise(*, step: Step, actor: User, lines: list[dict]) -> Step:
    """Replace a step's budget by a new revision; earlier revisions are kept as they were."""
    require_editor(step.project, actor)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if not lines:
        raise ValidationError(_("A budget revision needs at least one line."))
    revision = step.budget_revision + 1
    new_lines = [_line(step, revision, spec) for spec in lines]
    BudgetLine.objects.bulk_create(new_lines)
    step.budget_revision = revision
    step.save(update_fields=["budget_revision"])
    return step


@transaction.atomic
def step_update(
    *,
    step: Step,
    actor: User,
    title: str,
    deliverables: str = "",
    planned_start: date | None = None,
    planned_end: date | None = None,
) -> Step:
    require_editor(step.project, actor)
    step = Step.objects.select_for_update().get(pk=step.pk)
    step.title, step.deliverables = title.strip(), deliverables
    step.planned_start, step.planned_end = planned_start, planned_end
    save_validated(step)
    return step


@transaction.atomic
def budget_line_remove(*, line: BudgetLine, actor: User) -> None:
    """Remove a line of the current budget, while no money is attached to the step."""
    require_editor(line.step.project, actor)
    step = Step.objects.select_for_update().get(pk=line.step_id)
    if step.status in FROZEN_BUDGET_STATUSES or line.revision != step.budget_revision:
        raise ValidationError(_("This step is funded: change its budget with a new revision."))
    line.delete()


@transaction.atomic
def step_set_status(*, step: Step, actor: User, status: str) -> Step:
    require_editor(step.project, actor)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if status not in STEP_MOVES.get(step.status, set()):
        raise ValidationError(
            _("A step cannot go from “%(old)s” to “%(new)s”.")
            % {"old": step.get_status_display(), "new": status}
        )
    step.status = status
    step.save(update_fields=["status"])
    return step


SOURCE_INCOME = {
    SourceKind.SEED: ("contributions", TransactionKind.MANUAL_ADJUSTMENT),
    SourceKind.COFINANCING: ("contributions", TransactionKind.DONATION),
    SourceKind.SUBSIDY: ("subsidies", TransactionKind.SUBSIDY),
    SourceKind.POOL_ROUND: ("contributions", TransactionKind.PLEDGE_COLLECTION),
    SourceKind.RECIPROCITY: ("reciprocity", TransactionKind.RECIPROCITY_PAYMENT),
    SourceKind.DONATION: ("donations", TransactionKind.DONATION),
}


@transaction.atomic
def funding_source_add(
    *,
    project: Project,
    actor: User,
    kind: str,
    funder_name: str,
    amount: Decimal | str,
    step: Step | None = None,
    funder: Organisation | None = None,
    applied_on: date | None = None,
) -> FundingSource:
    require_editor(project, actor)
    if step is not None and step.project_id != project.pk:
        raise ValidationError({"step": _("This step belongs to another commons.")})
    source = FundingSource(
        project=project,
        step=step,
        kind=kind,
        funder=funder,
        funder_name=(funder_name or (funder.name if funder else "")).strip(),
        amount=Money(checked_amount("amount", amount), "EUR"),
        applied_on=applied_on,
    )
    save_validated(source)
    return source


@transaction.atomic
def funding_source_decide(
    *, source: FundingSource, actor: User, granted: bool, decided_on: date
) -> FundingSource:
    require_editor(source.project, actor)
    source = FundingSource.objects.select_for_update().get(pk=source.pk)
    if source.status != SourceStatus.APPLIED:
        raise ValidationError(_("Only an application waiting for an answer can be decided."))
    require_past_or_today(field="decided_on", day=decided_on)
    source.status = SourceStatus.GRANTED if granted else SourceStatus.REFUSED
    source.decided_on = decided_on
    source.save(update_fields=["status", "decided_on"])
    return source


@transaction.atomic
def pool_round_sources_set(
    *,
    round_: models.Model,
    funder: Organisation,
    funder_name: str,
    grants: dict[Project, tuple[Step | None, Decimal]],
) -> None:
    """What a pool's round grants the commons it elected (euros, per commons and step): one
    funding source per commons and round, granted and not received yet; a commons the
    round no longer pays sees its source refused. `round_` is the pool's round (pledges)."""
    for project, (step, amount) in grants.items():
        FundingSource.objects.update_or_create(
            round=round_,
            project=project,
            defaults={
                "step": step,
                "kind": SourceKind.POOL_ROUND,
                "funder_name": funder_name[:120],
                "funder": funder,
                "amount": Money(amount, "EUR"),
                "status": SourceStatus.GRANTED,
                "decided_on": timezone.localdate(),
            },
        )
    FundingSource.objects.filter(round=round_).exclude(project__in=list(grants)).update(
        status=SourceStatus.REFUSED
    )


@transaction.atomic
def funding_source_receive(
    *,
    source: FundingSource,
    actor: User | None,
    received_on: date,
    from_centre: CostCentre | None = None,
) -> FundingSource:
    """The money arrived: it is posted into the commons' sub-accounts of its host's books
    (Dr bank / Cr the income the source is), once. `actor` None: the platform saw it paid
    (a pool's payout, marked paid by the paying treasurer). `from_centre`: the money comes
    from another part of the same books (a pool its host runs) — an internal transfer,
    neither income nor expense: Dr bank / Cr 580 here, Dr 580 / Cr bank there."""
    require_past_or_today(field="received_on", day=received_on)
    source = (
        FundingSource.objects.select_for_update().select_related("project__host").get(pk=source.pk)
    )
    if actor is not None and not organisation_has_role(
        organisation=source.project.host, user=actor, roles=(Role.TREASURER, Role.ADMIN)
    ):
        raise PermissionDenied(_("Only a treasurer of the hosting structure may do this."))
    if source.status == SourceStatus.RECEIVED:
        return source
    if source.status != SourceStatus.GRANTED:
        raise ValidationError(_("Only granted funding can be received."))
    purpose, kind = SOURCE_INCOME[source.kind]
    cents = minor_units(source.amount.amount)
    project = source.project
    entries = [debit(project_account(project=project, purpose="bank"), cents)]
    if from_centre is None:
        entries.append(credit(project_account(project=project, purpose=purpose), cents))
    else:
        if from_centre.organisation_id != project.host_id:
            raise ValidationError(_("An internal transfer stays within one structure's books."))
        kind = TransactionKind.INTERNAL_TRANSFER
        entries += [
            credit(project_account(project=project, purpose="internal_transfers"), cents),
            debit(account_get_or_create(purpose="internal_transfers", centre=from_centre), cents),
            credit(account_get_or_create(purpose="bank", centre=from_centre), cents),
        ]
    posted = ledger_post(
        kind=kind,
        idempotency_key=f"funding-source-{source.pk}",
        cause=source,
        memo=f"{source.funder_name} – {project.name}"[:300],
        occurred_at=timezone.make_aware(datetime.combine(received_on, datetime.min.time())),
        entries=entries,
    )
    source.status, source.received_on, source.transaction = (
        SourceStatus.RECEIVED,
        received_on,
        posted,
    )
    source.save(update_fields=["status", "received_on", "transaction"])
    return source
