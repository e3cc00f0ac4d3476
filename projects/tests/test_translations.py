import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from commons_fund.translations import TranslationsValidator, translated
from projects.models import Project
from projects.tests.factories import ProjectFactory, StepFactory

pytestmark = pytest.mark.django_db


def test_a_commons_speaks_the_visitors_language_where_it_is_given():
    project = ProjectFactory(
        name="Bouquet normand", summary="Un téléphone", translations={"en": {"summary": "A phone"}}
    )
    with translation.override("en"):
        assert translated(project, "summary") == "A phone"
        assert translated(project, "name") == "Bouquet normand"  # not translated: the original
    with translation.override("fr"):
        assert translated(project, "summary") == "Un téléphone"
    assert translated(project, "summary", "en") == "A phone"


@pytest.mark.parametrize(
    "value",
    [
        {"de": {"summary": "Ein Telefon"}},
        {"en": {"licence": "MIT"}},
        {"en": "A phone"},
        {"en": {"summary": 3}},
        {"en": {"summary": "x" * 5001}},
    ],
)
def test_translations_refused_with_a_clear_message(value):
    project = ProjectFactory()
    project.translations = value
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert "translations" in refused.value.message_dict
    assert Project.objects.get(pk=project.pk).translations == {}


def test_the_validator_names_the_fields_it_takes():
    with pytest.raises(ValidationError, match="title, deliverables"):
        TranslationsValidator("title", "deliverables")({"en": {"label": "x"}})
    step = StepFactory(translations={"en": {"title": "Freed phone"}})
    step.full_clean()


def test_the_english_commons_page_is_english(client):
    project = ProjectFactory(
        slug="bundle",
        summary="Un téléphone libéré",
        translations={"en": {"summary": "A freed phone"}},
    )
    StepFactory(
        project=project, position=1, title="Téléphone", translations={"en": {"title": "Phone"}}
    )
    english = client.get("/en/commons/bundle/").content.decode()
    assert "A freed phone" in english and "Step 1: Phone" in english
    assert "Un téléphone libéré" not in english
    french = client.get("/fr/commons/bundle/").content.decode()
    assert "Un téléphone libéré" in french and "Téléphone" in french
