import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commons_fund.members.models import Invitation, Membership, Organisation, Role

from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {"name": "Normandie Libre", "legal_form": "association", "siren": "", "siret": ""}


def test_creating_an_organisation_redirects_to_its_page(user_client, user):
    response = user_client.post(
        reverse("members:organisation_create"),
        {
            **VALID,
            "siren": "552 100 554",
            "region": "28",
            "department": "76",
        },
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.siren == "552100554"
    assert Membership.objects.get().role == Role.ADMIN
    page = user_client.get(organisation.get_absolute_url())
    assert "Normandie Libre" in page.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"siren": "552100555"}, "siren", "SIREN"),
        ({"name": "N" * 121}, "name", "120"),
        ({"name": "<em>Libre</em>"}, "name", "HTML"),
        ({"legal_form": "pirate"}, "legal_form", "pirate"),
        ({"slug": "deja-prise"}, "slug", ""),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_saves_nothing(
    user_client, data, field, message
):
    OrganisationFactory(slug="deja-prise")
    response = user_client.post(reverse("members:organisation_create"), {**VALID, **data})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.text  # rendered next to the field
    assert Organisation.objects.count() == 1
    assert not Membership.objects.exists()


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(reverse("members:organisation_create"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get(reverse("members:my_space")).status_code == 302


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.TREASURER])
def test_management_pages_are_404_to_anyone_but_admins(client, role):
    organisation = OrganisationFactory()
    user = UserFactory()
    if role:
        MembershipFactory(organisation=organisation, user=user, role=role)
    target = MembershipFactory(organisation=organisation, role=Role.ADMIN)
    invitation = Invitation.objects.create(organisation=organisation, email="x@example.org")
    client.force_login(user)
    slug = organisation.slug
    for url in (
        reverse("members:organisation_edit", kwargs={"slug": slug}),
        reverse("members:organisation_members", kwargs={"slug": slug}),
    ):
        assert client.get(url).status_code == 404
    for url, data in (
        (
            reverse("members:membership_role", kwargs={"slug": slug, "pk": target.pk}),
            {f"m{target.pk}-role": "member"},
        ),
        (reverse("members:membership_remove", kwargs={"slug": slug, "pk": target.pk}), {}),
        (reverse("members:invitation_revoke", kwargs={"slug": slug, "pk": invitation.pk}), {}),
    ):
        assert client.post(url, data).status_code == 404
    target.refresh_from_db()
    invitation.refresh_from_db()
    assert (target.role, invitation.status) == (Role.ADMIN, "pending")


def test_admin_manages_members(client):
    admin = MembershipFactory(role=Role.ADMIN)
    member = MembershipFactory(organisation=admin.organisation)
    slug = admin.organisation.slug
    client.force_login(admin.user)
    page = client.get(reverse("members:organisation_members", kwargs={"slug": slug}))
    assert member.user.email in page.text
    client.post(
        reverse("members:membership_role", kwargs={"slug": slug, "pk": member.pk}),
        {f"m{member.pk}-role": "treasurer"},
    )
    member.refresh_from_db()
    assert member.role == Role.TREASURER
    response = client.post(
        reverse("members:membership_role", kwargs={"slug": slug, "pk": admin.pk}),
        {f"m{admin.pk}-role": "member"},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    client.post(reverse("members:membership_remove", kwargs={"slug": slug, "pk": member.pk}))
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_last_admin_is_told_why_they_cannot_leave(client):
    admin = MembershipFactory(role=Role.ADMIN)
    client.force_login(admin.user)
    url = reverse("members:organisation_leave", kwargs={"slug": admin.organisation.slug})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Membership.objects.filter(pk=admin.pk).exists()
    assert response.context["messages"]


def test_members_list_is_visible_to_members_only(client):
    member = MembershipFactory(role=Role.MEMBER)
    other = MembershipFactory(organisation=member.organisation, role=Role.ADMIN)
    url = member.organisation.get_absolute_url()
    assert other.user.display_name not in client.get(url).text
    client.force_login(member.user)
    assert other.user.display_name in client.get(url).text


def test_list_and_detail_query_counts_do_not_grow_with_the_data(client):
    organisation = OrganisationFactory()
    for _ in range(3):
        MembershipFactory(organisation=organisation)
    member = MembershipFactory(organisation=organisation)
    client.force_login(member.user)

    def counts():
        measured = []
        for url in (
            reverse("members:organisation_list"),
            organisation.get_absolute_url(),
            reverse("members:my_space"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            measured.append(len(captured))
        return measured

    before = counts()
    for _ in range(20):
        OrganisationFactory()
        MembershipFactory(organisation=organisation)
        MembershipFactory(user=member.user)
    assert counts() == before
    assert max(before) <= 12


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"legal_form": "<script>"},
        {"region": "999"},
        {"q": "x" * 10_000},
        {"q": "nul\x00byte"},
        {"q": "' OR 1=1 --"},
    ],
)
def test_junk_query_parameters_never_break_the_lists(client, query):
    OrganisationFactory()
    # NUL characters are a 400 (tests/security/test_hostile_input.py)
    refused = any("\x00" in value for value in query.values())
    page = client.get(reverse("members:organisation_list"), query)
    assert page.status_code == (400 if refused else 200)
    api_query = {"search" if k == "q" else k: v for k, v in query.items()}
    assert client.get("/api/v1/organisations/", api_query).status_code in (
        (400,) if refused else (200, 404)
    )


@pytest.mark.parametrize("token", ["garbage", "MQ:1xVTv6:forged", "x" * 500])
def test_forged_invitation_links_are_404(client, token):
    assert client.get(reverse("members:invitation", kwargs={"token": token})).status_code == 404
