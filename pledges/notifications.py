"""Emails of pools, each sent by a Celery task queued on commit (`pledges/email/<event>.txt`,
sent with `members.mailing.people_email`)."""

from django.conf import settings

from commons_fund.members.mailing import people_email
from commons_fund.members.models import EmailTopic, Membership, Role, User
from commons_fund.members.selectors import money_keepers
from commons_fund.money import format_amount, from_minor_units
from commons_fund.payments import selectors as payment_selectors
from commons_fund.payments.epc import epc_qr_png
from commons_fund.payments.models import ChargeStatus

from .models import Instalment, InstalmentStatus, PoolMembership, Round, VoterRoll
from .selectors import voting_members

ROUND_EVENTS = {"voting_open", "reminder", "results", "payout", "matching_due"}
COLLECTION_EVENTS = {"due", "failed", "defaulted"}
# The EPC QR code of a transfer to make, attached to the "payment due" email.
EPC_QR_FILE = "virement-qr.png"


# The topic a person may turn off for each round event (all of them are optional).
ROUND_TOPICS = {
    "voting_open": EmailTopic.VOTES,
    "reminder": EmailTopic.VOTES,
    "results": EmailTopic.RESULTS,
    "payout": EmailTopic.PAYOUTS,
    "matching_due": None,  # a sum to pay: always sent
}


def membership_people(memberships) -> dict[int, list[User]]:
    """Who is told per membership: the person, or an organisation's admins and treasurers."""
    memberships = list(memberships)
    people = {m.pk: [m.user] for m in memberships if m.user_id}
    organisations = {m.organisation_id: m.pk for m in memberships if m.organisation_id}
    rows = Membership.objects.filter(
        organisation__in=organisations, role__in=[Role.ADMIN, Role.TREASURER]
    ).select_related("user")
    for row in rows:
        people.setdefault(organisations[row.organisation_id], []).append(row.user)
    return people


def round_notify(*, round_: Round, event: str) -> int:
    """Tell the members a vote opened, remind those who have not voted, publish the results;
    tell the winners' maintainers the pot is paid out. One email per person whatever the
    number of members they act for, in their language. Returns the number of emails."""
    if event not in ROUND_EVENTS:
        raise ValueError(f"Unknown round event {event!r}.")
    round_ = Round.objects.select_related(
        "pool", "winner__project", "matching_funder", "matching_charge"
    ).get(pk=round_.pk)
    if event == "matching_due":
        return _matching_due_send(round_)
    if event == "payout":
        people = User.objects.filter(
            maintained_projects__in=round_.funding_sources.values("project")
        ).distinct()
    else:
        members = PoolMembership.objects.filter(
            pk__in=voting_members(round_=round_)
        ).select_related("user")
        if event == "reminder":
            members = members.exclude(
                pk__in=VoterRoll.objects.filter(round=round_).values("membership")
            )
        people = [user for users in membership_people(members).values() for user in users]
    return people_email(
        people=people,
        template=f"pledges/email/{event}.txt",
        topic=ROUND_TOPICS[event],
        context=lambda: {
            "round": round_,
            "pool": round_.pool,
            "url": settings.SITE_URL + round_.get_absolute_url(),
        },
    )


def _transfer_attachments(transfer) -> list:
    if transfer is not None and transfer.scannable:
        return [(EPC_QR_FILE, epc_qr_png(transfer=transfer), "image/png")]
    return []


def _matching_due_send(round_: Round) -> int:
    """Ask the structure that funds the matching pool for the matching the vote shared: its
    treasurers and administrators get the transfer to make (with its QR code)."""
    charge = round_.matching_charge
    if charge is None or charge.status != ChargeStatus.AWAITING_TRANSFER:
        return 0
    transfer = payment_selectors.transfer_instructions(charge=charge)
    return people_email(
        people=money_keepers(organisation=round_.matching_funder),
        template="pledges/email/matching_due.txt",
        attachments=_transfer_attachments(transfer),
        context=lambda: {
            "round": round_,
            "pool": round_.pool,
            "funder": round_.matching_funder.name,
            "amount": format_amount(from_minor_units(charge.amount)),
            "reference": charge.transfer_reference,
            "transfer": transfer,
            "url": settings.SITE_URL + round_.get_absolute_url(),
        },
    )


def collection_notify(*, instalment: Instalment, event: str) -> int:
    """Tell a member their payment is due (a transfer to make), failed or defaulted; pool
    administrators are told of a default too."""
    if event not in COLLECTION_EVENTS:
        raise ValueError(f"Unknown collection event {event!r}.")
    instalment = Instalment.objects.select_related(
        "round__pool__host",
        "pledge__membership__user",
        "pledge__membership__organisation",
        "charge",
    ).get(pk=instalment.pk)
    round_ = instalment.round
    paid = instalment.charge is not None and instalment.charge.status == ChargeStatus.SUCCEEDED
    if event == "due" and (instalment.status != InstalmentStatus.DUE or paid):
        return 0  # paid (or voided) since the email was queued: nothing is due any more
    people = membership_people([instalment.pledge.membership]).get(
        instalment.pledge.membership_id, []
    )
    if event == "defaulted":
        people += list(money_keepers(organisation=round_.pool.host))
    transfer = (
        payment_selectors.transfer_instructions(charge=instalment.charge)
        if instalment.charge and instalment.charge.transfer_reference
        else None
    )
    attachments = _transfer_attachments(transfer) if event == "due" else []
    return people_email(
        people=people,
        template=f"pledges/email/collection_{event}.txt",
        attachments=attachments,
        context=lambda: {
            "round": round_,
            "pool": round_.pool,
            "collection": instalment,
            "member": instalment.pledge.membership.name,
            "amount": format_amount(instalment.amount.amount),
            "reference": instalment.charge.transfer_reference if instalment.charge else "",
            "transfer": transfer,
            "url": settings.SITE_URL + round_.get_absolute_url(),
        },
    )
