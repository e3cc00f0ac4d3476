"""PDF of a reciprocity contract, with reportlab and DejaVu Sans (the built-in PDF fonts lack
the narrow no-break space French typography puts in "1 234,50 €").

The output is deterministic (reportlab's invariant mode): the same contract and acceptances
always give the same bytes, so the hash a party accepted identifies the document."""

from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from commons_fund.money import format_amount

from .models import DeclarationStatus, RevenueDeclaration

FONTS = Path(__file__).resolve().parent / "fonts"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
NNBSP = "\u202f"


def _fonts() -> None:
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONTS / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", FONTS / "DejaVuSans-Bold.ttf"))
        pdfmetrics.registerFontFamily(
            "DejaVuSans",
            normal="DejaVuSans",
            bold="DejaVuSans-Bold",
            italic="DejaVuSans",
            boldItalic="DejaVuSans-Bold",
        )


STYLES = {
    "title": ParagraphStyle(
        "title", fontName="DejaVuSans-Bold", fontSize=17, leading=22, spaceAfter=4 * mm
    ),
    "h2": ParagraphStyle(
        "h2",
        fontName="DejaVuSans-Bold",
        fontSize=11.5,
        leading=15,
        spaceBefore=5 * mm,
        spaceAfter=2 * mm,
    ),
    "body": ParagraphStyle(
        "body", fontName="DejaVuSans", fontSize=9.5, leading=13.5, spaceAfter=1.5 * mm
    ),
    "small": ParagraphStyle("small", fontName="DejaVuSans", fontSize=8, leading=11),
}


class _NumberedCanvas(canvas.Canvas):
    """Writes "reference — page n / N" at the foot of every page (N known at the end)."""

    footer = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont("DejaVuSans", 8)
            self.drawRightString(
                A4[0] - 20 * mm, 12 * mm, self.footer.format(number=number, total=total)
            )
            super().showPage()
        super().save()


def _every(period: str) -> str:
    return {"monthly": _("each month"), "quarterly": _("each quarter"), "yearly": _("each year")}[
        period
    ]


def _date(value, language: str) -> str:
    return format_date(value, format="long", locale=LOCALES[language])


def _money(value, language: str) -> str:
    return format_amount(value, "EUR", language=language)


def _percent(value, language: str) -> str:
    return f"{format_decimal(value, locale=LOCALES[language])}{NNBSP}%"


def _party(organisation, role: str) -> list:
    lines = [
        f"<b>{role}</b>",
        f"<b>{_escape(organisation.name)}</b>",
        _escape(organisation.get_legal_form_display()),
    ]
    if organisation.siren:
        lines.append(_("SIREN: %(siren)s") % {"siren": organisation.siren})
    address = ", ".join(
        part
        for part in (
            organisation.street_address,
            f"{organisation.postal_code} {organisation.city}".strip(),
        )
        if part
    )
    if address:
        lines.append(_escape(address))
    if organisation.representative_name:
        lines.append(
            _("Represented by %(name)s, %(title)s")
            % {
                "name": _escape(organisation.representative_name),
                "title": _escape(
                    organisation.representative_title or _("its legal representative")
                ),
            }
        )
    return [Paragraph("<br/>".join(lines), STYLES["body"])]


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def contract_pdf(*, contract, acceptances=()) -> bytes:
    """The contract in its language; `acceptances` fill the signature block."""
    _fonts()
    language = contract.language
    buffer = BytesIO()
    with translation.override(language):
        project, partner, host = contract.project, contract.partner, contract.project.host
        body = STYLES["body"]
        story = [
            Paragraph(_("Reciprocity contract"), STYLES["title"]),
            Paragraph(_("Reference %(reference)s") % {"reference": contract.reference}, body),
            Spacer(1, 4 * mm),
        ]
        parties = Table(
            [
                [
                    _party(partner, _("The partner")),
                    _party(host, _("The hosting structure of the commons")),
                ]
            ],
            colWidths=[85 * mm, 85 * mm],
        )
        parties.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (0, 0), 0.5, "#999999"),
                    ("BOX", (1, 0), (1, 0), 0.5, "#999999"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
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
                    "name": f"<b>{_escape(project.name)}</b>",
                    "licence": project.licence,
                    "url": f" ({_escape(url)})" if url else "",
                    "host": _escape(host.name),
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
            Paragraph(_("Revenue base: %(base)s") % {"base": _escape(contract.base)}, body),
        ]
        if contract.floor is not None:
            story.append(
                Paragraph(
                    _("Minimum per period: %(amount)s.")
                    % {"amount": _money(contract.floor.amount, language)},
                    body,
                )
            )
        if contract.ceiling is not None:
            story.append(
                Paragraph(
                    _("Maximum per period: %(amount)s.")
                    % {"amount": _money(contract.ceiling.amount, language)},
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
                        "start": _date(contract.starts_on, language),
                        "end": _date(contract.ends_on, language),
                    }
                )
                if contract.ends_on
                else (
                    _("The contract starts on %(start)s, for an indefinite period.")
                    % {"start": _date(contract.starts_on, language)}
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
        _build(
            buffer,
            story,
            title=f"{_('Reciprocity contract')} {contract.reference}",
            footer_prefix=contract.reference,
        )
    return buffer.getvalue()


def _build(buffer: BytesIO, story: list, *, title: str, footer_prefix: str) -> None:
    """Lay the story out on A4 pages, deterministic bytes, "prefix — page n / N" below."""
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="Commons Fund",
        invariant=1,
    )
    footer = f"{footer_prefix} — " + _("page %(number)s / %(total)s") % {
        "number": "{number}",
        "total": "{total}",
    }

    def numbered(*args, **kwargs):
        page_canvas = _NumberedCanvas(*args, **kwargs)
        page_canvas.footer = footer
        return page_canvas

    document.build(story, canvasmaker=numbered)


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
                Paragraph(_escape(acceptance.organisation.name), STYLES["small"]),
                Paragraph(_escape(acceptance.user.display_name), STYLES["small"]),
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
    _fonts()
    buffer = BytesIO()
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
                    Paragraph(_escape(declaration.contract.project.name), STYLES["small"]),
                    f"{_date(declaration.period_start, language)} – "
                    f"{_date(declaration.period_end, language)}",
                    _money(declaration.revenue.amount, language),
                    _money(declaration.due.amount, language),
                    _money(declaration.due.amount, language)
                    if declaration.status == DeclarationStatus.PAID
                    else "—",
                ]
            )
            due += declaration.due.amount
            paid += declaration.due.amount if declaration.status == DeclarationStatus.PAID else 0
        table = Table(
            rows, colWidths=[27 * mm, 33 * mm, 44 * mm, 24 * mm, 21 * mm, 21 * mm], repeatRows=1
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "DejaVuSans", 7.5),
                    ("FONT", (0, 0), (-1, 0), "DejaVuSans-Bold", 7.5),
                    ("GRID", (0, 0), (-1, -1), 0.4, "#999999"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story = [
            Paragraph(_("Reciprocity certificate %(year)s") % {"year": year}, STYLES["title"]),
            _party(partner, _("The partner"))[0],
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
                % {"due": _money(due, language), "paid": _money(paid, language)},
                body,
            ),
        ]
        _build(
            buffer,
            story,
            title=_("Reciprocity certificate %(year)s") % {"year": year},
            footer_prefix=f"{partner.name} {year}",
        )
    return buffer.getvalue()
