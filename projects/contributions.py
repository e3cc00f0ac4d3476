"""Hours contributed to a commons and the payments that settle its contributive debt."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.selectors import account_balance
from commons_fund.ledger.services import (
    credit,
    debit,
    ledger_post,
)
from commons_fund.members.models import Membership, Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import require_past_or_today, save_validated
from commons_fund.money import minor_units, round_cents

from .models import (
    Contribution,
    ContributorPayment,
    Project,
    Step,
)
from .selectors import contributive_debts
from .services import checked_amount, project_account, require_editor


@transaction.atomic
def contribution_log(
    *,
    project: Project,
    actor: User,
    contributor: User,
    day: date,
    hours: Decimal | str,
    rate: Decimal | str,
    description: str,
    step: Step | None = None,
    on_behalf_of: Organisation | None = None,
    request_key: str = "",
) -> Contribution:
    """Record time a person gave. The maintainers (and the host's administrators) log it,
    for themselves or anyone: what they log becomes a debt of the commons. The same
    `request_key` (a form's one-use key) again returns the first record."""
    require_editor(project, actor)
    Project.objects.select_for_update().get(pk=project.pk)  # one form of the commons at a time
    if request_key:
        done = Contribution.objects.filter(project=project, request_key=request_key).first()
        if done is not None:
            return done
    if step is not None and step.project_id != project.pk:
        raise ValidationError({"step": _("This step belongs to another commons.")})
    require_past_or_today(field="day", day=day)
    if (
        on_behalf_of is not None
        and not Membership.objects.filter(organisation=on_behalf_of, user=contributor).exists()
    ):
        raise ValidationError(
            {"on_behalf_of": _("The contributor is not a member of this organisation.")}
        )
    hours_value = checked_amount("hours", hours, maximum=Decimal(24))
    rate_value = checked_amount("rate", rate, maximum=Decimal(10_000))
    contribution = Contribution(
        project=project,
        step=step,
        contributor=contributor,
        on_behalf_of=on_behalf_of,
        request_key=request_key,
        day=day,
        hours=hours_value,
        rate=Money(rate_value, "EUR"),
        value=Money(round_cents(hours_value * rate_value), "EUR"),
        description=description.strip(),
    )
    save_validated(contribution)
    return contribution


@transaction.atomic
def contributor_pay(
    *,
    project: Project,
    contributor: User,
    amount: Decimal | str,
    paid_on: date,
    actor: User,
    request_key: str,
) -> ContributorPayment:
    """Pay a contributor from the commons' account: never more than what is owed to them,
    never more than the account holds (then nothing is written). `request_key` names the
    request (the form carries one): the same request sent twice pays once."""
    if not organisation_has_role(
        organisation=project.host, user=actor, roles=(Role.TREASURER, Role.ADMIN)
    ):
        raise PermissionDenied(_("Only a treasurer of the hosting structure may do this."))
    require_past_or_today(field="paid_on", day=paid_on)
    if not request_key:
        raise ValidationError(_("This form expired: open it again."))
    Project.objects.select_for_update().get(pk=project.pk)  # one payment at a time
    idempotency_key = f"contributor-payment-{project.pk}-{request_key}"[:120]
    done = ContributorPayment.objects.filter(
        project=project, transaction__idempotency_key=idempotency_key
    ).first()
    if done is not None:
        return done
    value = checked_amount("amount", amount)
    owed = next(
        (row.debt for row in contributive_debts(project=project) if row.contributor == contributor),
        Decimal(0),
    )
    if value > owed:
        raise ValidationError({"amount": _("This is more than what is owed to this person.")})
    bank = project_account(project=project, purpose="bank")
    cents = minor_units(value)
    if cents > account_balance(account=bank).posted:
        raise ValidationError({"amount": _("The commons' account does not hold that much.")})
    posted = ledger_post(
        kind=TransactionKind.PAYOUT,
        idempotency_key=idempotency_key,
        memo=f"{contributor.display_name} – {project.name}"[:300],
        entries=[
            debit(project_account(project=project, purpose="contributors_paid"), cents),
            credit(bank, cents),
        ],
    )
    return ContributorPayment.objects.create(
        project=project,
        contributor=contributor,
        amount=Money(value, "EUR"),
        paid_on=paid_on,
        transaction=posted,
        created_by=actor,
    )
