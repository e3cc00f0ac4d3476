"""{{ day|long_date }} and {{ moment|long_datetime }}: see commons_fund.dates."""

from django import template

from commons_fund.dates import long_date as _long_date
from commons_fund.dates import long_datetime as _long_datetime

register = template.Library()


@register.filter
def long_date(value) -> str:
    return _long_date(value) if value else ""


@register.filter
def long_datetime(value) -> str:
    return _long_datetime(value) if value else ""
