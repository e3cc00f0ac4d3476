"""Emails of pools, each sent by a Celery task queued on commit. A template's first line is
the subject, the rest the body (`pledges/email/<event>.txt`)."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from commons_fund.members.models import Membership, Role
from commons_fund.money import format_amount, from_minor_units
from commons_fund.payments import selectors as payment_selectors
from commons_fund.payments.epc import epc_qr_png
from commons_fund.payments.models import ChargeStatus

from .models import Collection, CollectionStatus, PoolMembership, Round, VoterRoll
from .selectors import voting_members

ROUND_EVENTS = {"voting_open", "reminder", "results", "payout"}
COLLECTION_EVENTS = {"due", "failed", "defaulted"}
# The EPC QR code of a transfer to make, attached to the "payment due" email.
EPC_QR_FILE = "virement-qr.png"


def membership_emails(memberships) -> dict[int, list[str]]:
    """Addresses per membership: the person's, or an organisation's admins and treasurers."""
    memberships = list(memberships)
    people = {m.pk: [m.user.email] for m in memberships if m.user_id}
    organisations = {m.organisation_id: m.pk for m in memberships if m.organisation_id}
    rows = Membership.objects.filter(
        organisation__in=organisations, role__in=[Role.ADMIN, Role.TREASURER]
    ).values_list("organisation_id", "user__email")
    for organisation, email in rows:
        people.setdefault(organisations[organisation], []).append(email)
    return people


def _render(template: str, context: dict) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(template, context)
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split()), body.lstrip("\n")


def round_notify(*, round_: Round, event: str) -> int:
    """Tell the members a vote opened, remind those who have not voted, publish the results;
    tell the winners' maintainers the pot is paid out. Returns the number of emails."""
    if event not in ROUND_EVENTS:
        raise ValueError(f"Unknown round event {event!r}.")
    round_ = Round.objects.select_related("pool", "winner__project").get(pk=round_.pk)
    if event == "payout":
        projects = [source.project for source in round_.funding_sources.select_related("project")]
        addresses = sorted(
            {
                email
                for project in projects
                for email in project.maintainers.values_list("email", flat=True)
            }
        )
    else:
        members = PoolMembership.objects.filter(
            pk__in=voting_members(round_=round_)
        ).select_related("user")
        if event == "reminder":
            members = members.exclude(
                pk__in=VoterRoll.objects.filter(round=round_).values("membership")
            )
        # One email per person, whatever the number of members they act for.
        addresses = sorted(
            {email for emails in membership_emails(members).values() for email in emails}
        )
    subject, body = _render(
        f"pledges/email/{event}.txt",
        {
            "round": round_,
            "pool": round_.pool,
            "url": settings.SITE_URL + round_.get_absolute_url(),
        },
    )
    messages = [(subject, body, None, [address]) for address in addresses]
    return send_mass_mail(messages, fail_silently=False)


def collection_notify(*, collection: Collection, event: str) -> int:
    """Tell a member their payment is due (a transfer to make), failed or defaulted; pool
    administrators are told of a default too."""
    if event not in COLLECTION_EVENTS:
        raise ValueError(f"Unknown collection event {event!r}.")
    collection = Collection.objects.select_related(
        "round__pool__host",
        "pledge__membership__user",
        "pledge__membership__organisation",
        "charge",
    ).get(pk=collection.pk)
    round_ = collection.round
    paid = collection.charge is not None and collection.charge.status == ChargeStatus.SUCCEEDED
    if event == "due" and (collection.status != CollectionStatus.DUE or paid):
        return 0  # paid (or voided) since the email was queued: nothing is due any more
    emails = membership_emails([collection.pledge.membership]).get(
        collection.pledge.membership_id, []
    )
    if event == "defaulted":
        emails += list(
            Membership.objects.filter(
                Q(role=Role.ADMIN) | Q(role=Role.TREASURER), organisation=round_.pool.host
            ).values_list("user__email", flat=True)
        )
    transfer = (
        payment_selectors.transfer_instructions(charge=collection.charge)
        if collection.charge and collection.charge.transfer_reference
        else None
    )
    subject, body = _render(
        f"pledges/email/collection_{event}.txt",
        {
            "round": round_,
            "pool": round_.pool,
            "collection": collection,
            "member": collection.pledge.membership.name,
            "amount": format_amount(from_minor_units(collection.amount)),
            "reference": collection.charge.transfer_reference if collection.charge else "",
            "transfer": transfer,
            "url": settings.SITE_URL + round_.get_absolute_url(),
        },
    )
    if not emails:
        return 0
    messages = []
    for address in sorted(set(emails)):
        message = EmailMessage(subject, body, to=[address])
        if event == "due" and transfer is not None and transfer.scannable:
            message.attach(EPC_QR_FILE, epc_qr_png(transfer=transfer), "image/png")
        messages.append(message)
    return get_connection(fail_silently=False).send_messages(messages) or 0
