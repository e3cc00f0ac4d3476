"""Amounts and rates read from a form or the API, with the error on the field that gave them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from commons_fund.members.models import MONEY_ROLES
from commons_fund.money import parse_amount

__all__ = ["MONEY_ROLES", "amount_field", "percent_field"]


def amount_field(field: str, value, **limits) -> Decimal:
    try:
        return parse_amount(value, **limits)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def percent_field(field: str, value) -> Decimal:
    rate = amount_field(field, value, maximum=Decimal(100))
    if rate <= 0:
        raise ValidationError({field: _("A rate above 0 % and at most 100 %.")})
    return rate
