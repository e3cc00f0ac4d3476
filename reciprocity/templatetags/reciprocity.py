"""Reciprocity shown on other apps' pages without their code importing it: a commons'
Django page loads this library to list the commons' certified providers."""

from django import template

from reciprocity.selectors import certified_providers

register = template.Library()


@register.inclusion_tag("reciprocity/_providers.html")
def commons_providers(project) -> dict:
    """The companies that earn from `project` under a signed contract, by department."""
    return {"providers": certified_providers(project=project)}
