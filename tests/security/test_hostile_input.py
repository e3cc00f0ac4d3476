"""Hostile input gets a 4xx with a message, never a 500 (probe of issue #17, point 12): NUL
bytes in query strings and bodies (PostgreSQL refuses them), out-of-range years in
addresses, odd numbers and huge cells in an uploaded CSV, a signed webhook without data."""

import io
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from commons_fund.members.models import Organisation, Role
from commons_fund.members.tests.factories import MembershipFactory
from commons_fund.payments import stripe_client

pytestmark = pytest.mark.django_db

NUL_QUERIES = [
    "/fr/commons/?q=a%00b",
    "/api/v1/projects/?search=a%00b",
    "/api/v1/rounds/?pool=a%00b",
    "/fr/organisations/?q=%00",
]


@pytest.fixture
def partner_member(client):
    membership = MembershipFactory(role=Role.ADMIN)
    client.force_login(membership.user)
    return membership


@pytest.mark.parametrize("url", NUL_QUERIES)
def test_a_nul_byte_in_a_query_string_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_a_json_body_is_a_400_with_a_json_message(partner_member):
    api = Client()
    api.force_login(partner_member.user)
    response = api.post(
        "/api/v1/organisations/",
        data=json.dumps({"name": "Asso\u0000ciation", "legal_form": "association"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_nul_byte_in_a_form_is_refused(client, partner_member):
    data = {"name": "A\x00B", "legal_form": "scop"}
    assert (
        client.post(
            "/fr/organisations/new/",
            urlencode(data),
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 400
    )
    response = client.post("/fr/organisations/new/", data)  # multipart: the form refuses it
    assert response.status_code in (200, 400) and response.context["form"].errors
    assert not Organisation.objects.filter(name__startswith="A").exists()


@pytest.mark.parametrize("year", ["0", "99999", "123456789012345678901234567890"])
def test_a_year_out_of_range_in_an_address_is_a_404(client, partner_member, year):
    slug = partner_member.organisation.slug
    for url in (
        f"/fr/organisations/{slug}/reciprocity/certificates/{year}/",
        f"/fr/organisations/{slug}/finances/years/{year}/",
        f"/fr/organisations/{slug}/books/{year}/fec/",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("cell", ["²", "1" * 131_073, "1e400", "NaN", "-Infinity", "\u0663\u0664"])
def test_odd_values_in_the_yearly_accounts_csv_are_reported(client, partner_member, cell):
    slug = partner_member.organisation.slug
    model = client.get(f"/fr/organisations/{slug}/finances/model.csv").content
    header = model.splitlines()[0].decode()
    row = ";".join(["2022", cell] + [""] * (header.count(";") - 1))
    upload = io.BytesIO(f"{header}\n{row}\n".encode())
    response = client.post(f"/fr/organisations/{slug}/finances/import/", {"file": upload})
    assert response.status_code == 400


def test_a_signed_webhook_without_data_is_a_400(client, settings):
    payload = json.dumps(
        {
            "id": "evt_nodata",
            "object": "event",
            "type": "payment_intent.succeeded",
            "livemode": False,
            "created": 1795000000,
        }
    ).encode()
    signature = stripe_client.webhook_sign(payload, settings.STRIPE_WEBHOOK_SECRET)
    response = client.post(
        "/payments/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 400
    assert "data" in response.json()["error"]


@pytest.mark.django_db(transaction=True)  # the email is queued when the invitation commits
def test_an_invitation_made_while_the_broker_is_down_is_saved_without_a_500(client, monkeypatch):
    """Probe of issue #17, point 6: the invitation was saved, then the page was a 500."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from commons_fund import jobs
    from commons_fund.members.models import Invitation

    reported = []
    monkeypatch.setattr(jobs, "log_event", lambda _logger, event, **fields: reported.append(event))

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    admin = MembershipFactory(role=Role.ADMIN)
    client.force_login(admin.user)
    monkeypatch.setattr(Task, "apply_async", broker_down)
    response = client.post(
        f"/fr/organisations/{admin.organisation.slug}/members/",
        {"email": "nouvelle@example.org", "role": "member"},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="nouvelle@example.org").exists()
    assert reported == ["task.not_queued"]  # logged as a warning for the operators
