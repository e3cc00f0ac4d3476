"""Bank transfer instructions, on any page that asks a payer for a transfer."""

from typing import Any

from django import template

from commons_fund.payments import selectors
from commons_fund.payments.models import Charge

register = template.Library()


@register.inclusion_tag("payments/_transfer_instructions.html")
def transfer_instructions(charge: Charge) -> dict[str, Any]:
    return {"transfer": selectors.transfer_instructions(charge=charge)}
