"""What payers read on any page: bank transfer instructions, and the text of a SEPA Direct
Debit mandate."""

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from commons_fund.payments import selectors
from commons_fund.payments.epc import epc_qr_svg
from commons_fund.payments.models import Charge, SavedPaymentMethod

register = template.Library()


@register.inclusion_tag("payments/_transfer_instructions.html")
def transfer_instructions(charge: Charge) -> dict[str, Any]:
    transfer = selectors.transfer_instructions(charge=charge)
    # The SVG is segno's own markup of a matrix of modules: no text of the payer's in it.
    qr = mark_safe(epc_qr_svg(transfer=transfer)) if transfer.scannable else ""  # noqa: S308
    return {"transfer": transfer, "qr": qr}


@register.inclusion_tag("payments/_sepa_mandate.html")
def sepa_mandate(method: SavedPaymentMethod | None = None) -> dict[str, Any]:
    """The text of a SEPA Direct Debit mandate (the EPC's wording), with its creditor the
    same everywhere; with `method`, the mandate as accepted (reference, holder, date)."""
    return {
        "creditor_name": settings.SEPA_CREDITOR_NAME,
        "creditor_id": settings.SEPA_CREDITOR_ID,
        "method": method,
    }
