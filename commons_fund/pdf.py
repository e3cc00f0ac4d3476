"""What every PDF of the project shares: reportlab with DejaVu Sans (the built-in PDF fonts
lack the narrow no-break space French typography puts in "1 234,50 €"), the styles, a foot
"reference — page n / N" on each page, dates and amounts in the document's language, and an
organisation's identity block.

The output is deterministic (reportlab's invariant mode): the same content always gives the
same bytes, so a hash identifies a document."""

from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from commons_fund.dates import long_date
from commons_fund.money import format_amount

FONTS = Path(__file__).resolve().parent / "fonts"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
NNBSP = "\u202f"


def fonts_register() -> None:
    """Before any paragraph is made: reportlab reads a style's font when it lays text out."""
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


def pdf_date(value, language: str) -> str:
    return long_date(value, language)


def pdf_money(value, language: str, currency: str = "EUR") -> str:
    return format_amount(value, currency, language=language)


def pdf_escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def organisation_block(organisation, role: str) -> Paragraph:
    """An organisation as a party to a document: role, name, legal form, SIREN, address and
    representative."""
    lines = [
        f"<b>{role}</b>",
        f"<b>{pdf_escape(organisation.name)}</b>",
        pdf_escape(organisation.get_legal_form_display()),
    ]
    if organisation.siren:
        lines.append(_("SIREN: %(siren)s") % {"siren": organisation.siren})
    if address := organisation.postal_address():
        lines.append(pdf_escape(address))
    if organisation.representative_name:
        lines.append(
            _("Represented by %(name)s, %(title)s")
            % {
                "name": pdf_escape(organisation.representative_name),
                "title": pdf_escape(
                    organisation.representative_title or _("its legal representative")
                ),
            }
        )
    return Paragraph("<br/>".join(lines), STYLES["body"])


def parties_table(left: Paragraph, right: Paragraph) -> Table:
    """Two parties side by side, each in a box."""
    table = Table([[[left], [right]]], colWidths=[85 * mm, 85 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.5, "#999999"),
                ("BOX", (1, 0), (1, 0), 0.5, "#999999"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def grid_table(rows: list, widths: list[float], *, header: bool = True) -> Table:
    """A small table with a grid, its first row in bold when `header`."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONT", (0, 0), (-1, -1), "DejaVuSans", 7.5)]
    if header:
        style.append(("FONT", (0, 0), (-1, 0), "DejaVuSans-Bold", 7.5))
    style += [("GRID", (0, 0), (-1, -1), 0.4, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    table.setStyle(TableStyle(style))
    return table


def document_build(story: list, *, title: str, footer_prefix: str) -> bytes:
    """Lay the story out on A4 pages, deterministic bytes, "prefix — page n / N" below."""
    fonts_register()
    buffer = BytesIO()
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
    return buffer.getvalue()
