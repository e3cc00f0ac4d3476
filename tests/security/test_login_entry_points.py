"""Every way in goes through allauth: its second factor and its rate limits.

The Wagtail admin (/cms/) and the Django admin (/django-admin/) ship login and password
reset forms of their own, which took the password alone: a treasurer with two-factor
authentication logged in there, then moved money on the treasury pages."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGINS = ["/cms/login/", "/django-admin/login/"]


@pytest.fixture
def treasurer_with_totp():
    user = UserFactory(email="tresorier@example.org", is_staff=True, is_superuser=True)
    MembershipFactory(user=user, role=Role.TREASURER)
    TOTP.activate(user, generate_totp_secret())
    return user


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_an_admin_login_form_sends_people_to_the_allauth_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/login/?next=")


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_a_password_alone_opens_no_session_through_an_admin_login(client, treasurer_with_totp, url):
    for fields in (
        {"username": treasurer_with_totp.email, "password": PASSWORD},
        {"login": treasurer_with_totp.email, "password": PASSWORD},
    ):
        client.post(url, fields)
        assert not _logged_in(client)
    assert client.get("/fr/organisations/").status_code == 200
    assert client.get("/cms/").status_code == 302  # still asked to log in


def test_the_allauth_login_asks_the_second_factor_of_an_admin(client, treasurer_with_totp):
    response = client.post(
        "/fr/accounts/login/?next=/cms/", {"login": treasurer_with_totp.email, "password": PASSWORD}
    )
    assert response["Location"].startswith("/fr/accounts/2fa/authenticate/")
    assert not _logged_in(client)


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_password_guesses_go_nowhere_but_to_the_rate_limited_allauth_form(client, url):
    user = UserFactory()
    for _attempt in range(40):  # the probe's 40 guesses in 50 s: none is even checked
        response = client.post(url, {"username": user.email, "password": "wrong"})
        assert response.status_code == 302
        assert response["Location"].startswith("/fr/accounts/login/")
    for _attempt in range(40):
        client.post("/fr/accounts/login/", {"login": user.email, "password": "wrong"})
    response = client.post("/fr/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert not _logged_in(client), "allauth stops taking guesses"
    assert response.status_code in (200, 429)


def test_the_wagtail_password_reset_is_closed_and_sends_nothing(client):
    user = UserFactory()
    for _attempt in range(3):
        response = client.post("/cms/password_reset/", {"email": user.email})
        assert response.status_code == 404
    assert mail.outbox == []


def test_the_allauth_password_reset_is_rate_limited(client):
    user = UserFactory()
    for _attempt in range(10):
        client.post("/fr/accounts/password/reset/", {"email": user.email})
    assert 1 <= len(mail.outbox) <= 5
