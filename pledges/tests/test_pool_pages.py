"""Organisations create and run their pools on the site (#19): the rules the model holds,
bad rules refused next to their field, and only the host's administrators."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from pledges.models import Pool
from projects.tests.factories import ProjectFactory

from .factories import PoolFactory, PoolMembershipFactory, voting_round

pytestmark = pytest.mark.django_db

RULES = {
    "name": "Fonds des tiers-lieux",
    "description": "Un fonds commun des tiers-lieux normands.",
    "period": "quarterly",
    "round_kind": "allocation",
    "voting_method": "majority_judgment",
    "quorum_percent": "30",
    "minimum_pot": "250",
    "rotation_rule": "strict",
    "nomination_rule": "any",
    "no_quorum_rule": "reopen_once",
    "collection_methods": "both",
    "membership_policy": "approval",
    "quadratic_credits": "100",
    "publication_threshold": "5",
    "nomination_days": "7",
    "voting_days": "10",
}


def test_an_administrator_creates_a_pool_for_her_organisation(client):
    admin = MembershipFactory(role=Role.ADMIN)
    MembershipFactory(user=admin.user, role=Role.MEMBER)  # not one she may create for
    client.force_login(admin.user)
    page = client.get(reverse("pledges:pool_create"))
    assert page.status_code == 200
    assert [pk for pk, _name in page.context["form"].fields["host"].choices if pk] == [
        admin.organisation.pk
    ]
    response = client.post(reverse("pledges:pool_create"), {**RULES, "host": admin.organisation.pk})
    pool = Pool.objects.get(name=RULES["name"])
    assert response.status_code == 302 and response["Location"] == pool.get_absolute_url()
    assert (pool.host, pool.round_kind, pool.quorum_percent) == (
        admin.organisation,
        "allocation",
        30,
    )
    assert pool.minimum_pot.amount == 250 and pool.membership_policy == "approval"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quorum_percent", "150"),
        ("minimum_pot", "-5"),
        ("publication_threshold", "0"),
        ("voting_method", "dictator"),
        ("name", " "),
        ("matching_pool", "-10"),
        ("matching_cap_percent", "0"),
        ("matching_cap_percent", "101"),
        ("matching_funder", "stranger"),
    ],
)
def test_bad_rules_are_refused_next_to_their_field(client, field, value):
    admin = MembershipFactory(role=Role.ADMIN)
    client.force_login(admin.user)
    if value == "stranger":  # a structure she does not administer, not in the pool
        value = MembershipFactory(role=Role.ADMIN).organisation.pk
    response = client.post(
        reverse("pledges:pool_create"), {**RULES, "host": admin.organisation.pk, field: value}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Pool.objects.exists()


def test_someone_who_administers_no_organisation_is_told_how_to_start(client):
    client.force_login(UserFactory())
    page = client.get(reverse("pledges:pool_create"))
    assert page.status_code == 200 and page.context["form"] is None
    assert reverse("members:organisation_create") in page.text
    other = MembershipFactory(role=Role.ADMIN).organisation
    response = client.post(reverse("pledges:pool_create"), {**RULES, "host": other.pk})
    assert response.status_code == 404 and not Pool.objects.exists()


def test_the_pool_administrators_change_the_rules_and_no_one_else(client):
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation, quorum_percent=50)
    url = reverse("pledges:pool_edit", kwargs={"slug": pool.slug})
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.post(url, {**RULES, "quorum_percent": "10"}).status_code == 404
    client.force_login(admin.user)
    assert client.get(url).status_code == 200
    assert client.post(url, {**RULES, "quorum_percent": "150"}).status_code == 200
    response = client.post(url, {**RULES, "quorum_percent": "20"})
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.quorum_percent == 20 and pool.name == RULES["name"]
    assert "edit/" in client.get(pool.get_absolute_url()).text


def test_pools_are_created_and_changed_through_the_api(admin_api):
    api, admin = admin_api
    rules = {key: value for key, value in RULES.items() if key != "description"}
    made = api.post("/api/v1/pools/", {**rules, "host": admin.organisation.slug}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["round_kind"] == "allocation" and made.json()["minimum_pot"] == "250.00"
    slug = made.json()["slug"]
    bad = api.patch(f"/api/v1/pools/{slug}/", {"quorum_percent": 150}, format="json")
    assert bad.status_code == 400 and "quorum_percent" in bad.json()
    for field, value in (
        ("matching_cap_percent", 0),
        ("matching_pool", "-1"),
        ("matching_funder", MembershipFactory(role=Role.ADMIN).organisation.slug),
    ):
        bad = api.patch(f"/api/v1/pools/{slug}/", {field: value}, format="json")
        assert bad.status_code == 400 and field in bad.json(), (field, bad.json())
    rotation = api.patch(
        f"/api/v1/pools/{slug}/", {"round_kind": "rotation", "matching_pool": "500"}, format="json"
    )
    assert rotation.status_code == 400 and "matching_pool" in rotation.json()
    matched = api.patch(
        f"/api/v1/pools/{slug}/",
        {"matching_pool": "1000", "matching_cap_percent": 40},
        format="json",
    )
    assert matched.status_code == 200, matched.json()
    assert (matched.json()["matching_pool"], matched.json()["matching_funder"]) == (
        "1000.00",
        None,
    )
    changed = api.patch(f"/api/v1/pools/{slug}/", {"quorum_percent": 25}, format="json")
    assert changed.status_code == 200 and changed.json()["quorum_percent"] == 25
    assert Pool.objects.get(slug=slug).quorum_percent == 25

    api.force_authenticate(UserFactory())
    assert api.patch(
        f"/api/v1/pools/{slug}/", {"quorum_percent": 1}, format="json"
    ).status_code in (
        403,
        404,
    )
    other = api.post("/api/v1/pools/", {**rules, "host": admin.organisation.slug}, format="json")
    assert other.status_code == 403 and other.json()
    unknown = api.post("/api/v1/pools/", {**rules, "host": "nowhere"}, format="json")
    assert unknown.status_code == 400 and "host" in unknown.json()
    assert Pool.objects.get(slug=slug).quorum_percent == 25


@pytest.fixture
def admin_api():
    admin = MembershipFactory(role=Role.ADMIN)
    api = APIClient()
    api.force_authenticate(admin.user)
    return api, admin


def test_the_administrators_add_colleges_and_approve_members(client):
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation, membership_policy="approval")
    waiting = PoolMembershipFactory(pool=pool, status="pending")
    edit = reverse("pledges:pool_edit", kwargs={"slug": pool.slug})
    colleges = reverse("pledges:college_add", kwargs={"slug": pool.slug})
    approve = reverse("pledges:membership_approve", kwargs={"slug": pool.slug, "pk": waiting.pk})

    client.force_login(UserFactory())
    assert client.post(colleges, {"name": "Usagers", "weight_percent": "60"}).status_code == 404
    assert client.post(approve).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "pending" and not pool.colleges.exists()

    client.force_login(admin.user)
    page = client.get(edit)
    assert waiting.name in page.text  # the approval queue
    assert client.post(colleges, {"name": "Usagers", "weight_percent": "60"}).status_code == 302
    refused = client.post(colleges, {"name": "Fondateurs", "weight_percent": "50"}, follow=True)
    assert re.search(r"100\s*%", refused.text)  # 60 + 50: told next to the form
    assert list(pool.colleges.values_list("name", "weight_percent")) == [("Usagers", 60)]
    assert client.post(approve).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "active"
    assert "Usagers" in client.get(edit).text


def _members(pool, count):
    users = UserFactory.create_batch(count)
    for user in users:
        PoolMembershipFactory(pool=pool, user=user)
    return users


def test_the_pool_and_round_pages_cost_the_same_queries_from_10_to_500_members(client, admin):
    """#19 and #24: the pool page listed every member (paginated now) and its query count must
    not grow with the members; nor must the rules page with its approval queue."""
    pool = PoolFactory(host=admin.organisation)
    first = _members(pool, 10)
    round_, _candidacies = voting_round(pool, admin.user, [ProjectFactory(), ProjectFactory()])
    pages = [
        (first[0], pool.get_absolute_url()),
        (first[0], round_.get_absolute_url()),
        (admin.user, reverse("pledges:pool_edit", kwargs={"slug": pool.slug})),
    ]

    def queries() -> list[int]:
        counts = []
        for person, url in pages:
            client.force_login(person)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    pool.memberships.filter(user__in=first[5:]).update(status="pending")
    with_ten = queries()
    _members(pool, 490)
    pool.memberships.filter(pk__gt=pool.memberships.order_by("pk")[250].pk).update(status="pending")
    assert queries() == with_ten
    client.force_login(admin.user)
    rules = client.get(reverse("pledges:pool_edit", kwargs={"slug": pool.slug}))
    assert len(rules.context["waiting"]) == 100 and rules.context["waiting_count"] == 254
    client.force_login(first[0])
    page = client.get(pool.get_absolute_url())
    assert len(page.context["members"].object_list) == 100
    assert "500 membres" in page.text and "Dans l’ordre de leur arrivée." in page.text
    listed = list(page.context["members"].object_list)
    assert listed == sorted(listed, key=lambda member: member.pk)
    assert len(client.get(pool.get_absolute_url(), {"members": 5}).context["members"]) == 100
