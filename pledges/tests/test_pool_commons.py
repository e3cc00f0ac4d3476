"""The commons a pool funds (#19): its administrators list them (pages and API); nominations
may be limited to the list; the rotation cycles over it and the pool page shows where the
cycle stands."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from commons_fund.members.tests.factories import UserFactory
from pledges import rounds, services
from pledges.models import PoolCommons
from projects.models import ProjectStatus
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolMembershipFactory, voting_round
from .support import close_vote, vote

pytestmark = pytest.mark.django_db


def _listed(pool):
    return sorted(pool.listed_commons.values_list("project__slug", flat=True))


def test_administrators_list_the_commons_on_the_pool_page_and_no_one_else(client, pool, admin):
    alpha = ProjectFactory(name="Alpha")
    ProjectFactory(name="Beta", slug="beta")
    client.force_login(admin.user)
    add = reverse("pledges:pool_commons_add", kwargs={"slug": pool.slug})
    assert client.post(add, {"commons": "alpha"}).status_code == 302  # its exact name
    client.post(add, {"commons": alpha.slug})  # twice: refused, said
    client.post(add, {"commons": "beta"})
    assert _listed(pool) == sorted([alpha.slug, "beta"])
    page = client.get(reverse("pledges:pool_edit", kwargs={"slug": pool.slug}))
    assert "déjà sur la liste" in page.text and "Alpha" in page.text
    assert client.post(add, {"commons": "nowhere"}).status_code == 302
    assert "Aucun commun n’a cette adresse" in client.get(pool.get_absolute_url()).text

    remove = reverse("pledges:pool_commons_remove", kwargs={"slug": pool.slug, "project": "beta"})
    client.force_login(UserFactory())
    assert client.post(add, {"commons": "beta"}).status_code == 404
    assert client.post(remove).status_code == 404
    assert _listed(pool) == sorted([alpha.slug, "beta"])
    client.force_login(admin.user)
    assert client.post(remove).status_code == 302
    assert _listed(pool) == [alpha.slug]
    assert client.post(remove).status_code == 404  # not on the list any more


def test_an_archived_commons_cannot_be_listed(pool, admin):
    archived = ProjectFactory(status=ProjectStatus.ARCHIVED)
    with pytest.raises(ValidationError) as refused:
        services.pool_commons_add(pool=pool, actor=admin.user, project=archived)
    assert "commons" in refused.value.message_dict
    assert not PoolCommons.objects.exists()


def test_nominations_limited_to_the_list(pool, admin, members):
    listed, other = ProjectFactory(), ProjectFactory()
    with pytest.raises(ValidationError) as refused:  # a rule that nothing could satisfy
        services.pool_update(pool=pool, actor=admin.user, nomination_rule="listed")
    assert "nomination_rule" in refused.value.message_dict
    services.pool_commons_add(pool=pool, actor=admin.user, project=listed)
    pool = services.pool_update(pool=pool, actor=admin.user, nomination_rule="listed")
    with pytest.raises(ValidationError) as refused:  # the last one cannot leave the list now
        services.pool_commons_remove(pool=pool, actor=admin.user, project=listed)
    assert "nomination_rule" in refused.value.message_dict

    round_ = rounds.round_schedule(pool=pool, actor=admin.user)
    with pytest.raises(ValidationError) as refused:
        rounds.candidacy_nominate(round_=round_, actor=members[0].user, project=other)
    assert "project" in refused.value.message_dict
    assert rounds.candidacy_nominate(round_=round_, actor=members[0].user, project=listed)


def test_the_rotation_cycles_over_the_list_and_the_pool_page_shows_it(client, pool, admin):
    voters = [PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership]
    alpha, beta, gamma = (ProjectFactory(name=name) for name in ("Alpha", "Beta", "Gamma"))
    services.pool_update(pool=pool, actor=admin.user, commons=[alpha, beta, gamma])

    def won(candidates, winner):
        round_, candidacies = voting_round(pool, admin.user, candidates)
        vote(round_, voters[0], {c.pk: 6 if c.project_id == winner.pk else 0 for c in candidacies})
        close_vote(round_)

    # Alpha and Beta alone are nominated, then only Beta: the cycle is not over while Gamma,
    # on the list, has not had its turn (without a list it would have ended).
    won([alpha, beta], alpha)
    won([beta], beta)
    page = client.get(pool.get_absolute_url())
    assert page.context["cycle"] == 1
    assert [(p.name, turn) for p, turn in page.context["listed_commons"]] == [
        ("Alpha", True),
        ("Beta", True),
        ("Gamma", False),
    ]
    assert "Les communs que ce fonds finance" in page.text
    won([gamma], gamma)
    assert client.get(pool.get_absolute_url()).context["cycle"] == 2


def test_the_api_reads_and_replaces_the_list(pool, admin):
    ProjectFactory(slug="alpha"), ProjectFactory(slug="beta")
    api = APIClient()
    api.force_authenticate(admin.user)
    url = f"/api/v1/pools/{pool.slug}/"
    changed = api.patch(url, {"commons": ["alpha", "beta"]}, format="json")
    assert changed.status_code == 200 and changed.json()["commons"] == ["alpha", "beta"]
    changed = api.patch(url, {"commons": ["beta"], "nomination_rule": "listed"}, format="json")
    assert changed.json()["commons"] == ["beta"] and changed.json()["nomination_rule"] == "listed"
    bad = api.patch(url, {"commons": ["nowhere"]}, format="json")
    assert bad.status_code == 400 and "commons" in bad.json()
    emptied = api.patch(url, {"commons": []}, format="json")  # listed nominations need a list
    assert emptied.status_code == 400 and "nomination_rule" in emptied.json()
    assert _listed(pool) == ["beta"]  # nothing half-written
    assert APIClient().get(url).json()["commons"] == ["beta"]
