"""The French catalogue is complete and its compiled .mo matches the .po.

CI runs `makemessages` before this test, so a new string left untranslated fails here. Each
test lists every faulty string at once (one test per string made 1 400 tests)."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

from tests.typography import faults

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


def _french_texts(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_french_typography():
    """Issue #22: no-break spaces before : ; ! ? % and inside « », the curly apostrophe,
    "1er" (tests/typography.py; the rendered pages are checked by tests/e2e)."""
    found = [fault for entry in ENTRIES for text in _french_texts(entry) for fault in faults(text)]
    assert found == [], f"{len(found)} faults:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("Montant : 5 €", "a plain space before : ; ! ?"),
        ("Vraiment ?", "a plain space before : ; ! ?"),
        ("Taux 3 %", "a plain space before %"),
        ("%(rate)s %%", "a plain space before %"),
        ("« Bouquet »", "a plain space inside « »"),
        ("le 1 janvier 2027", "« 1 » for the first of a month"),
        ("l'association", "a straight apostrophe"),
        ("1 tours promis", "a plural after 1"),
    ],
)
def test_the_typography_check_finds_a_planted_fault(text, fault):
    found = faults(text)
    assert found and all(line.startswith(fault) for line in found), found


def test_the_typography_check_passes_good_french():
    assert (
        faults("Montant\u202f: 5\u202f%, «\u202fBouquet\u202f», le 1er janvier, l’association")
        == []
    )
    assert faults("à %(time)s, de %(name)s : %(url)s".replace(" :", "\u202f:")) == []
