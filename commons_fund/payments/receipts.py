"""The PDF receipt of a paid charge: who paid whom, how much, when, how and for what. It is
not a tax receipt (reçu fiscal): those are issued once a year for gifts only."""

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from commons_fund.money import from_minor_units
from commons_fund.pdf import (
    STYLES,
    document_build,
    fonts_register,
    grid_table,
    organisation_block,
    parties_table,
    pdf_date,
    pdf_escape,
    pdf_money,
)

from .models import Charge


def receipt_number(charge: Charge) -> str:
    return f"CF-{charge.paid_on:%Y}-{charge.pk:07d}"


def _payer(charge: Charge) -> Paragraph:
    if charge.organisation is not None:
        return organisation_block(charge.organisation, _("Paid by"))
    person = charge.user
    if person is None:
        raise ValueError(f"Charge #{charge.pk} has no payer.")
    lines = [f"<b>{_('Paid by')}</b>", f"<b>{pdf_escape(person.display_name)}</b>"]
    lines.append(pdf_escape(person.email))
    return Paragraph("<br/>".join(lines), STYLES["body"])


def _payee(charge: Charge) -> Paragraph:
    if charge.books is not None:
        return organisation_block(charge.books, _("Received by"))
    return Paragraph(
        f"<b>{_('Received by')}</b><br/><b>Commons Fund</b><br/>{_('the platform')}",
        STYLES["body"],
    )


def charge_receipt_pdf(*, charge: Charge, language: str) -> bytes:
    """The receipt of a succeeded charge, in `language`."""
    if charge.paid_on is None:
        raise ValueError(f"Charge #{charge.pk} is not paid: it has no receipt.")
    fonts_register()
    with translation.override(language):
        number = receipt_number(charge)
        amount = pdf_money(from_minor_units(charge.amount, charge.currency), language)
        parties = parties_table(_payer(charge), _payee(charge))
        reference = charge.transfer_reference or charge.stripe_payment_intent or "—"
        rows = [
            [_("Amount"), amount],
            [_("Paid on"), pdf_date(charge.paid_on, language)],
            [_("Method"), charge.get_method_display()],
            [_("For"), Paragraph(pdf_escape(charge.description), STYLES["small"])],
            [_("Reference"), reference],
        ]
        if charge.project is not None:
            rows.insert(
                4, [_("Commons"), Paragraph(pdf_escape(charge.project.name), STYLES["small"])]
            )
        story = [
            Paragraph(_("Payment receipt"), STYLES["title"]),
            Paragraph(_("Receipt no. %(number)s") % {"number": number}, STYLES["body"]),
            Spacer(1, 4 * mm),
            parties,
            Spacer(1, 5 * mm),
            grid_table(rows, [40 * mm, 130 * mm], header=False),
            Spacer(1, 4 * mm),
        ]
        if charge.refunded:
            story.append(
                Paragraph(
                    _("Of this payment, %(refunded)s was refunded.")
                    % {
                        "refunded": pdf_money(
                            from_minor_units(charge.refunded, charge.currency), language
                        )
                    },
                    STYLES["body"],
                )
            )
        story.append(
            Paragraph(
                _(
                    "This receipt acknowledges the payment. It is not a tax receipt: gifts to "
                    "eligible organisations get one a year."
                ),
                STYLES["small"],
            )
        )
        return document_build(
            story, title=_("Payment receipt %(number)s") % {"number": number}, footer_prefix=number
        )
