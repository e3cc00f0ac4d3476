import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commons_fund.members.models import Membership, Organisation, Role

from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


@pytest.fixture
def api():
    return APIClient()


def test_list_and_detail_show_public_fields_only(api):
    organisation = OrganisationFactory(name="Framasoft", slug="framasoft")
    membership = MembershipFactory(organisation=organisation)
    listing = api.get(URL)
    assert listing.status_code == 200
    assert [o["slug"] for o in listing.json()["results"]] == ["framasoft"]
    detail = api.get(f"{URL}framasoft/").json()
    assert detail["name"] == "Framasoft"
    assert detail["legal_form_label"]
    assert detail["page"].endswith("/organisations/framasoft/")
    assert membership.user.email not in str(detail)
    assert not {"memberships", "invitations", "logo", "id"} & set(detail)


def test_filters(api):
    OrganisationFactory(name="Coop A", legal_form="scop", region="28")
    OrganisationFactory(name="Asso B", legal_form="association", region="53")
    assert [o["name"] for o in api.get(URL, {"legal_form": "scop"}).json()["results"]] == ["Coop A"]
    assert [o["name"] for o in api.get(URL, {"region": "53"}).json()["results"]] == ["Asso B"]
    assert [o["name"] for o in api.get(URL, {"search": "asso"}).json()["results"]] == ["Asso B"]


def test_unknown_organisation_and_unknown_path_answer_json_404(api):
    for url in (f"{URL}nobody/", "/api/v1/nothing-here/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()


def test_anonymous_cannot_create(api):
    response = api.post(URL, {"name": "Coop", "legal_form": "scop"}, format="json")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert not Organisation.objects.exists()


def test_token_holder_creates_an_organisation_and_becomes_admin(api, user):
    token = Token.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        URL,
        {"name": "Coop des Communs", "legal_form": "scic", "siren": "552100554"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "coop-des-communs"
    assert Membership.objects.get(user=user).role == Role.ADMIN


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x" * 121, "legal_form": "scop"}, "name"),
        ({"name": "<b>Coop</b>", "legal_form": "scop"}, "name"),
        ({"name": "Coop", "legal_form": "pirate"}, "legal_form"),
        ({"name": "Coop", "legal_form": "scop", "siren": "552100555"}, "siren"),
        ({"name": "Coop", "legal_form": "scop", "slug": "taken"}, "slug"),
        ({"name": "Taken", "legal_form": "scop"}, "slug"),
        ({"name": "Coop", "legal_form": "scop", "region": "28", "department": "69"}, "department"),
        ({"legal_form": "scop"}, "name"),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_writes_nothing(api, user, data, field):
    OrganisationFactory(name="Existing", slug="taken")
    api.force_authenticate(user)
    response = api.post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user=user).exists()


def test_malformed_json_is_a_400(api, user):
    api.force_authenticate(user)
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_schema_documents_the_public_api_only(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/organisations/" in paths
    assert all(path.startswith("/api/v1/") for path in paths)
    assert api.get("/api/v1/docs/").status_code == 200
