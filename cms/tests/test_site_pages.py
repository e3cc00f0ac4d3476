from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import (
    CommonsIndexPage,
    CommonsPage,
    FaqPage,
    FinancesPage,
    HomePage,
    ReciprocityWallPage,
    StandardPage,
)
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from projects import services
from projects.tests.factories import BudgetLineFactory, ProjectFactory, StepFactory


def _list(items: list) -> dict:
    """Form data of a ListBlock, as the admin's editor posts it."""
    data = {"count": len(items)}
    for number, item in enumerate(items):
        data[str(number)] = {"value": item, "deleted": "", "order": number, "id": ""}
    return data


class SitePagesTest(WagtailPageTestCase):
    def setUp(self):
        self.home = HomePage.objects.get(locale__language_code="fr")
        self.index = self.home.add_child(
            instance=CommonsIndexPage(title="Les communs", slug="communs")
        )
        self.project = ProjectFactory(name="Dokos", slug="dokos")
        self.commons = self.index.add_child(
            instance=CommonsPage(
                title="Dokos",
                slug="dokos",
                project=self.project,
                body=[
                    ("paragraph", "<p>Un logiciel libre.</p>"),
                    (
                        "offer",
                        {
                            "name": "Bouquet",
                            "price": "12.50",
                            "per": "month",
                            "included": ["Téléphone", "Synchronisation"],
                        },
                    ),
                ],
            )
        )
        self.admin_user = UserFactory(is_staff=True, is_superuser=True)

    def test_parent_and_child_rules(self):
        self.assertAllowedSubpageTypes(
            HomePage, {CommonsIndexPage, StandardPage, FaqPage, ReciprocityWallPage, FinancesPage}
        )
        self.assertAllowedParentPageTypes(CommonsPage, {CommonsIndexPage})
        self.assertAllowedSubpageTypes(CommonsIndexPage, {CommonsPage})
        self.assertAllowedSubpageTypes(CommonsPage, set())
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedParentPageTypes(FaqPage, {HomePage})

    def test_editors_create_pages_with_blocks_from_the_admin(self):
        self.client.force_login(self.admin_user)
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "À propos",
                    "slug": "a-propos",
                    "intro": "Qui nous sommes",
                    "body": streamfield(
                        [
                            ("paragraph", rich_text("<p>Une coopérative de communs.</p>")),
                            ("quote", {"text": "Ensemble", "attribution": "Une membre"}),
                            (
                                "video",
                                {"title": "Présentation", "url": "https://peertube.example/v/1"},
                            ),
                        ]
                    ),
                }
            ),
        )
        self.assertCanCreate(
            self.home,
            FaqPage,
            nested_form_data(
                {
                    "title": "Questions",
                    "slug": "questions",
                    "questions": streamfield(
                        [
                            (
                                "question",
                                {
                                    "question": "Qu'est-ce qu'un tour ?",
                                    "answer": rich_text(
                                        "<p>Une période de promesse et de vote.</p>"
                                    ),
                                },
                            )
                        ]
                    ),
                }
            ),
        )
        other = ProjectFactory(slug="movilab")
        self.assertCanCreate(
            self.index,
            CommonsPage,
            nested_form_data(
                {
                    "title": "Movilab",
                    "slug": "movilab",
                    "project": other.pk,
                    "body": streamfield(
                        [
                            (
                                "offer",
                                {
                                    "name": "Hébergement",
                                    "price": "5",
                                    "per": "year",
                                    "included": _list(["Wiki"]),
                                },
                            )
                        ]
                    ),
                }
            ),
        )

    def test_every_page_renders_in_french_and_english(self):
        standard = self.home.add_child(
            instance=StandardPage(
                title="Mentions légales",
                slug="mentions-legales",
                body=[("quote", {"text": "Libre", "attribution": ""})],
            )
        )
        faq = self.home.add_child(
            instance=FaqPage(
                title="FAQ",
                slug="faq",
                questions=[("question", {"question": "Pourquoi ?", "answer": "<p>Parce que.</p>"})],
            )
        )
        english = Locale.objects.get_or_create(language_code="en")[0]
        for page in (self.home, self.index, self.commons, standard, faq):
            self.assertPageIsRenderable(page)
            response = self.client.get(page.url)
            self.assertEqual(response.status_code, 200, page.url)
        for page in (self.home, self.index, self.commons, standard, faq):
            if not page.has_translation(english):
                page.copy_for_translation(english, copy_parents=True).save_revision().publish()
        for page in Page.objects.filter(locale=english).specific():
            response = self.client.get(page.url)
            self.assertEqual(response.status_code, 200, page.url)
            self.assertIn('<html lang="en">', response.text)
        page = self.client.get(self.commons.url)
        self.assertIn("12,50", page.text.replace("\u202f", " "))
        self.assertIn('class="progress"', page.text)

    def test_names_and_text_with_markup_are_escaped(self):
        self.project.name = "Dokos"
        self.project.summary = '<script>alert(1)</script> "guillemets" & co'
        self.project.save()
        self.commons.title = "<script>alert('titre')</script>"
        self.commons.body = [
            ("quote", {"text": "<script>alert(2)</script>", "attribution": "<b>x</b>"})
        ]
        self.commons.save_revision().publish()
        response = self.client.get(self.commons.url)
        self.assertNotIn("<script>alert", response.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", response.text)
        self.assertIn("&quot;guillemets&quot; &amp; co", response.text)

    def test_rich_text_from_the_editor_cannot_carry_a_script(self):
        self.client.force_login(self.admin_user)
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "Piège",
                    "slug": "piege",
                    "body": streamfield(
                        [
                            (
                                "paragraph",
                                rich_text(
                                    '<p>Avant<script>alert("x")</script> '
                                    '<a href="javascript:alert(1)">lien</a> '
                                    "« guillemets » &amp; fin</p>"
                                ),
                            )
                        ]
                    ),
                }
            ),
        )
        page = StandardPage.objects.get(slug="piege")
        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("<script>alert", response.text)
        self.assertNotIn("javascript:alert", response.text)
        self.assertIn("« guillemets » &amp; fin", response.text)

    def test_commons_page_queries_do_not_grow_with_the_data(self):
        admin = MembershipFactory(role=Role.ADMIN, organisation=self.project.host)

        def grow(count, offset):
            for number in range(count):
                step = StepFactory(project=self.project, position=offset + number)
                BudgetLineFactory(step=step)
                services.funding_source_add(
                    project=self.project,
                    actor=admin.user,
                    step=step,
                    kind="subsidy",
                    funder_name="ANCT",
                    amount="100",
                )

        def count():
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(self.commons.url).status_code, 200)
            return len(captured)

        grow(5, 1)
        count()  # warm the caches (site, content types)
        few = count()
        grow(195, 6)
        self.assertEqual(count(), few)

    def test_the_index_filters_and_searches(self):
        other = ProjectFactory(name="Movilab", slug="movilab-2", kind="documentation")
        self.index.add_child(instance=CommonsPage(title="Movilab", slug="movilab", project=other))
        names = lambda **query: [  # noqa: E731
            p.title for p in self.client.get(self.index.url, query).context["page_obj"].object_list
        ]
        self.assertEqual(names(), ["Dokos", "Movilab"])
        self.assertEqual(names(kind="documentation"), ["Movilab"])
        self.assertEqual(names(q="Movilab"), ["Movilab"])


class SettingsAndMenuTest(WagtailPageTestCase):
    def test_menu_links_and_contact_appear_in_their_language(self):
        from wagtail.models import Site

        from cms.models import NavigationLink, SiteSettings

        home = HomePage.objects.get(locale__language_code="fr")
        about = home.add_child(instance=StandardPage(title="À propos", slug="a-propos"))
        french = home.locale
        NavigationLink.objects.create(label="À propos", page=about, locale=french)
        english = Locale.objects.get_or_create(language_code="en")[0]
        NavigationLink.objects.create(
            label="Forum", url="https://forum.example.org/", locale=english
        )
        settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        settings.contact_email = "contact@commons.example"
        settings.mastodon_url = "https://framapiaf.org/@commons"
        settings.save()
        page = self.client.get("/fr/organisations/")
        self.assertIn(f'href="{about.url}">À propos</a>', page.text)
        self.assertNotIn("Forum", page.text)
        self.assertIn('rel="me noopener">Mastodon</a>', page.text)
        self.assertIn("mailto:contact@commons.example", page.text)
        self.assertIn("Forum", self.client.get("/en/organisations/").text)
        with self.assertRaises(ValidationError):
            NavigationLink(
                label="Les deux", page=about, url="https://x.example/", locale=french
            ).full_clean()


class FinancesPageTest(WagtailPageTestCase):
    def test_a_structures_open_accounts_from_its_books(self):
        from commons_fund.ledger.models import TransactionKind
        from commons_fund.ledger.services import (
            account_get_or_create,
            credit,
            debit,
            ledger_post,
        )

        home = HomePage.objects.get(locale__language_code="fr")
        organisation = MembershipFactory(role=Role.ADMIN).organisation
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key="gift-1",
            entries=[
                debit(account_get_or_create(purpose="bank", organisation=organisation), 123450),
                credit(
                    account_get_or_create(purpose="donations", organisation=organisation), 123450
                ),
            ],
        )
        page = home.add_child(
            instance=FinancesPage(title="Nos comptes", slug="comptes", organisation=organisation)
        )
        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 200)
        text = response.text.replace("\u202f", " ")
        self.assertIn("512 Banque", text)
        self.assertIn("7541 Dons manuels", text)
        self.assertEqual(text.count("1 234,50"), 2)  # the bank, and the income

    def test_the_yearly_accounts_and_their_indicators_and_hidden_finances(self):
        from commons_fund.finances.models import FinancialYear
        from commons_fund.finances.tests.factories import OUVATON_2023, FinancialYearFactory

        home = HomePage.objects.get(locale__language_code="fr")
        accounts = FinancialYearFactory(**OUVATON_2023)
        FinancialYearFactory(
            organisation=accounts.organisation,
            year=2022,
            operating_revenue=87_550,
            operating_expenses=75_573,
        )
        page = home.add_child(
            instance=FinancesPage(
                title="Nos comptes", slug="comptes", organisation=accounts.organisation
            )
        )
        response = self.client.get(page.url)
        text = response.text.replace("\u202f", " ").replace("\u00a0", " ")
        self.assertIn("Résultat positif 2 années de suite", text)
        self.assertIn("environ 1,6 ans", text)
        self.assertIn("9,53 €", text)
        self.assertIn('role="img"', text)
        FinancialYear.objects.filter(year=2023).update(
            operating_revenue=70_000, operating_result=-6_050
        )
        text = self.client.get(page.url).text.replace("\u202f", " ").replace("\u00a0", " ")
        self.assertIn("Perte de 6 050,00 € en 2023", text)
        organisation = accounts.organisation
        organisation.publish_finances = False
        organisation.save()
        self.assertEqual(self.client.get(page.url).status_code, 404)
        self.client.force_login(MembershipFactory(organisation=organisation).user)
        self.assertEqual(self.client.get(page.url).status_code, 200)
