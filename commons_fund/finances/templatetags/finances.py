from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def years(value: Decimal) -> str:
    """A number of years to a tenth: "1,6" in French."""
    return number_format(value, decimal_pos=1)


@register.filter
def max_of(value, other):
    return max(value, other)


@register.filter
def grouped(value: int) -> str:
    """A whole number with its thousands grouped: "1 827" in French, "1,827" in English."""
    return number_format(value, force_grouping=True)
