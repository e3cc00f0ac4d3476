from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Commons, their steps, budgets, funding plan and contributions."""

    name = "projects"
    verbose_name = _("Commons projects")
