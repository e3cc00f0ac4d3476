"""PDF of a reciprocity contract and of a partner's yearly certificate (`commons_fund.pdf`
lays them out). The output is deterministic: the same contract and acceptances always give
the same bytes, so the hash a party accepted identifies the document."""

from babel.dates import format_datetime
from babel.numbers import format_decimal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from commons_fund.pdf import (
    LOCALES,
    NNBSP,
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

from .models import DeclarationStatus, RevenueDeclaration


def _every(period: str) -> str:
    return {"monthly": _("each month"), "quarterly": _("each quarter"), "yearly": _("each year")}[
        period
    ]


def _percent(value, language: str) -> str:
    return f"{format_decimal(value, locale=LOCALES[language])}{NNBSP}%"


def contract_pdf(*, contract, acceptances=()) -> bytes:
    """The contract in its language; `acceptances` fill the signature block."""
    fonts_register()
    language = contract.language
    with translation.override(language):
        project, partner, host = contract.project, contract.partner, contract.project.host
        body = STYLES["body"]
        story = [
            Paragraph(_("Reciprocity contract"), STYLES["title"]),
            Paragraph(_("Reference %(reference)s") % {"reference": contract.reference}, body),
            Spacer(1, 4 * mm),
        ]
        parties = parties_table(
            organisation_block(partner, _("The partner")),
            organisation_block(host, _("The hosting structure of the commons")),
        )
        story.append(parties)
        url = project.website_url or project.repository_url
        story += [
            Paragraph(_("1. The commons"), STYLES["h2"]),
            Paragraph(
                _(
                    "%(name)s, a commons published under the free licence %(licence)s"
                    "%(url)s, held by %(host)s."
                )
                % {
                    "name": f"<b>{pdf_escape(project.name)}</b>",
                    "licence": project.licence,
                    "url": f" ({pdf_escape(url)})" if url else "",
                    "host": pdf_escape(host.name),
                },
                body,
            ),
            Paragraph(_("2. Purpose"), STYLES["h2"]),
            Paragraph(
                _(
                    "The partner earns revenue from services that use the commons. In "
                    "reciprocity, it gives back to the commons a share of that revenue, "
                    "paid to its hosting structure, which uses it for the commons only."
                ),
                body,
            ),
            Paragraph(_("3. Share given back"), STYLES["h2"]),
            Paragraph(
                _("Rate: %(rate)s of the revenue base below.")
                % {"rate": f"<b>{_percent(contract.rate, language)}</b>"},
                body,
            ),
            Paragraph(_("Revenue base: %(base)s") % {"base": pdf_escape(contract.base)}, body),
        ]
        if contract.floor is not None:
            story.append(
                Paragraph(
                    _("Minimum per period: %(amount)s.")
                    % {"amount": pdf_money(contract.floor.amount, language)},
                    body,
                )
            )
        if contract.ceiling is not None:
            story.append(
                Paragraph(
                    _("Maximum per period: %(amount)s.")
                    % {"amount": pdf_money(contract.ceiling.amount, language)},
                    body,
                )
            )
        story += [
            Paragraph(_("4. Declarations and payment"), STYLES["h2"]),
            Paragraph(
                _(
                    "The partner declares its revenue %(period)s on the platform once the "
                    "period has ended, and pays the amount due within 30 days, by card, "
                    "SEPA Direct Debit or bank transfer. A correction is a new declaration "
                    "that replaces the previous one, which is kept."
                )
                % {"period": _every(contract.period)},
                body,
            ),
            Paragraph(_("5. Duration and termination"), STYLES["h2"]),
            Paragraph(
                (
                    _("The contract starts on %(start)s and ends on %(end)s.")
                    % {
                        "start": pdf_date(contract.starts_on, language),
                        "end": pdf_date(contract.ends_on, language),
                    }
                )
                if contract.ends_on
                else (
                    _("The contract starts on %(start)s, for an indefinite period.")
                    % {"start": pdf_date(contract.starts_on, language)}
                ),
                body,
            ),
            Paragraph(
                _(
                    "Either party may end it with three months' notice given on the "
                    "platform; periods already ended are still declared and paid."
                ),
                body,
            ),
            Paragraph(_("6. Publication"), STYLES["h2"]),
            Paragraph(
                _(
                    "The contract and whether the partner is up to date appear on the "
                    "public reciprocity wall; %(amounts)s"
                )
                % {
                    "amounts": _("the amounts given back appear too.")
                    if contract.show_amounts
                    else _("the amounts do not.")
                },
                body,
            ),
            Paragraph(_("7. Personal data"), STYLES["h2"]),
            Paragraph(
                _(
                    "The platform keeps the names of the people who accept the contract, "
                    "the time and the IP address of their acceptance, as proof, for the "
                    "duration of the contract and five years after. They may access and "
                    "correct them by writing to the hosting structure."
                ),
                body,
            ),
        ]
        story.append(KeepTogether(_signatures(contract, acceptances, language)))
        return document_build(
            story,
            title=f"{_('Reciprocity contract')} {contract.reference}",
            footer_prefix=contract.reference,
        )


def _signatures(contract, acceptances, language: str) -> list:
    flow = [Paragraph(_("8. Acceptance"), STYLES["h2"])]
    if not acceptances:
        flow.append(
            Paragraph(
                _(
                    "Each party accepts this document on the platform, by its "
                    "authorised member, after confirming their identity."
                ),
                STYLES["body"],
            )
        )
        return flow
    rows = [[_("Party"), _("Accepted by"), _("On"), _("IP address")]]
    for acceptance in acceptances:
        rows.append(
            [
                Paragraph(pdf_escape(acceptance.organisation.name), STYLES["small"]),
                Paragraph(pdf_escape(acceptance.user.display_name), STYLES["small"]),
                Paragraph(
                    format_datetime(
                        timezone.localtime(acceptance.accepted_at),
                        format="medium",
                        tzinfo=timezone.get_current_timezone(),
                        locale=LOCALES[language],
                    ),
                    STYLES["small"],
                ),
                Paragraph(acceptance.ip_address or "—", STYLES["small"]),
            ]
        )
    table = Table(rows, colWidths=[48 * mm, 42 * mm, 48 * mm, 32 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "DejaVuSans-Bold", 8),
                ("GRID", (0, 0), (-1, -1), 0.4, "#999999"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    flow += [
        table,
        Spacer(1, 3 * mm),
        Paragraph(
            _("Both parties accepted the proposed document whose SHA-256 fingerprint is %(hash)s.")
            % {"hash": f"<font size=7>{acceptances[0].pdf_sha256}</font>"},
            STYLES["small"],
        ),
    ]
    return flow


def certificate_pdf(*, partner, year: int, language: str = "fr") -> bytes:
    """The yearly reciprocity certificate (attestation) of a partner: per contract, the
    revenue declared and what was due and paid for the periods ending in `year`."""
    fonts_register()
    declarations = (
        RevenueDeclaration.objects.filter(contract__partner=partner, period_end__year=year)
        .exclude(status=DeclarationStatus.SUPERSEDED)
        .select_related("contract__project")
        .order_by("contract__reference", "period_start")
    )
    with translation.override(language):
        body = STYLES["body"]
        rows = [
            [_("Contract"), _("Commons"), _("Period"), _("Revenue excl. VAT"), _("Due"), _("Paid")]
        ]
        due = paid = 0
        for declaration in declarations:
            rows.append(
                [
                    declaration.contract.reference,
                    Paragraph(pdf_escape(declaration.contract.project.name), STYLES["small"]),
                    f"{pdf_date(declaration.period_start, language)} – "
                    f"{pdf_date(declaration.period_end, language)}",
                    pdf_money(declaration.revenue.amount, language),
                    pdf_money(declaration.due.amount, language),
                    pdf_money(declaration.due.amount, language)
                    if declaration.status == DeclarationStatus.PAID
                    else "—",
                ]
            )
            due += declaration.due.amount
            paid += declaration.due.amount if declaration.status == DeclarationStatus.PAID else 0
        table = grid_table(rows, [27 * mm, 33 * mm, 44 * mm, 24 * mm, 21 * mm, 21 * mm])
        story = [
            Paragraph(_("Reciprocity certificate %(year)s") % {"year": year}, STYLES["title"]),
            organisation_block(partner, _("The partner")),
            Spacer(1, 4 * mm),
            Paragraph(
                _(
                    "Commons Fund certifies that the partner above declared the revenue it "
                    "made with the commons below and gave back the amounts shown, for the "
                    "periods ending in %(year)s."
                )
                % {"year": year},
                body,
            ),
            table if len(rows) > 1 else Paragraph(_("No declaration for this year."), body),
            Spacer(1, 4 * mm),
            Paragraph(
                _("Total due: %(due)s. Total paid: %(paid)s.")
                % {"due": pdf_money(due, language), "paid": pdf_money(paid, language)},
                body,
            ),
        ]
        return document_build(
            story,
            title=_("Reciprocity certificate %(year)s") % {"year": year},
            footer_prefix=f"{partner.name} {year}",
        )
