"""Tax receipts (reçus fiscaux, CERFA 11580) and the policies that allow them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .charges import Charge


class TaxReceiptBasis(models.TextChoices):
    """Why gifts to the organisation open a tax reduction (the box ticked on CERFA 11580)."""

    PUBLIC_UTILITY = "public_utility", _("Association or foundation recognised of public utility")
    GENERAL_INTEREST = "general_interest", _("Charity or organisation of general interest")
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund")
    OTHER = "other", _("Other organisation named in articles 200 and 238 bis of the CGI")


# Legal forms that may issue tax receipts at all.
TAX_RECEIPT_LEGAL_FORMS = ("association", "foundation", "endowment_fund")


class TaxReceiptPolicy(models.Model):
    """An organisation's statement that gifts to it open a tax reduction (articles 200 and
    238 bis of the CGI), with its reason or rescrit: from it, the platform issues its yearly
    tax receipts (reçus fiscaux, CERFA 11580)."""

    organisation = models.OneToOneField(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="tax_receipt_policy",
        verbose_name=_("organisation"),
    )
    basis = models.CharField(_("eligible as"), max_length=30, choices=TaxReceiptBasis.choices)
    reason = models.CharField(
        _("rescrit or reason"),
        max_length=300,
        help_text=_("The rescrit fiscal's reference and date, or why the gifts are eligible."),
    )
    purpose = models.CharField(
        _("object of the organisation"), max_length=300, help_text=_("As in its statutes.")
    )
    signatory_name = models.CharField(_("signed by"), max_length=120)
    signatory_title = models.CharField(_("as"), max_length=120)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tax receipt policy")
        verbose_name_plural = _("tax receipt policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=TaxReceiptBasis.values),
                name="payments_tax_policy_basis_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_basis_display()})"


class TaxReceipt(models.Model):
    """A yearly tax receipt for the gifts of one donor to one organisation: numbered without
    gaps per organisation and year, its PDF kept as issued (never changed, never deleted)."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="tax_receipts_issued",
        verbose_name=_("issued by"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    donor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_receipts",
        verbose_name=_("donor (person)"),
    )
    donor_organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_receipts",
        verbose_name=_("donor (organisation)"),
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    charges = models.ManyToManyField(Charge, related_name="tax_receipts", verbose_name=_("gifts"))
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("tax receipt")
        verbose_name_plural = _("tax receipts")
        ordering = ["organisation", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "number"], name="payments_tax_receipt_number_once"
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "donor_user"],
                condition=Q(donor_user__isnull=False),
                name="payments_tax_receipt_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "donor_organisation"],
                condition=Q(donor_organisation__isnull=False),
                name="payments_tax_receipt_one_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(donor_user__isnull=False, donor_organisation__isnull=True)
                | Q(donor_user__isnull=True, donor_organisation__isnull=False),
                name="payments_tax_receipt_one_donor",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_tax_receipt_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="payments_tax_receipt_from_1"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:05d}"

    @property
    def donor(self) -> models.Model | None:
        return self.donor_user or self.donor_organisation
