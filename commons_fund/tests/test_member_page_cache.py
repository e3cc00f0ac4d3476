"""#21: members' pages from the cache, each session its own, never another's, never older
than the last write (and never older than the member's own last action)."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client
from rest_framework.authtoken.models import Token

from commons_fund.members.models import Membership, Role, User
from commons_fund.members.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def _member(**fields) -> Client:
    """A member's browser, which has its CSRF cookie from an earlier page (the cookies are
    part of the key: a cached page's form token must match its cookie)."""
    client = Client()
    client.force_login(UserFactory(**fields))
    client.get("/fr/my/emails/")
    return client


def test_a_members_page_comes_from_the_cache_reading_only_the_session(
    django_assert_max_num_queries,
):
    """The person is not read: their session names them (the key holds it), and any write
    to a person (a password changed, an account closed) starts a new generation. With
    sessions in Redis, as in production, a hit reads nothing from the database."""
    camille = _member(first_name="Camille")
    first = camille.get("/fr/my/")
    assert (first.status_code, first["X-Page-Cache"]) == (200, "miss")
    with django_assert_max_num_queries(1):  # the session (from the database in the tests)
        again = camille.get("/fr/my/")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert again["Cache-Control"] == "max-age=0, no-cache, no-store, private" or (
        "private" in again["Cache-Control"] and "no-store" in again["Cache-Control"]
    )


def test_no_one_is_served_another_persons_page():
    camille, dominique = _member(first_name="Camille"), _member(first_name="Dominique")
    camille.get("/fr/my/")
    camille.get("/fr/my/")
    theirs = dominique.get("/fr/my/")
    assert theirs["X-Page-Cache"] == "miss" and "Dominique" in theirs.text
    assert "Camille" not in theirs.text
    anonymous = Client().get("/fr/my/")
    assert anonymous.status_code == 302  # to the login page, not a page kept for someone


def test_each_session_has_its_own_entry():
    person = UserFactory(first_name="Lou")
    phone, laptop = Client(), Client()
    for browser in (phone, laptop):
        browser.force_login(person)
        browser.get("/fr/my/emails/")
    phone.get("/fr/my/")
    assert laptop.get("/fr/my/")["X-Page-Cache"] == "miss"
    phone.logout()
    assert phone.get("/fr/my/").status_code == 302


def test_a_write_or_any_action_of_the_member_is_seen_at_once():
    admin = UserFactory(first_name="Sam")
    membership = MembershipFactory(user=admin, role=Role.ADMIN)
    treasury = f"/fr/organisations/{membership.organisation.slug}/books/"
    client = Client()
    client.force_login(admin)
    client.get("/fr/my/emails/")
    assert client.get(treasury).status_code == 200
    assert client.get(treasury)["X-Page-Cache"] == "hit"
    # Taken off the organisation (a write): no longer theirs to see, at once.
    Membership.objects.filter(pk=membership.pk).delete()
    assert client.get(treasury).status_code == 404
    # A write through update(), as a webhook's: seen in its SQL, the page is fresh.
    client.get("/fr/my/")
    assert client.get("/fr/my/")["X-Page-Cache"] == "hit"
    client.post("/fr/my/")  # an action that writes nothing (405) keeps the page
    assert client.get("/fr/my/")["X-Page-Cache"] == "hit"
    User.objects.filter(pk=admin.pk).update(first_name="Samuel")
    response = client.get("/fr/my/")
    assert response["X-Page-Cache"] == "miss" and "Samuel" in response.text


def test_a_message_waiting_is_shown_not_hidden_by_the_cache():
    client = _member(first_name="Ana")
    client.get("/fr/my/")
    client.get("/fr/my/")
    # A message left for the next page (as a form's redirect does), in its cookie.
    storage = CookieStorage(HttpRequest())
    client.cookies[storage.cookie_name] = storage._encode(
        [Message(messages.SUCCESS, "Votre don mensuel est arrêté")]
    )
    shown = client.get("/fr/my/")
    assert "X-Page-Cache" not in shown and "Votre don mensuel est arrêté" in shown.text
    assert "Votre don mensuel est arrêté" not in client.get("/fr/my/").text


def test_pages_that_say_no_store_are_not_kept():
    client = _member()
    client.get("/healthz")
    assert "X-Page-Cache" not in client.get("/healthz")


@pytest.mark.parametrize("change", ["closed", "password"])
def test_a_closed_account_or_a_new_password_ends_the_kept_pages_at_once(change):
    person = UserFactory(first_name="Noa")
    client = Client()
    client.force_login(person)
    client.get("/fr/my/emails/")
    client.get("/fr/my/")
    assert client.get("/fr/my/")["X-Page-Cache"] == "hit"
    if change == "closed":
        person.is_active = False
    else:
        person.set_password("another-passphrase-2026")
    person.save()
    assert client.get("/fr/my/").status_code == 302  # to the login page


def test_an_api_token_gets_its_own_lists_from_the_cache_until_it_is_revoked(
    django_assert_num_queries,
):
    """#21: API clients with a token, as members with a session: each token its own entry,
    read without touching the database; a revoked token (a write) is refused at once, a
    wrong one never kept."""
    camille, dominique = UserFactory(first_name="Camille"), UserFactory(first_name="Dom")
    token = Token.objects.create(user=camille)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    first = api.get("/api/v1/pledges/")
    assert (first.status_code, first["X-Page-Cache"]) == (200, "miss")
    with django_assert_num_queries(0):
        again = api.get("/api/v1/pledges/")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert "private" in again["Cache-Control"] and "no-store" in again["Cache-Control"]
    theirs = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=dominique).key}")
    assert theirs.get("/api/v1/pledges/")["X-Page-Cache"] == "miss"
    token.delete()
    assert api.get("/api/v1/pledges/").status_code == 403  # DRF: session first, no challenge
    wrong = Client(HTTP_AUTHORIZATION="Token not-a-token")
    for _ in range(2):
        response = wrong.get("/api/v1/pledges/")
        assert response.status_code == 403 and "X-Page-Cache" not in response
