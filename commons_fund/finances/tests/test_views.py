import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from commons_fund.finances.models import FinancialYear
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory

from .factories import OUVATON_2023, FinancialYearFactory

pytestmark = pytest.mark.django_db

YEAR_FORM = {
    "year": "2023",
    "share_capital": "147 792",
    "shares_count": "9237",
    "nominal_share_value": "16",
    "equity": "88 029",
    "retained_earnings": "-97 991",
    "operating_revenue": "91 194",
    "operating_expenses": "76 050",
    "operating_result": "15 144",
    "non_member_revenue": "12 931,31",
    "non_member_cap": "20",
    "donations_made": "875,50",
}


def _url(name: str, organisation, **kwargs) -> str:
    return reverse(f"finances:{name}", kwargs={"slug": organisation.slug, **kwargs})


@pytest.fixture
def treasurer():
    return MembershipFactory(role=Role.TREASURER)


def _text(response) -> str:
    return response.text.replace("\u202f", " ").replace("\u00a0", " ")


def test_the_page_with_one_year(client):
    accounts = FinancialYearFactory(**OUVATON_2023)
    response = client.get(_url("public", accounts.organisation))
    assert response.status_code == 200
    text = _text(response)
    assert "9,53 €" in text and "24 095,00 €" in text and "14,18 %" in text
    assert "1,6" in text and "<svg viewBox" in text and 'role="img"' in text
    assert "Aucune perte" in text  # no runway on a positive year
    assert "<table" in text and "147 792,00 €" in text


def test_the_page_with_many_years_and_a_loss(client):
    organisation = FinancialYearFactory(year=2019).organisation
    for year in range(2020, 2024):
        FinancialYearFactory(organisation=organisation, year=year)
    FinancialYear.objects.filter(organisation=organisation, year=2023).update(
        operating_revenue=Decimal(40_000),
        operating_expenses=Decimal(60_000),
        operating_result=Decimal(-20_000),
        equity=Decimal(50_000),
    )
    response = client.get(_url("public", organisation))
    text = _text(response)
    assert response.status_code == 200
    assert "Perte de 20 000,00 € en 2023" in text and "environ 2,5 ans" in text
    assert text.count('<th scope="row">20') == 5
    assert response.context["charts"][1].title == "Produits et charges"
    with translation.override("fr"):  # the request switches to English; reverse() stays French
        english = client.get(_url("public", organisation).replace("/fr/", "/en/"))
    assert "Loss of €20,000.00 in 2023" in english.text and 'lang="en"' in english.text


def test_the_page_without_accounts_and_the_rebate_form(client):
    organisation = MembershipFactory().organisation
    response = client.get(_url("public", organisation))
    assert response.status_code == 200 and "Aucun compte annuel" in _text(response)
    accounts = FinancialYearFactory(**OUVATON_2023)
    response = client.get(_url("public", accounts.organisation), {"part": "25"})
    assert response.context["rebate"].total == Decimal("3786.00")
    response = client.get(_url("public", accounts.organisation), {"part": "250"})
    assert response.status_code == 200 and response.context["rebate_form"].errors
    assert response.context["rebate"].total == Decimal("7572.00")  # the default half


def test_the_rebate_simulation_warns_while_losses_exceed_half_the_capital(client):
    """#22: it offered to hand out 7 572 € while Ouvaton's losses exceed half its capital,
    without a word."""
    accounts = FinancialYearFactory(**OUVATON_2023)
    response = client.get(_url("public", accounts.organisation))
    warning = response.context["rebate_warning"]
    assert (warning.losses, warning.threshold, warning.gap) == (
        Decimal(97_991),
        Decimal(73_896),
        Decimal(24_095),
    )
    assert "dépassent la moitié du capital" in _text(response)
    accounts.retained_earnings = Decimal(-1_000)
    accounts.save()
    assert client.get(_url("public", accounts.organisation)).context["rebate_warning"] is None


@pytest.mark.parametrize("years", [1, 15])
def test_the_page_queries_do_not_grow_with_the_years(client, django_assert_num_queries, years):
    organisation = MembershipFactory().organisation
    for year in range(2024 - years, 2024):
        FinancialYearFactory(organisation=organisation, year=year)
    # organisation, years, policies, its site page if any (cms.concepts), and the layout's
    # menu links, site and settings
    with django_assert_num_queries(7):
        assert client.get(_url("public", organisation)).status_code == 200


def test_hidden_finances_are_for_members_only(client):
    accounts = FinancialYearFactory(organisation__publish_finances=False)
    organisation = accounts.organisation
    page, api = _url("public", organisation), f"/api/v1/organisations/{organisation.slug}/finances/"
    assert client.get(page).status_code == 404
    assert client.get(api).status_code == 404
    client.force_login(UserFactory())
    assert client.get(page).status_code == 404
    member = MembershipFactory(organisation=organisation)
    client.force_login(member.user)
    response = client.get(page)
    assert response.status_code == 200 and "membres de l’organisation" in _text(response)
    assert client.get(api).status_code == 200


def test_a_treasurer_enters_corrects_and_deletes_a_year(client, treasurer):
    organisation = treasurer.organisation
    client.force_login(treasurer.user)
    new = _url("year_create", organisation)
    response = client.post(new, {**YEAR_FORM, "operating_result": "-15 144"})
    assert response.status_code == 400
    assert "operating_result" in response.context["form"].errors
    assert 'id="id_operating_result_error"' in response.text
    response = client.post(new, {**YEAR_FORM, "operating_revenue": "-3"})
    assert "operating_revenue" in response.context["form"].errors
    assert not FinancialYear.objects.exists()
    response = client.post(new, {**YEAR_FORM, "share_capital": "150 000"})
    assert response["Location"] == _url("manage", organisation)
    accounts = FinancialYear.objects.get()
    assert accounts.equity.amount == Decimal(88_029)
    manage = client.get(response["Location"])
    assert "150 000,00 €" in _text(manage) and "message-warning" in manage.text
    assert client.post(new, YEAR_FORM).status_code == 400  # the year is already entered
    edit = _url("year_edit", organisation, year=2023)
    form = client.get(edit).context["form"]
    assert "year" not in form.fields and form.initial["equity"] == Decimal(88_029)
    client.post(edit, {**YEAR_FORM, "share_capital": "147 792"})
    accounts.refresh_from_db()
    assert accounts.share_capital.amount == Decimal(147_792) and accounts.warnings() == []
    client.post(_url("year_delete", organisation, year=2023))
    assert not FinancialYear.objects.exists()


def test_the_import_page_reports_rejected_rows(client, treasurer):
    organisation = treasurer.organisation
    client.force_login(treasurer.user)
    url = _url("import", organisation)
    model = client.get(_url("model_csv", organisation))
    assert model["Content-Type"].startswith("text/csv")
    good = model.content
    bad = good + b"2022;1;1;1;x;0;-5;10;0;;;;;;;non\n"
    response = client.post(url, {"file": io.BytesIO(bad)})
    assert response.status_code == 400 and not FinancialYear.objects.exists()
    assert "Ligne 3" in _text(response) and "« x » n’est pas un montant" in _text(response)
    response = client.post(url, {"file": io.BytesIO(b"year;nope\n")})
    assert "nope" in _text(response) and "file" in response.context["form"].errors
    response = client.post(url, {"file": io.BytesIO(good)})
    assert response.status_code == 302
    assert FinancialYear.objects.get().equity.amount == Decimal(88_029)


def test_publishing_and_the_pages_of_editors(client, treasurer):
    organisation = treasurer.organisation
    client.force_login(treasurer.user)
    client.post(_url("publish", organisation), {"publish": "0"})
    organisation.refresh_from_db()
    assert not organisation.publish_finances
    client.post(_url("publish", organisation), {"publish": "1"})
    organisation.refresh_from_db()
    assert organisation.publish_finances


@pytest.mark.parametrize("name", ["manage", "year_create", "import", "model_csv"])
def test_editor_pages_answer_404_to_members_and_outsiders(client, treasurer, name):
    url = _url(name, treasurer.organisation)
    assert client.get(url).status_code == 302  # to the login page
    for user in (UserFactory(), MembershipFactory(organisation=treasurer.organisation).user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(treasurer.user)
    assert client.get(url).status_code == 200


def test_editor_posts_answer_404_to_members(client, treasurer):
    accounts = FinancialYearFactory(organisation=treasurer.organisation)
    client.force_login(MembershipFactory(organisation=treasurer.organisation).user)
    for url in (
        _url("year_delete", accounts.organisation, year=accounts.year),
        _url("publish", accounts.organisation),
        _url("year_edit", accounts.organisation, year=accounts.year),
    ):
        assert client.post(url, {"publish": "0"}).status_code == 404
    assert FinancialYear.objects.exists()


def test_the_rebate_split_among_named_members(client):
    accounts = FinancialYearFactory(**OUVATON_2023)
    member = MembershipFactory(organisation=accounts.organisation)
    url = _url("rebate", accounts.organisation)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(member.user)
    response = client.post(url, {"part": "50,0", "lines": "Atelier; 1 200\nLibrairie; 3 600\n"})
    assert response.status_code == 200
    assert [line[2] for line in response.context["rebate"].lines] == [
        Decimal("1893.00"),
        Decimal("5679.00"),
    ]
    response = client.post(url, {"part": "50", "lines": "Atelier 1 200"})
    assert response.status_code == 400
    assert "Ligne 1" in response.context["form"].errors["lines"][0]


def test_staff_enter_accounts_in_the_django_admin(client):
    accounts = FinancialYearFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/django-admin/finances/financialyear/").status_code == 200
    assert client.get("/django-admin/finances/financialyear/add/").status_code == 200
    change = f"/django-admin/finances/financialyear/{accounts.pk}/change/"
    assert client.get(change).status_code == 200
