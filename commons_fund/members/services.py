"""Writes about organisations, memberships and invitations; each is atomic."""

import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commons_fund.jobs import queue, queue_after_commit

from .mailing import email_render
from .models import (
    EmailOptOut,
    EmailTopic,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    Role,
    User,
)
from .selectors import invitation_token, organisation_has_role, user_verified_emails
from .validators import compact_siren, compact_siret

ORGANISATION_FIELDS = (
    "name",
    "slug",
    "legal_form",
    "siren",
    "siret",
    "region",
    "department",
    "founded_year",
    "website",
    "street_address",
    "postal_code",
    "city",
    "representative_name",
    "representative_title",
    "description",
    "logo",
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")


def organisation_default_slug(name: str) -> str:
    return slugify(name)[:80].strip("-")


def _organisation_save(organisation: Organisation) -> Organisation:
    organisation.name = organisation.name.strip()
    organisation.siren = compact_siren(organisation.siren)
    organisation.siret = compact_siret(organisation.siret)
    if not organisation.slug:
        organisation.slug = organisation_default_slug(organisation.name)
    organisation.full_clean()
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        # A concurrent request took the same address or SIREN between check and write.
        raise ValidationError(
            _("An organisation with this web address or SIREN already exists.")
        ) from error
    return organisation


@transaction.atomic
def organisation_create(*, creator: User, name: str, legal_form: str, **fields) -> Organisation:
    """Create an organisation; its creator becomes its first administrator."""
    _check_fields(fields)
    organisation = Organisation(name=name, legal_form=legal_form, **fields)
    _organisation_save(organisation)
    Membership.objects.create(organisation=organisation, user=creator, role=Role.ADMIN)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User, **fields) -> Organisation:
    _require_admin(organisation=organisation, actor=actor)
    _check_fields(fields)
    for name, value in fields.items():
        setattr(organisation, name, value)
    return _organisation_save(organisation)


def _require_admin(*, organisation: Organisation, actor: User) -> None:
    if not organisation_has_role(organisation=organisation, user=actor):
        raise PermissionDenied(_("Only an administrator of the organisation may do this."))


def _lock_organisation(organisation: Organisation) -> Organisation:
    """Serialise role changes of one organisation (the last-admin rule depends on it)."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _ensure_an_admin_remains(*, membership: Membership) -> None:
    if membership.role != Role.ADMIN:
        return
    admins = Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
    if not admins.exclude(pk=membership.pk).exists():
        raise ValidationError(
            _("The organisation needs at least one administrator: name another one first."),
            code="last_admin",
        )


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, inviter: User, email: str, role: str, language: str = ""
) -> Invitation:
    """Invite someone by email; the email is sent by a Celery task once the row is committed."""
    _require_admin(organisation=organisation, actor=inviter)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=inviter,
        language=language or settings.LANGUAGE_CODE,
    )
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:
        raise ValidationError(
            {"email": _("This address already has a pending invitation.")}
        ) from error

    queue_after_commit("commons_fund.members.tasks.invitation_send_email", invitation.pk)
    return invitation


@transaction.atomic
def invitation_email_send(*, invitation: Invitation) -> bool:
    """Send the invitation link once; False (and nothing sent) if it is no longer pending or
    its email went already (a task delivered twice, or queued again by the sweep)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.status != InvitationStatus.PENDING or invitation.email_sent_at:
        return False
    with translation.override(invitation.language):
        path = reverse(
            "members:invitation", kwargs={"token": invitation_token(invitation=invitation)}
        )
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL.rstrip("/") + path,
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        }
        subject, body = email_render(template="members/email/invitation.txt", context=context)
    send_mail(subject, body, None, [invitation.email])
    invitation.email_sent_at = timezone.now()
    invitation.save(update_fields=["email_sent_at"])
    return True


# An invitation still unsent this long after it was made had its task lost (the broker was
# down when it was queued): the sweep queues it again.
UNSENT_AFTER = timedelta(minutes=10)


def invitations_send_unsent(*, now=None) -> int:
    """Celery beat: queue again the emails of pending invitations never sent."""
    now = now or timezone.now()
    unsent = list(
        Invitation.objects.filter(
            status=InvitationStatus.PENDING,
            email_sent_at__isnull=True,
            created_at__lte=now - UNSENT_AFTER,
            created_at__gt=now - timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        ).values_list("pk", flat=True)
    )
    for pk in unsent:
        queue("commons_fund.members.tasks.invitation_send_email", pk)
    return len(unsent)


def invitation_is_open(*, invitation: Invitation) -> bool:
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    return (
        invitation.status == InvitationStatus.PENDING
        and invitation.created_at + max_age > timezone.now()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organisation as invited; the person must own the invited address (verified)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation_is_open(invitation=invitation):
        raise ValidationError(_("This invitation is no longer valid."), code="closed")
    if invitation.email.lower() not in user_verified_emails(user=user):
        raise ValidationError(
            _("This invitation was sent to %(email)s: log in with that address to accept it.")
            % {"email": invitation.email},
            code="wrong_email",
        )
    membership, _created = Membership.objects.get_or_create(
        organisation_id=invitation.organisation_id,
        user=user,
        defaults={"role": invitation.role},
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_by = user
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "answered_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    _require_admin(organisation=invitation.organisation, actor=actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == InvitationStatus.PENDING:
        invitation.status = InvitationStatus.REVOKED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
    return invitation


@transaction.atomic
def invitations_expire(*, now=None) -> int:
    """Mark pending invitations older than INVITATION_MAX_AGE_DAYS as expired."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    return Invitation.objects.filter(status=InvitationStatus.PENDING, created_at__lte=limit).update(
        status=InvitationStatus.EXPIRED, answered_at=now
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    _require_admin(organisation=membership.organisation, actor=actor)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _lock_organisation(membership.organisation)
    membership = Membership.objects.get(pk=membership.pk)
    if role != Role.ADMIN:
        _ensure_an_admin_remains(membership=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """Leave an organisation; the last administrator cannot."""
    _lock_organisation(membership.organisation)
    membership = Membership.objects.get(pk=membership.pk)
    _ensure_an_admin_remains(membership=membership)
    membership.delete()


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    _require_admin(organisation=membership.organisation, actor=actor)
    _lock_organisation(membership.organisation)
    membership = Membership.objects.get(pk=membership.pk)
    _ensure_an_admin_remains(membership=membership)
    membership.delete()


@transaction.atomic
def guest_donor_get_or_create(*, email: str, first_name: str, last_name: str) -> User:
    """The person behind a gift made without logging in: the account of that email when
    there is one (left as it is), else a new one without a password, which its owner can
    take over later by resetting the password of that email (and then finds the gift in
    "Mes paiements" and its tax receipt)."""
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Enter a valid email address.")}) from error
    found = User.objects.filter(email__iexact=email).first()
    if found is not None:
        return found
    person = User(
        email=email, first_name=first_name.strip()[:150], last_name=last_name.strip()[:150]
    )
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    return person


@transaction.atomic
def user_postal_address_set(
    *, user: User, street_address: str, postal_code: str, city: str
) -> User:
    """A person's postal address (tax receipts name it): all three parts, or none."""
    parts = {
        "street_address": " ".join(street_address.split()),
        "postal_code": postal_code.strip().upper(),
        "city": " ".join(city.split()),
    }
    if any(parts.values()):
        missing = {name: _("Give the whole address.") for name, value in parts.items() if not value}
        if missing:
            raise ValidationError(missing)
    if parts["postal_code"] and not re.fullmatch(r"[0-9A-Z][0-9A-Z -]{1,9}", parts["postal_code"]):
        raise ValidationError({"postal_code": _("This postal code is not valid.")})
    for name, value in parts.items():
        setattr(user, name, value)
    user.full_clean(
        exclude=[f.name for f in User._meta.fields if f.name not in parts], validate_unique=False
    )
    user.save(update_fields=list(parts))
    return user


@transaction.atomic
def user_email_preferences_set(*, user: User, language: str, topics: Iterable[str]) -> User:
    """Set a person's language and the topics they receive emails about (the others are
    turned off); emails about their money have no topic and cannot be turned off."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose French or English.")})
    topics = set(topics)
    if unknown := topics - set(EmailTopic.values):
        raise ValidationError({"topics": _("Unknown topic: %s.") % ", ".join(sorted(unknown))})
    user.language = language
    user.save(update_fields=["language"])
    EmailOptOut.objects.filter(user=user, topic__in=topics).delete()
    for topic in set(EmailTopic.values) - topics:
        EmailOptOut.objects.get_or_create(user=user, topic=topic)
    return user


@transaction.atomic
def user_email_opt_out(*, user: User, topic: str) -> EmailOptOut:
    """Stop the emails of one topic (the one-click link of such an email); done twice, it
    changes nothing."""
    if topic not in EmailTopic.values:
        raise ValidationError({"topic": _("Unknown topic: %s.") % topic})
    return EmailOptOut.objects.get_or_create(user=user, topic=topic)[0]


@transaction.atomic
def user_calendar_key_renew(*, user: User) -> User:
    """Give the person a new secret address for their calendar feed; the old one stops
    working at once."""
    user.calendar_key = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_key"])
    return user
