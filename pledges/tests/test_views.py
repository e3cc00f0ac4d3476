import secrets

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from djmoney.money import Money

from commons_fund.members.models import Role, User
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from commons_fund.payments.tests.factories import StripeAccountFactory
from pledges import notifications, rounds, services
from pledges.models import (
    Ballot,
    BallotLine,
    MemberStatus,
    Pledge,
    PoolMembership,
    RoundState,
    SealedBallot,
    VoterRoll,
)
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolMembershipFactory, voting_round

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _many_members(pool, count):
    """Members in bulk (with their pledges): the page must not care how many there are."""
    users = User.objects.bulk_create(
        [
            User(email=f"m{secrets.token_hex(6)}@example.org", first_name="Membre")
            for _ in range(count)
        ]
    )
    members = PoolMembership.objects.bulk_create(
        [PoolMembership(pool=pool, user=user, status=MemberStatus.ACTIVE) for user in users]
    )
    Pledge.objects.bulk_create(
        [Pledge(membership=m, amount="10.00", method="transfer") for m in members]
    )
    return members


def _voting_round(pool, admin, projects):
    return voting_round(pool, admin.user, projects)


def _bulk_ballots(round_, candidacies, count):
    made = Ballot.objects.bulk_create(
        [Ballot(round=round_, receipt=secrets.token_hex(6)) for _ in range(count)]
    )
    BallotLine.objects.bulk_create(
        [
            BallotLine(ballot=ballot, candidacy=candidacy, value=(ballot.pk + index) % 7)
            for ballot in made
            for index, candidacy in enumerate(candidacies)
        ]
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_pool_and_round_pages_do_not_grow_with_members_and_ballots(client, pool, admin):
    projects = [ProjectFactory() for _ in range(3)]
    _many_members(pool, 10)
    round_, candidacies = _voting_round(pool, admin, projects)
    _bulk_ballots(round_, candidacies, 10)
    member = PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership
    _login(client, member.user)
    urls = [pool.get_absolute_url(), round_.get_absolute_url(), reverse("pledges:pool_list")]
    few = [_count(client, url) for url in urls]
    _many_members(pool, 490)
    _bulk_ballots(round_, candidacies, 490)
    assert [_count(client, url) for url in urls] == few

    VoterRoll.objects.bulk_create(
        [VoterRoll(round=round_, membership=m) for m in pool.memberships.all()]
    )
    round_ = rounds.round_tally(round_=round_, now=round_.voting_closes_at)
    assert round_.state == RoundState.TALLIED
    results = [
        round_.get_absolute_url(),
        reverse("pledges:round_receipts", kwargs={"slug": pool.slug, "number": 1}),
    ]
    many = [_count(client, url) for url in results]
    page = client.get(round_.get_absolute_url())
    assert "merit-bar" in page.text
    assert len(page.context["results"]["rows"]) == 3
    Ballot.objects.filter(pk__in=Ballot.objects.order_by("pk").values("pk")[:400]).delete()
    assert [_count(client, url) for url in results] == many


def test_voting_from_the_page_shows_the_receipt_once(client, pool, admin):
    projects = [ProjectFactory(name=name) for name in ("Alpha", "Beta")]
    member = PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership
    round_, (alpha, beta) = _voting_round(pool, admin, projects)
    _login(client, member.user)
    page = client.get(round_.get_absolute_url())
    assert page.context["ballot_form"] is not None
    assert "Excellent" in page.text and "À rejeter" in page.text
    vote_url = reverse("pledges:round_vote", kwargs={"slug": pool.slug, "number": 1})
    response = client.post(vote_url, {f"c{alpha.pk}": "6"})  # Beta left ungraded
    assert response.status_code == 400
    assert f"c{beta.pk}" in response.context["ballot_form"].errors
    assert not VoterRoll.objects.exists()
    response = client.post(vote_url, {f"c{alpha.pk}": "6", f"c{beta.pk}": "2"})
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert receipt in response.text
    assert receipt not in client.get(round_.get_absolute_url()).text  # shown once
    response = client.post(vote_url, {f"c{alpha.pk}": "1", f"c{beta.pk}": "1"})
    assert response.status_code == 400
    assert "previous_receipt" in response.context["ballot_form"].errors
    response = client.post(
        vote_url, {f"c{alpha.pk}": "1", f"c{beta.pk}": "1", "previous_receipt": receipt}
    )
    assert response.status_code == 200
    assert SealedBallot.objects.count() == 1 and VoterRoll.objects.count() == 1


def test_outsiders_get_no_ballot_and_no_console(client, pool, admin):
    projects = [ProjectFactory()]
    round_, _candidacies = _voting_round(pool, admin, projects)
    outsider = UserFactory()
    _login(client, outsider)
    assert client.get(round_.get_absolute_url()).context["ballot_form"] is None
    response = client.post(
        reverse("pledges:round_vote", kwargs={"slug": pool.slug, "number": 1}), {}
    )
    assert response.status_code == 404
    for name, kwargs in (
        ("round_collections", {"number": 1}),
        ("round_action", {"number": 1, "action": "cancel"}),
        ("round_schedule", {}),
    ):
        url = reverse(f"pledges:{name}", kwargs={"slug": pool.slug, **kwargs})
        response = (
            client.post(url, {"reason": "x"}) if name != "round_collections" else client.get(url)
        )
        assert response.status_code == 404, name
    round_.refresh_from_db()
    assert round_.state == RoundState.VOTING
    receipts = reverse("pledges:round_receipts", kwargs={"slug": pool.slug, "number": 1})
    assert client.get(receipts).status_code == 404  # published once tallied


def test_joining_and_pledging_from_the_pages(client, pool):
    person = UserFactory()
    _login(client, person)
    response = client.post(
        reverse("pledges:pool_join", kwargs={"slug": pool.slug}), {"member": "me"}
    )
    assert response["Location"] == reverse("pledges:pledge_create", kwargs={"slug": pool.slug})
    membership = PoolMembership.objects.get(user=person)
    url = reverse("pledges:pledge_create", kwargs={"slug": pool.slug})
    for amount in ("-3", "abc", "0", "1.500"):  # #20: "1.500" became 1,50 €
        response = client.post(
            url, {"membership": membership.pk, "amount": amount, "method": "transfer"}
        )
        assert response.status_code == 400
        assert 'id="id_amount_error"' in response.text
    assert "1500,00" in response.text  # the unambiguous ways to write it
    response = client.post(url, {"membership": membership.pk, "amount": "15", "method": "card"})
    assert "method" in response.context["form"].errors  # its host takes transfers only
    assert "virements" in client.get(url).text
    StripeAccountFactory(organisation=pool.host)
    response = client.post(url, {"membership": membership.pk, "amount": "15", "method": "card"})
    assert "saved_method" in response.context["form"].errors
    assert not Pledge.objects.exists()
    response = client.post(
        url,
        {"membership": membership.pk, "amount": "15", "method": "transfer", "rounds_total": "6"},
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.amount.amount, pledge.rounds_total) == (15, 6)
    page = client.get(reverse("pledges:my_pledges"))
    assert "Fonds normand" in page.text
    client.post(reverse("pledges:pledge_change", kwargs={"pk": pledge.pk}), {"amount": "20"})
    client.post(reverse("pledges:pledge_status", kwargs={"pk": pledge.pk}), {"status": "paused"})
    pledge.refresh_from_db()
    assert (pledge.amount.amount, pledge.status) == (20, "paused")
    _login(client, UserFactory())
    response = client.post(
        reverse("pledges:pledge_change", kwargs={"pk": pledge.pk}), {"amount": "1"}
    )
    assert response.status_code == 404


def test_an_organisation_can_join_a_pool_that_already_has_people(client, pool):
    """Regression: people's memberships (no organisation) used to hide every organisation
    from the form ("NOT IN (…, NULL)")."""
    person = UserFactory()
    _login(client, person)
    client.post(reverse("pledges:pool_join", kwargs={"slug": pool.slug}), {"member": "me"})
    association = MembershipFactory(user=person, role=Role.ADMIN).organisation
    form = client.get(pool.get_absolute_url()).context["join_form"]
    assert str(association.pk) in dict(form.fields["member"].choices)
    client.post(
        reverse("pledges:pool_join", kwargs={"slug": pool.slug}), {"member": str(association.pk)}
    )
    assert PoolMembership.objects.filter(pool=pool, organisation=association).exists()
    form = client.get(pool.get_absolute_url()).context["join_form"]
    assert str(association.pk) not in dict(form.fields["member"].choices)


def test_an_administrator_schedules_and_cancels(client, pool, admin):
    _login(client, admin.user)
    response = client.post(reverse("pledges:round_schedule", kwargs={"slug": pool.slug}), {})
    round_ = pool.rounds.get()
    assert response["Location"] == round_.get_absolute_url()
    url = reverse(
        "pledges:round_action", kwargs={"slug": pool.slug, "number": 1, "action": "cancel"}
    )
    client.post(url, {"reason": ""})
    round_.refresh_from_db()
    assert round_.state == RoundState.SCHEDULED
    client.post(url, {"reason": "Dates à revoir"})
    round_.refresh_from_db()
    assert (round_.state, round_.reason) == (RoundState.CANCELLED, "Dates à revoir")


def test_approval_pools_wait_for_the_administrators(client, pool, admin):
    services.pool_update(pool=pool, actor=admin.user, membership_policy="approval")
    person = UserFactory()
    _login(client, person)
    client.post(reverse("pledges:pool_join", kwargs={"slug": pool.slug}), {"member": "me"})
    assert PoolMembership.objects.get(user=person).status == MemberStatus.PENDING


def test_a_person_acting_for_two_members_votes_for_each(client, pool, admin):
    """#19: dominique acts for herself and for Normandie Libre; the ballot always read "you
    vote for Dominique" and Normandie Libre could never vote."""
    association = MembershipFactory(role=Role.ADMIN, user=admin.user).organisation
    herself = PledgeFactory(membership=PoolMembershipFactory(pool=pool, user=admin.user))
    ours = PledgeFactory(
        membership=PoolMembershipFactory(pool=pool, user=None, organisation=association)
    )
    projects = [ProjectFactory(name="Alpha"), ProjectFactory(name="Beta")]
    round_, (alpha, beta) = _voting_round(pool, admin, projects)
    _login(client, admin.user)
    url = reverse("pledges:round_detail", kwargs={"slug": pool.slug, "number": round_.number})
    vote = reverse("pledges:round_vote", kwargs={"slug": pool.slug, "number": round_.number})
    marks = {f"c{alpha.pk}": 5, f"c{beta.pk}": 1}

    page = client.get(url)
    assert page.context["voter"] == herself.membership
    assert f"?for={ours.membership.pk}" in page.text  # the other member, a link away
    assert client.post(vote, {**marks, "membership": herself.membership.pk}).status_code == 200
    page = client.get(url)  # the next member who has not voted yet
    assert page.context["voter"] == ours.membership
    assert association.name in page.text
    done = client.post(vote, {**marks, "membership": ours.membership.pk})
    assert done.status_code == 200 and "receipt" in done.context
    assert VoterRoll.objects.filter(round=round_).count() == 2
    assert Ballot.objects.filter(round=round_).count() + round_.sealed_ballots.count() == 2

    stranger = PoolMembershipFactory(pool=pool)  # not someone dominique acts for
    assert client.post(vote, {**marks, "membership": stranger.pk}).status_code == 404
    assert client.get(f"{url}?for={stranger.pk}").context["voter"] in (
        herself.membership,
        ours.membership,
    )


def test_an_allocation_round_is_shown_as_one_with_its_matching_pool(client, pool, admin):
    """#19: an allocation round read "Mode : Jugement majoritaire" with the rotation block,
    its email asked to choose the commons that receives the pot, and its matching pool and
    cap were shown nowhere."""
    pool = services.pool_update(pool=pool, actor=admin.user, round_kind="allocation")
    PledgeFactory(membership=PoolMembershipFactory(pool=pool))
    projects = [ProjectFactory(name="Alpha"), ProjectFactory(name="Beta")]
    round_, _candidacies = voting_round(
        pool, admin.user, projects, matching_pool=Money(1500, "EUR"), matching_cap_percent=40
    )
    page = client.get(round_.get_absolute_url())
    text = page.text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Jugement majoritaire" not in text and "Majority judgment" not in text
    assert page.context["shows_rotation"] is False
    assert "1 500,00 €" in text and "40 %" in text
    notifications.round_notify(round_=round_, event="voting_open")
    assert "reçoit le pot" not in mail.outbox[0].body
    assert "receives the pot" not in mail.outbox[0].body


def test_an_allocation_ballot_may_give_nothing_to_a_candidate(client, pool, admin):
    """Found in the browser journey of #19: splitting a 10 € promise as 10 € and 0 € was
    refused ("Le montant doit être supérieur à zéro") — 0 is a share like any other."""
    pool = services.pool_update(pool=pool, actor=admin.user, round_kind="allocation")
    member = PledgeFactory(membership=PoolMembershipFactory(pool=pool), amount="10").membership
    projects = [ProjectFactory(name="Alpha"), ProjectFactory(name="Beta")]
    round_, (alpha, beta) = voting_round(pool, admin.user, projects)
    client.force_login(member.user)
    response = client.post(
        f"{round_.get_absolute_url()}vote/",
        {"membership": member.pk, f"c{alpha.pk}": "10", f"c{beta.pk}": "0"},
    )
    assert response.status_code == 200, response.context["ballot_form"].errors
    assert round_.voters.count() == 1


def test_after_a_refused_ballot_the_links_to_the_other_ballots_still_work(client, pool, admin):
    """Found in the browser journey of #19: the refused ballot's page is the answer to
    `…/vote/`, so its relative links `?for=<member>` asked `…/vote/?for=…` — a 405."""
    from commons_fund.members.models import Role
    from commons_fund.members.tests.factories import MembershipFactory

    person = PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership
    association = MembershipFactory(user=person.user, role=Role.ADMIN).organisation
    theirs = PledgeFactory(
        membership=PoolMembershipFactory(pool=pool, organisation=association, user=None)
    ).membership
    round_, _candidacies = voting_round(pool, admin.user, [ProjectFactory(name="Alpha")])
    client.force_login(person.user)
    refused = client.post(f"{round_.get_absolute_url()}vote/", {"membership": person.pk})
    assert refused.status_code == 400
    link = f'href="{round_.get_absolute_url()}?for={theirs.pk}#ballot-title"'
    assert link in refused.text
    assert client.get(f"{round_.get_absolute_url()}?for={theirs.pk}").status_code == 200
