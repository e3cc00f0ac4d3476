"""Emails to people (#19): one per person, in their language, none on a topic they turned off,
a one-click unsubscribe link (RFC 8058) on every email that has a topic."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from commons_fund.members import services
from commons_fund.members.mailing import people_email, unsubscribe_token
from commons_fund.members.models import EmailOptOut, EmailTopic, User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = "pledges/email/voting_open.txt"


@pytest.fixture
def round_context():
    return {
        "round": type("R", (), {"number": 3, "kind": "rotation", "voting_closes_at": None}),
        "pool": type("P", (), {"name": "Fonds normand"}),
        "url": "https://example.org/round/",
    }


def _unsubscribe_link(message) -> str:
    (header,) = re.findall(r"<(https?://[^>]+)>", message.extra_headers["List-Unsubscribe"])
    assert header in message.body  # the same link, readable at the foot of the email
    return urlsplit(header).path


def test_each_person_once_in_their_language(round_context):
    french = UserFactory(language="fr")
    english = UserFactory(language="en")
    sent = people_email(
        people=[french, english, french],
        template=TEMPLATE,
        topic=EmailTopic.VOTES,
        context=round_context,
    )
    assert sent == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == sorted([french.email, english.email])
    assert "le vote du tour 3 est ouvert" in by_address[french.email].subject
    assert "the vote of round 3 is open" in by_address[english.email].subject
    assert "/fr/emails/unsubscribe/" in by_address[french.email].body
    assert "/en/emails/unsubscribe/" in by_address[english.email].body
    assert "Votes" in by_address[english.email].body  # the foot names the topic


def test_no_email_on_a_topic_turned_off_but_money_emails_always_go(round_context):
    person = UserFactory()
    EmailOptOut.objects.create(user=person, topic=EmailTopic.VOTES)
    assert people_email(people=[person], template=TEMPLATE, topic="votes", context={}) == 0
    sent = people_email(people=[person], template=TEMPLATE, topic=None, context=round_context)
    assert sent == 1
    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers  # no way out of money emails
    assert "unsubscribe" not in message.body


def test_one_click_unsubscribe_without_session_or_csrf_token(round_context):
    """RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click` to the header's link."""
    person = UserFactory()
    people_email(people=[person], template=TEMPLATE, topic=EmailTopic.RESULTS, context={})
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_link(message)
    client = Client(enforce_csrf_checks=True)
    shown = client.get(path)  # a link checker, a preview: nothing changes
    assert shown.status_code == 200 and "Résultats" in shown.text
    assert shown["Cache-Control"].startswith("max-age=0") or "no-store" in shown["Cache-Control"]
    assert not EmailOptOut.objects.exists()
    done = client.post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert done.status_code == 200 and person.email in done.text
    assert list(EmailOptOut.objects.values_list("user", "topic")) == [(person.pk, "results")]
    assert client.post(path).status_code == 200  # twice changes nothing
    assert EmailOptOut.objects.count() == 1
    mail.outbox.clear()
    assert people_email(people=[person], template=TEMPLATE, topic="results", context={}) == 0


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "1:votes",
        # signed for another purpose (same key, another salt) must not be accepted
        "forged",
    ],
)
def test_a_link_that_is_not_ours_is_a_404_and_changes_nothing(client, token):
    person = UserFactory()
    if token == "forged":
        token = signing.dumps([person.pk, "votes"], salt="another.purpose")
    assert client.post(reverse("members:unsubscribe", args=[token])).status_code == 404
    assert not EmailOptOut.objects.exists()


def test_a_link_for_an_unknown_topic_is_a_404():
    person = UserFactory()
    token = unsubscribe_token(user=person, topic="payments")  # money: no such topic
    response = Client().post(reverse("members:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert not EmailOptOut.objects.exists()


def test_preferences_page_sets_language_and_topics(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("members:email_preferences")
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == len(EmailTopic.values)
    assert page.text.count("checked") == len(EmailTopic.values)  # everything, to begin with
    response = client.post(url, {"language": "en", "topics": ["results"]})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"
    assert set(person.email_opt_outs.values_list("topic", flat=True)) == {"votes", "payouts"}
    client.post(url, {"language": "fr", "topics": ["results", "votes", "payouts"]})
    assert not person.email_opt_outs.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"language": "de", "topics": ["votes"]}, "language"),
        ({"language": "fr", "topics": ["votes", "payments"]}, "topics"),
        ({"topics": ["votes"]}, "language"),
    ],
)
def test_bad_preferences_are_refused_next_to_their_field(client, data, field):
    person = UserFactory(language="fr")
    client.force_login(person)
    response = client.post(reverse("members:email_preferences"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="errorlist' in response.text
    person.refresh_from_db()
    assert person.language == "fr" and not person.email_opt_outs.exists()


def test_the_service_refuses_an_unknown_language_and_changes_nothing():
    person = UserFactory(language="fr")
    with pytest.raises(ValidationError, match="français ou l’anglais"):
        services.user_email_preferences_set(user=person, language="xx", topics=[])
    person.refresh_from_db()
    assert person.language == "fr" and not person.email_opt_outs.exists()


def test_sign_up_chooses_the_language(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    with translation.override("en"):
        url = reverse("account_signup")
    form = client.get(url)
    assert 'name="language"' in form.text
    assert re.search(r'<option value="en"[^>]*selected', form.text)  # the page's language
    client.post(
        url,
        {
            "email": "new@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
        },
    )
    assert User.objects.get(email="new@example.org").language == "en"
    client.logout()
    client.post(  # a form without the field (an older page): the page's language
        url, {"email": "newer@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert User.objects.get(email="newer@example.org").language == "en"


def test_the_site_root_opens_in_the_person_s_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").headers["Location"] == "/fr/"
    client.force_login(UserFactory(language="en"))
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").headers["Location"] == "/en/"
