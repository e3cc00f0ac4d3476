"""Celery tasks of pools: thin, they take ids and call one service."""

from celery import shared_task

from . import ballots, collecting, notifications, rounds
from .models import Instalment, Round


@shared_task
def rounds_advance() -> int:
    return rounds.rounds_advance()


@shared_task
def rounds_remind() -> int:
    return rounds.rounds_remind()


@shared_task
def ballots_unseal_waiting() -> int:
    return ballots.ballots_unseal_waiting()


@shared_task
def collection_attempt(collection_id: int) -> str:
    instalment = Instalment.objects.filter(pk=collection_id).first()
    if instalment is None:
        return "missing"
    return collecting.collection_attempt(instalment=instalment).status


@shared_task
def collections_retry_due() -> int:
    return collecting.collections_retry_due()


@shared_task
def collections_follow_charges() -> int:
    return collecting.collections_follow_charges()


@shared_task
def round_notify(round_id: int, event: str) -> int:
    round_ = Round.objects.filter(pk=round_id).first()
    return notifications.round_notify(round_=round_, event=event) if round_ else 0


@shared_task
def collection_notify(collection_id: int, event: str) -> int:
    instalment = Instalment.objects.filter(pk=collection_id).first()
    return notifications.collection_notify(instalment=instalment, event=event) if instalment else 0
