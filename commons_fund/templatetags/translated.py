from django import template

from commons_fund.translations import translated as translated_text

register = template.Library()


@register.filter
def translated(obj, field: str) -> str:
    """{{ project|translated:"summary" }}: in the page's language when given, else the
    original (commons_fund/translations.py)."""
    return translated_text(obj, field)
