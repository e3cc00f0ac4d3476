"""What the pools show on other apps' pages ("My space"), without those apps importing the
pools: their templates load this library."""

from django import template

from pledges import personal

register = template.Library()


@register.inclusion_tag("pledges/_awaiting.html", takes_context=True)
def pools_awaiting(context) -> dict:
    return {"awaiting": personal.awaiting(user=context["request"].user)}
