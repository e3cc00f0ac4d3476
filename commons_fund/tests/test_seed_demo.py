from io import StringIO

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from commons_fund.members.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def _snapshot() -> str:
    """Every row of every model, as JSON: equal snapshots mean nothing changed."""
    models = [m for m in apps.get_models() if m._meta.app_label not in {"sessions", "admin"}]
    return serializers.serialize(
        "json", [obj for model in models for obj in model._default_manager.order_by("pk")]
    )


def test_seed_demo_twice_changes_nothing(demo_data):
    first = _snapshot()
    call_command("seed_demo", stdout=StringIO())
    assert _snapshot() == first

    assert (
        Organisation.objects.filter(
            slug__in=[
                "ouvaton",
                "octopuce",
                "normandie-libre",
                "framasoft",
                "la-quadrature-du-net",
                "debian-france",
                "data-patch",
                "movilab",
                "dokos",
            ]
        ).count()
        == 9
    )
    assert Organisation.objects.get(slug="ouvaton").founded_year == 2001
    assert (
        Membership.objects.get(user__email="camille@demo.test", organisation__slug="ouvaton").role
        == Role.TREASURER
    )
    # every organisation keeps an administrator
    assert not Organisation.objects.exclude(memberships__role=Role.ADMIN).exists()


def test_printed_demo_logins_work(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "camille@demo.test" in line)
    email, password = (part.strip() for part in line.split("/"))
    response = client.post("/fr/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302
    assert client.get("/fr/my/").status_code == 200
    assert User.objects.get(email=email).is_staff is False


def test_seed_demo_has_the_known_commons_figures(client, demo_data):
    from decimal import Decimal

    from projects.models import Project
    from projects.selectors import project_plan

    figures = {}
    for project in Project.objects.all():
        plan = project_plan(project=project)
        figures[project.slug] = sorted(
            (source.funder_name, source.amount.amount, source.status)
            for source in plan.sources
            if source.kind != "pool_round"
        )
        assert client.get(project.get_absolute_url(), follow=True).status_code == 200
    assert figures["movilab"] == [
        ("ADEME", Decimal("12000.00"), "received"),
        ("Co-financement des tiers-lieux", Decimal("10000.00"), "received"),
    ]
    assert [amount for _f, amount, _s in figures["dokos"]] == [Decimal("10000.00")]
    assert [amount for _f, amount, _s in figures["cahier-activites-tiers-lieux"]] == [
        Decimal("15000.00")
    ]
    assert figures["communs-des-tiers-lieux"] == [
        ("ANCT", Decimal("20000.00"), "received"),
        ("Co-financement des tiers-lieux", Decimal("20000.00"), "granted"),
        ("France Tiers-Lieux", Decimal("10000.00"), "applied"),
    ]
    assert ("ADEME", Decimal("30000.00"), "applied") in figures["data-patch-commun-de-donnees"]
    assert {"services-ouvaton", "bouquet-normand"} <= set(figures)
    movilab = project_plan(project=Project.objects.get(slug="movilab"))
    assert (movilab.minimum, movilab.optimum, movilab.gap_to_minimum) == (
        Decimal("22000.00"),
        Decimal("25000.00"),
        Decimal("0.00"),
    )
    assert not any(
        budget.warnings
        for project in Project.objects.all()
        for budget in project_plan(project=project).steps
    )


def test_seed_demo_has_a_pool_with_history(client, demo_data):
    from commons_fund.ledger.selectors import ledger_totals
    from pledges.models import Pool

    pool = Pool.objects.get(slug="fonds-commun-normand")
    assert pool.host.slug == "normandie-libre"
    assert pool.memberships.count() == 15
    states = list(pool.rounds.order_by("number").values_list("state", "kind"))
    assert states == [
        ("closed", "rotation"),
        ("closed", "rotation"),
        ("voting", "rotation"),
        ("nominating", ""),
    ]
    first, second, voting, allocation = pool.rounds.order_by("number")
    assert (first.winner.project.slug, second.winner.project.slug) == ("movilab", "dokos")
    assert first.ballots.count() == 12 and voting.sealed_ballots.count() == 6
    assert allocation.matching_pool.amount == 1000
    assert all(total == 0 for total in ledger_totals().values())
    for url in (
        pool.get_absolute_url(),
        first.get_absolute_url(),
        voting.get_absolute_url(),
        allocation.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200


def test_seed_demo_has_reciprocity(client, demo_data):
    from decimal import Decimal

    from django.utils import timezone

    from reciprocity.models import ReciprocityContract, RevenueSharePolicy
    from reciprocity.selectors import policy_amounts, reciprocity_wall

    contracts = ReciprocityContract.objects.filter(state="signed")
    assert {(c.partner.slug, c.project.slug) for c in contracts} == {
        ("numerique-bocage", "bouquet-normand"),
        ("data-patch", "dokos"),
    }
    late = {row.partner.slug: row.late for row in reciprocity_wall(today=timezone.localdate())}
    assert late == {"numerique-bocage": False, "data-patch": True}
    amounts = policy_amounts(policy=RevenueSharePolicy.objects.get(organisation__slug="ouvaton"))
    assert amounts.total == Decimal("875.50")
    assert [amount for _b, amount in amounts.shares] == [Decimal("437.75")] * 2
    for contract in contracts:
        assert contract.signed_sha256


def test_seed_demo_has_ouvatons_yearly_accounts(client, demo_data):
    from decimal import Decimal

    from commons_fund.finances.models import FinancialYear
    from commons_fund.finances.selectors import finances_overview

    ouvaton = Organisation.objects.get(slug="ouvaton")
    years = FinancialYear.objects.filter(organisation=ouvaton).order_by("year")
    for accounts in years:
        accounts.full_clean()
        assert accounts.warnings() == []
    assert [a.year for a in years if a.illustrative] == [2019, 2020, 2021]
    overview = finances_overview(organisation=ouvaton)
    by_year = {figures.year: figures for figures in overview.years}
    assert by_year[2022].share_value == Decimal("7.54")
    assert by_year[2022].accounts.share_capital.amount == Decimal(143_024)
    latest = overview.latest
    assert latest.share_value == Decimal("9.53")
    assert (latest.half_capital.gap, latest.half_capital.years_to_close) == (
        Decimal(24_095),
        Decimal("1.6"),
    )
    assert latest.non_members.percent == Decimal("14.18")
    assert latest.donation_due == latest.accounts.donations_made.amount == Decimal("875.50")
    assert overview.positive_streak == 4
    response = client.get("/fr/comptes-ouvaton/")
    assert response.status_code == 200 and "9,53" in response.text


def test_seed_demo_rebuilds_the_site_tree_on_emptied_tables(client):
    from wagtail.models import Page, Site

    Site.objects.all().delete()
    Page.objects.all().delete()
    call_command("seed_demo", stdout=StringIO())
    assert client.get("/fr/").status_code == 200
    assert client.get("/fr/communs/").status_code == 200
