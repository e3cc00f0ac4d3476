"""Password reset and two-factor authentication, through the real allauth pages."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail

from commons_fund.members.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _log_in(client, email, password):
    return client.post("/fr/accounts/login/", {"login": email, "password": password})


def test_password_reset(client):
    user = UserFactory(email="camille@example.org")
    response = client.post("/fr/accounts/password/reset/", {"email": "camille@example.org"})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    link = re.search(r"http://testserver(/fr/accounts/password/reset/key/\S+/)", body)
    page = client.get(link.group(1), follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new = "une-phrase-de-passe-toute-neuve"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    client.logout()
    assert _log_in(client, "camille@example.org", PASSWORD).status_code == 200  # old one refused
    assert _log_in(client, "camille@example.org", new).status_code == 302


def test_two_factor_authentication_with_totp_then_a_recovery_code(client):
    user = UserFactory(email="tresorier@example.org")
    assert _log_in(client, user.email, PASSWORD).status_code == 302
    assert client.get("/fr/accounts/2fa/").status_code == 200
    # Turning MFA on asks for the password again, even right after logging in.
    response = client.get("/fr/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/fr/accounts/reauthenticate/")
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
    assert client.get("/fr/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    def window() -> int:
        return next(iter(yield_hotp_counters_from_time()))

    code = format_hotp_value(hotp_value(secret, window()))
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/fr/accounts/2fa/totp/activate/", {"code": wrong}).status_code == 200
    for _attempt in range(2):  # again only if the 30-second window turned during the request
        started = window()
        code = format_hotp_value(hotp_value(secret, started))
        response = client.post("/fr/accounts/2fa/totp/activate/", {"code": code})
        if response.status_code == 302 or window() == started:
            break
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    client.post("/fr/accounts/logout/")
    response = _log_in(client, user.email, PASSWORD)
    assert response["Location"] == "/fr/accounts/2fa/authenticate/"
    assert client.get("/fr/my/").status_code == 302  # not logged in before the second factor
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    recovery_code = recovery.wrap().get_unused_codes()[0]
    response = client.post("/fr/accounts/2fa/authenticate/", {"code": recovery_code})
    assert response.status_code == 302
    assert client.get("/fr/my/").status_code == 200
