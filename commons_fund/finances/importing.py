"""Reading yearly accounts from a CSV file, one row a year, as a spreadsheet exports it.

Headers may be the English field names or their French wording ("capital social", "report à
nouveau"...); the delimiter is `;`, `,` or a tab; amounts are written as people write them
("97 991", "-97 991,00 €"). Reading never saves: it returns the values of each row or what is
wrong with it, and the service decides.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from commons_fund.money import parse_amount
from commons_fund.spreadsheets import SpreadsheetWriter

from .models import AMOUNT_FIELDS

MAX_ROWS = 200
REQUIRED = [
    "year",
    "equity",
    "retained_earnings",
    "operating_revenue",
    "operating_expenses",
    "operating_result",
]
INTEGER_FIELDS = ["year", "shares_count", "active_accounts"]
COLUMNS = {
    "year": ["annee", "exercice"],
    "share_capital": ["capital_social"],
    "shares_count": ["nombre_de_parts", "parts"],
    "nominal_share_value": ["valeur_nominale", "valeur_nominale_d_une_part"],
    "equity": ["capitaux_propres"],
    "retained_earnings": ["report_a_nouveau"],
    "operating_revenue": ["produits_d_exploitation", "chiffre_d_affaires"],
    "operating_expenses": ["charges_d_exploitation"],
    "operating_result": ["resultat_d_exploitation"],
    "net_result": ["resultat_net"],
    "non_member_revenue": ["ca_non_membres", "chiffre_d_affaires_non_membres"],
    "non_member_cap": ["plafond_non_membres"],
    "active_accounts": ["comptes_actifs", "membres_actifs"],
    "donations_made": ["dons", "dons_verses"],
    "notes": ["remarques"],
    "illustrative": ["illustratif"],
}
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in [name, *aliases]}
_TRUE = {"1", "x", "yes", "true", "oui", "vrai"}
_FALSE = {"", "0", "no", "false", "non", "faux"}


class CsvRefused(ValueError):
    """The file as a whole cannot be read (encoding, headers, size)."""


@dataclass
class Row:
    line: int
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # field → messages


def _column(header: str) -> str:
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's French default


def _integer(text: str) -> int:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        raise ValidationError(_("“%(text)s” is not a whole number.") % {"text": text[:20]})
    return int(cleaned)


def _percent(text: str) -> Decimal:
    cleaned = text.replace("%", "").replace(",", ".").strip()
    try:
        value = Decimal(cleaned) if cleaned.isascii() else Decimal("NaN")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValidationError(_("“%(text)s” is not a percentage.") % {"text": text[:20]})
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(_("Write “yes” or “no”."))


def _value(name: str, text: str):
    text = text.strip()
    if name in ("notes",):
        return text
    if name == "illustrative":
        return _flag(text)
    if text == "":
        return None
    if name in INTEGER_FIELDS:
        return _integer(text)
    if name == "non_member_cap":
        return _percent(text)
    if name in AMOUNT_FIELDS:
        return parse_amount(text, allow_zero=True, allow_negative=True)
    raise AssertionError(name)  # pragma: no cover - every column is handled above


def read_accounts_csv(data: bytes) -> list[Row]:
    """The rows of the file with their values or their errors; raises CsvRefused when the
    file cannot be read at all."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers = next(reader, None)
    if not headers:
        raise CsvRefused(_("The file is empty."))
    columns = [_ALIASES.get(_column(header)) for header in headers]
    unknown = [header for header, column in zip(headers, columns, strict=True) if column is None]
    if unknown:
        raise CsvRefused(
            _("Unknown columns: %(columns)s. Use the headers of the model file.")
            % {"columns": ", ".join(f"“{h}”" for h in unknown)}
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CsvRefused(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    repeated = {c for c in columns if columns.count(c) > 1}
    if repeated:
        raise CsvRefused(
            _("Columns given twice: %(columns)s.") % {"columns": ", ".join(sorted(repeated))}
        )
    rows = []
    try:
        for cells in reader:
            _read_row(cells, reader.line_num, columns, rows)
    except csv.Error as error:  # a cell beyond the csv module's limit, a stray NUL...
        raise CsvRefused(
            _("Line %(line)s cannot be read: %(reason)s.")
            % {"line": reader.line_num, "reason": error}
        ) from error
    return rows


def _read_row(cells: list[str], line: int, columns: list[str | None], rows: list[Row]) -> None:
    """Add the row of `cells` (skipped when blank) to `rows`, with its values or errors."""
    if not any(cell.strip() for cell in cells):
        return
    if len(rows) == MAX_ROWS:
        raise CsvRefused(_("At most %(count)s rows (one a year).") % {"count": MAX_ROWS})
    row = Row(line=line)
    if len(cells) != len(columns):
        row.errors[NON_FIELD_ERRORS] = [
            _("%(found)s cells where the header has %(expected)s.")
            % {"found": len(cells), "expected": len(columns)}
        ]
        year_at = columns.index("year")
        year = cells[year_at].strip() if year_at < len(cells) else ""
        if year.isascii() and year.isdigit() and len(year) == 4:
            row.values["year"] = int(year)  # to name the row in the report
    else:
        for name, cell in zip(columns, cells, strict=True):
            try:
                row.values[name] = _value(name, cell)
            except ValidationError as error:
                row.errors[name] = error.messages
    rows.append(row)


def model_csv() -> str:
    """The header line of the model file, with an example row."""
    headers = list(COLUMNS)
    example = {
        "year": "2023",
        "share_capital": "147792",
        "shares_count": "9237",
        "nominal_share_value": "16",
        "equity": "88029",
        "retained_earnings": "-97991",
        "operating_revenue": "91194",
        "operating_expenses": "76050",
        "operating_result": "15144",
        "non_member_revenue": "12931.31",
        "non_member_cap": "20",
        "donations_made": "875.50",
        "illustrative": "no",
    }
    out = io.StringIO()
    writer = SpreadsheetWriter(out, delimiter=";")
    writer.writerow(headers)
    writer.writerow([example.get(name, "") for name in headers])
    return out.getvalue()
