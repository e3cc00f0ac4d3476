"""Text for the FEC, an ISO 8859-15 file: the typography that encoding lacks becomes its
plain equivalent rather than "?", controls (tabs, line breaks) become spaces, and a
backslash or a double quote is escaped as csv.writer escapes it (QUOTE_NONE, escape
character "\\")."""

import re

ENCODING = "iso-8859-15"
TYPOGRAPHY = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": "...",
    "\u202f": " ",
    "\u2009": " ",
}
CONTROLS = "".join(chr(code) for code in range(1, 32))
FALLBACKS = str.maketrans({**TYPOGRAPHY, **dict.fromkeys(CONTROLS, " ")})
_SPACES = str.maketrans(dict.fromkeys(CONTROLS, " "))
# The eight characters of Latin-1 whose bytes ISO 8859-15 gives to € Š š Ž ž Œ œ Ÿ: the only
# ones Latin-1 encodes differently (the others, ISO 8859-15 cannot encode).
_NOT_IN_LATIN9 = "\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe"
_ANY_CONTROL = re.compile(f"[{re.escape(CONTROLS)}]")

# The typography first: a typographic quote becomes a quote, escaped then.
_REPLACEMENTS = (*TYPOGRAPHY.items(), ("\\", "\\\\"), ('"', '\\"'))
_TO_DO = re.compile("[" + re.escape("".join(old for old, _new in _REPLACEMENTS)) + "]")


def escaped(lines: str) -> str:
    """Whole lines whose texts hold no controls, escaped and plain-typed at once: a few
    scans of the text in C rather than a translation per field (a big host's year is
    400 000 lines)."""
    if not _TO_DO.search(lines):
        return lines
    for old, new in _REPLACEMENTS:
        if old in lines:
            lines = lines.replace(old, new)
    return lines


def has_controls(text: str) -> bool:
    return _ANY_CONTROL.search(text) is not None


def controls_spaced(text: str) -> str:
    return text.translate(_SPACES) if has_controls(text) else text


def encoded(text: str) -> bytes:
    """`text` in ISO 8859-15, "?" for what it lacks. Python's codec for it looks each
    character up in a table (4 ms a megabyte: a tenth of a big FEC's time); text without
    those eight characters and without € Š š Ž ž Œ œ Ÿ (most batches) is the same bytes in
    Latin-1, whose codec copies them (eight `in`, as fast as memchr, rule the eight out)."""
    if not any(character in text for character in _NOT_IN_LATIN9):
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError:
            pass
    return text.encode(ENCODING, errors="replace")
