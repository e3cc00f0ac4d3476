"""#24: the nominating round's page rendered every commons in one <select> (5 003 options,
2 s at ×100): with many commons, the member types the commons' name and gets suggestions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges import rounds
from pledges.forms import NOMINABLE_LISTED
from pledges.models import RoundState
from projects.models import Project
from projects.tests.factories import ProjectFactory

from .factories import PoolFactory, PoolMembershipFactory

pytestmark = pytest.mark.django_db


def _nominating(admin):
    pool = PoolFactory(host=admin.organisation)
    round_ = rounds.round_open_nominations(
        round_=rounds.round_schedule(pool=pool, actor=admin.user)
    )
    assert round_.state == RoundState.NOMINATING
    return pool, round_


def _commons(count, word="Commun"):
    host = ProjectFactory().host
    Project.objects.bulk_create(
        [
            ProjectFactory.build(name=f"{word} {i:04}", slug=f"{word.lower()}-{i:04}", host=host)
            for i in range(count)
        ]
    )


def test_few_commons_are_chosen_from_a_list(client, admin):
    _pool, round_ = _nominating(admin)
    _commons(2)
    client.force_login(admin.user)
    page = client.get(round_.get_absolute_url())
    nominable = Project.objects.count()  # few: every one is offered (and no search field)
    assert len(re.findall(r'<option value="\d+"', page.text)) == nominable <= NOMINABLE_LISTED
    assert "data-search-url" not in page.text


def test_many_commons_are_typed_with_suggestions_and_the_page_stays_small(client, admin):
    pool, round_ = _nominating(admin)
    member = PoolMembershipFactory(pool=pool)
    _commons(NOMINABLE_LISTED + 10)
    client.force_login(member.user)

    def measured():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(round_.get_absolute_url())
        return len(captured), len(page.content), page

    queries, size, page = measured()
    assert 'data-search-url="' in page.text and "Commun 0001" not in page.text
    _commons(500, word="Autre")
    again_queries, again_size, _page = measured()
    assert again_queries == queries and abs(again_size - size) < 100

    found = client.get(f"{round_.get_absolute_url()}nominable/", {"q": "commun 003"}).json()
    assert [c["slug"] for c in found["results"]] == [f"commun-003{i}" for i in range(10)]
    assert (
        len(client.get(f"{round_.get_absolute_url()}nominable/", {"q": "au"}).json()["results"])
        == 20
    )  # a page of suggestions, never the whole list

    response = client.post(f"{round_.get_absolute_url()}nominate/", {"project": "Commun 0042"})
    assert response.status_code == 302
    assert list(round_.candidacies.values_list("project__slug", flat=True)) == ["commun-0042"]
    client.post(f"{round_.get_absolute_url()}nominate/", {"project": "Commun 0042"})  # again
    assert round_.candidacies.count() == 1  # already a candidate: not nominable any more
    unknown = client.post(
        f"{round_.get_absolute_url()}nominate/", {"project": "Nulle part"}, follow=True
    )
    assert "Aucun commun" in unknown.text and round_.candidacies.count() == 1


def test_only_those_who_may_nominate_get_suggestions(client, admin):
    from commons_fund.members.tests.factories import UserFactory

    _pool, round_ = _nominating(admin)
    client.force_login(UserFactory())
    assert client.get(f"{round_.get_absolute_url()}nominable/", {"q": "c"}).status_code == 404
