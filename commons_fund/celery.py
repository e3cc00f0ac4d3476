"""The Celery application; its broker and beat schedule come from the Django settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commons_fund.settings")

app = Celery("commons_fund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
