"""A person's postal address, which the tax receipts of their gifts name (CERFA 11580)."""

import pytest
from django.urls import reverse

from commons_fund.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _address(street: str, code: str, city: str) -> dict[str, str]:
    return {"street_address": street, "postal_code": code, "city": city}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (_address("12 rue des Tanneurs", "", "Caen"), "postal_code"),
        (_address("", "14000", "Caen"), "street_address"),
        (_address("12 rue des Tanneurs", "14000", ""), "city"),
        (_address("12 rue", "14000!", "Caen"), "postal_code"),
        (_address("<b>12</b> rue", "14000", "Caen"), "street_address"),
    ],
)
def test_a_partial_or_bad_address_is_refused_next_to_the_field(client, given, field):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("members:postal_address"), given)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    person.refresh_from_db()
    assert person.postal_address() == ""


def test_a_person_gives_then_removes_their_address(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("members:postal_address")
    assert client.get(url).status_code == 200
    assert client.post(url, _address(" 12  rue des Tanneurs ", "14000", "Caen")).status_code == 302
    person.refresh_from_db()
    assert person.postal_address() == "12 rue des Tanneurs, 14000 Caen"
    assert "12 rue des Tanneurs" in client.get(url).text
    assert (
        client.post(url, {"street_address": "", "postal_code": "", "city": ""}).status_code == 302
    )
    person.refresh_from_db()
    assert person.postal_address() == ""
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
