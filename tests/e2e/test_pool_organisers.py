"""A pool run by an organisation, in a real browser (see conftest.py): rules with a
matching pool and colleges, an approval queue, one ballot per member a person acts for,
the projected matching as ballots are counted, and the worker moving the round on."""

from datetime import timedelta

import pytest

from pledges.models import Round, RoundState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_association_runs_an_allocation_pool_with_matching_and_colleges(
    demo, journey, celery_worker, settings
):
    """#19: an association's administrator creates an allocation pool with a matching pool
    and two colleges; a member joins after approval; a person votes for herself and for her
    association; the projected match moves as ballots are counted; the worker tallies and
    collects the round."""
    from commons_fund.jobs import queue
    from commons_fund.payments.models import ChargeStatus
    from pledges.models import Pool, PoolMembership
    from tests.helpers import wait_for

    settings.BALLOT_BOX_MINIMUM = 1  # each ballot leaves the box at the beat's next pass
    page = journey.page

    def submit(form: str) -> None:
        page.locator(f"{form} button[type=submit]").first.click()
        page.wait_for_load_state()

    def switch_to(email: str) -> None:
        page.context.clear_cookies()  # the other person logs out
        journey.log_in(email)

    def beat(task: str, done) -> None:
        queue(task)
        assert wait_for(done), f"the worker did not run {task}"

    journey.log_in("dominique@demo.test")
    page.goto("/fr/pools/new/")
    page.select_option("select[name=host]", label="Normandie Libre")
    page.fill("input[name=name]", "Fonds des tiers-lieux normands")
    page.select_option("select[name=round_kind]", "allocation")
    page.fill("input[name=quorum_percent]", "30")
    page.select_option("select[name=membership_policy]", "approval")
    page.fill("input[name=publication_threshold]", "2")
    page.check("input[name=projected_match_public]")
    page.fill("input[name=matching_pool]", "600")
    page.fill("input[name=matching_cap_percent]", "70")
    journey.shot("pool-rules")
    submit("main form.form")
    pool = Pool.objects.get(name="Fonds des tiers-lieux normands")
    assert page.url.endswith(pool.get_absolute_url())
    assert "600,00" in page.locator("main").inner_text()  # the matching shown on the page

    page.goto(f"/fr/pools/{pool.slug}/edit/")
    for name, weight in (("Habitants", "50"), ("Structures", "50")):
        page.fill("form[action$='/colleges/'] input[name=name]", name)
        page.fill("form[action$='/colleges/'] input[name=weight_percent]", weight)
        submit("form[action$='/colleges/']")
    assert pool.colleges.count() == 2

    def join(member_label: str, college: str) -> None:
        page.goto(pool.get_absolute_url())
        page.select_option("select[name=member]", label=member_label)
        option = page.locator("select[name=college] option", has_text=college)
        page.select_option("select[name=college]", option.get_attribute("value"))
        submit("form[action$='/join/']")

    join("Dominique Normand", "Habitants")
    join("Normandie Libre", "Structures")
    switch_to("camille@demo.test")
    join("Camille Trésorière", "Habitants")
    assert PoolMembership.objects.get(pool=pool, user__email="camille@demo.test").status == (
        "pending"
    )  # she waits for the administrators' approval
    switch_to("dominique@demo.test")
    page.goto(f"/fr/pools/{pool.slug}/edit/")
    journey.shot("approval-queue")
    while page.locator("form[action*='/approve/']").count():
        submit("form[action*='/approve/']")
    assert PoolMembership.objects.filter(pool=pool, status="active").count() == 3

    def pledge(member_label: str, amount: str) -> None:
        page.goto(f"/fr/pools/{pool.slug}/pledge/")
        page.select_option("select[name=membership]", label=member_label)
        page.fill("input[name=amount]", amount)
        page.check("input[name=method][value=transfer]")
        submit("main form.form")

    pledge("Dominique Normand", "10")
    pledge("Normandie Libre", "40")
    switch_to("camille@demo.test")
    pledge("Camille Trésorière", "20")

    switch_to("dominique@demo.test")
    page.goto(pool.get_absolute_url())
    page.locator("summary", has_text="Programmer le prochain tour").click()
    submit("form[action$='/rounds/new/']")
    round_ = pool.rounds.get()
    submit("form[action$='/actions/advance/']")  # nominations open now
    for name in ("Movilab", "Dokos"):
        page.select_option("select[name=project]", label=name)
        submit("form[action$='/nominate/']")
    submit("form[action$='/actions/open_voting/']")
    round_.refresh_from_db()
    assert round_.state == RoundState.VOTING and round_.matching_pool.amount == 600
    text = page.locator("main").inner_text()
    assert "600,00" in text and "70" in text  # the matching and its cap, frozen

    field = {c.project.name: f"c{c.pk}" for c in round_.candidacies.select_related("project")}

    def vote(movilab: str, dokos: str) -> None:
        page.fill(f"form.ballot input[name={field['Movilab']}]", movilab)
        page.fill(f"form.ballot input[name={field['Dokos']}]", dokos)
        submit("form.ballot")

    def projected() -> dict[str, str]:
        page.goto(round_.get_absolute_url())
        rows = page.locator("section[aria-labelledby=projected-title] tbody tr")
        return {
            rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").inner_text()
            for i in range(rows.count())
        }

    page.goto(round_.get_absolute_url())
    vote("10", "0")  # for herself
    assert "reçu" in page.locator("main").inner_text().lower()  # her ballot's receipt
    journey.shot("receipt")
    page.goto(round_.get_absolute_url())
    page.locator("nav.voters a", has_text="Normandie Libre").click()
    page.wait_for_load_state()
    assert "Vous votez pour Normandie Libre" in page.locator("main").inner_text()
    vote("10", "30")  # for her association
    beat("pledges.tasks.ballots_unseal_waiting", lambda: round_.ballots.count() == 2)
    first = projected()
    assert set(first) == {"Movilab", "Dokos"}
    journey.shot("projected-matching")

    switch_to("camille@demo.test")
    page.goto(round_.get_absolute_url())
    vote("0", "20")
    beat("pledges.tasks.ballots_unseal_waiting", lambda: round_.ballots.count() == 3)
    assert projected() != first  # the projection moved with the third ballot

    Round.objects.filter(pk=round_.pk).update(
        voting_closes_at=round_.vote_opened_at + timedelta(seconds=1)
    )
    beat(
        "pledges.tasks.rounds_advance",
        lambda: (
            Round.objects.get(pk=round_.pk).state == RoundState.COLLECTING
            and not round_.pot_instalments.filter(charge__isnull=True).exists()
        ),
    )
    round_.refresh_from_db()
    assert sum(round_.results["matching"].values()) > 0
    assert {c.charge.status for c in round_.pot_instalments.select_related("charge")} == {
        ChargeStatus.AWAITING_TRANSFER
    }
    page.goto(round_.get_absolute_url())
    journey.shot("results")
    assert "Movilab" in page.locator("main").inner_text()
