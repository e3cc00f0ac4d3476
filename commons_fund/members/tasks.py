"""Celery tasks of members: thin, they take ids and call one service."""

import logging

from celery import shared_task

from . import services
from .models import Invitation

logger = logging.getLogger(__name__)


@shared_task
def invitation_send_email(invitation_id: int) -> bool:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        logger.warning("Invitation %s vanished before its email was sent.", invitation_id)
        return False
    return services.invitation_email_send(invitation=invitation)


@shared_task
def invitations_expire() -> int:
    return services.invitations_expire()


@shared_task
def invitations_send_unsent() -> int:
    return services.invitations_send_unsent()
