"""What payers read on any page: bank transfer instructions, and the text of a SEPA Direct
Debit mandate."""

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commons_fund.members.models import Organisation
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
def sepa_mandate(
    creditor: Organisation | None = None, method: SavedPaymentMethod | None = None
) -> dict[str, Any]:
    """The text of a SEPA Direct Debit mandate (the EPC's wording). Its creditor is the host
    the debits are paid to, on whose Stripe account the mandate is saved (`creditor`, or the
    `creditor_name` selectors give a saved `method`; none: the one chosen in the form); with
    `method`, the mandate as accepted (reference, holder, date)."""
    name = creditor.name if creditor else getattr(method, "creditor_name", "") or ""
    return {
        "creditor_name": name or _("the structure chosen above"),
        "creditor_id": settings.SEPA_CREDITOR_ID,
        "method": method,
    }
