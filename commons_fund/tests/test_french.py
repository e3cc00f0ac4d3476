"""Issue #22: "de Ouvaton" for "d’Ouvaton"."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from commons_fund.french import elided
from commons_fund.members.tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Finances de Ouvaton", "Finances d’Ouvaton"),
        ("Réciprocité de Éco-lieu", "Réciprocité d’Éco-lieu"),
        ("Membres de Normandie Libre", "Membres de Normandie Libre"),
        ("Comptes de Hôtel du Nord", "Comptes de Hôtel du Nord"),  # h: left to the writer
        ("Trésorerie de Yacht Club", "Trésorerie de Yacht Club"),
        ("Il faut que Anne vote", "Il faut qu’Anne vote"),
        ("mode de emploi", "mode d’emploi"),
    ],
)
def test_french_elision(text, expected):
    assert elided(text, "fr") == expected
    assert elided(text, "en") == text


def test_a_page_title_elides_and_stays_escaped():
    template = Template(
        "{% load i18n dates %}{% blocktranslate with name=name asvar heading %}"
        "Finances of {{ name }}{% endblocktranslate %}{{ heading|elided }}"
    )
    with translation.override("fr"):
        assert template.render(Context({"name": "Ouvaton"})) == "Finances d’Ouvaton"
        assert template.render(Context({"name": "A & <B>"})) == "Finances d’A &amp; &lt;B&gt;"
    with translation.override("en"):
        assert template.render(Context({"name": "Ouvaton"})) == "Finances of Ouvaton"


@pytest.mark.django_db
def test_an_organisation_s_pages_elide_its_name(client):
    organisation = OrganisationFactory(name="Ouvaton", publish_finances=True)
    page = client.get(reverse("finances:public", kwargs={"slug": organisation.slug}))
    assert "Finances d’Ouvaton" in page.text and "Finances de Ouvaton" not in page.text
