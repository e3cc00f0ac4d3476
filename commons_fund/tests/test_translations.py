"""The French catalogue is complete and its compiled .mo matches the .po.

CI runs `makemessages` before this test, so a new string left untranslated fails here."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale/fr/LC_MESSAGES/django.po"
ENTRIES = [entry for entry in polib.pofile(str(PO)) if not entry.obsolete]


def test_every_string_is_translated_to_french():
    missing = [e.msgid for e in ENTRIES if not e.translated() or "fuzzy" in e.flags]
    assert missing == []


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.msgid[:40])
def test_compiled_catalogue_matches_the_po_file(entry):
    with translation.override("fr"):
        if entry.msgid_plural:
            one, many = entry.msgstr_plural[0], entry.msgstr_plural[1]
            assert translation.ngettext(entry.msgid, entry.msgid_plural, 1) == one
            assert translation.ngettext(entry.msgid, entry.msgid_plural, 5) == many
        elif entry.msgctxt:
            assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        else:
            assert translation.gettext(entry.msgid) == entry.msgstr
