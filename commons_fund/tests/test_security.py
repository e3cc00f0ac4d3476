"""What guards money and accounts: second factor and fresh identity before money actions,
allauth's rate limits on log-in and sign-up, CSRF on forms, the Content-Security-Policy."""

import pytest
from django.test import Client

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import PASSWORD, MembershipFactory, money_login
from commons_fund.payments import services
from tests.helpers import one_use_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt():
    treasurer = MembershipFactory(role=Role.TREASURER, organisation__slug="ouvaton")
    charge = services.charge_create(
        payer=MembershipFactory().organisation,
        books=treasurer.organisation,
        amount="100",
        method="transfer",
        credit_purpose="contributions",
        description="Cotisation",
    )
    url = f"/fr/organisations/ouvaton/treasury/charges/{charge.pk}/receipt/"
    return treasurer.user, charge, url


def test_a_treasurer_without_a_second_factor_is_sent_to_turn_it_on(client, receipt):
    user, charge, url = receipt
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/2fa/?next=")
    response = client.post(url, {"amount": "100", "received_on": "2026-11-02"})
    assert response["Location"].startswith("/fr/accounts/2fa/")
    charge.refresh_from_db()
    assert charge.amount_received == 0


def test_a_money_action_needs_a_fresh_confirmation_of_identity(client, receipt):
    user, charge, url = receipt
    money_login(client, user)
    session = client.session
    session["account_authentication_methods"] = []  # logged in long ago
    session.save()
    page = client.get(url)
    assert page.status_code == 200  # reading needs no confirmation
    form = {"amount": "100", "received_on": "2026-11-02", "request_key": one_use_key(page)}
    response = client.post(url, form)
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    charge.refresh_from_db()
    assert charge.amount_received == 0
    # Confirming the password resumes the action that was asked for.
    client.post(response["Location"], {"password": PASSWORD})
    charge.refresh_from_db()
    assert charge.amount_received == 10_000  # cents


def test_log_in_is_rate_limited_per_account(client):
    """allauth's limit: five failed attempts on an account, then even the right password
    waits (the form says there were too many attempts)."""
    user = MembershipFactory().user
    for _ in range(5):
        response = client.post("/fr/accounts/login/", {"login": user.email, "password": "bad"})
        assert response.status_code == 200
    response = client.post("/fr/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "trop" in " ".join(response.context["form"].non_field_errors()).lower()


def test_sign_up_is_rate_limited_per_address(client):
    statuses = [
        client.post(
            "/fr/accounts/signup/",
            {
                "email": f"new{n}@example.org",
                "password1": "une phrase de passe",
                "password2": "une phrase de passe",
            },
        ).status_code
        for n in range(25)
    ]
    assert statuses[0] == 302 and statuses[-1] == 429


def test_forms_refuse_a_post_without_the_csrf_token(receipt):
    user, charge, url = receipt
    client = Client(enforce_csrf_checks=True)
    money_login(client, user)
    assert client.post(url, {"amount": "100", "received_on": "2026-11-02"}).status_code == 403
    assert (
        client.post("/fr/accounts/login/", {"login": "a@b.c", "password": "x"}).status_code == 403
    )
    charge.refresh_from_db()
    assert charge.amount_received == 0


def test_pages_carry_a_policy_without_inline_scripts(client):
    header = client.get("/fr/organisations/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
