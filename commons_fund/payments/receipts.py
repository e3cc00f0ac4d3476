"""PDF receipts: of a paid charge (who paid whom, how much, when, how and for what), and the
yearly tax receipt (reçu fiscal, CERFA 11580) of a donor's gifts to an eligible
organisation."""

from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from commons_fund.members.models import Organisation, User
from commons_fund.money import amount_in_words, from_minor_units
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

from .models import Charge, TaxReceipt, TaxReceiptBasis, TaxReceiptPolicy


def receipt_number(charge: Charge) -> str:
    return f"CF-{charge.paid_on:%Y}-{charge.pk:07d}"


def _party(
    organisation: Organisation | None,
    person: User | None,
    role: str,
    what: str,
    address_required: bool = False,
) -> Paragraph:
    """The organisation, or else the person (name, postal address, email), as a party to a
    receipt; `address_required` says so when a person has not given their address."""
    if organisation is not None:
        return organisation_block(organisation, role)
    if person is None:
        raise ValueError(f"{what} has no payer.")
    lines = [f"<b>{role}</b>", f"<b>{pdf_escape(person.get_full_name() or person.email)}</b>"]
    if address := person.postal_address():
        lines.append(pdf_escape(address))
    elif address_required:
        lines.append(_("Postal address not given"))
    lines.append(pdf_escape(person.email))
    return Paragraph("<br/>".join(lines), STYLES["body"])


def _payer(charge: Charge) -> Paragraph:
    return _party(charge.organisation, charge.user, _("Paid by"), f"Charge #{charge.pk}")


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
        if charge.centre is not None:
            rows.insert(
                4, [_("Allocated to"), Paragraph(pdf_escape(charge.centre.name), STYLES["small"])]
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


def _box(checked: bool) -> str:
    return "☒" if checked else "☐"


def _ticked(*options: tuple[str, bool]) -> str:
    """A line of check boxes, as on the CERFA form: "☐ cheque  ☒ transfer"."""
    return "  ".join(f"{_box(checked)} {label}" for label, checked in options)


def _donor(receipt: TaxReceipt) -> Paragraph:
    return _party(
        receipt.donor_organisation,
        receipt.donor_user,
        _("Donor"),
        f"Tax receipt {receipt.reference}",
        address_required=True,  # the CERFA names the donor's address
    )


def tax_receipt_pdf(
    *, receipt: TaxReceipt, policy: TaxReceiptPolicy, gifts: list[Charge], issued_on: date
) -> bytes:
    """A yearly tax receipt following CERFA 11580 (reçu au titre des dons à certains
    organismes d'intérêt général), in French: the legal document French tax returns take.
    Article 200 of the CGI for a person's gifts, 238 bis for a company's."""
    fonts_register()
    language = "fr"
    with translation.override(language):
        organisation = receipt.organisation
        amount = from_minor_units(receipt.amount)
        body, small = STYLES["body"], STYLES["small"]
        days = sorted(gift.paid_on for gift in gifts if gift.paid_on)
        by_person = receipt.donor_user_id is not None
        rows = [[_("Date"), _("Method"), _("Amount")]] + [
            [
                pdf_date(gift.paid_on, language),
                gift.get_method_display(),
                pdf_money(from_minor_units(gift.amount - gift.refunded), language),
            ]
            for gift in sorted(gifts, key=lambda gift: (gift.paid_on, gift.pk))
        ]
        story = [
            Paragraph(_("Receipt for gifts to organisations of general interest"), STYLES["title"]),
            Paragraph(
                _(
                    "Articles 200, 238 bis and 978 of the French general tax code (CGI) — "
                    "form CERFA n° 11580"
                ),
                small,
            ),
            Paragraph(_("Receipt no. %(number)s") % {"number": receipt.reference}, body),
            Spacer(1, 3 * mm),
            parties_table(
                organisation_block(organisation, _("Beneficiary of the gifts")), _donor(receipt)
            ),
            Spacer(1, 3 * mm),
            Paragraph(_("Object: %(purpose)s") % {"purpose": pdf_escape(policy.purpose)}, body),
            Paragraph(
                "<br/>".join(
                    f"{_box(basis == policy.basis)} {label}"
                    for basis, label in TaxReceiptBasis.choices
                ),
                body,
            ),
            Paragraph(_("Reason: %(reason)s") % {"reason": pdf_escape(policy.reason)}, small),
            Spacer(1, 3 * mm),
            Paragraph(
                _(
                    "The beneficiary acknowledges having received, as gifts and payments "
                    "opening a right to a tax reduction, the sum of: <b>%(amount)s</b>"
                )
                % {"amount": pdf_money(amount, language)},
                body,
            ),
            Paragraph(
                _("Sum in words: %(words)s") % {"words": amount_in_words(amount, language)}, body
            ),
            Paragraph(
                _("Dates of the gifts: from %(first)s to %(last)s (year %(year)s)")
                % {
                    "first": pdf_date(days[0], language),
                    "last": pdf_date(days[-1], language),
                    "year": receipt.year,
                },
                body,
            ),
            grid_table(rows, [50 * mm, 70 * mm, 50 * mm]),
            Spacer(1, 3 * mm),
            Paragraph(
                _(
                    "The beneficiary certifies on its honour that the gifts and payments it "
                    "receives open a right to the tax reduction of article:"
                )
                + " "
                + _ticked(
                    (_("200 of the CGI"), by_person),
                    (_("238 bis of the CGI"), not by_person),
                    (_("978 of the CGI"), False),
                ),
                body,
            ),
            Paragraph(
                _("Form of the gift: %(form)s")
                % {
                    "form": _ticked(
                        (_("authentic deed"), False),
                        (_("private deed"), False),
                        (_("declaration of a manual gift"), True),
                        (_("other"), False),
                    )
                },
                body,
            ),
            Paragraph(
                _("Nature of the gift: %(nature)s")
                % {
                    "nature": _ticked(
                        (_("cash"), True), (_("securities"), False), (_("other"), False)
                    )
                },
                body,
            ),
            Paragraph(
                _("Method of payment: %(method)s")
                % {
                    "method": _ticked(
                        (_("notes and coins"), False),
                        (_("cheque"), False),
                        (_("transfer, direct debit, card"), True),
                    )
                },
                body,
            ),
            Spacer(1, 5 * mm),
            Paragraph(
                _("Issued on %(date)s by %(name)s, %(title)s.")
                % {
                    "date": pdf_date(issued_on, language),
                    "name": pdf_escape(policy.signatory_name),
                    "title": pdf_escape(policy.signatory_title),
                },
                body,
            ),
        ]
        return document_build(
            story,
            title=_("Tax receipt %(number)s") % {"number": receipt.reference},
            footer_prefix=f"{organisation.name} {receipt.reference}",
        )
