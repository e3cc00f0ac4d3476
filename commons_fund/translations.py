"""People's own words in the site's other languages — a commons' name, summary and
description, its steps' titles and deliverables, its budget lines' labels, a pool's and an
organisation's description — kept beside the original in a `translations` field
({"en": {"summary": "…"}}). Pages show the visitor's language where it is given, the
original elsewhere."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 5000


@deconstructible
class TranslationsValidator:
    """{language code: {field: text}}, for the site's languages and the fields given."""

    def __init__(self, *fields: str):
        self.fields = fields

    def __call__(self, value) -> None:
        languages = {code for code, _name in settings.LANGUAGES}
        if not isinstance(value, dict) or not set(value) <= languages:
            raise ValidationError(_("Translations are given per language of the site."))
        for texts in value.values():
            if not isinstance(texts, dict) or not set(texts) <= set(self.fields):
                raise ValidationError(
                    _("Only these can be translated: %(fields)s."),
                    params={"fields": ", ".join(self.fields)},
                )
            if not all(
                isinstance(text, str) and len(text) <= MAX_LENGTH for text in texts.values()
            ):
                raise ValidationError(_("A translation is a text of 5,000 characters at most."))

    def __eq__(self, other) -> bool:
        return isinstance(other, TranslationsValidator) and self.fields == other.fields


def translated(obj, field: str, language: str | None = None) -> str:
    """`obj`'s `field` in `language` (the active one by default), else the original."""
    code = (language or get_language() or "")[:2]
    texts = getattr(obj, "translations", None)
    given = texts.get(code) if isinstance(texts, dict) else None
    return (given.get(field) if isinstance(given, dict) else None) or getattr(obj, field)
