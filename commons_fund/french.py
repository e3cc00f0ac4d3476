"""French elision where a name meets "de" or "que": "Finances d’Ouvaton", not "Finances de
Ouvaton". A translation cannot know the name it will hold; the text, once whole, can."""

import re

from django.utils.translation import get_language

# "de" or "que" before a word starting with a vowel (not h, not y: "de Hollande", "de Yannick").
_BEFORE_VOWEL = re.compile(r"\b([Dd]e|[Qq]ue) (?=[AEIOUÀÂÉÈÊËÎÏÔÛÙÜaeiouàâéèêëîïôûùü])")


def elided(text: str, language: str | None = None) -> str:
    """`text` with French elision applied when the language is French; as it is otherwise."""
    if (language or get_language() or "")[:2] != "fr":
        return text
    return _BEFORE_VOWEL.sub(lambda match: f"{match.group(1)[:-1]}’", text)
