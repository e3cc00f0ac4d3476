"""Writes of pools, their members and pledges. Rounds are in `rounds.py`, ballots in
`ballots.py`, collection and payout in `collecting.py`.

A pool's administrators are its hosting structure's administrators (and staff)."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.text import slugify
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.ledger.models import CostCentre
from commons_fund.ledger.services import cost_centre_get_or_create
from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import save_validated
from commons_fund.money import parse_amount
from commons_fund.payments import services as payments
from commons_fund.payments.models import Customer, SavedPaymentMethod
from projects.models import Project, ProjectStatus

from . import selectors
from .models import (
    MAX_AMOUNT,
    METHODS_ALLOWED,
    POOL_RULES,
    College,
    MembershipPolicy,
    MemberStatus,
    NominationRule,
    Pledge,
    PledgeStatus,
    Pool,
    PoolCommons,
    PoolMembership,
    RoundState,
)


def pool_centre(*, pool: Pool) -> CostCentre:
    """The pool's sub-accounts in its host's books: a host may run several pools, each kept
    apart (and shown apart in the FEC)."""
    return cost_centre_get_or_create(
        organisation=pool.host, owner=pool, code=f"FONDS-{pool.slug}", name=pool.name
    )


def pool_is_admin(*, pool: Pool, user: User) -> bool:
    return organisation_has_role(organisation=pool.host, user=user)


def require_pool_admin(pool: Pool, actor: User) -> None:
    if not pool_is_admin(pool=pool, user=actor):
        raise PermissionDenied(_("Only the pool's administrators may do this."))


def require_pool_treasurer(pool: Pool, actor: User) -> None:
    """Collections are handled by the host's treasurers and administrators."""
    if not organisation_has_role(
        organisation=pool.host, user=actor, roles=(Role.ADMIN, Role.TREASURER)
    ):
        raise PermissionDenied(_("Only the pool's treasurers may do this."))


def _rules(fields: dict) -> dict:
    unknown = set(fields) - set(POOL_RULES)
    if unknown:
        raise TypeError(f"Unknown pool fields: {sorted(unknown)}")
    if "name" in fields:
        fields = {**fields, "name": fields["name"].strip()}
    for amount in ("minimum_pot", "matching_pool"):
        if amount in fields:
            try:
                value = parse_amount(fields[amount], allow_zero=True)
            except ValidationError as error:
                raise ValidationError({amount: error.messages}) from error
            fields = {**fields, amount: Money(value, "EUR")}
    return fields


@transaction.atomic
def pool_create(
    *,
    creator: User,
    host: Organisation,
    name: str,
    slug: str = "",
    commons: Iterable[Project] | None = None,
    **rules,
) -> Pool:
    """A pool hosted by an organisation; its administrators create and run it, with the
    list of the commons it funds if it has one."""
    if not organisation_has_role(organisation=host, user=creator):
        raise PermissionDenied(_("Only an administrator of the hosting structure may do this."))
    pool = Pool(
        host=host, name=name.strip(), slug=slug or slugify(name)[:80].strip("-"), **_rules(rules)
    )
    _check_funder(pool, creator, existing=None)
    save_validated(pool)
    if commons is not None:
        _commons_set(pool, creator, commons)
    _check_nominations_possible(pool)
    return pool


@transaction.atomic
def pool_update(
    *, pool: Pool, actor: User, commons: Iterable[Project] | None = None, **rules
) -> Pool:
    """Change the pool's rules (and, given, the list of the commons it funds). A round
    copies the rules when its vote opens, so a change never touches a vote under way: it
    applies from the next round."""
    require_pool_admin(pool, actor)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    funder = pool.matching_funder_id
    for name, value in _rules(rules).items():
        setattr(pool, name, value)
    if pool.matching_funder_id != funder:
        _check_funder(pool, actor, existing=pool)
    save_validated(pool)
    if MATCHING_RULES & set(rules):
        _matching_follows(pool)
    if commons is not None:
        _commons_set(pool, actor, commons)
    _check_nominations_possible(pool)
    return pool


MATCHING_RULES = {"matching_pool", "matching_funder", "matching_cap_percent", "round_kind"}


def _matching_follows(pool: Pool) -> None:
    """Rounds whose vote has not opened take the pool's new matching; the others keep theirs."""
    matching = pool.matching_pool
    pool.rounds.filter(state__in=[RoundState.SCHEDULED, RoundState.NOMINATING]).update(
        matching_pool=matching,
        matching_cap_percent=pool.matching_cap_percent if matching.amount else None,
        matching_funder=pool.matching_funder if matching.amount else None,
    )


def _check_funder(pool: Pool, actor: User, *, existing: Pool | None) -> None:
    funder = pool.matching_funder
    if funder is None or funder.pk == pool.host_id:
        return
    if not selectors.matching_funders_for(user=actor, pool=existing).filter(pk=funder.pk).exists():
        raise ValidationError(
            {
                "matching_funder": _(
                    "The matching pool can be funded by a structure you administer or one "
                    "that joined the pool."
                )
            }
        )


def _check_active(project: Project) -> None:
    if project.status in (ProjectStatus.ARCHIVED, ProjectStatus.DORMANT):
        raise ValidationError(
            {"commons": _("%(name)s is not an active commons.") % {"name": project.name}}
        )


def _commons_set(pool: Pool, actor: User, commons: Iterable[Project]) -> None:
    wanted = {project.pk: project for project in commons}
    for project in wanted.values():
        _check_active(project)
    pool.listed_commons.exclude(project__in=wanted).delete()
    listed = set(pool.listed_commons.values_list("project_id", flat=True))
    PoolCommons.objects.bulk_create(
        [
            PoolCommons(pool=pool, project=project, added_by=actor)
            for pk, project in wanted.items()
            if pk not in listed
        ]
    )


def _check_nominations_possible(pool: Pool) -> None:
    """A pool whose nominations are limited to its list must have one."""
    if pool.nomination_rule == NominationRule.LISTED and not pool.listed_commons.exists():
        raise ValidationError(
            {
                "nomination_rule": _(
                    "Nominations limited to the pool's commons need a list of them: add the "
                    "commons the pool funds first."
                )
            }
        )


@transaction.atomic
def pool_commons_add(*, pool: Pool, actor: User, project: Project) -> PoolCommons:
    """Add a commons to the list of those the pool funds."""
    require_pool_admin(pool, actor)
    Pool.objects.select_for_update().get(pk=pool.pk)
    _check_active(project)
    listed, created = PoolCommons.objects.get_or_create(
        pool=pool, project=project, defaults={"added_by": actor}
    )
    if not created:
        raise ValidationError(
            {"commons": _("%(name)s is already on the pool's list.") % {"name": project.name}}
        )
    return listed


@transaction.atomic
def pool_commons_remove(*, pool: Pool, actor: User, project: Project) -> None:
    """Take a commons off the pool's list (its past rounds and pots stay as they were)."""
    require_pool_admin(pool, actor)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    if not PoolCommons.objects.filter(pool=pool, project=project).delete()[0]:
        raise ValidationError(
            {"commons": _("%(name)s is not on the pool's list.") % {"name": project.name}}
        )
    _check_nominations_possible(pool)


@transaction.atomic
def college_add(*, pool: Pool, actor: User, name: str, weight_percent: int) -> College:
    require_pool_admin(pool, actor)
    Pool.objects.select_for_update().get(pk=pool.pk)
    used = pool.colleges.aggregate(total=Sum("weight_percent"))["total"] or 0
    if used + weight_percent > 100:
        raise ValidationError(
            {
                "weight_percent": _(
                    "The colleges' weights add up to more than 100 %% (%(used)s %% already given)."
                )
                % {"used": used}
            }
        )
    college = College(pool=pool, name=name.strip(), weight_percent=weight_percent)
    save_validated(college)
    return college


def _may_act_for(membership_or_payer, actor: User) -> bool:
    """A person acts for themselves; an organisation's administrators and treasurers act for
    it."""
    if isinstance(membership_or_payer, PoolMembership):
        membership_or_payer = membership_or_payer.payer
    if isinstance(membership_or_payer, Organisation):
        return organisation_has_role(
            organisation=membership_or_payer, user=actor, roles=(Role.ADMIN, Role.TREASURER)
        )
    return actor.is_authenticated and membership_or_payer.pk == actor.pk


@transaction.atomic
def pool_join(
    *,
    pool: Pool,
    actor: User,
    organisation: Organisation | None = None,
    college: College | None = None,
) -> PoolMembership:
    """Join as oneself, or on behalf of an organisation one administers. On a pool "on
    approval", the membership waits for an administrator."""
    if organisation is not None and not _may_act_for(organisation, actor):
        raise PermissionDenied(
            _("Only an administrator or treasurer of %(name)s may do this.")
            % {"name": organisation.name}
        )
    if college is not None and college.pool_id != pool.pk:
        raise ValidationError({"college": _("This college belongs to another pool.")})
    lookup = {"organisation": organisation} if organisation else {"user": actor}
    existing = PoolMembership.objects.filter(pool=pool, **lookup).first()
    status = (
        MemberStatus.PENDING
        if pool.membership_policy == MembershipPolicy.APPROVAL
        and not pool_is_admin(pool=pool, user=actor)
        else MemberStatus.ACTIVE
    )
    if existing is not None:
        if existing.status != MemberStatus.LEFT:
            return existing
        existing.status, existing.college = status, college
        existing.save(update_fields=["status", "college"])
        return existing
    membership = PoolMembership(pool=pool, college=college, status=status, **lookup)
    save_validated(membership)
    return membership


@transaction.atomic
def membership_approve(*, membership: PoolMembership, actor: User) -> PoolMembership:
    require_pool_admin(membership.pool, actor)
    membership = PoolMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == MemberStatus.PENDING:
        membership.status = MemberStatus.ACTIVE
        membership.save(update_fields=["status"])
    return membership


@transaction.atomic
def membership_leave(*, membership: PoolMembership, actor: User) -> PoolMembership:
    """Leave a pool: the live pledge is cancelled (promises already made for an open round
    stand until that round ends)."""
    if not (_may_act_for(membership, actor) or pool_is_admin(pool=membership.pool, user=actor)):
        raise PermissionDenied(_("You cannot act for this member."))
    membership = PoolMembership.objects.select_for_update().get(pk=membership.pk)
    membership.pledges.filter(status__in=[PledgeStatus.ACTIVE, PledgeStatus.PAUSED]).update(
        status=PledgeStatus.CANCELLED
    )
    membership.status = MemberStatus.LEFT
    membership.save(update_fields=["status"])
    return membership


def _pledge_amount(amount) -> Money:
    try:
        return Money(parse_amount(amount, maximum=Decimal(MAX_AMOUNT)), "EUR")
    except ValidationError as error:
        raise ValidationError({"amount": error.messages}) from error


@transaction.atomic
def pledge_create(
    *,
    membership: PoolMembership,
    actor: User,
    amount: Decimal | str,
    method: str,
    saved_method: SavedPaymentMethod | None = None,
    rounds_total: int | None = None,
) -> Pledge:
    """Promise an amount per round. Nothing is charged now: each round's promise becomes a
    pending commitment when its vote opens and is collected once the beneficiary is known."""
    if not _may_act_for(membership, actor):
        raise PermissionDenied(_("You cannot pledge for this member."))
    membership = (
        PoolMembership.objects.select_for_update().select_related("pool").get(pk=membership.pk)
    )
    if membership.status != MemberStatus.ACTIVE:
        raise ValidationError(_("Only an active member of the pool may pledge."))
    saved_method = _checked_method(membership, method, saved_method)
    if rounds_total is not None and rounds_total < 1:
        raise ValidationError({"rounds_total": _("At least one round.")})
    if membership.pledges.filter(status__in=[PledgeStatus.ACTIVE, PledgeStatus.PAUSED]).exists():
        raise ValidationError(
            _("This member already has a pledge in this pool: change it instead.")
        )
    pledge = Pledge(
        membership=membership,
        amount=_pledge_amount(amount),
        method=method,
        saved_method=saved_method,
        rounds_total=rounds_total,
    )
    save_validated(pledge)
    return pledge


def _checked_method(
    membership: PoolMembership, method: str, saved_method: SavedPaymentMethod | None
) -> SavedPaymentMethod | None:
    """The saved card or mandate a pledge is paid with (None for transfers): a way the pool
    collects, and the member's own."""
    if method not in selectors.methods_offered(pool=membership.pool):
        if method in METHODS_ALLOWED[membership.pool.collection_methods]:
            payments.payments_account(books=membership.pool.host)  # says why: transfers only
        raise ValidationError({"method": _("This pool does not collect this way.")})
    if method == "transfer":
        return None
    account = payments.payments_account(books=membership.pool.host)
    if saved_method is None or saved_method.kind != method or not saved_method.active:
        raise ValidationError({"saved_method": _("Choose a saved card or SEPA mandate.")})
    if not Customer.objects.filter(
        pk=saved_method.customer_id, **_payer_lookup(membership), stripe_account=account
    ).exists():
        raise ValidationError(
            {"saved_method": _("This card or mandate is not the member's one for this pool.")}
        )
    return saved_method


@transaction.atomic
def pledge_change_method(
    *,
    pledge: Pledge,
    actor: User,
    method: str,
    saved_method: SavedPaymentMethod | None = None,
) -> Pledge:
    """How the next rounds' promises are collected (a promise made is collected as made)."""
    pledge = _live_pledge(pledge, actor)
    pledge.saved_method = _checked_method(pledge.membership, method, saved_method)
    pledge.method = method
    save_validated(pledge)
    return pledge


def _payer_lookup(membership: PoolMembership) -> dict:
    if membership.organisation_id:
        return {"organisation_id": membership.organisation_id}
    return {"user_id": membership.user_id}


def _live_pledge(pledge: Pledge, actor: User) -> Pledge:
    if not _may_act_for(pledge.membership, actor):
        raise PermissionDenied(_("You cannot change this pledge."))
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status not in (PledgeStatus.ACTIVE, PledgeStatus.PAUSED):
        raise ValidationError(_("This pledge is over."))
    return pledge


@transaction.atomic
def pledge_change(*, pledge: Pledge, actor: User, amount: Decimal | str) -> Pledge:
    """A new amount, from the next round whose vote opens (a promise made stays as made)."""
    pledge = _live_pledge(pledge, actor)
    pledge.amount = _pledge_amount(amount)
    save_validated(pledge)
    return pledge


@transaction.atomic
def pledge_set_status(*, pledge: Pledge, actor: User, status: str) -> Pledge:
    """Pause, resume or cancel; from the next round whose vote opens."""
    if status not in (PledgeStatus.ACTIVE, PledgeStatus.PAUSED, PledgeStatus.CANCELLED):
        raise ValidationError({"status": _("Pause, resume or cancel.")})
    pledge = _live_pledge(pledge, actor)
    pledge.status = status
    pledge.save(update_fields=["status", "updated_at"])
    return pledge
