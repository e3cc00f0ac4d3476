"""Reads about people, organisations and memberships."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db.models import QuerySet

from .models import (
    MONEY_ROLES,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    Role,
    User,
)

INVITATION_SALT = "commons_fund.members.invitation"
SEARCH_MAX_LENGTH = 100


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def organisation_membership(
    *, organisation: Organisation | None, user: User | AnonymousUser
) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(organisation=organisation, user=user).first()


def organisation_has_role(
    *,
    organisation: Organisation | None,
    user: User | AnonymousUser,
    roles: tuple[str, ...] = (Role.ADMIN,),
) -> bool:
    """Whether the person is staff, or holds one of `roles` in the organisation (None: the
    platform itself, which only staff act for)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return (
        organisation is not None
        and Membership.objects.filter(organisation=organisation, user=user, role__in=roles).exists()
    )


def organisations_with_role(
    *, user: User, roles: tuple[str, ...] = (Role.ADMIN,)
) -> QuerySet[Organisation]:
    """The organisations in which the person holds one of `roles` (all of them for staff)."""
    organisations = Organisation.objects.order_by("name")
    if user.is_staff:
        return organisations
    return organisations.filter(memberships__user=user, memberships__role__in=roles).distinct()


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__email")
    )


def organisation_admin_count(*, organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=Role.ADMIN).count()


def organisation_pending_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation, status=InvitationStatus.PENDING
    ).select_related("invited_by")


def organisation_list(
    *, search: str = "", legal_form: str = "", region: str = ""
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    search = search.replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]  # PostgreSQL refuses NUL
    if search:
        organisations = organisations.filter(name__icontains=search)
    if legal_form:
        organisations = organisations.filter(legal_form=legal_form)
    if region:
        organisations = organisations.filter(region=region)
    return organisations.order_by("name")


def user_verified_emails(*, user: User) -> set[str]:
    return {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def user_pending_invitations(*, user: User) -> list[Invitation]:
    emails = user_verified_emails(user=user)
    if not emails:
        return []
    return list(
        Invitation.objects.filter(status=InvitationStatus.PENDING, email__in=emails)
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def invitation_token(*, invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(*, token: str) -> Invitation | None:
    """The invitation a link designates, or None if the link is forged or too old."""
    try:
        invitation_id = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )


def user_with_calendar_key(*, key: str) -> User | None:
    """The active person whose calendar feed is at this secret address."""
    if not key:
        return None
    return User.objects.filter(calendar_key=key, is_active=True).first()


def money_keepers(*, organisation: Organisation) -> QuerySet[User]:
    """The people who keep an organisation's money: its administrators and treasurers."""
    return User.objects.filter(
        memberships__organisation=organisation, memberships__role__in=MONEY_ROLES
    ).distinct()
