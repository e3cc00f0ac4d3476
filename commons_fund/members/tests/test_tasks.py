"""Tasks run by a real Celery worker (in-memory broker locally, Redis in CI)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from commons_fund.members import services
from commons_fund.members.models import Invitation, InvitationStatus, Role
from commons_fund.members.selectors import invitation_from_token
from commons_fund.members.tasks import invitation_send_email, invitations_expire
from tests.helpers import wait_for

from .factories import MembershipFactory


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_invitation_email_after_commit(celery_worker):
    admin = MembershipFactory(role=Role.ADMIN)
    invitation = services.invitation_create(
        organisation=admin.organisation,
        inviter=admin.user,
        email="lou@example.org",
        role=Role.TREASURER,
        language="en",
    )
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker sent no email"
    message = mail.outbox[0]
    assert message.to == ["lou@example.org"]
    assert admin.organisation.name in message.subject
    # The signed token carries the time it was made: read it back rather than remake it.
    token = re.search(r"/en/invitations/([^/\s]+)/", message.body).group(1)
    assert invitation_from_token(token=token) == invitation


@pytest.mark.django_db(transaction=True)
def test_the_worker_skips_revoked_and_vanished_invitations(celery_worker):
    admin = MembershipFactory(role=Role.ADMIN)
    revoked = Invitation.objects.create(
        organisation=admin.organisation,
        email="revoked@example.org",
        status=InvitationStatus.REVOKED,
    )
    invitation_send_email.delay(revoked.pk)
    invitation_send_email.delay(10**9)  # an id that does not exist
    # The solo worker takes tasks in order: once this last email is out, the others ran.
    services.invitation_create(
        organisation=admin.organisation,
        inviter=admin.user,
        email="kept@example.org",
        role=Role.MEMBER,
    )
    assert wait_for(lambda: len(mail.outbox) >= 1)
    assert [message.to for message in mail.outbox] == [["kept@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_beat_task_expires_old_invitations(celery_worker, settings):
    admin = MembershipFactory(role=Role.ADMIN)
    old = Invitation.objects.create(organisation=admin.organisation, email="old@example.org")
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)
    )
    invitations_expire.delay()
    assert wait_for(lambda: Invitation.objects.get(pk=old.pk).status == InvitationStatus.EXPIRED)
