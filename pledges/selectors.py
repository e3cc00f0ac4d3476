"""Reads of pools and rounds: who acts for which member, who votes, where the rotation
stands, what a pot holds."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from commons_fund.members.models import Membership, Role, User
from commons_fund.members.selectors import organisation_has_role

from .models import (
    Candidacy,
    CandidacyStatus,
    Collection,
    CollectionStatus,
    MemberStatus,
    Pool,
    PoolMembership,
    Round,
)


def pool_admin(*, pool: Pool, user: User) -> bool:
    return organisation_has_role(organisation=pool.host, user=user)


def memberships_of(*, pool: Pool, user: User) -> QuerySet[PoolMembership]:
    """The active memberships a person acts for: their own, and those of the organisations
    they administer or keep the accounts of."""
    if not user.is_authenticated:
        return PoolMembership.objects.none()
    organisations = Membership.objects.filter(
        user=user, role__in=[Role.ADMIN, Role.TREASURER]).values("organisation")
    return (PoolMembership.objects
            .filter(Q(user=user) | Q(organisation__in=organisations), pool=pool,
                    status=MemberStatus.ACTIVE)
            .select_related("user", "organisation", "college")
            .order_by("organisation_id", "pk"))


def acting_membership(*, pool: Pool, user: User) -> PoolMembership | None:
    """The member a person acts for by default: themselves first, else an organisation."""
    return memberships_of(pool=pool, user=user).first()


def voting_members(*, round_: Round) -> list[int]:
    """Ids of the members with a vote in this round: active members, except (when the pool
    says so) those whose payment defaulted in the previous round."""
    members = PoolMembership.objects.filter(pool=round_.pool_id, status=MemberStatus.ACTIVE)
    if not round_.pool.defaulters_vote:
        defaulted = Collection.objects.filter(
            round__pool=round_.pool_id, round__number=round_.number - 1,
            status=CollectionStatus.DEFAULTED,
        ).values("pledge__membership")
        members = members.exclude(pk__in=defaulted)
    return list(members.values_list("pk", flat=True))


@dataclass
class Rotation:
    """Where the cycle stands: commons that won in this cycle wait for the others."""

    cycle: int = 1
    won: set[int] = field(default_factory=set)  # project ids
    eligible: set[int] = field(default_factory=set)

    @property
    def waiting(self) -> set[int]:
        return self.eligible - self.won


def rotation(*, pool: Pool) -> Rotation:
    """Replay the pool's rounds in order (one query): a cycle ends when every commons still
    nominated has won; withdrawn commons stop counting."""
    state = Rotation()
    rows = (Candidacy.objects.filter(round__pool=pool)
            .order_by("round__number", "pk")
            .values_list("round__number", "project_id", "status", "round__winner_id", "pk"))
    current, winner_project = None, None

    def close_round():
        if winner_project is not None:
            state.won.add(winner_project)
            if state.eligible and state.eligible <= state.won:
                state.cycle += 1
                state.won.clear()
                state.eligible.clear()

    for number, project_id, status, winner_id, pk in rows:
        if number != current:
            close_round()
            current, winner_project = number, None
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
    promised: int  # cents promised for the round (pending commitments)
    collected: int
    voided: int


def round_pot(*, round_: Round) -> Pot:
    totals = dict(round_.collections.values_list("status").annotate(total=Sum("amount"))
                  .values_list("status", "total"))
    return Pot(
        promised=sum(v for k, v in totals.items() if k != CollectionStatus.VOIDED),
        collected=totals.get(CollectionStatus.SUCCEEDED, 0),
        voided=totals.get(CollectionStatus.VOIDED, 0),
    )
