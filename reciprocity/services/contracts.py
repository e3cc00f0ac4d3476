"""Reciprocity contracts: drafted, proposed, accepted by each party, suspended or ended; the
share due on a revenue."""

import calendar
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

from commons_fund.logs import log_event
from commons_fund.members.models import Membership, Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role
from commons_fund.models import save_validated
from commons_fund.money import round_cents
from projects.models import Project

from ..models import (
    ContractAcceptance,
    ContractState,
    Party,
    Period,
    ReciprocityContract,
)
from ..pdf import contract_pdf
from .fields import amount_field, percent_field

logger = logging.getLogger(__name__)


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
        rate=percent_field("rate", rate),
        base=base.strip(),
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        language=language,
        show_amounts=show_amounts,
        floor=Money(amount_field("floor", floor, allow_zero=True), "EUR")
        if floor not in (None, "")
        else None,
        ceiling=Money(amount_field("ceiling", ceiling), "EUR")
        if ceiling not in (None, "")
        else None,
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


NOTICE_MONTHS = 3  # article 5 of the contract: either party ends it with three months' notice


def _months_later(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def termination_end(*, contract: ReciprocityContract, today: date) -> date:
    """When a contract ended today would end: after the three months' notice its article 5
    promises, or at its own end if that comes first (never before its start)."""
    end = _months_later(today, NOTICE_MONTHS)
    if contract.ends_on is not None:
        end = min(end, contract.ends_on)
    return max(end, contract.starts_on + timedelta(days=1))


@transaction.atomic
def contract_set_state(
    *, contract: ReciprocityContract, actor: User, state: str
) -> ReciprocityContract:
    """Suspend or resume a signed contract (the hosting structure's administrators: no
    declaration is expected while it is suspended), or end it (either party's
    administrators: it ends after the three months' notice of its article 5, or at its own
    end if sooner; the periods until then are still declared and paid)."""
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
        contract.ends_on = termination_end(contract=contract, today=timezone.localdate())
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
