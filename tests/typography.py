"""French typography, checked on the catalogue and on rendered French pages (#22): a
no-break space (narrow U+202F, or U+00A0) before « : ; ! ? % » and inside « guillemets »,
"1er" for the first of a month, the curly apostrophe only."""

import re

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
)


def faults(text: str) -> list[str]:
    """What breaks French typography in `text`: each fault named, with its surroundings."""
    found = []
    for name, rule in RULES:
        for match in rule.finditer(text):
            start = max(0, match.start() - 20)
            found.append(f"{name}: …{text[start : match.end() + 20]}…".replace("\n", " "))
    return found
