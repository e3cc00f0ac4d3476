"""Reciprocity shown on other apps' pages without their code importing it: a commons'
Django page loads this library to list the commons' certified providers, an organisation's
page to offer its badges."""

from django import template
from django.utils import timezone

from reciprocity.selectors import certified_providers, one_percent_year, partner_up_to_date

register = template.Library()


@register.inclusion_tag("reciprocity/_providers.html")
def commons_providers(project) -> dict:
    """The companies that earn from `project` under a signed contract, by department."""
    return {"providers": certified_providers(project=project)}


@register.inclusion_tag("reciprocity/_badges.html", takes_context=True)
def organisation_badges(context, organisation) -> dict:
    """The badges `organisation` has earned, with the code to put them on its site."""
    today = timezone.localdate()
    return {
        "request": context["request"],
        "organisation": organisation,
        "up_to_date": partner_up_to_date(partner=organisation, today=today),
        "one_percent_year": one_percent_year(organisation=organisation, today=today),
    }
