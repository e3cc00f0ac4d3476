"""Sign up → verify the email → log in → create an organisation → invite → accept.

The invitation email goes through a real Celery worker."""

import re

import pytest
from django.core import mail
from django.test import Client

from commons_fund.members.models import Membership, Organisation, Role
from tests.helpers import wait_for

PASSWORD = "un-mot-de-passe-solide-42"


def _wait_for_mail(count: int) -> None:
    assert wait_for(lambda: len(mail.outbox) >= count), f"expected {count} emails"


def _link(message, pattern: str) -> str:
    match = re.search(pattern, message.body)
    assert match, message.body
    return match.group(0)


def _sign_up_and_verify(client: Client, email: str, next_url: str = "") -> None:
    sent = len(mail.outbox)
    response = client.post(
        "/fr/accounts/signup/",
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            **({"next": next_url} if next_url else {}),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert len(mail.outbox) == sent + 1
    confirm = _link(mail.outbox[-1], r"http://testserver(/fr/accounts/confirm-email/[^/\s]+/)")
    confirm_path = confirm.removeprefix("http://testserver")
    assert client.post(confirm_path).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_member_journey(celery_worker):
    treasurer = Client()
    _sign_up_and_verify(treasurer, "camille@example.org")
    treasurer.post("/fr/accounts/logout/")
    assert treasurer.get("/fr/my/").status_code == 302  # logged out

    response = treasurer.post(
        "/fr/accounts/login/",
        {
            "login": "camille@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert "Mon espace" in treasurer.get("/fr/my/").text

    # A mistyped SIREN: a clear message next to the field, nothing saved.
    form = {"name": "Normandie Libre", "legal_form": "association", "siren": "552 100 555"}
    response = treasurer.post("/fr/organisations/new/", form)
    assert response.status_code == 200
    assert "Ce numéro SIREN n’est pas valide" in response.text
    assert not Organisation.objects.exists()

    response = treasurer.post("/fr/organisations/new/", {**form, "siren": "552 100 554"})
    organisation = Organisation.objects.get()
    assert response["Location"] == "/fr/organisations/normandie-libre/"

    # Invite Lou as treasurer; the worker sends the email.
    sent = len(mail.outbox)
    response = treasurer.post(
        "/fr/organisations/normandie-libre/members/",
        {"email": "lou@example.org", "role": "treasurer"},
    )
    assert response.status_code == 302
    _wait_for_mail(sent + 1)
    invitation_mail = mail.outbox[sent]
    assert invitation_mail.to == ["lou@example.org"]
    assert "Normandie Libre" in invitation_mail.subject
    invitation_path = _link(invitation_mail, r"/fr/invitations/[^/\s]+/")

    # Lou opens the link, has no account, signs up with the invited address.
    lou = Client()
    page = lou.get(invitation_path)
    assert page.status_code == 200
    assert "Rejoindre Normandie Libre" in page.text
    _sign_up_and_verify(lou, "lou@example.org", next_url=invitation_path)
    assert "Normandie Libre" in lou.get("/fr/my/").text  # the invitation waits in my space
    response = lou.post(invitation_path)
    assert response["Location"] == "/fr/organisations/normandie-libre/"
    lou_membership = Membership.objects.get(
        organisation=organisation, user__email="lou@example.org"
    )
    assert lou_membership.role == Role.TREASURER

    # The link is spent; a stranger cannot reuse it.
    stranger = Client()
    assert stranger.get(invitation_path).status_code == 410
    assert Membership.objects.filter(organisation=organisation).count() == 2
