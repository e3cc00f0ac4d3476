from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commons_fund.members import services
from commons_fund.members.models import (
    Invitation,
    InvitationStatus,
    LegalForm,
    Membership,
    Organisation,
    Role,
)

from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organisation_create_makes_the_creator_its_admin(user):
    organisation = services.organisation_create(
        creator=user,
        name="Coopérative des Communs",
        legal_form=LegalForm.SCIC,
        siren="552 100 554",
        department="14",
    )
    assert organisation.slug == "cooperative-des-communs"
    assert organisation.siren == "552100554"
    assert organisation.region == "28"  # derived from the Calvados département
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (user, Role.ADMIN)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "x" * 121}, "name"),
        ({"name": "<script>alert(1)</script>"}, "name"),
        ({"name": "   "}, "name"),
        ({"legal_form": "sarl-pirate"}, "legal_form"),
        ({"siren": "552100555"}, "siren"),
        ({"siren": "12345"}, "siren"),
        ({"siret": "55210055400014"}, "siret"),
        ({"siren": "552100554", "siret": "73282932000074"}, "siret"),
        ({"region": "28", "department": "69"}, "department"),
        ({"founded_year": 1200}, "founded_year"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_organisation_create_refuses_bad_input_and_writes_nothing(user, fields, field):
    arguments = {"name": "Une asso", "legal_form": LegalForm.ASSOCIATION, **fields}
    with pytest.raises(ValidationError) as raised:
        services.organisation_create(creator=user, **arguments)
    assert field in raised.value.message_dict
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_organisation_create_refuses_a_taken_slug_or_siren(user):
    OrganisationFactory(slug="framasoft", siren="552100554")
    with pytest.raises(ValidationError) as raised:
        services.organisation_create(creator=user, name="Framasoft", legal_form="association")
    assert "slug" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.organisation_create(
            creator=user, name="Autre", legal_form="association", siren="552100554"
        )
    assert Organisation.objects.count() == 1


def test_organisation_update_requires_an_admin():
    membership = MembershipFactory(role=Role.TREASURER)
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            organisation=membership.organisation, actor=membership.user, name="Renamed"
        )
    admin = MembershipFactory(organisation=membership.organisation, role=Role.ADMIN)
    services.organisation_update(
        organisation=membership.organisation, actor=admin.user, name="Renamed"
    )
    assert Organisation.objects.get().name == "Renamed"


def test_the_last_admin_can_neither_leave_nor_be_demoted_nor_removed():
    admin = MembershipFactory(role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.membership_leave(membership=admin)
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=admin, actor=admin.user, role=Role.MEMBER)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=admin, actor=admin.user)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN

    second = MembershipFactory(organisation=admin.organisation, role=Role.MEMBER)
    services.membership_change_role(membership=second, actor=admin.user, role=Role.ADMIN)
    services.membership_leave(membership=admin)
    assert list(Membership.objects.values_list("role", flat=True)) == [Role.ADMIN]


def test_only_admins_change_roles_and_remove_members():
    member = MembershipFactory(role=Role.MEMBER)
    other = MembershipFactory(organisation=member.organisation, role=Role.TREASURER)
    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=other, actor=member.user, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=other, actor=member.user)
    assert Membership.objects.count() == 2


@pytest.fixture
def admin_membership():
    return MembershipFactory(role=Role.ADMIN)


def test_invitation_accept_creates_the_membership(
    admin_membership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = services.invitation_create(
            organisation=admin_membership.organisation,
            inviter=admin_membership.user,
            email="  Lou@Example.org ",
            role=Role.TREASURER,
        )
    assert invitation.email == "lou@example.org"
    assert len(callbacks) == 1  # the email task is queued once the invitation is committed
    lou = UserFactory(email="lou@example.org")
    membership = services.invitation_accept(invitation=invitation, user=lou)
    assert (membership.organisation, membership.role) == (
        admin_membership.organisation,
        Role.TREASURER,
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, lou)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=lou)


def test_invitation_is_for_the_invited_address_only(admin_membership):
    invitation = services.invitation_create(
        organisation=admin_membership.organisation,
        inviter=admin_membership.user,
        email="lou@example.org",
        role=Role.MEMBER,
    )
    stranger = UserFactory(email="someone@example.org")
    unverified = UserFactory(email="lou@example.org", verified_email=False)
    for user in (stranger, unverified):
        with pytest.raises(ValidationError):
            services.invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.count() == 1


def test_invitation_refusals(admin_membership):
    organisation, admin = admin_membership.organisation, admin_membership.user
    member = MembershipFactory(organisation=organisation)
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            organisation=organisation, inviter=member.user, email="a@example.org", role="member"
        )
    with pytest.raises(ValidationError) as raised:
        services.invitation_create(
            organisation=organisation, inviter=admin, email=member.user.email, role="member"
        )
    assert "email" in raised.value.message_dict
    services.invitation_create(
        organisation=organisation, inviter=admin, email="a@example.org", role="member"
    )
    with pytest.raises(ValidationError):
        services.invitation_create(
            organisation=organisation, inviter=admin, email="A@example.org", role="member"
        )
    with pytest.raises(ValidationError):
        services.invitation_create(
            organisation=organisation, inviter=admin, email="not-an-email", role="member"
        )
    with pytest.raises(ValidationError):
        services.invitation_create(
            organisation=organisation, inviter=admin, email="b@example.org", role="king"
        )
    assert Invitation.objects.count() == 1


def test_revoked_and_expired_invitations_cannot_be_accepted(admin_membership, settings):
    organisation, admin = admin_membership.organisation, admin_membership.user
    revoked = services.invitation_create(
        organisation=organisation, inviter=admin, email="a@example.org", role="member"
    )
    services.invitation_revoke(invitation=revoked, actor=admin)
    old = services.invitation_create(
        organisation=organisation, inviter=admin, email="b@example.org", role="member"
    )
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS, seconds=1)
    )
    old.refresh_from_db()
    for invitation, email in ((revoked, "a@example.org"), (old, "b@example.org")):
        with pytest.raises(ValidationError):
            services.invitation_accept(invitation=invitation, user=UserFactory(email=email))
    assert services.invitations_expire() == 1
    assert Invitation.objects.get(pk=old.pk).status == InvitationStatus.EXPIRED
    assert Membership.objects.count() == 1
