"""EPC QR codes ("SEPA credit transfer" QR, EPC069-12): the code a banking app scans to
fill a transfer with the beneficiary, IBAN, BIC, amount and reference. segno builds them."""

import io

from django.utils.translation import gettext as _
from segno import QRCode, helpers

from commons_fund.money import from_minor_units

from .selectors import TransferInstructions


def epc_qr(*, transfer: TransferInstructions) -> QRCode:
    """The QR code of a transfer whose beneficiary's account is known; the reference goes in
    the unstructured remittance field (it is not an ISO 11649 creditor reference)."""
    if not transfer.scannable:
        raise ValueError("An EPC QR code needs the beneficiary's account and euros to pay.")
    return helpers.make_epc_qr(
        name=transfer.beneficiary[:70],
        iban=transfer.iban.replace(" ", ""),
        bic=transfer.bic or None,
        amount=from_minor_units(transfer.amount),
        text=transfer.reference[:140],
    )


def epc_qr_svg(*, transfer: TransferInstructions) -> str:
    """The code as inline SVG markup (no script, no style: safe under the site's CSP)."""
    out = io.BytesIO()
    epc_qr(transfer=transfer).save(
        out,
        kind="svg",
        scale=4,
        border=4,
        xmldecl=False,
        title=_("QR code of this transfer, for a banking app"),
        svgclass="epc-qr",
        lineclass=None,
    )
    return out.getvalue().decode()


def epc_qr_png(*, transfer: TransferInstructions) -> bytes:
    """The code as a PNG image, for emails (mail clients do not show inline SVG)."""
    out = io.BytesIO()
    epc_qr(transfer=transfer).save(out, kind="png", scale=6, border=4)
    return out.getvalue()
