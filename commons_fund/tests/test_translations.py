"""The French catalogue is complete and its compiled .mo matches the .po.

CI runs `makemessages` before this test, so a new string left untranslated fails here. Each
test lists every faulty string at once (one test per string made 1 400 tests)."""

import re
from pathlib import Path

import polib
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale/fr/LC_MESSAGES/django.po"
ENTRIES = [entry for entry in polib.pofile(str(PO)) if not entry.obsolete]


def test_every_string_is_translated_to_french():
    missing = [e.msgid for e in ENTRIES if not e.translated() or "fuzzy" in e.flags]
    assert missing == []


def _compiled_differs(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        one, many = entry.msgstr_plural[0], entry.msgstr_plural[1]
        return (
            translation.ngettext(entry.msgid, entry.msgid_plural, 1) != one
            or translation.ngettext(entry.msgid, entry.msgid_plural, 5) != many
        )
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr
    return translation.gettext(entry.msgid) != entry.msgstr


def test_the_compiled_catalogue_matches_the_po_file():
    with translation.override("fr"):
        stale = [entry.msgid for entry in ENTRIES if _compiled_differs(entry)]
    assert stale == [], "run `make messages`: the .mo differs from the .po for these strings"


def test_a_stale_compiled_catalogue_is_caught():
    entry = polib.POEntry(msgid="Make a pledge", msgstr="Ceci n'est pas la traduction")
    with translation.override("fr"):
        assert _compiled_differs(entry)


# French typography (issue #22): a no-break space (narrow U+202F, or U+00A0) before
# « : ; ! ? % » and inside « guillemets », curly apostrophes.
_BEFORE = re.compile(r" (?=[:;!?»])|« | (?=%%)")
_STRAIGHT = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")


def _french_texts(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_french_typography():
    faulty = [
        text
        for entry in ENTRIES
        for text in _french_texts(entry)
        if _BEFORE.search(text) or _STRAIGHT.search(text)
    ]
    assert faulty == [], (
        f"{len(faulty)} strings: a plain space before : ; ! ? % » or after «, or a ' apostrophe"
    )
