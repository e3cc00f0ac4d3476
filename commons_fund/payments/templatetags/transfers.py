"""Bank transfer instructions, on any page that asks a payer for a transfer."""

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from commons_fund.payments import selectors
from commons_fund.payments.epc import epc_qr_svg
from commons_fund.payments.models import Charge

register = template.Library()


@register.inclusion_tag("payments/_transfer_instructions.html")
def transfer_instructions(charge: Charge) -> dict[str, Any]:
    transfer = selectors.transfer_instructions(charge=charge)
    # The SVG is segno's own markup of a matrix of modules: no text of the payer's in it.
    qr = mark_safe(epc_qr_svg(transfer=transfer)) if transfer.scannable else ""  # noqa: S308
    return {"transfer": transfer, "qr": qr}
