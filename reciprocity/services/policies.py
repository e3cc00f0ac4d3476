"""Revenue-share policies: an organisation's promise to give a share of its revenue to
libre projects."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.members.models import Organisation, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import save_validated
from projects.models import Project

from ..models import (
    PolicyBeneficiary,
    RevenueSharePolicy,
    SplitRule,
)
from .fields import MONEY_ROLES, amount_field, percent_field


@transaction.atomic
def policy_set(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    percent,
    beneficiaries: list[tuple[Organisation | Project, int]],
    base_revenue=None,
    split: str = SplitRule.EQUAL,
) -> RevenueSharePolicy:
    """An organisation's revenue-share policy for a year (replacing the one it had)."""
    if not organisation_has_role(organisation=organisation, user=actor, roles=MONEY_ROLES):
        raise PermissionDenied(
            _("Only the organisation's treasurer or administrators may do this.")
        )
    if not beneficiaries:
        raise ValidationError({"beneficiaries": _("Choose at least one beneficiary.")})
    RevenueSharePolicy.objects.filter(organisation=organisation, year=year).delete()
    policy = RevenueSharePolicy(
        organisation=organisation,
        year=year,
        percent=percent_field("percent", percent),
        split=split,
        created_by=actor,
        base_revenue=Money(amount_field("base_revenue", base_revenue, allow_zero=True), "EUR")
        if base_revenue not in (None, "")
        else None,
    )
    save_validated(policy)
    for beneficiary, weight in beneficiaries:
        field = "project" if isinstance(beneficiary, Project) else "organisation"
        save_validated(PolicyBeneficiary(policy=policy, weight=weight, **{field: beneficiary}))
    return policy
