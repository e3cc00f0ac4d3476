"""Writes of reciprocity: contracts, revenue declarations (and their corrections),
revenue-share policies. Each is atomic and checks who may act."""

import hashlib
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_reverse,
)
from commons_fund.logs import log_event
from commons_fund.members.models import Membership, Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import save_validated
from commons_fund.money import minor_units, parse_amount, round_cents
from commons_fund.payments import services as payments
from commons_fund.payments.models import ChargeStatus, SavedPaymentMethod
from projects.models import Project

from . import selectors
from .models import (
    ContractAcceptance,
    ContractState,
    DeclarationReminder,
    DeclarationStatus,
    Party,
    Period,
    PolicyBeneficiary,
    ReciprocityContract,
    RevenueDeclaration,
    RevenueSharePolicy,
    SplitRule,
)
from .notifications import reminder_send
from .pdf import contract_pdf
from .periods import period_of

logger = logging.getLogger(__name__)

MONEY_ROLES = (Role.ADMIN, Role.TREASURER)


def _amount(field: str, value, **limits) -> Decimal:
    try:
        return parse_amount(value, **limits)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _percent(field: str, value) -> Decimal:
    rate = _amount(field, value, maximum=Decimal(100))
    if rate <= 0:
        raise ValidationError({field: _("A rate above 0 % and at most 100 %.")})
    return rate


def due_for(*, contract: ReciprocityContract, revenue: Decimal) -> Decimal:
    """rate × revenue, rounded half-up to the cent, then held between the contract's minimum
    and maximum per period."""
    due = round_cents(revenue * contract.rate / Decimal(100))
    if contract.floor is not None:
        due = max(due, contract.floor.amount)
    if contract.ceiling is not None:
        due = min(due, contract.ceiling.amount)
    return due


def _next_reference(year: int) -> str:
    prefix = f"RC-{year}-"
    last = ReciprocityContract.objects.filter(reference__startswith=prefix).aggregate(
        last=Max("reference")
    )["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def contract_create(
    *,
    partner: Organisation,
    project: Project,
    actor: User,
    rate,
    base: str,
    starts_on: date,
    period: str = Period.QUARTERLY,
    ends_on: date | None = None,
    floor=None,
    ceiling=None,
    language: str = "fr",
    show_amounts: bool = True,
) -> ReciprocityContract:
    """A draft contract, written by the partner's or the hosting structure's
    administrators."""
    if not (
        organisation_has_role(organisation=partner, user=actor)
        or organisation_has_role(organisation=project.host, user=actor)
    ):
        raise PermissionDenied(
            _("Only an administrator of the partner or of the hosting structure may do this.")
        )
    if partner.pk == project.host_id:
        raise ValidationError({"partner": _("The hosting structure cannot be its own partner.")})
    contract = ReciprocityContract(
        reference=_next_reference(timezone.localdate().year),
        partner=partner,
        project=project,
        rate=_percent("rate", rate),
        base=base.strip(),
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        language=language,
        show_amounts=show_amounts,
        floor=Money(_amount("floor", floor, allow_zero=True), "EUR")
        if floor not in (None, "")
        else None,
        ceiling=Money(_amount("ceiling", ceiling), "EUR") if ceiling not in (None, "") else None,
        created_by=actor,
    )
    if contract.floor and contract.ceiling and contract.ceiling.amount < contract.floor.amount:
        raise ValidationError({"ceiling": _("The maximum cannot be below the minimum.")})
    save_validated(contract)
    return contract


def _contract_editor(contract: ReciprocityContract, actor: User) -> None:
    if not (
        organisation_has_role(organisation=contract.partner, user=actor)
        or organisation_has_role(organisation=contract.project.host, user=actor)
    ):
        raise PermissionDenied(
            _("Only an administrator of the partner or of the hosting structure may do this.")
        )


@transaction.atomic
def contract_propose(*, contract: ReciprocityContract, actor: User) -> ReciprocityContract:
    """Freeze the draft: its PDF is made once, and both parties will accept those bytes."""
    _contract_editor(contract, actor)
    contract = (
        ReciprocityContract.objects.select_for_update()
        .select_related("partner", "project__host")
        .get(pk=contract.pk)
    )
    if contract.state == ContractState.PROPOSED:
        return contract
    if contract.state != ContractState.DRAFT:
        raise ValidationError(_("Only a draft can be proposed."))
    pdf = contract_pdf(contract=contract)
    contract.proposed_pdf, contract.proposed_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    contract.state = ContractState.PROPOSED
    contract.save(update_fields=["proposed_pdf", "proposed_sha256", "state"])
    log_event(
        logger,
        "contract.proposed",
        contract=contract.pk,
        actor=actor.pk,
        sha256=contract.proposed_sha256,
    )
    return contract


def contract_party(*, contract: ReciprocityContract, user: User) -> str | None:
    """The party a person may accept for: an administrator (a real one, not staff) of the
    partner or of the hosting structure."""
    roles = (
        Membership.objects.filter(user=user, role=Role.ADMIN).values_list(
            "organisation_id", flat=True
        )
        if user.is_authenticated
        else []
    )
    if contract.partner_id in roles:
        return Party.PARTNER
    if contract.project.host_id in roles:
        return Party.HOST
    return None


@transaction.atomic
def contract_accept(
    *,
    contract: ReciprocityContract,
    actor: User,
    pdf_sha256: str,
    ip_address: str | None,
) -> ReciprocityContract:
    """A party's authorised member accepts the proposed PDF (identified by its SHA-256);
    when both parties have, the contract is signed and its signed PDF made, once."""
    contract = (
        ReciprocityContract.objects.select_for_update()
        .select_related("partner", "project__host")
        .get(pk=contract.pk)
    )
    party = contract_party(contract=contract, user=actor)
    if party is None:
        raise PermissionDenied(_("Only an administrator of a party accepts the contract."))
    if contract.state != ContractState.PROPOSED:
        raise ValidationError(_("Only a proposed contract can be accepted."))
    if pdf_sha256 != contract.proposed_sha256:
        raise ValidationError(_("This is not the document proposed: download it again."))
    if contract.acceptances.filter(party=party).exists():
        raise ValidationError(_("Your organisation has already accepted this contract."))
    ContractAcceptance.objects.create(
        contract=contract,
        party=party,
        user=actor,
        pdf_sha256=pdf_sha256,
        organisation=contract.partner if party == Party.PARTNER else contract.project.host,
        ip_address=ip_address or None,
    )
    log_event(logger, "contract.accepted", contract=contract.pk, party=party, actor=actor.pk)
    acceptances = list(
        contract.acceptances.select_related("organisation", "user").order_by("accepted_at", "pk")
    )
    if len(acceptances) == len(Party.values):
        pdf = contract_pdf(contract=contract, acceptances=acceptances)
        contract.signed_pdf, contract.signed_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
        contract.signed_at, contract.state = timezone.now(), ContractState.SIGNED
        contract.save(update_fields=["signed_pdf", "signed_sha256", "signed_at", "state"])
        log_event(logger, "contract.signed", contract=contract.pk, sha256=contract.signed_sha256)
    return contract


@transaction.atomic
def contract_set_state(
    *, contract: ReciprocityContract, actor: User, state: str
) -> ReciprocityContract:
    """Suspend or resume a signed contract (the hosting structure's administrators: no
    declaration is expected while it is suspended), or end it (either party's
    administrators: it ends today; periods already ended are still declared and paid)."""
    contract = (
        ReciprocityContract.objects.select_for_update()
        .select_related("partner", "project__host")
        .get(pk=contract.pk)
    )
    moves = {
        ContractState.SUSPENDED: {ContractState.SIGNED},
        ContractState.SIGNED: {ContractState.SUSPENDED},
        ContractState.TERMINATED: {ContractState.SIGNED, ContractState.SUSPENDED},
    }
    if contract.state not in moves.get(state, set()):
        raise ValidationError(
            _("A contract cannot go from “%(old)s” to “%(new)s”.")
            % {"old": contract.get_state_display(), "new": state}
        )
    host_admin = organisation_has_role(organisation=contract.project.host, user=actor)
    if state != ContractState.TERMINATED and not host_admin:
        raise PermissionDenied(
            _("Only the hosting structure's administrators suspend or resume a contract.")
        )
    if state == ContractState.TERMINATED:
        _contract_editor(contract, actor)
        today = timezone.localdate()
        if contract.ends_on is None or contract.ends_on > today:
            contract.ends_on = max(today, contract.starts_on + timedelta(days=1))
    contract.state = state
    save_validated(contract)
    log_event(
        logger,
        f"contract.{state}",
        contract=contract.pk,
        actor=actor.pk,
        ends_on=contract.ends_on.isoformat() if contract.ends_on else None,
    )
    return contract


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
            debit(account_get_or_create(purpose="receivable", project=project), cents),
            credit(account_get_or_create(purpose="reciprocity", project=project), cents),
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
    value = _amount("revenue", revenue, allow_zero=True)
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
    value = _amount("revenue", revenue, allow_zero=True)
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
            project=contract.project,
            amount=declaration.due.amount,
            method=method,
            saved_method=saved_method,
            income_purpose="receivable",
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
    return declaration_sync(declaration=declaration)


@transaction.atomic
def declaration_sync(*, declaration: RevenueDeclaration) -> RevenueDeclaration:
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


def declarations_sync_open() -> int:
    """Follow the payments still under way (Celery beat)."""
    open_ = list(
        RevenueDeclaration.objects.filter(
            status=DeclarationStatus.DUE, charge__isnull=False
        ).values_list("pk", flat=True)
    )
    for pk in open_:
        declaration_sync(declaration=RevenueDeclaration(pk=pk))
    return len(open_)


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
        percent=_percent("percent", percent),
        split=split,
        created_by=actor,
        base_revenue=Money(_amount("base_revenue", base_revenue, allow_zero=True), "EUR")
        if base_revenue not in (None, "")
        else None,
    )
    save_validated(policy)
    for beneficiary, weight in beneficiaries:
        field = "project" if isinstance(beneficiary, Project) else "organisation"
        save_validated(PolicyBeneficiary(policy=policy, weight=weight, **{field: beneficiary}))
    return policy


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
