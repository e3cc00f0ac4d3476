from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """People, organisations, memberships and roles."""

    name = "commons_fund.members"
    label = "members"
    verbose_name = _("Members")
