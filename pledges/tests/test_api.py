import pytest
from rest_framework.test import APIClient

from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments.tests.factories import StripeAccountFactory
from pledges import rounds
from pledges.models import Pledge, SealedBallot, VoterRoll
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolMembershipFactory, voting_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def voting(pool, admin):
    members = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(3)
    ]
    round_, candidacies = voting_round(
        pool, admin.user, [ProjectFactory(slug=slug) for slug in ("alpha", "beta")]
    )
    return round_, candidacies, members


def test_pools_and_rounds_are_public(api, voting):
    round_, _candidacies, _members = voting
    pools = api.get("/api/v1/pools/").json()["results"]
    assert [(p["slug"], p["members"]) for p in pools] == [("normandie", 3)]
    detail = api.get(f"/api/v1/rounds/{round_.pk}/").json()
    assert detail["state"] == "voting" and detail["seed"]
    assert [c["project"] for c in detail["candidacies"]] == ["alpha", "beta"]
    assert detail["pot"]["promised"] == 3000
    assert detail["turnout"] == {
        "voters": 0,
        "electorate": 3,
        "quorum_needed": 2,  # the pool's 50 %
        "quorum_reached": False,
    }
    assert api.get("/api/v1/rounds/", {"state": "pirate"}).status_code == 400
    assert api.get("/api/v1/rounds/", {"pool": "normandie"}).json()["count"] == 1
    response = api.get(f"/api/v1/rounds/{round_.pk}/results/")
    assert response.status_code == 404 and "detail" in response.json()


def test_the_rounds_list_reads_a_page_in_a_fixed_number_of_queries(
    api, voting, admin, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # count the reads, not the page cache
    from .factories import PoolFactory

    def fetch():
        return api.get("/api/v1/rounds/")

    # count, page, candidacies, budget lines, pots by round and carried in, turnouts
    with django_assert_num_queries(7):
        one = fetch().json()
    for number in range(3):
        other = PoolFactory(host=admin.organisation, slug=f"autre-{number}")
        PledgeFactory(membership=PoolMembershipFactory(pool=other))
        voting_round(other, admin.user, [ProjectFactory(), ProjectFactory()])
    with django_assert_num_queries(7):
        four = fetch().json()
    assert (one["count"], four["count"]) == (1, 4)
    first = next(row for row in four["results"] if row["id"] == one["results"][0]["id"])
    assert first == one["results"][0]
    assert all(
        len(row["candidacies"]) == 2 and row["pot"]["promised"] == 1000
        for row in four["results"]
        if row["pool"] != "normandie"
    )


def test_my_ballot_then_the_published_results(api, voting):
    round_, (alpha, beta), members = voting
    url = f"/api/v1/rounds/{round_.pk}/ballot/"
    assert api.post(url, {"marks": {}}, format="json").status_code in (401, 403)
    api.force_authenticate(UserFactory())
    assert (
        api.post(url, {"marks": {str(alpha.pk): 6, str(beta.pk): 1}}, format="json").status_code
        == 404
    )  # not a member
    receipts = []
    for index, member in enumerate(members):
        api.force_authenticate(member.user)
        bad = api.post(url, {"marks": {str(alpha.pk): 9, str(beta.pk): 1}}, format="json")
        assert bad.status_code == 400 and "marks" in bad.json()
        response = api.post(
            url, {"marks": {str(alpha.pk): 6 - index, str(beta.pk): 2}}, format="json"
        )
        assert response.status_code == 201
        receipts.append(response.json()["receipt"])
    again = api.put(url, {"marks": {str(alpha.pk): 0, str(beta.pk): 6}}, format="json")
    assert again.status_code == 400 and "previous_receipt" in again.json()
    replaced = api.put(
        url,
        {"marks": {str(alpha.pk): 0, str(beta.pk): 6}, "previous_receipt": receipts[-1]},
        format="json",
    )
    assert replaced.status_code == 201
    assert VoterRoll.objects.count() == SealedBallot.objects.count() == 3

    round_.publication_threshold = 3  # the three voters' ballots are published
    round_.save(update_fields=["publication_threshold"])
    rounds.round_tally(round_=round_, now=round_.voting_closes_at)
    api.force_authenticate(None)
    results = api.get(f"/api/v1/rounds/{round_.pk}/results/").json()
    assert results["winner"] == alpha.pk
    ranking = {row["candidacy"]: row["counts"] for row in results["ranking"]}
    assert ranking[alpha.pk] == [1, 0, 0, 0, 0, 1, 1]  # counts per grade, worst first
    assert results["grades_worst_first"][0] == "À rejeter"
    published = {row["receipt"]: row["marks"] for row in results["receipts"]["results"]}
    assert published[replaced.json()["receipt"]] == {str(alpha.pk): 0, str(beta.pk): 6}
    assert receipts[-1] not in published
    assert results["receipts"]["count"] == 3


def test_nominating_through_the_api(api, pool, admin):
    round_ = rounds.round_schedule(pool=pool, actor=admin.user)
    member = PoolMembershipFactory(pool=pool)
    ProjectFactory(slug="dokos")
    api.force_authenticate(UserFactory())
    url = f"/api/v1/rounds/{round_.pk}/candidacies/"
    assert api.post(url, {"project": "dokos"}, format="json").status_code == 403
    api.force_authenticate(member.user)
    assert api.post(url, {"project": "nope"}, format="json").status_code == 400
    response = api.post(url, {"project": "dokos"}, format="json")
    assert response.status_code == 201
    assert response.json()["project"] == "dokos"


def test_my_pledges_through_the_api(api, pool):
    StripeAccountFactory(organisation=pool.host)  # it takes cards
    member = PoolMembershipFactory(pool=pool)
    api.force_authenticate(member.user)
    url = "/api/v1/pledges/"
    for body, field in (
        ({"amount": "-5", "method": "transfer"}, "amount"),
        ({"amount": "5", "method": "card"}, "saved_method"),
    ):
        response = api.post(url, {"membership": member.pk, **body}, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    assert not Pledge.objects.exists()
    response = api.post(
        url, {"membership": member.pk, "amount": "12,50", "method": "transfer"}, format="json"
    )
    assert response.status_code == 201
    pledge = response.json()
    assert pledge["amount"] == "12.50"
    response = api.patch(
        f"{url}{pledge['id']}/", {"amount": "20", "status": "paused"}, format="json"
    )
    assert response.json()["status"] == "paused" and response.json()["amount"] == "20.00"
    api.force_authenticate(UserFactory())
    assert api.get(url).json()["count"] == 0
    assert api.patch(f"{url}{pledge['id']}/", {"amount": "1"}, format="json").status_code == 404
    other = PoolMembershipFactory(pool=pool)
    response = api.post(
        url, {"membership": other.pk, "amount": "5", "method": "transfer"}, format="json"
    )
    assert response.status_code == 403


def test_a_malformed_pledge_id_is_a_json_404(api):
    """Found by the API fuzzing: `null,null` as an id used to be a 500."""
    api.force_authenticate(UserFactory())
    response = api.patch("/api/v1/pledges/null,null/", {"amount": "5"}, format="json")
    assert response.status_code == 404 and response.json()["detail"]
