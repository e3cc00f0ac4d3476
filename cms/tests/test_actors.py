import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from djmoney.money import Money

from cms.actors import FlowKind, actors_and_flows, actors_by_department
from cms.actors_drawing import MAX_DRAWN, network
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from pledges.models import Round
from pledges.tests.factories import PoolFactory
from projects import services as projects
from projects.models import FundingSource, SourceKind, SourceStatus
from projects.tests.factories import ProjectFactory
from reciprocity import services as reciprocity
from reciprocity.tests.factories import declare_and_pay, signed_contract

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


def _source(project, kind, amount, status=SourceStatus.GRANTED, **fields):
    return FundingSource.objects.create(
        project=project,
        kind=kind,
        amount=Money(amount, "EUR"),
        status=status,
        funder_name=fields.pop("funder_name", "ADEME"),
        **fields,
    )


def _pool_payout(project, amount, *, host=None):
    pool = PoolFactory(host=host or OrganisationFactory())
    now = timezone.now()
    round_ = Round.objects.create(
        pool=pool,
        number=1,
        nominations_open_at=now - timedelta(days=3),
        voting_opens_at=now - timedelta(days=2),
        voting_closes_at=now - timedelta(days=1),
    )
    _source(
        project,
        SourceKind.POOL_ROUND,
        amount,
        funder=pool.host,
        funder_name=pool.name,
        round=round_,
    )
    return pool


def _one_percent(revenue: str, beneficiaries: list, split: str = "equal"):
    """An organisation giving 1 % of last year's `revenue` this year; its treasurer."""
    giver = MembershipFactory(role=Role.TREASURER)
    reciprocity.policy_set(
        organisation=giver.organisation,
        actor=giver.user,
        year=2026,
        percent="1",
        base_revenue=Decimal(revenue),
        beneficiaries=beneficiaries,
        split=split,
    )
    return giver


def _flows(**filters):
    found = actors_and_flows(today=TODAY, **filters)
    return {(f.source.name, f.target.name, f.kind): f.amount for f in found.flows}


def test_every_kind_of_money_between_actors_and_nothing_merely_asked_for():
    commons = ProjectFactory(name="Bouquet normand")
    normandy = OrganisationFactory(name="Normandie Libre", region="28", department="76")
    _pool_payout(commons, "300", host=normandy)
    subsidy = _source(commons, SourceKind.SUBSIDY, "12000")
    projects.funding_source_receive(source=subsidy, actor=None, received_on=date(2026, 5, 2))
    _source(commons, SourceKind.COFINANCING, "1500", funder=normandy, funder_name="NL")
    _source(commons, SourceKind.COFINANCING, "999", funder=normandy, status=SourceStatus.APPLIED)
    _source(commons, SourceKind.SUBSIDY, "777", funder_name="ANCT", status=SourceStatus.REFUSED)
    contract = signed_contract(project=commons)
    declare_and_pay(contract, date(2026, 1, 1), "1 000")  # 10 % → 100 €
    hidden = signed_contract(project=commons, show_amounts=False)
    declare_and_pay(hidden, date(2026, 1, 1), "5 000")
    giver = _one_percent("30000", [(commons, 1), (normandy, 2)], split="weights")

    flows = _flows()

    pool_name = FundingSource.objects.get(kind=SourceKind.POOL_ROUND).round.pool.name
    assert flows == {
        (pool_name, "Bouquet normand", FlowKind.POOL): Decimal("300"),
        ("ADEME", "Bouquet normand", FlowKind.SUBSIDY): Decimal("12000"),
        ("Normandie Libre", "Bouquet normand", FlowKind.COFINANCING): Decimal("1500"),
        (contract.partner.name, "Bouquet normand", FlowKind.RECIPROCITY): Decimal("100"),
        (hidden.partner.name, "Bouquet normand", FlowKind.RECIPROCITY): None,  # not published
        (giver.organisation.name, "Bouquet normand", FlowKind.ONE_PERCENT): Decimal("100"),
        (giver.organisation.name, "Normandie Libre", FlowKind.ONE_PERCENT): Decimal("200"),
    }
    largest = actors_and_flows(today=TODAY).flows[0]
    assert (largest.amount, largest.settled) == (Decimal("12000"), Decimal("12000"))


def test_a_signed_contract_with_nothing_paid_yet_is_a_flow_of_nothing():
    contract = signed_contract()
    assert _flows() == {
        (contract.partner.name, contract.project.name, FlowKind.RECIPROCITY): Decimal(0)
    }


def test_filters_keep_the_flows_a_territory_or_a_kind_touches():
    rennes = ProjectFactory(name="Rennes", departments=["35"], regions=[])
    caen_host = OrganisationFactory(name="Caen", region="28", department="14")
    caen = ProjectFactory(name="Caen commons", host=caen_host, departments=[], regions=[])
    paris = OrganisationFactory(name="Paris", region="11", department="75")
    _source(rennes, SourceKind.SUBSIDY, "100", funder_name="Région Bretagne")
    _source(caen, SourceKind.COFINANCING, "200", funder=paris, funder_name="Paris")
    national = ProjectFactory(name="Everywhere", departments=[], regions=[])
    _source(national, SourceKind.DONATION, "300", funder_name="Donors")

    assert set(_flows(territory=("department", "35"))) == {
        ("Région Bretagne", "Rennes", FlowKind.SUBSIDY)
    }
    # A commons without a place of its own is where its hosting structure is.
    assert set(_flows(territory=("region", "28"))) == {("Paris", "Caen commons", "cofinancing")}
    assert set(_flows(territory=("department", "75"))) == {("Paris", "Caen commons", "cofinancing")}
    # Funders known by their name only are tied to no place.
    assert set(_flows(territory=("national", ""))) == {
        ("Donors", "Everywhere", "donation"),
        ("Région Bretagne", "Rennes", "subsidy"),
    }
    assert set(_flows(kind=FlowKind.SUBSIDY)) == {("Région Bretagne", "Rennes", "subsidy")}
    assert _flows(kind=FlowKind.RECIPROCITY) == {}

    rows = actors_by_department(actors_and_flows(today=TODAY).actors)
    assert [(row.code, [a.name for a in row.actors]) for row in rows] == [
        ("14", ["Caen commons"]),
        ("35", ["Rennes"]),
        ("75", ["Paris"]),
    ]


def _add_world(index: int) -> None:
    host = OrganisationFactory(department="14", region="28")
    commons = ProjectFactory(host=host, departments=["76"], regions=[])
    _pool_payout(commons, "50", host=host)
    _source(commons, SourceKind.COFINANCING, "20", funder=OrganisationFactory())
    _source(commons, SourceKind.SUBSIDY, "30", funder_name=f"Funder {index}")
    contract = signed_contract(project=commons)
    declare_and_pay(contract, date(2026, 1, 1), "100")
    _one_percent("1000", [(commons, 1), (host, 1)])


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/actors/")
    assert response.status_code == 200
    return len(queries)


def test_the_page_reads_as_many_queries_for_two_worlds_as_for_twelve(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    for index in range(2):
        _add_world(index)
    few = _page_queries(client)
    for index in range(2, 12):
        _add_world(index)
    assert _page_queries(client) == few


def test_the_page_draws_the_network_the_map_and_their_tables(client):
    host = OrganisationFactory(name="Numérique Bocage", region="28", department="14")
    commons = ProjectFactory(name="Bouquet normand", host=host, departments=["14"], regions=[])
    _source(commons, SourceKind.COFINANCING, "1500", funder=host, funder_name="NB")

    page = client.get("/fr/actors/").content.decode()

    assert re.search(r'<svg viewBox="0 0 760 \d+" class="network-svg" role="img"', page)
    assert "<title>Numérique Bocage → Bouquet normand · Cofinancement · 1\u202f500,00\xa0€" in page
    # Calvados is shaded and leads to the page filtered on it, with its count in words.
    assert '<a href="?territory=department:14" aria-label="Calvados\u202f: 2 acteurs">' in page
    assert '<path d="M' in page and page.count('class="shade-0"') == 95
    # A circle as large as the number of actors, on the département (Paris is a speck).
    assert re.search(r'<circle cx="(\d+\.\d)" cy="(\d+\.\d)" r="6.5" class="actors-dot"/>', page)
    assert '<a href="?territory=department:14">14 – Calvados</a>' in page
    assert "1\u202f500,00\xa0€" in page
    assert "CC BY 4.0" in page  # the base map's licence


@pytest.mark.parametrize(
    "query", ["territory=department:99", "territory=<script>", "kind=gift", "kind=subsidy&kind=x"]
)
def test_an_unknown_filter_is_named_next_to_its_field_and_filters_nothing(client, query):
    commons = ProjectFactory(name="Rennes", departments=["35"], regions=[])
    _source(commons, SourceKind.SUBSIDY, "100", funder_name="Région Bretagne")

    response = client.get(f"/fr/actors/?{query}")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist"' in page and "Sélectionnez un choix valide" in page
    assert "Région Bretagne" in page
    assert "<script>" not in page.split("<main", 1)[1]


def test_no_flow_says_so():
    assert actors_and_flows(today=TODAY).flows == []
    assert network([]).links == []


def test_the_network_draws_the_largest_flows_and_ranks_givers_by_what_they_give():
    commons = ProjectFactory()
    for index in range(MAX_DRAWN + 5):
        _source(commons, SourceKind.SUBSIDY, str(10 + index), funder_name=f"Funder {index:02d}")
    drawn = network(actors_and_flows(today=TODAY).flows)
    assert len(drawn.links) == MAX_DRAWN
    givers = [node for node in drawn.nodes if node.giver]
    assert givers[0].actor.name == f"Funder {MAX_DRAWN + 4:02d}"
    assert [node.y for node in givers] == sorted(node.y for node in givers)
    widths = [link.width for link in drawn.links]
    assert widths == sorted(widths, reverse=True) and widths[0] == 16.0


def test_the_base_map_is_small_and_has_every_metropolitan_departement():
    path = Path(__file__).resolve().parents[1] / "data" / "departements.json"
    data = json.loads(path.read_text())
    assert path.stat().st_size < 40_000
    assert len(data["shapes"]) == 96 and {"2A", "2B", "75", "14"} <= set(data["shapes"])
    assert all(re.fullmatch(r"(M\d+ \d+l[-\d ]+z)+", shape) for shape in data["shapes"].values())


def test_each_departement_has_its_centre_inside_the_map():
    from cms.actors_drawing import _centre, _shapes

    centres = {code: _centre(path) for code, path in _shapes()["shapes"].items()}
    assert all(0 < x < 613 and 0 < y < 585 for x, y in centres.values())
    # Paris lies north of Lyon and east of Rennes; Corsica south-east of everything.
    assert centres["75"][1] < centres["69"][1] and centres["75"][0] > centres["35"][0]
    assert centres["2A"][0] > centres["13"][0] and centres["2A"][1] > centres["75"][1]


def test_commons_are_named_in_the_visitors_language(client):
    commons = ProjectFactory(
        name="Bouquet normand", translations={"en": {"name": "Normandy bundle"}}
    )
    _source(commons, SourceKind.SUBSIDY, "100")
    assert "Normandy bundle" in client.get("/en/actors/").content.decode()
    assert "Bouquet normand" in client.get("/fr/actors/").content.decode()
