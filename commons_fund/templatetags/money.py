from decimal import Decimal

from django import template

from commons_fund.money import format_amount, format_percent, from_minor_units

register = template.Library()


@register.filter
def amount(value, currency: str = "EUR") -> str:
    """{{ 123450|amount }} → "1 234,50 €" from minor units, in the active language."""
    if value in (None, ""):
        return ""
    return format_amount(from_minor_units(int(value), currency), currency)


@register.filter
def euros(value, currency: str = "EUR") -> str:
    """{{ Decimal("1234.5")|euros }} → "1 234,50 €" from a decimal amount."""
    if value in (None, ""):
        return ""
    return format_amount(value, currency)


@register.filter
def percent(value) -> str:
    """{{ rate|percent }} → "14,18 %" in French (a narrow no-break space), "14.18%" in
    English."""
    if value in (None, ""):
        return ""
    return format_percent(Decimal(value))
