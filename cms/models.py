from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index

from commons_fund.finances.selectors import finances_visible, overview_context
from commons_fund.ledger.chart import AccountType
from commons_fund.ledger.selectors import organisation_balance_rows
from commons_fund.page_cache import cached_until_next_write
from reciprocity.selectors import wall_context

from .blocks import BodyBlock, FaqBlock
from .selectors import commons_index, commons_live_data, home_figures


class HomePage(Page):
    """The site's home page: what Commons Fund is, and where to go next."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CommonsIndexPage",
        "cms.StandardPage",
        "cms.FaqPage",
        "cms.ReciprocityWallPage",
        "cms.FinancesPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(cached_until_next_write("home-figures", home_figures))
        context["featured"] = (
            CommonsPage.objects.live()
            .descendant_of(self)
            .select_related("project")
            .order_by("-first_published_at")[:3]
        )
        return context


class StandardPage(Page):
    """About, legal notice, privacy…: a title, an introduction and a body of blocks."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage", "cms.FinancesPage"]

    class Meta:
        verbose_name = _("standard page")


class FaqPage(Page):
    """Questions and answers, each unfolding in place (works without JavaScript)."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    questions = StreamField(FaqBlock(), verbose_name=_("questions"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("questions")]
    search_fields = [*Page.search_fields, index.SearchField("questions")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("questions and answers page")


class CommonsIndexPage(Page):
    """All commons, with filters (kind, territory, status, licence) and a search."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CommonsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("commons index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            commons_index(pages=CommonsPage.objects.live().child_of(self), params=request.GET)
        )
        return context


class CommonsPage(Page):
    """The public page of a commons: an editorial body, and live figures from the data
    (co-financing plan, pools, rounds won, certified providers) — never typed by hand."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commons"),
        help_text=_("The commons this page presents; its figures come from it."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("project"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.RelatedFields("project", [index.SearchField("name"), index.SearchField("summary")]),
    ]
    parent_page_types = ["cms.CommonsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("commons page")

    def clean(self) -> None:
        """One page per commons and language (a translation presents the same commons; the
        language lives on Wagtail's page table, so this cannot be a database constraint)."""
        super().clean()
        twins = CommonsPage.objects.filter(project_id=self.project_id, locale_id=self.locale_id)
        if self.pk:
            twins = twins.exclude(pk=self.pk)
        if self.project_id and twins.exists():
            raise ValidationError(
                {"project": _("This commons already has a page in this language.")}
            )

    def data_path(self) -> str:
        """The commons' Django address, in the active language: its live data, in every
        language, where this page has no translation."""
        return reverse("projects:project_detail", kwargs={"slug": self.project.slug})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            cached_until_next_write(
                f"commons-live-data:{self.project_id}",
                lambda: commons_live_data(project=self.project),
            )
        )
        return context


class ReciprocityWallPage(Page):
    """The reciprocity wall, with an editorial introduction above the live list."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("reciprocity wall page")

    def data_path(self) -> str:
        """The wall's Django address, in the active language (see CommonsPage.data_path)."""
        return reverse("reciprocity:wall")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(wall_context(today=timezone.localdate()))
        return context


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Contact details shown at the foot of every page, editable in the admin."""

    contact_email = models.EmailField(_("contact email"), blank=True)
    mastodon_url = models.URLField(
        _("Mastodon account"), blank=True, help_text=_("For example https://framapiaf.org/@commons")
    )
    peertube_url = models.URLField(_("PeerTube channel"), blank=True)

    panels = [FieldPanel("contact_email"), FieldPanel("mastodon_url"), FieldPanel("peertube_url")]

    class Meta:
        verbose_name = _("site settings")


class NavigationLink(TranslatableMixin, models.Model):
    """A link editors add to the main menu, in each language, in their order."""

    label = models.CharField(_("label"), max_length=60)
    page = models.ForeignKey(
        Page,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("page"),
    )
    url = models.URLField(_("or address"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("label"), FieldPanel("page"), FieldPanel("url"), FieldPanel("sort_order")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("menu link")
        verbose_name_plural = _("menu links")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        if bool(self.page_id) == bool(self.url):
            raise ValidationError(_("Choose a page or give an address (one of the two)."))

    @property
    def href(self) -> str:
        return self.page.url if self.page_id else self.url


class FinancesPage(Page):
    """The state of a structure's finances, readable by people who are not accountants: its
    yearly accounts with their indicators and charts, then its open accounts straight from
    the ledger. Hidden (404) to outsiders when the organisation does not publish them."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("organisation"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("finances page")

    def data_path(self) -> str:
        """The finances' Django address, in the active language (see CommonsPage.data_path)."""
        return reverse("finances:public", kwargs={"slug": self.organisation.slug})

    def serve(self, request, *args, **kwargs):
        if not finances_visible(organisation=self.organisation, user=request.user):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(overview_context(organisation=self.organisation, params=request.GET))
        rows = organisation_balance_rows(organisation=self.organisation)
        context["groups"] = [
            (label, [row for row in rows if row["line"].type == kind])
            for kind, label in AccountType.choices
        ]
        return context
