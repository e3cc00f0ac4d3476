"""Reads of pools and rounds: who acts for which member, who votes, where the rotation
stands, what a pot holds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from commons_fund.ledger.selectors import owners_posted_total
from commons_fund.members.models import Membership, Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.money import DEFAULT_CURRENCY, from_minor_units, minor_units, round_cents
from commons_fund.payments import selectors as payment_selectors
from projects.models import BudgetLine, Project, ProjectStatus

from .models import (
    METHODS_ALLOWED,
    RESULT_STATES,
    Candidacy,
    CandidacyStatus,
    Instalment,
    InstalmentStatus,
    MemberStatus,
    NominationRule,
    Pool,
    PoolCommons,
    PoolMembership,
    RotationRule,
    Round,
    RoundState,
    VoterRoll,
)


def pool_admin(*, pool: Pool, user: User) -> bool:
    return organisation_has_role(organisation=pool.host, user=user)


def organisations_hosting_for(*, user: User) -> QuerySet[Organisation]:
    """The organisations for which this person may create a pool (they administer them)."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.ADMIN
    ).order_by("name")


def matching_funders_for(*, user: User, pool: Pool | None = None) -> QuerySet[Organisation]:
    """The structures this person may name to fund a pool's matching: those they administer
    and, for an existing pool, the organisations that joined it (never a stranger, who
    would be asked for money it never offered)."""
    condition = Q(memberships__user=user, memberships__role=Role.ADMIN)
    if pool is not None:
        condition |= Q(pool_memberships__pool=pool)
    return Organisation.objects.filter(
        pk__in=Organisation.objects.filter(condition).values("pk")
    ).order_by("name")


def pool_treasurer(*, pool: Pool, user: User) -> bool:
    return organisation_has_role(
        organisation=pool.host, user=user, roles=(Role.ADMIN, Role.TREASURER)
    )


def organisations_acted_for(*, user: User) -> list[int]:
    """The organisations a person acts for in pools (those they administer or keep the
    accounts of), read first as a list: `organisation_id IN (…)` beside `user_id = …` lets
    PostgreSQL combine two index scans, where a subquery there made it scan every
    membership of the pool (50 000 at ×100)."""
    return list(
        Membership.objects.filter(user=user, role__in=[Role.ADMIN, Role.TREASURER]).values_list(
            "organisation_id", flat=True
        )
    )


def memberships_of(*, pool: Pool, user: User) -> QuerySet[PoolMembership]:
    """The active memberships a person acts for: their own, and those of the organisations
    they administer or keep the accounts of."""
    if not user.is_authenticated:
        return PoolMembership.objects.none()
    organisations = organisations_acted_for(user=user)
    return (
        PoolMembership.objects.filter(
            Q(user=user) | Q(organisation__in=organisations), pool=pool, status=MemberStatus.ACTIVE
        )
        .select_related("user", "organisation", "college")
        # The person's own membership first, then the organisations', on every database.
        .order_by(F("organisation_id").asc(nulls_first=True), "pk")
    )


def acting_membership(*, pool: Pool, user: User) -> PoolMembership | None:
    """The member a person acts for by default: themselves first, else an organisation."""
    return memberships_of(pool=pool, user=user).first()


def _voters(round_: Round) -> QuerySet[PoolMembership]:
    """Members with a vote in this round: active members, except (when the pool says so)
    those whose payment defaulted in the previous round."""
    members = PoolMembership.objects.filter(pool=round_.pool_id, status=MemberStatus.ACTIVE)
    if not round_.pool.defaulters_vote:
        defaulted = Instalment.objects.filter(
            round__pool=round_.pool_id,
            round__number=round_.number - 1,
            status=InstalmentStatus.DEFAULTED,
        ).values("pledge__membership")
        members = members.exclude(pk__in=defaulted)
    return members


def voting_members(*, round_: Round) -> list[int]:
    """Ids of the members with a vote in this round."""
    return list(_voters(round_).values_list("pk", flat=True))


def electorate_size(*, round_: Round) -> int:
    return _voters(round_).count()


def has_vote(*, round_: Round, membership: PoolMembership) -> bool:
    """Whether this member votes in this round: one indexed query, whatever the pool's size;
    members who joined after the vote opened do not."""
    if round_.vote_opened_at is None or membership.joined_at > round_.vote_opened_at:
        return False
    return _voters(round_).filter(pk=membership.pk).exists()


@dataclass
class Rotation:
    """Where the cycle stands: commons that won in this cycle wait for the others."""

    cycle: int = 1
    won: set[int] = field(default_factory=set)  # project ids
    eligible: set[int] = field(default_factory=set)
    listed: bool = False  # the cycle runs over the pool's list of commons

    @property
    def waiting(self) -> set[int]:
        return self.eligible - self.won


def rotation(*, pool: Pool) -> Rotation:
    """Replay the pool's rounds in order (two queries). With a list of the commons the pool
    funds, a cycle ends when every listed commons has won; without one, when every commons
    still nominated has won (withdrawn commons stop counting)."""
    listed = set(pool.listed_commons.values_list("project_id", flat=True))
    state = Rotation(eligible=set(listed), listed=bool(listed))
    rows = (
        Candidacy.objects.filter(round__pool=pool)
        .order_by("round__number", "pk")
        .values_list("round__number", "project_id", "status", "round__winner_id", "pk")
    )
    current, winner_project = None, None

    def close_round():
        if winner_project is not None:
            state.won.add(winner_project)
            if state.eligible and state.eligible <= state.won:
                state.cycle += 1
                state.won.clear()
                state.eligible = set(listed)

    for number, project_id, status, winner_id, pk in rows:
        if number != current:
            close_round()
            current, winner_project = number, None
        if not listed:  # with a list, the list says who takes part in the cycle
            if status == CandidacyStatus.NOMINATED:
                state.eligible.add(project_id)
            else:
                state.eligible.discard(project_id)
        if winner_id == pk:
            winner_project = project_id
    close_round()
    return state


@dataclass(frozen=True)
class Pot:
    promised: Decimal  # euros promised for the round (pending commitments)
    collected: Decimal
    voided: Decimal


@dataclass(frozen=True)
class Turnout:
    """How many members have voted so far, of those with a vote, and the quorum (counts
    only: never who)."""

    voters: int
    electorate: int
    quorum_percent: int

    @property
    def quorum_needed(self) -> int:
        """The fewest voters that make the quorum (the tally's rule: at least one voter)."""
        return max(1, -(-self.quorum_percent * self.electorate // 100))

    @property
    def quorum_reached(self) -> bool:
        return self.voters >= self.quorum_needed

    @property
    def percent(self) -> int:
        return self.voters * 100 // self.electorate if self.electorate else 0


def rounds_turnout(*, rounds: list[Round]) -> dict[int, Turnout | None]:
    """The turnout of each round whose vote has opened (None before): one query whatever
    the number of rounds. A counted round's number of voters is in its results for good;
    only rounds still voting are counted on their roll."""
    opened = [round_ for round_ in rounds if round_.vote_opened_at is not None]
    running = [round_ for round_ in opened if "voters" not in round_.results]
    counts = (
        dict(
            VoterRoll.objects.filter(round__in=running)
            .values("round")
            .annotate(voters=Count("pk"))
            .values_list("round", "voters")
        )
        if running
        else {}
    )
    turnouts: dict[int, Turnout | None] = dict.fromkeys((round_.pk for round_ in rounds), None)
    for round_ in opened:
        turnouts[round_.pk] = Turnout(
            voters=round_.results.get("voters", counts.get(round_.pk, 0)),
            electorate=round_.electorate,
            quorum_percent=round_.quorum_percent or 0,
        )
    return turnouts


def rounds_pots(*, rounds: list[Round]) -> dict[int, Pot]:
    """The pot of each round (its own promises and those carried into it): two queries
    whatever the number of rounds."""
    totals: dict[int, dict[str, Decimal]] = {round_.pk: defaultdict(Decimal) for round_ in rounds}
    ids = list(totals)
    for link in ("round", "carried_into"):
        rows = (
            Instalment.objects.filter(**{f"{link}__in": ids})
            .values(link, "status")
            .annotate(total=Sum("amount"))
            .values_list(link, "status", "total")
        )
        for round_id, status, total in rows:
            totals[round_id][status] += total
    return {
        pk: Pot(
            promised=sum(
                (v for k, v in by_status.items() if k != InstalmentStatus.VOIDED), Decimal(0)
            ),
            collected=by_status[InstalmentStatus.SUCCEEDED],
            voided=by_status[InstalmentStatus.VOIDED],
        )
        for pk, by_status in totals.items()
    }


def round_pot(*, round_: Round) -> Pot:
    return rounds_pots(rounds=[round_])[round_.pk]


def pool_list() -> QuerySet[Pool]:
    """Pools by name, each with its number of active members read from the counts the
    database keeps (`PoolMemberCount`): one row per pool shown, instead of grouping every
    membership of every pool before the page is cut."""
    return (
        Pool.objects.select_related("host")
        .annotate(members=Coalesce(F("member_count__active"), 0))
        .prefetch_related(
            Prefetch(
                "listed_commons",
                queryset=PoolCommons.objects.select_related("project").only(
                    "pool_id", "project__slug"
                ),
            )
        )
        .order_by("name")
    )


def pool_rounds(*, pool: Pool) -> list[Round]:
    return list(pool.rounds.select_related("winner__project").order_by("-number"))


def pool_members(*, pool: Pool) -> QuerySet[PoolMembership]:
    return (
        pool.memberships.filter(status__in=[MemberStatus.ACTIVE, MemberStatus.PENDING])
        .select_related("user", "organisation", "college")
        # In the order they joined: an order of the membership's own rows (index
        # pledges_member_pool_order) shows a page without sorting every member by name.
        .order_by("pk")
    )


def rounds_candidacies(*, rounds: list[Round]) -> dict[int, list[Candidacy]]:
    """The nominated candidacies of each round, each with `minimum` and `optimum` of its step
    (or of the whole commons) from the co-financing plans: two queries whatever their
    number."""
    candidacies = list(
        Candidacy.objects.filter(round__in=[r.pk for r in rounds], status=CandidacyStatus.NOMINATED)
        .select_related("project", "step")
        .order_by("project__name")
    )
    lines = BudgetLine.objects.filter(
        step__project__in={c.project_id for c in candidacies}, revision=F("step__budget_revision")
    ).values_list("step_id", "step__project_id", "required", "hours", "hourly_rate", "lump_sum")
    per_step, per_project = (
        defaultdict(lambda: [Decimal(0), Decimal(0)]),
        defaultdict(lambda: [Decimal(0), Decimal(0)]),
    )
    for step, project, required, hours, rate, lump in lines:
        amount = round_cents(lump if lump is not None else hours * rate)
        for totals in (per_step[step], per_project[project]):
            totals[1] += amount
            if required:
                totals[0] += amount
    by_round: dict[int, list[Candidacy]] = {round_.pk: [] for round_ in rounds}
    for candidacy in candidacies:
        totals = (
            per_step[candidacy.step_id] if candidacy.step_id else per_project[candidacy.project_id]
        )
        candidacy.minimum, candidacy.optimum = totals
        by_round[candidacy.round_id].append(candidacy)
    return by_round


def nominable_projects(*, round_: Round, search: str = "") -> QuerySet[Project]:
    """The commons that may still be nominated in the round: active, not already candidates,
    not winners yet under a strict rotation, on the pool's list when it nominates from it;
    `search` keeps those whose name or address contains it."""
    taken = round_.candidacies.filter(status=CandidacyStatus.NOMINATED).values("project")
    projects = Project.objects.exclude(
        status__in=[ProjectStatus.ARCHIVED, ProjectStatus.DORMANT]
    ).exclude(pk__in=taken)
    if round_.pool.rotation_rule == RotationRule.STRICT:
        projects = projects.exclude(pk__in=rotation(pool=round_.pool).won)
    if round_.pool.nomination_rule == NominationRule.LISTED:
        projects = projects.filter(funding_pools__pool=round_.pool)
    search = search.strip()
    if search:
        projects = projects.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    return projects.order_by("name")


def round_candidacies(*, round_: Round) -> list[Candidacy]:
    return rounds_candidacies(rounds=[round_])[round_.pk]


def treasury_collections(*, round_: Round) -> QuerySet[Instalment]:
    return round_.pot_instalments.select_related(
        "pledge__membership__user", "pledge__membership__organisation", "charge"
    ).order_by("status", "pk")


def member_promise(*, round_: Round, membership: PoolMembership) -> int:
    """Cents a member promised for a round: what an allocation ballot splits (ballots count
    in cents)."""
    amount = (
        Instalment.objects.filter(round=round_, pledge__membership=membership)
        .values_list("amount", flat=True)
        .first()
    )
    return minor_units(amount) if amount is not None else 0


def collected_total() -> Decimal:
    """Euros collected by every pool so far, refunds deducted: what the contributions
    accounts of the pools' books received, read from their kept balances (one row per pool,
    however many collections)."""
    cents = owners_posted_total(
        purpose="contributions",
        owner_type=ContentType.objects.get_for_model(Pool),
        currency=DEFAULT_CURRENCY,
    )
    return from_minor_units(-cents)


def open_rounds(*, limit: int = 5) -> list[Round]:
    """Rounds taking nominations or votes, the nearest close first."""
    return list(
        Round.objects.filter(state__in=[RoundState.NOMINATING, RoundState.VOTING])
        .select_related("pool")
        .order_by("voting_closes_at")[:limit]
    )


def latest_results(*, limit: int = 3) -> list[Round]:
    """The latest rounds with a winner published."""
    return list(
        Round.objects.filter(
            state__in=RESULT_STATES,
            winner__isnull=False,
        )
        .select_related("pool", "winner__project")
        .order_by("-voting_closes_at")[:limit]
    )


def commons_rounds(*, project: Project) -> dict:
    """The pools a commons is a candidate in and the rounds it won (two queries)."""
    return {
        "won": list(
            Candidacy.objects.filter(project=project, round__winner=F("pk"))
            .select_related("round__pool")
            .order_by("-round__voting_closes_at")
        ),
        "pools": list(
            Pool.objects.filter(rounds__candidacies__project=project).distinct().order_by("name")
        ),
    }


def methods_offered(*, pool: Pool, takes_cards: bool | None = None) -> list[str]:
    """How members may pay this pool's promises, in the order offered: its rule's ways, or
    bank transfer alone while its host has no connected Stripe account (`takes_cards`, when
    the caller knows it already)."""
    if takes_cards is None:
        takes_cards = payment_selectors.takes_cards(organisation=pool.host)
    allowed = METHODS_ALLOWED[pool.collection_methods] if takes_cards else {"transfer"}
    return [m for m in ("card", "sepa_debit", "transfer") if m in allowed]
