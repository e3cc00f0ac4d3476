"""Reciprocity: what organisations that earn from commons give back.

- A `ReciprocityContract` binds a partner organisation to a commons (its hosting structure
  is the counter-party): a rate of the revenue made with the commons, declared per period.
- A `RevenueDeclaration` states a period's revenue; the amount due follows from the
  contract. A correction is a new declaration that supersedes the previous one.
- A `RevenueSharePolicy` is an organisation's pledge to give a share of its previous year's
  revenue to libre projects or organisations (the "1 % for libre")."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
}


class Period(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class ContractState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    SIGNED = "signed", _("Signed")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class ReciprocityContract(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    partner = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="reciprocity_contracts",
        verbose_name=_("partner"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="reciprocity_contracts",
        verbose_name=_("commons"),
    )
    rate = models.DecimalField(_("rate (%)"), **PERCENT)
    base = models.TextField(
        _("revenue base"),
        max_length=2000,
        help_text=_("In words: the revenue excluding VAT the rate applies to."),
    )
    floor = MoneyField(
        _("minimum per period"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default_currency="EUR",
    )
    ceiling = MoneyField(
        _("maximum per period"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default_currency="EUR",
    )
    period = models.CharField(
        _("declaration period"), max_length=20, choices=Period.choices, default=Period.QUARTERLY
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ContractState.choices, default=ContractState.DRAFT
    )
    language = models.CharField(
        _("language of the contract"),
        max_length=2,
        default="fr",
        choices=[("fr", "Français"), ("en", "English")],
    )
    show_amounts = models.BooleanField(
        _("show amounts on the reciprocity wall"),
        default=True,
        help_text=_("Otherwise the wall shows only whether the partner is up to date."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The PDF both parties accept is made once, when the contract is proposed; the signed
    # PDF (with the acceptances) once, when the second party accepts. Neither is remade.
    proposed_pdf = models.BinaryField(_("proposed PDF"), null=True, blank=True, editable=False)
    proposed_sha256 = models.CharField(
        _("SHA-256 of the proposed PDF"), max_length=64, blank=True, editable=False
    )
    signed_pdf = models.BinaryField(_("signed PDF"), null=True, blank=True, editable=False)
    signed_sha256 = models.CharField(
        _("SHA-256 of the signed PDF"), max_length=64, blank=True, editable=False
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reciprocity contract")
        verbose_name_plural = _("reciprocity contracts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gt=0) & Q(rate__lte=100), name="reciprocity_contract_rate_percent"
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=True) | Q(floor__gte=0),
                name="reciprocity_contract_floor_positive",
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=True)
                | Q(ceiling__isnull=True)
                | Q(ceiling__gte=F("floor")),
                name="reciprocity_contract_floor_below_ceiling",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="reciprocity_contract_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ContractState.values), name="reciprocity_contract_state_known"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft"]) | ~Q(proposed_sha256=""),
                name="reciprocity_contract_proposed_has_its_pdf",
            ),
            models.CheckConstraint(
                condition=~Q(state="signed") | (~Q(signed_sha256="") & Q(signed_at__isnull=False)),
                name="reciprocity_contract_signed_has_its_pdf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.partner} – {self.project}"


class Party(models.TextChoices):
    PARTNER = "partner", _("Partner")
    HOST = "host", _("Hosting structure")


class ContractAcceptance(models.Model):
    """One party's acceptance of the proposed PDF: who, when, from where, and the SHA-256 of
    the exact bytes they were served."""

    contract = models.ForeignKey(
        ReciprocityContract, on_delete=models.PROTECT, related_name="acceptances"
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF accepted"), max_length=64)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["contract", "accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "party"], name="reciprocity_acceptance_once_per_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} – {self.get_party_display()} – {self.user}"


class DeclarationStatus(models.TextChoices):
    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    SUPERSEDED = "superseded", _("Superseded by a correction")


class RevenueDeclaration(models.Model):
    """A period's revenue made with the commons, and what it makes due."""

    contract = models.ForeignKey(
        ReciprocityContract, on_delete=models.PROTECT, related_name="declarations"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    revenue = MoneyField(
        _("revenue excluding VAT"), max_digits=14, decimal_places=2, default_currency="EUR"
    )
    due = MoneyField(_("amount due"), max_digits=14, decimal_places=2, default_currency="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=DeclarationStatus.choices, default=DeclarationStatus.DUE
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    transaction = models.OneToOneField(
        "ledger.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declaration",
        help_text=_("The amount due, in the ledger."),
    )
    charge = models.ForeignKey(
        "payments.Charge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The payment of the amount due (the latest try)."),
    )

    class Meta:
        verbose_name = _("revenue declaration")
        verbose_name_plural = _("revenue declarations")
        ordering = ["contract", "period_start", "declared_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revenue__gte=0) & Q(due__gte=0),
                name="reciprocity_declaration_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="reciprocity_declaration_period_in_order",
            ),
            # One current declaration per contract and period; corrections supersede.
            models.UniqueConstraint(
                fields=["contract", "period_start"],
                condition=~Q(status="superseded"),
                name="reciprocity_declaration_one_current_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.period_start:%Y-%m-%d}: {self.due}"


class DeclarationReminder(models.Model):
    """A reminder sent for a period left undeclared: when it ended, then 15 and 30 days
    later (each once)."""

    contract = models.ForeignKey(
        ReciprocityContract, on_delete=models.CASCADE, related_name="reminders"
    )
    period_start = models.DateField(_("period start"))
    days_late = models.PositiveSmallIntegerField(_("days after the period"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "days_late"], name="reciprocity_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.period_start} +{self.days_late}"


class SplitRule(models.TextChoices):
    EQUAL = "equal", _("Equally")
    WEIGHTS = "weights", _("By weights")


class RevenueSharePolicy(models.Model):
    """An organisation gives `percent` of its previous year's operating revenue, in `year`,
    to libre projects or organisations."""

    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="revenue_share_policies"
    )
    year = models.PositiveSmallIntegerField(
        _("year of giving"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    percent = models.DecimalField(_("share of revenue (%)"), **PERCENT)
    base_revenue = MoneyField(
        _("previous year's revenue"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        default_currency="EUR",
        help_text=_(
            "Taken from the yearly accounts when they are published; otherwise "
            "entered by the treasurer."
        ),
    )
    split = models.CharField(
        _("split"), max_length=20, choices=SplitRule.choices, default=SplitRule.EQUAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("revenue-share policy")
        verbose_name_plural = _("revenue-share policies")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="reciprocity_policy_once_a_year"
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100), name="reciprocity_policy_percent"
            ),
            models.CheckConstraint(
                condition=Q(base_revenue__isnull=True) | Q(base_revenue__gte=0),
                name="reciprocity_policy_base_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.percent} % – {self.year}"


class PolicyBeneficiary(models.Model):
    """A libre project or an organisation receiving part of a policy's gift."""

    policy = models.ForeignKey(
        RevenueSharePolicy, on_delete=models.CASCADE, related_name="beneficiaries"
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weight = models.PositiveIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["policy", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, project__isnull=True)
                    | Q(organisation__isnull=True, project__isnull=False)
                ),
                name="reciprocity_beneficiary_organisation_or_project",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1), name="reciprocity_beneficiary_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.project)

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation_id else self.project.name
