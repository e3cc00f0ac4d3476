"""Sign-up must not tell whether an email already has an account (#17.10): the answer is the
same page either way, and the work done is the same too. A new account's password is hashed
(the slow part, on purpose); a known email's sign-up hashes the password it was given as
well, so that the answer takes as long."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from commons_fund.members.models import User
from commons_fund.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM = {"email": "", "password1": "Une phrase de passe longue", "password2": ""}


def _sign_up(client, email):
    form = {**FORM, "email": email, "password2": FORM["password1"]}
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True) as encode:
        encode.side_effect = lambda hasher, password, salt: f"md5${salt}$fake"
        response = client.post("/fr/accounts/signup/", form)
    return response, encode.call_count


def test_a_known_email_costs_the_same_hashing_as_a_new_one(client):
    UserFactory(email="known@example.org")
    known, known_hashes = _sign_up(client, "known@example.org")
    client.logout()
    new, new_hashes = _sign_up(client, "new@example.org")
    assert User.objects.filter(email="new@example.org").exists()
    assert new_hashes >= 1
    assert known_hashes == new_hashes
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
