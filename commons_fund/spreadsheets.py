"""CSV files people open in a spreadsheet, written so that no cell runs as a formula.

A text cell beginning with = + - @ (or a tab or carriage return, which some spreadsheets
skip before reading the formula) is prefixed with an apostrophe, as OWASP advises against
CSV injection: a funder named `=HYPERLINK(...)` reads as that text, not as a link. Numbers
and text that is only a number ("-97991", "+33,5") are written as they are: a negative
amount stays a number."""

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value: Any) -> Any:
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return f"'{value}"
    return value


class Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


class SpreadsheetWriter:
    """csv.writer's interface, each text cell made safe."""

    def __init__(self, output: Writable, **options: Any) -> None:
        self._writer = csv.writer(output, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])
