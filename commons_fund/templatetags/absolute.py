from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, name: str, **kwargs) -> str:
    """{% absolute_url 'projects:project_card' slug=project.slug %} → the whole address,
    scheme and host included (code people copy to their own sites)."""
    return context["request"].build_absolute_uri(reverse(name, kwargs=kwargs))
