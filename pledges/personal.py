"""Reads of one person's side of the pools: the means of payment of those they pay for,
their pledges, the transfers they have to make, their calendar and what awaits them."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from commons_fund.members.models import Role, User
from commons_fund.payments import selectors as payment_selectors
from commons_fund.payments.models import ChargeStatus, MethodKind, SavedPaymentMethod

from . import selectors
from .models import (
    Instalment,
    InstalmentStatus,
    MemberStatus,
    Pledge,
    Pool,
    PoolMembership,
    Round,
    RoundState,
    VoterRoll,
)


def saved_methods_of(*, memberships, account: str | None) -> QuerySet[SavedPaymentMethod]:
    """The active saved cards and SEPA mandates of these members' payers on one Stripe
    account (a host's: a card is saved for the host it pays); None: on no account."""
    memberships = list(memberships)
    if account is None:
        return SavedPaymentMethod.objects.none()
    return SavedPaymentMethod.objects.filter(
        Q(customer__user__in=[m.user_id for m in memberships if m.user_id])
        | Q(
            customer__organisation__in=[m.organisation_id for m in memberships if m.organisation_id]
        ),
        customer__stripe_account=account,
        active=True,
    ).order_by("kind", "label")


def payer_key(*, membership: PoolMembership) -> tuple[str, int]:
    if membership.organisation_id:
        return ("organisation", membership.organisation_id)
    return ("user", membership.user_id)


def saved_methods_by_pledge(*, pledges: list[Pledge]) -> dict[int, list[SavedPaymentMethod]]:
    """For each pledge, the active saved cards and mandates its payer could pay it with: on
    its pool host's Stripe account (none when the host takes transfers only)."""
    memberships = [pledge.membership for pledge in pledges]
    accounts = payment_selectors.collecting_accounts(
        organisation_ids=[m.pool.host_id for m in memberships]
    )
    found: dict[tuple[str, int, str], list[SavedPaymentMethod]] = defaultdict(list)
    methods = SavedPaymentMethod.objects.filter(
        Q(customer__user__in=[m.user_id for m in memberships if m.user_id])
        | Q(
            customer__organisation__in=[m.organisation_id for m in memberships if m.organisation_id]
        ),
        customer__stripe_account__in=set(accounts.values()),
        active=True,
    ).select_related("customer")
    for method in methods.order_by("kind", "label"):
        customer = method.customer
        key = (
            ("organisation", customer.organisation_id)
            if customer.organisation_id
            else ("user", customer.user_id)
        )
        found[(*key, customer.stripe_account)].append(method)
    return {
        pledge.pk: found.get(
            (
                *payer_key(membership=pledge.membership),
                accounts.get(pledge.membership.pool.host_id, ""),
            ),
            [],
        )
        for pledge in pledges
    }


def pledges_of(*, user: User) -> list[Pledge]:
    """The live and past pledges of every member a person acts for, in every pool. The
    memberships are read first (a person has a few) so that the pledges are then found
    through their index: one `OR` over a join made PostgreSQL scan every pledge."""
    if not user.is_authenticated:
        return []
    organisations = selectors.organisations_acted_for(user=user)
    memberships = list(
        PoolMembership.objects.filter(Q(user=user) | Q(organisation__in=organisations)).values_list(
            "pk", flat=True
        )
    )
    if not memberships:
        return []
    return list(
        Pledge.objects.filter(membership__in=memberships)
        .select_related(
            "membership__pool", "membership__user", "membership__organisation", "saved_method"
        )
        .order_by("status", "-created_at")
    )


def transfers_to_make(*, pledges: list[Pledge]) -> list[Instalment]:
    """The collections of these pledges waiting for the payer's bank transfer (in whole or in
    part), oldest round first: one query."""
    return list(
        Instalment.objects.filter(
            pledge__in=pledges,
            status__in=[InstalmentStatus.DUE, InstalmentStatus.FAILED],
            charge__method=MethodKind.TRANSFER,
            charge__status__in=[ChargeStatus.AWAITING_TRANSFER, ChargeStatus.PARTIALLY_RECEIVED],
        )
        .select_related(
            "round__pool", "pledge__membership__user", "pledge__membership__organisation", "charge"
        )
        .order_by("round__voting_closes_at", "pk")
    )


def _acted_for(*, user: User) -> QuerySet[PoolMembership]:
    """The active pool memberships a person acts for: their own, and their organisations'
    where they are an administrator or treasurer."""
    return PoolMembership.objects.filter(
        Q(user=user) | Q(organisation__in=selectors.organisations_acted_for(user=user)),
        status=MemberStatus.ACTIVE,
    )


@dataclass(frozen=True)
class PersonCalendar:
    rounds: list[Round]
    payments: list[Instalment]


def person_calendar(*, user: User) -> PersonCalendar:
    """What a person's calendar feed shows: the rounds of the pools they act in (cancelled
    ones left out), and the payments of theirs that are due or will be tried again. Two
    queries, whatever the number of pools."""
    members = _acted_for(user=user)
    rounds = list(
        Round.objects.filter(pool__in=members.values("pool"))
        .exclude(state=RoundState.CANCELLED)
        .select_related("pool")
        .order_by("pool__name", "number")
    )
    payments = list(
        Instalment.objects.filter(
            pledge__membership__in=members,
            status__in=[InstalmentStatus.DUE, InstalmentStatus.FAILED],
        )
        .select_related("round__pool", "pledge__membership__organisation")
        .order_by("pk")
    )
    return PersonCalendar(rounds=rounds, payments=payments)


def awaiting(*, user: User) -> dict:
    """What the pools wait for from this person ("My space"): the votes not cast yet, per
    member they act for; the payments due or failed; the members waiting for approval in the
    pools they administer. Six queries, whatever the number of pools."""
    if not user.is_authenticated:
        return {"votes": [], "payments": [], "approvals": []}
    members = list(_acted_for(user=user).select_related("user", "organisation"))
    pools = {member.pool_id for member in members}
    open_rounds = list(
        Round.objects.filter(pool__in=pools, state=RoundState.VOTING)
        .select_related("pool")
        .order_by("voting_closes_at")
    )
    voted = set(
        VoterRoll.objects.filter(round__in=open_rounds, membership__in=members).values_list(
            "round_id", "membership_id"
        )
    )
    defaulted = set(
        Instalment.objects.filter(
            status=InstalmentStatus.DEFAULTED, pledge__membership__in=members
        ).values_list("round__pool_id", "round__number", "pledge__membership_id")
    )
    votes = [
        (round_, member)
        for round_ in open_rounds
        for member in members
        if member.pool_id == round_.pool_id
        and round_.vote_opened_at is not None
        and member.joined_at <= round_.vote_opened_at
        and (
            round_.pool.defaulters_vote
            or (round_.pool_id, round_.number - 1, member.pk) not in defaulted
        )
        and (round_.pk, member.pk) not in voted
    ]
    payments = list(
        Instalment.objects.filter(
            pledge__membership__in=members,
            status__in=[InstalmentStatus.DUE, InstalmentStatus.FAILED],
        )
        .select_related(
            "round__pool", "pledge__membership__user", "pledge__membership__organisation"
        )
        .order_by("status", "pk")
    )
    approvals = list(pools_awaiting_approval(user=user))
    return {"votes": votes, "payments": payments, "approvals": approvals}


def pools_awaiting_approval(*, user: User) -> QuerySet[Pool]:
    """The pools a person administers (through their host) where members wait for
    approval, each with `waiting`: counted from the waiting members alone (partial index
    pledges_member_pending), never by grouping every member of the pool."""
    pending = PoolMembership.objects.filter(status=MemberStatus.PENDING)
    waiting = (
        pending.filter(pool=OuterRef("pk"))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return (
        Pool.objects.filter(
            host__memberships__user=user,
            host__memberships__role=Role.ADMIN,
            pk__in=pending.values("pool"),
        )
        .annotate(waiting=Subquery(waiting, output_field=IntegerField()))
        .order_by("name")
    )
