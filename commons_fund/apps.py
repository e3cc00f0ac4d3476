from django.apps import AppConfig


class CommonsFundConfig(AppConfig):
    """The shared core: base templates, static files, health check, demo data command."""

    name = "commons_fund"
    verbose_name = "Commons Fund"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks
        from .metrics import connect_task_signals
        from .page_cache import connect_signals

        connect_signals()
        connect_task_signals()
