"""Tasks run by a real Celery worker (in-memory broker locally, Redis in CI)."""

import re
from datetime import timedelta

import pytest
from celery.app.task import Task
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

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


def _broker_down(*args, **kwargs):
    raise OperationalError("[Errno 111] Connection refused")


@pytest.mark.django_db(transaction=True)
def test_an_invitation_whose_email_was_not_queued_is_sent_once_by_the_sweep(
    celery_worker, monkeypatch
):
    """#17.6: the broker was down when the invitation was made; the beat sweep sends it."""
    admin = MembershipFactory(role=Role.ADMIN)
    with monkeypatch.context() as broker:
        broker.setattr(Task, "apply_async", _broker_down)
        invitation = services.invitation_create(
            organisation=admin.organisation,
            inviter=admin.user,
            email="lou@example.org",
            role=Role.MEMBER,
        )
    assert services.invitations_send_unsent() == 0  # too early: its task may still come
    later = timezone.now() + services.UNSENT_AFTER + timedelta(seconds=1)
    assert services.invitations_send_unsent(now=later) == 1
    # The worker sends the email, then records it when its transaction commits: wait for both.
    assert wait_for(lambda: Invitation.objects.get(pk=invitation.pk).email_sent_at is not None), (
        "the sweep's task sent no email"
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lou@example.org"]
    invitation.refresh_from_db()
    assert services.invitations_send_unsent(now=later) == 0
    # The first task, delivered late after all, sends nothing more.
    assert services.invitation_email_send(invitation=invitation) is False
    assert len(mail.outbox) == 1


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
