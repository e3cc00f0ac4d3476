"""Reads for the actors' page: who funds which commons, who gives back, and where they are.

An actor is an organisation, a pool, a commons, or a funder known only by its name (ADEME,
a région…). A flow is money from one actor to another, summed over the records of one kind:
- pool payouts and funding granted to a commons (co-financing and seed budgets, public
  subsidies, donations) — a commons' funding sources, granted or received;
- reciprocity — what a partner paid under its contracts (nothing shown when the partner
  chose to show only its status), a signed contract with nothing paid yet counting as a
  flow of 0 €;
- 1 % for the libre — each organisation's latest revenue-share policy, what it gives to
  each beneficiary.
Reciprocity funding sources typed by hand on a commons' plan are left out: the paid
declarations already carry that money.

A constant number of queries, whatever the number of actors and records.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum, TextChoices
from django.utils.translation import gettext_lazy as _

from commons_fund.members.models import Organisation
from commons_fund.members.territories import DEPARTMENTS, REGION_OF_DEPARTMENT
from commons_fund.translations import translated
from pledges.models import Pool
from projects.models import FundingSource, Project, SourceKind, SourceStatus
from reciprocity.models import DeclarationStatus
from reciprocity.selectors import policies_with_amounts, wall_contracts


class FlowKind(TextChoices):
    POOL = "pool", _("Pool payouts")
    COFINANCING = "cofinancing", _("Co-financing")
    SUBSIDY = "subsidy", _("Public subsidies")
    RECIPROCITY = "reciprocity", _("Reciprocity")
    # xgettext:no-python-format
    ONE_PERCENT = "one_percent", _("1 % for the libre")
    DONATION = "donation", _("Donations")


class ActorKind(TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    POOL = "pool", _("Pool")
    COMMONS = "commons", _("Commons")
    FUNDER = "funder", _("Funder")


_SOURCE_FLOWS = {
    SourceKind.POOL_ROUND: FlowKind.POOL,
    SourceKind.SEED: FlowKind.COFINANCING,
    SourceKind.COFINANCING: FlowKind.COFINANCING,
    SourceKind.SUBSIDY: FlowKind.SUBSIDY,
    SourceKind.DONATION: FlowKind.DONATION,
}


@dataclass(frozen=True)
class Actor:
    key: str  # "organisation:3", "pool:1", "commons:5", "funder:ADEME"
    kind: str
    name: str
    url: str = ""
    departments: tuple[str, ...] = ()  # where it is; empty when nowhere in particular
    regions: tuple[str, ...] = ()

    def located_in(self, territory: tuple[str, str]) -> bool:
        """Within a territory from the filter: ("region", "28"), ("department", "14") or
        ("national", "") for actors tied to no place."""
        scope, code = territory
        if scope == "national":
            return not self.departments and not self.regions
        if scope == "region":
            return code in self.regions or any(
                REGION_OF_DEPARTMENT.get(d) == code for d in self.departments
            )
        return code in self.departments


@dataclass
class Flow:
    source: Actor
    target: Actor
    kind: str
    amount: Decimal | None = Decimal(0)  # None: the giver does not publish it
    settled: Decimal = Decimal(0)  # the part received or paid (the rest is granted, due)

    @property
    def label(self) -> str:
        return str(FlowKind(self.kind).label)


@dataclass
class Actors:
    flows: list[Flow] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)


def _organisation_actor(organisation: Organisation) -> Actor:
    return Actor(
        key=f"organisation:{organisation.pk}",
        kind=ActorKind.ORGANISATION,
        name=organisation.name,
        url=organisation.get_absolute_url(),
        departments=(organisation.department,) if organisation.department else (),
        regions=(organisation.region,) if organisation.region else (),
    )


def _commons_actor(project: Project, hosts: dict[int, Organisation]) -> Actor:
    """A commons is where it says it works, else where its hosting structure is."""
    departments, regions = tuple(project.departments), tuple(project.regions)
    host = hosts.get(project.host_id)
    if not departments and host is not None and host.department:
        departments = (host.department,)
    return Actor(
        key=f"commons:{project.pk}",
        kind=ActorKind.COMMONS,
        name=translated(project, "name"),
        url=project.get_absolute_url(),
        departments=departments,
        regions=regions,
    )


def _pool_actor(pool: Pool, hosts: dict[int, Organisation]) -> Actor:
    host = hosts.get(pool.host_id)
    place = _organisation_actor(host) if host is not None else None
    return Actor(
        key=f"pool:{pool.pk}",
        kind=ActorKind.POOL,
        name=pool.name,
        url=pool.get_absolute_url(),
        departments=place.departments if place else (),
        regions=place.regions if place else (),
    )


def _funder_actor(name: str) -> Actor:
    return Actor(key=f"funder:{name}", kind=ActorKind.FUNDER, name=name)


def _source_rows() -> list[dict]:
    return list(
        FundingSource.objects.filter(
            status__in=[SourceStatus.GRANTED, SourceStatus.RECEIVED],
            kind__in=list(_SOURCE_FLOWS),
        )
        .values("kind", "funder_id", "funder_name", "project_id", "round__pool_id")
        .annotate(
            total=Sum("amount"), settled=Sum("amount", filter=Q(status=SourceStatus.RECEIVED))
        )
        .order_by()
    )


def _contract_rows(today: date) -> list[dict]:
    return list(
        wall_contracts(today=today)
        .values("partner_id", "project_id")
        .annotate(
            paid=Sum("declarations__due", filter=Q(declarations__status=DeclarationStatus.PAID)),
            hidden=Count("pk", filter=Q(show_amounts=False)),
        )
        .order_by()
    )


def _latest_policies() -> list:
    latest: dict[int, object] = {}
    for amounts in policies_with_amounts():  # newest year first
        latest.setdefault(amounts.policy.organisation_id, amounts)
    return list(latest.values())


def actors_and_flows(
    *, today: date, territory: tuple[str, str] | None = None, kind: str = ""
) -> Actors:
    """Every flow between actors, largest first, kept when its kind is `kind` (any when
    empty) and when its giver or its receiver is within `territory`; the actors of the
    flows kept, by name."""
    sources, contracts, policies = _source_rows(), _contract_rows(today), _latest_policies()
    organisation_ids = {row["funder_id"] for row in sources if row["funder_id"]}
    organisation_ids |= {row["partner_id"] for row in contracts}
    project_ids = {row["project_id"] for row in sources} | {row["project_id"] for row in contracts}
    for amounts in policies:
        organisation_ids.add(amounts.policy.organisation_id)
        for beneficiary in amounts.policy.beneficiaries.all():
            if beneficiary.project_id:
                project_ids.add(beneficiary.project_id)
            else:
                organisation_ids.add(beneficiary.organisation_id)
    pools = {
        pool.pk: pool
        for pool in Pool.objects.filter(
            pk__in={row["round__pool_id"] for row in sources if row["round__pool_id"]}
        ).only("pk", "name", "slug", "host_id")
    }
    projects = {
        project.pk: project
        for project in Project.objects.filter(pk__in=project_ids).only(
            "pk", "name", "slug", "host_id", "departments", "regions", "translations"
        )
    }
    organisation_ids |= {pool.host_id for pool in pools.values()}
    organisation_ids |= {project.host_id for project in projects.values()}
    organisations = {
        organisation.pk: organisation
        for organisation in Organisation.objects.filter(pk__in=organisation_ids).only(
            "pk", "name", "slug", "department", "region"
        )
    }
    organisation = {pk: _organisation_actor(o) for pk, o in organisations.items()}
    commons = {pk: _commons_actor(p, organisations) for pk, p in projects.items()}

    flows: dict[tuple[str, str, str], Flow] = {}

    def add(source: Actor, target: Actor, flow_kind: str, amount, settled) -> None:
        flow = flows.setdefault(
            (source.key, target.key, flow_kind), Flow(source, target, flow_kind)
        )
        if amount is None or flow.amount is None:
            flow.amount = None
        else:
            flow.amount += amount
        flow.settled += settled or Decimal(0)

    for row in sources:
        if row["round__pool_id"]:
            source = _pool_actor(pools[row["round__pool_id"]], organisations)
        elif row["funder_id"]:
            source = organisation[row["funder_id"]]
        else:
            source = _funder_actor(row["funder_name"])
        add(
            source,
            commons[row["project_id"]],
            _SOURCE_FLOWS[row["kind"]],
            row["total"],
            row["settled"],
        )
    for row in contracts:
        paid = None if row["hidden"] else (row["paid"] or Decimal(0))
        add(
            organisation[row["partner_id"]],
            commons[row["project_id"]],
            FlowKind.RECIPROCITY,
            paid,
            paid,
        )
    for amounts in policies:
        giver = organisation[amounts.policy.organisation_id]
        for beneficiary, share in amounts.shares:
            target = (
                commons[beneficiary.project_id]
                if beneficiary.project_id
                else organisation[beneficiary.organisation_id]
            )
            add(giver, target, FlowKind.ONE_PERCENT, share or Decimal(0), Decimal(0))

    kept = [
        flow
        for flow in flows.values()
        if (not kind or flow.kind == kind)
        and (
            territory is None
            or flow.source.located_in(territory)
            or flow.target.located_in(territory)
        )
    ]
    kept.sort(key=lambda flow: (-(flow.amount or 0), flow.source.name, flow.target.name))
    actors = {flow.source.key: flow.source for flow in kept}
    actors |= {flow.target.key: flow.target for flow in kept}
    return Actors(flows=kept, actors=sorted(actors.values(), key=lambda a: a.name.lower()))


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    actors: list[Actor]


def actors_by_department(actors: list[Actor]) -> list[DepartmentRow]:
    """The départements with actors, in their code's order (an actor working in several
    départements counts in each)."""
    found: dict[str, list[Actor]] = defaultdict(list)
    for actor in actors:
        for department in actor.departments:
            found[department].append(actor)
    return [
        DepartmentRow(code, name, found[code])
        for code, name, _region in DEPARTMENTS
        if code in found
    ]
