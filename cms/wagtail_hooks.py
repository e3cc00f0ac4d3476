"""Editors manage the menu links as snippets (one list per language)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import NavigationLink


class NavigationLinkViewSet(SnippetViewSet):
    model = NavigationLink
    icon = "link"
    menu_label = _("Menu links")
    list_display = ["label", "href", "sort_order", "locale"]


register_snippet(NavigationLinkViewSet)
