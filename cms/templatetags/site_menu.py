from django import template
from django.utils.translation import get_language

from cms.models import NavigationLink

register = template.Library()


@register.simple_tag
def menu_links():
    """The menu links editors added, in the current language."""
    return list(
        NavigationLink.objects.filter(locale__language_code=get_language()).select_related("page")
    )
