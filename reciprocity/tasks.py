"""Celery tasks of reciprocity: thin, they call one service."""

from celery import shared_task

from . import services


@shared_task
def declarations_remind() -> int:
    return services.declarations_remind()


@shared_task
def declarations_follow_charges() -> int:
    return services.declarations_follow_charges()
