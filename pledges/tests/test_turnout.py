"""Turnout during the vote: counts only, and the quorum the tally will apply."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pledges.selectors import Turnout

from .factories import voting_round
from .support import vote


@given(
    quorum=st.integers(0, 100),
    electorate=st.integers(0, 500),
    share=st.floats(0, 1),
)
def test_the_quorum_shown_is_the_one_the_tally_applies(quorum, electorate, share):
    voters = round(electorate * share)
    turnout = Turnout(voters=voters, electorate=electorate, quorum_percent=quorum)
    tally_fails = voters * 100 < quorum * electorate or not voters  # pledges.rounds.round_tally
    assert turnout.quorum_reached is not tally_fails
    assert turnout.quorum_needed >= 1
    assert 0 <= turnout.percent <= 100


@pytest.mark.django_db
def test_the_round_page_shows_voters_so_far_and_the_quorum(client, pool, admin, members, projects):
    round_, candidacies = voting_round(pool, admin.user, projects)
    url = round_.get_absolute_url()
    page = client.get(url).content.decode()
    assert "0 membre sur 5 a voté" in page  # French: zero is singular
    assert "quorum\u202f: 3 votants (50\u202f%)" in page
    for member in members[:3]:
        vote(round_, member, {c.pk: 3 for c in candidacies})
    page = client.get(url).content.decode()
    assert "3 membres sur 5 ont voté" in page and "quorum atteint" in page
