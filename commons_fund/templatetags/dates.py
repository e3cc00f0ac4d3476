"""French writing in templates: {{ day|long_date }}, {{ moment|long_datetime }}
(commons_fund.dates) and {{ text|elided }} (commons_fund.french)."""

from django import template

from commons_fund.dates import long_date as _long_date
from commons_fund.dates import long_datetime as _long_datetime
from commons_fund.french import elided as _elided

register = template.Library()


@register.filter
def long_date(value) -> str:
    return _long_date(value) if value else ""


@register.filter
def long_datetime(value) -> str:
    return _long_datetime(value) if value else ""


@register.filter(is_safe=True)  # it adds no markup: safe text stays safe
def elided(value) -> str:
    return _elided(str(value))
