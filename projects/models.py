"""Commons projects: what is financed, in steps with budgets."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from wagtail.search import index

from commons_fund.members.territories import DEPARTMENT_CHOICES, REGION_CHOICES
from commons_fund.members.validators import validate_plain_text, validate_public_slug
from commons_fund.translations import TranslationsValidator

from .licences import FREE_LICENCES

MAX_AMOUNT = Decimal("1000000000")


class ProjectKind(models.TextChoices):
    SOFTWARE = "software", _("Software")
    DOCUMENTATION = "documentation", _("Documentation")
    DATA = "data", _("Data")
    SERVICE = "service", _("Hosting or cooperative service")
    BUNDLE = "bundle", _("Territorial bundle")
    THIRD_PLACE = "third_place", _("Tiers-lieu resource")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    EXPLORING = "exploring", _("Exploring")
    CO_FINANCING = "co_financing", _("Co-financing")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    ARCHIVED = "archived", _("Archived")


def validate_free_licence(value: str) -> None:
    if value not in FREE_LICENCES:
        raise ValidationError(
            _("“%(value)s” is not a free licence accepted here. Accepted: %(accepted)s.")
            % {"value": value[:40], "accepted": ", ".join(FREE_LICENCES)},
            code="licence",
        )


def validate_regions(value) -> None:
    known = dict(REGION_CHOICES)
    if not isinstance(value, list) or any(code not in known for code in value):
        raise ValidationError(_("Choose regions from the list."), code="regions")


def validate_departments(value) -> None:
    known = dict(DEPARTMENT_CHOICES)
    if not isinstance(value, list) or any(code not in known for code in value):
        raise ValidationError(_("Choose départements from the list."), code="departments")


class Project(index.Indexed, models.Model):
    """A commons. It has no legal body: a hosting structure holds the money for it."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    slug = models.SlugField(
        _("web address"), max_length=80, unique=True, validators=[validate_public_slug]
    )
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices)
    # No `choices` here: the validator's message names the accepted licences; the database
    # constraint keeps the list too.
    licence = models.CharField(
        _("licence (SPDX)"),
        max_length=40,
        validators=[validate_free_licence],
    )
    repository_url = models.URLField(_("repository"), max_length=300, blank=True)
    website_url = models.URLField(_("website"), max_length=300, blank=True)
    host = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="hosted_projects",
        verbose_name=_("hosting structure"),
        help_text=_("The organisation that holds the money for this commons."),
    )
    maintainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="maintained_projects",
        blank=True,
        verbose_name=_("maintainers"),
    )
    regions = models.JSONField(
        _("regions"),
        default=list,
        blank=True,
        validators=[validate_regions],
        help_text=_("Empty with no département: national."),
    )
    departments = models.JSONField(
        _("départements"), default=list, blank=True, validators=[validate_departments]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.IDEA
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslationsValidator("name", "summary", "description")],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The site's search (cms/views.py), with French stemming on PostgreSQL.
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
    ]

    class Meta:
        verbose_name = _("commons")
        verbose_name_plural = _("commons")
        # The id breaks ties between namesakes, so that a page never repeats or skips one;
        # the index gives a list's page without reading and sorting every commons.
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="projects_project_by_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(licence__in=list(FREE_LICENCES)), name="projects_project_free_licence"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProjectKind.values), name="projects_project_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="projects_project_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(slug=""), name="projects_project_named"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"slug": self.slug})

    def get_manage_url(self) -> str:
        """The maintainers' and treasurers' workspace (the public page is the site's)."""
        return reverse("projects:project_manage", kwargs={"slug": self.slug})

    @property
    def is_national(self) -> bool:
        return not self.regions and not self.departments

    @property
    def territory_label(self) -> str:
        if self.is_national:
            return str(_("National"))
        regions, departments = dict(REGION_CHOICES), dict(DEPARTMENT_CHOICES)
        return ", ".join(
            [regions.get(code, code) for code in self.regions]
            + [departments.get(code, code) for code in self.departments]
        )


class StepStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for funding")
    FUNDED = "funded", _("Funded")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    VALIDATED = "validated", _("Validated by members")
    ABANDONED = "abandoned", _("Abandoned")


# Once money is attached, a step's budget changes only through a new revision.
FROZEN_BUDGET_STATUSES = {
    StepStatus.FUNDED,
    StepStatus.IN_PROGRESS,
    StepStatus.DELIVERED,
    StepStatus.VALIDATED,
}


class Step(index.Indexed, models.Model):
    """An étape of a commons: deliverables, dates and a budget (in revisions)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="steps", verbose_name=_("commons")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=160, validators=[validate_plain_text])
    deliverables = models.TextField(_("deliverables"), max_length=5000, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.DRAFT
    )
    budget_revision = models.PositiveIntegerField(_("budget revision"), default=1)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslationsValidator("title", "deliverables")],
    )

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("deliverables"),
        index.FilterField("project_id"),
    ]

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="projects_step_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="projects_step_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="projects_step_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.position}. {self.title}"

    def clean(self) -> None:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": _("The end comes after the start.")})


class LineKind(models.TextChoices):
    DEVELOPMENT = "development", _("Development")
    COORDINATION = "coordination", _("Coordination and animation")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """A cost of a step, excluding VAT: hours × hourly rate, or a lump sum. Lines of earlier
    revisions are kept unchanged; the step's `budget_revision` says which lines are current."""

    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("step")
    )
    revision = models.PositiveIntegerField(_("revision"))
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    label = models.CharField(_("label"), max_length=200, validators=[validate_plain_text])
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, null=True, blank=True)
    hourly_rate = MoneyField(
        _("hourly rate (excl. VAT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default_currency="EUR",
    )
    lump_sum = MoneyField(
        _("lump sum (excl. VAT)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        default_currency="EUR",
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Required lines make the minimum cost; the others reach the optimum."),
    )
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[TranslationsValidator("label")]
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["step", "revision", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(hours__gt=0, hourly_rate__gt=0, lump_sum__isnull=True)
                    | Q(hours__isnull=True, hourly_rate__isnull=True, lump_sum__gt=0)
                ),
                name="projects_line_hours_or_lump_sum",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100),
                name="projects_line_vat_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LineKind.values), name="projects_line_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SourceKind(models.TextChoices):
    SEED = "seed", _("Seed budget")
    COFINANCING = "cofinancing", _("Co-financing by an organisation")
    SUBSIDY = "subsidy", _("Public subsidy")
    POOL_ROUND = "pool_round", _("Pool round")
    RECIPROCITY = "reciprocity", _("Reciprocity")
    DONATION = "donation", _("Donation")


class SourceStatus(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    GRANTED = "granted", _("Granted")
    RECEIVED = "received", _("Received")
    REFUSED = "refused", _("Refused")


class FundingSource(models.Model):
    """Money expected for a commons or one of its steps: seed budget, co-financing, subsidy
    (ADEME, ANCT, France Tiers-Lieux, région, EU…), pool round, reciprocity, donation."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="sources", verbose_name=_("commons")
    )
    step = models.ForeignKey(
        Step,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("step"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    funder_name = models.CharField(_("funder"), max_length=120, validators=[validate_plain_text])
    funder = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_given",
        verbose_name=_("funding organisation"),
    )
    amount = MoneyField(_("amount"), max_digits=14, decimal_places=2, default_currency="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=SourceStatus.choices, default=SourceStatus.APPLIED
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    transaction = models.OneToOneField(
        "ledger.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_source",
        verbose_name=_("ledger transaction"),
    )
    round = models.ForeignKey(
        "pledges.Round",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_sources",
        verbose_name=_("pool round"),
        help_text=_("The round that elected this commons (pool-round funding)."),
    )

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="projects_source_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="projects_source_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SourceStatus.values), name="projects_source_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=SourceStatus.RECEIVED) | Q(transaction__isnull=False),
                name="projects_source_received_is_in_the_ledger",
            ),
            models.UniqueConstraint(
                fields=["round", "project"],
                condition=Q(round__isnull=False),
                name="projects_source_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder_name} – {self.project}"


class Contribution(models.Model):
    """Time given to a commons; its value (hours × rate) is owed until paid: the
    contributive debt."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("commons")
    )
    step = models.ForeignKey(
        Step,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("step"),
    )
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("contributor"),
    )
    on_behalf_of = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("on behalf of"),
    )
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    rate = MoneyField(_("hourly rate"), max_digits=12, decimal_places=2, default_currency="EUR")
    value = MoneyField(_("value"), max_digits=14, decimal_places=2, default_currency="EUR")
    description = models.CharField(
        _("description"), max_length=500, validators=[validate_plain_text]
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # The one-use key of the form that logged it (commons_fund.forms.OneUseKeyForm).
    request_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["project", "day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "request_key"],
                condition=~Q(request_key=""),
                name="projects_contribution_once_per_form",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="projects_contribution_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0) & Q(value__gt=0),
                name="projects_contribution_rate_and_value_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contributor} – {self.hours} h – {self.project}"


class ContributorPayment(models.Model):
    """Money paid to a contributor from the commons' account: it reduces the debt."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="contributor_payments",
        verbose_name=_("commons"),
    )
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contribution_payments",
        verbose_name=_("contributor"),
    )
    amount = MoneyField(_("amount"), max_digits=14, decimal_places=2, default_currency="EUR")
    paid_on = models.DateField(_("paid on"))
    transaction = models.OneToOneField(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="contributor_payment"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment to a contributor")
        verbose_name_plural = _("payments to contributors")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="projects_contributor_payment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.contributor}"
