"""Revenue declarations: made, corrected, paid and followed until the money arrives, and
the reminders of declarations not yet made."""

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import (
    credit,
    debit,
    ledger_post,
    ledger_reverse,
)
from commons_fund.logs import log_event
from commons_fund.members.models import User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import save_validated
from commons_fund.money import minor_units
from commons_fund.payments import services as payments
from commons_fund.payments.models import ChargeStatus, SavedPaymentMethod
from projects.services import project_account, project_centre

from .. import selectors
from ..models import (
    ContractState,
    DeclarationReminder,
    DeclarationStatus,
    ReciprocityContract,
    RevenueDeclaration,
)
from ..notifications import reminder_send
from ..periods import period_of
from .contracts import due_for
from .fields import MONEY_ROLES, amount_field

logger = logging.getLogger(__name__)


def _post_due(declaration: RevenueDeclaration) -> None:
    """The amount due into the commons' accounts of its host's books (accrued income)."""
    cents = minor_units(declaration.due.amount)
    if not cents:
        return
    project = declaration.contract.project
    declaration.transaction = ledger_post(
        kind=TransactionKind.RECIPROCITY_DUE,
        idempotency_key=f"reciprocity-declaration-{declaration.pk}",
        cause=declaration,
        memo=f"{declaration.contract.reference} {declaration.period_start:%Y-%m} – "
        f"{declaration.contract.partner.name}"[:300],
        entries=[
            debit(project_account(project=project, purpose="receivable"), cents),
            credit(project_account(project=project, purpose="reciprocity"), cents),
        ],
    )
    declaration.save(update_fields=["transaction"])


def _check_declarant(contract: ReciprocityContract, actor: User) -> None:
    if not organisation_has_role(organisation=contract.partner, user=actor, roles=MONEY_ROLES):
        raise PermissionDenied(
            _("Only the partner's treasurer or administrators declare its revenue.")
        )


@transaction.atomic
def declaration_create(
    *,
    contract: ReciprocityContract,
    actor: User,
    period_start: date,
    revenue,
) -> RevenueDeclaration:
    """Declare a period's revenue (excluding VAT) once the period has ended; the amount due
    goes into the ledger."""
    _check_declarant(contract, actor)
    contract = ReciprocityContract.objects.select_for_update().get(pk=contract.pk)
    if contract.state not in (ContractState.SIGNED, ContractState.TERMINATED):
        raise ValidationError(_("Revenue is declared on a signed contract only."))
    start, end = period_of(contract=contract, start=period_start)
    if end >= timezone.localdate():
        raise ValidationError({"period_start": _("This period has not ended yet.")})
    if end < contract.starts_on or (contract.ends_on and start > contract.ends_on):
        raise ValidationError({"period_start": _("This period is outside the contract.")})
    if (
        contract.declarations.filter(period_start=start)
        .exclude(status=DeclarationStatus.SUPERSEDED)
        .exists()
    ):
        raise ValidationError(
            {
                "period_start": _(
                    "This period is already declared: correct that declaration instead."
                )
            }
        )
    value = amount_field("revenue", revenue, allow_zero=True)
    declaration = RevenueDeclaration(
        contract=contract,
        period_start=start,
        period_end=end,
        revenue=Money(value, "EUR"),
        due=Money(due_for(contract=contract, revenue=value), "EUR"),
        declared_by=actor,
    )
    save_validated(declaration)
    _post_due(declaration)
    log_event(
        logger,
        "declaration.created",
        declaration=declaration.pk,
        contract=contract.pk,
        due=str(declaration.due.amount),
        actor=actor.pk,
    )
    return declaration


@transaction.atomic
def declaration_correct(
    *,
    declaration: RevenueDeclaration,
    actor: User,
    revenue,
) -> RevenueDeclaration:
    """A new declaration for the same period supersedes the previous one, which is kept;
    its amount due is reversed in the ledger and the new one posted."""
    _check_declarant(declaration.contract, actor)
    old = (
        RevenueDeclaration.objects.select_for_update(of=("self",))
        .select_related("contract", "charge")
        .get(pk=declaration.pk)
    )
    if old.status != DeclarationStatus.DUE:
        raise ValidationError(_("Only an unpaid, current declaration can be corrected."))
    if old.charge_id and old.charge.status not in (ChargeStatus.FAILED, ChargeStatus.CANCELLED):
        raise ValidationError(
            _(
                "A payment of this declaration is under way: it cannot be corrected until the "
                "payment has arrived or failed."
            )
        )
    value = amount_field("revenue", revenue, allow_zero=True)
    old.status = DeclarationStatus.SUPERSEDED
    old.save(update_fields=["status"])
    if old.transaction_id:
        ledger_reverse(
            original=old.transaction,
            idempotency_key=f"reciprocity-declaration-{old.pk}-superseded",
            memo=f"{old.contract.reference}: corrected",
        )
    new = RevenueDeclaration(
        contract=old.contract,
        period_start=old.period_start,
        period_end=old.period_end,
        revenue=Money(value, "EUR"),
        due=Money(due_for(contract=old.contract, revenue=value), "EUR"),
        supersedes=old,
        declared_by=actor,
    )
    save_validated(new)
    _post_due(new)
    log_event(
        logger,
        "declaration.corrected",
        declaration=new.pk,
        supersedes=old.pk,
        due=str(new.due.amount),
        actor=actor.pk,
    )
    return new


def declaration_pay(
    *,
    declaration: RevenueDeclaration,
    actor: User,
    method: str,
    saved_method: SavedPaymentMethod | None = None,
) -> RevenueDeclaration:
    """Pay what a declaration makes due: by saved card or SEPA mandate (charged at once), or
    by bank transfer (a reference to quote; the host's treasurer records its arrival). The
    money goes to the commons' accounts and settles the amount due."""
    with transaction.atomic():
        declaration = (
            RevenueDeclaration.objects.select_for_update(of=("self",))
            .select_related("contract__partner", "contract__project__host", "charge")
            .get(pk=declaration.pk)
        )
        contract = declaration.contract
        _check_declarant(contract, actor)
        if declaration.status != DeclarationStatus.DUE or not declaration.due.amount:
            raise ValidationError(_("Nothing is left to pay on this declaration."))
        if declaration.charge and declaration.charge.status not in (
            ChargeStatus.FAILED,
            ChargeStatus.CANCELLED,
        ):
            raise ValidationError(_("A payment of this declaration is already under way."))
        charge = payments.charge_create(
            payer=contract.partner,
            books=contract.project.host,
            centre=project_centre(project=contract.project),
            amount=declaration.due.amount,
            method=method,
            saved_method=saved_method,
            credit_purpose="receivable",
            cause=declaration,
            description=f"{_('Reciprocity')} {contract.reference} {declaration.period_start:%Y-%m}",
        )
        declaration.charge = charge
        declaration.save(update_fields=["charge"])
        log_event(
            logger,
            "declaration.payment_started",
            declaration=declaration.pk,
            charge=charge.pk,
            method=method,
        )
    if method != "transfer":
        payments.charge_submit(charge=charge)
    return declaration_follow_charge(declaration=declaration)


@transaction.atomic
def declaration_follow_charge(*, declaration: RevenueDeclaration) -> RevenueDeclaration:
    """A declaration is paid once its charge has succeeded (card, SEPA or the transfer
    received in full)."""
    declaration = (
        RevenueDeclaration.objects.select_for_update(of=("self",))
        .select_related("charge")
        .get(pk=declaration.pk)
    )
    if (
        declaration.status == DeclarationStatus.DUE
        and declaration.charge
        and declaration.charge.status == ChargeStatus.SUCCEEDED
    ):
        declaration.status = DeclarationStatus.PAID
        declaration.save(update_fields=["status"])
        log_event(
            logger, "declaration.paid", declaration=declaration.pk, charge=declaration.charge_id
        )
    return declaration


def declarations_follow_charges() -> int:
    """Follow the payments still under way (Celery beat)."""
    open_ = list(
        RevenueDeclaration.objects.filter(
            status=DeclarationStatus.DUE, charge__isnull=False
        ).values_list("pk", flat=True)
    )
    for pk in open_:
        declaration_follow_charge(declaration=RevenueDeclaration(pk=pk))
    return len(open_)


REMINDER_DAYS = (1, 15, 30)


def declarations_remind(*, today: date | None = None) -> int:
    """Remind partners of periods left undeclared: the day after the period ended, then 15
    and 30 days later; each reminder once. Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for row in selectors.missing_declarations(today=today):
        due_stages = [days for days in REMINDER_DAYS if row.days_late >= days]
        if not due_stages:
            continue
        stage = due_stages[-1]
        with transaction.atomic():
            _reminder, created = DeclarationReminder.objects.get_or_create(
                contract=row.contract, period_start=row.period_start, days_late=stage
            )
            if created:
                transaction.on_commit(lambda row=row: reminder_send(missing=row))
                sent += 1
    return sent
