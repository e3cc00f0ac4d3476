"""French typography, checked on the catalogue and on rendered French pages (#22): a
no-break space (narrow U+202F, or U+00A0) before « : ; ! ? % » and inside « guillemets »,
"1er" for the first of a month, the curly apostrophe only."""

import re

# Words after "1" that are not plurals: singulars ending in s or x, and little words.
_INVARIABLE = (
    r"(?:mois|fois|pas|pays|prix|temps|cours|choix|voix|bras|avis|dos|poids|repas|accès|"
    r"succès|procès|progrès|relais|des|les|ses|ces|mes|tes|nos|vos|aux|leurs|sous|dans|sans|"
    r"vers|chez|plus|moins|puis|après|depuis)\b"
)

RULES = (
    ("a plain space before : ; ! ?", re.compile(r"\w (?=[:;!?](\s|$))")),
    # A percent sign, not a placeholder: "5 %" and the catalogue's "%(rate)s %%".
    ("a plain space before %", re.compile(r"(?<=\S) (?=%(?![(sd]))")),
    ("a plain space inside « »", re.compile(r"« | »")),
    (
        "« 1 » for the first of a month",
        re.compile(
            r"\b1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
            r"décembre)\b"
        ),
    ),
    ("a straight apostrophe", re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")),
    # "1 tours promis": a count of one with a plural (ngettext chooses the form), words whose
    # singular ends in s or x left aside.
    (
        "a plural after 1",
        re.compile(r"(?<![\d,.\u202f\u00a0])1 (?!" + _INVARIABLE + r")[a-zà-ÿ]{3,}[sx]\b"),
    ),
)


def faults(text: str) -> list[str]:
    """What breaks French typography in `text`: each fault named, with its surroundings."""
    found = []
    for name, rule in RULES:
        for match in rule.finditer(text):
            start = max(0, match.start() - 20)
            found.append(f"{name}: …{text[start : match.end() + 20]}…".replace("\n", " "))
    return found
