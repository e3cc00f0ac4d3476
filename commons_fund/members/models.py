from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from commons_fund.translations import TranslationsValidator

from .territories import DEPARTMENT_CHOICES, REGION_CHOICES, REGION_OF_DEPARTMENT
from .validators import (
    validate_plain_text,
    validate_public_slug,
    validate_siren,
    validate_siret,
)


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class PostalAddress(models.Model):
    """A postal address: organisations (contracts, receipts) and people (tax receipts, which
    name the donor's address)."""

    street_address = models.CharField(
        _("address"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    postal_code = models.CharField(
        _("postal code"), max_length=10, blank=True, validators=[validate_plain_text]
    )
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_plain_text])

    class Meta:
        abstract = True

    def postal_address(self) -> str:
        """On one line, "street, postal code city" ("" when none is given)."""
        town = f"{self.postal_code} {self.city}".strip()
        return ", ".join(part for part in (self.street_address, town) if part)


class User(PostalAddress, AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    # The language of the emails this person gets and of the site when they arrive at `/`.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of your emails and of the site when you log in."),
    )
    # The secret in the address of this person's calendar feed (empty: no feed); renewing
    # it cuts off every app that had the old address.
    calendar_key = models.CharField(_("calendar key"), max_length=64, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
            models.UniqueConstraint(
                fields=["calendar_key"],
                condition=~models.Q(calendar_key=""),
                name="members_user_calendar_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="members_user_language_known",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]


class LegalForm(models.TextChoices):
    SCOP = "scop", _("SCOP (workers' cooperative)")
    SCIC = "scic", _("SCIC (multi-stakeholder cooperative)")
    CAE = "cae", _("CAE (business and employment cooperative)")
    COOP_SA = "coop_sa", _("Cooperative SA")
    COOP_SARL = "coop_sarl", _("Cooperative SARL")
    ASSOCIATION = "association", _("Association (loi 1901)")
    FOUNDATION = "foundation", _("Foundation")
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    COMPANY = "company", _("Company")
    INFORMAL = "informal", _("Informal collective")


class Organisation(index.Indexed, PostalAddress):
    """A structure that pledges, hosts commons, signs contracts: coop, association, town..."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    slug = models.SlugField(
        _("web address"),
        max_length=80,
        unique=True,
        help_text=_("Used in the page address; letters, digits and hyphens."),
        validators=[validate_public_slug],
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        blank=True,
        validators=[validate_siren],
        help_text=_("9 digits, if the structure is registered."),
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 digits: SIREN followed by the establishment number."),
    )
    region = models.CharField(_("region"), max_length=2, blank=True, choices=REGION_CHOICES)
    department = models.CharField(
        _("département"), max_length=3, blank=True, choices=DEPARTMENT_CHOICES
    )
    founded_year = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    # Its address (PostalAddress) and legal representative: the parties of a reciprocity
    # contract.
    representative_name = models.CharField(
        _("legal representative"),
        max_length=120,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Who signs for the organisation, e.g. its president or manager."),
    )
    representative_title = models.CharField(
        _("representative's title"),
        max_length=80,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("For example: Présidente, Gérant."),
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslationsValidator("description")],
    )
    publish_finances = models.BooleanField(
        _("publish the yearly accounts"),
        default=True,
        db_default=True,
        help_text=_("When unticked, only the organisation's members see its finances."),
    )
    logo = models.ImageField(_("logo"), upload_to="organisations/logos/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The site's search (cms/views.py), with French stemming on PostgreSQL.
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
    ]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(legal_form__in=LegalForm.values),
                name="members_organisation_legal_form_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="members_organisation_name_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(slug=""), name="members_organisation_slug_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(siren="") | Exact(Length("siren"), 9),
                name="members_organisation_siren_9_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(siret="") | Exact(Length("siret"), 14),
                name="members_organisation_siret_14_digits",
            ),
            models.UniqueConstraint(
                fields=["siren"],
                condition=~models.Q(siren=""),
                name="members_organisation_siren_unique",
                violation_error_message=_("An organisation with this SIREN is already registered."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:organisation_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            errors["siret"] = _("The SIRET must start with the SIREN (its first 9 digits).")
        if self.department:
            region = REGION_OF_DEPARTMENT.get(self.department)
            if self.region and region and self.region != region:
                errors["department"] = _("This département is not in the chosen region.")
            elif not self.region:
                self.region = region or ""
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    TREASURER = "treasurer", _("Treasurer")
    MEMBER = "member", _("Member")


# The roles that keep an organisation's money (its treasury, books and payments).
MONEY_ROLES = (Role.ADMIN, Role.TREASURER)


class Membership(models.Model):
    """A person's role in an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="members_membership_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="members_membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Invitation(models.Model):
    """An email invitation to join an organisation with a role.

    The link carries a signed token (django.core.signing) of the invitation id, so no secret
    is stored; a revoked, expired or accepted invitation no longer opens.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    language = models.CharField(
        _("language of the email"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="members_invitation_one_pending_per_email",
                violation_error_message=_("This address already has a pending invitation."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="members_invitation_role_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values),
                name="members_invitation_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class EmailTopic(models.TextChoices):
    """The emails a person may turn off. Emails about money they owe or hold (a payment due,
    failed or defaulted, a payment to confirm, revenue to declare under a contract, a bank
    account changed) and invitations have no topic: they are always sent."""

    VOTES = "votes", _("Votes: a vote opens, a reminder before it closes")
    RESULTS = "results", _("Results of the rounds of my pools")
    PAYOUTS = "payouts", _("Payouts to the commons I maintain")


class EmailOptOut(models.Model):
    """A topic a person asked not to receive emails about (from their preferences, or from
    the one-click link at the foot of such an email)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="email_opt_outs", verbose_name=_("user")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=EmailTopic.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="members_optout_once"),
            models.CheckConstraint(
                condition=models.Q(topic__in=EmailTopic.values), name="members_optout_topic_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ∅ {self.topic}"
