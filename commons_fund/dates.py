"""Dates written out as people write them. French makes the first of a month an ordinal:
"1er janvier 2027", never "1 janvier 2027"; English keeps "1 January 2027"."""

from datetime import date, datetime

from babel.dates import format_date
from django.utils import formats, timezone
from django.utils.translation import get_language

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _language(language: str | None) -> str:
    return (language or get_language() or "fr")[:2]


def _first_of_month(text: str, day: int, language: str) -> str:
    if language == "fr" and day == 1 and text.startswith("1 "):
        return "1er" + text[1:]
    return text


def long_date(value: date | datetime, language: str | None = None) -> str:
    """ "1er janvier 2027" / "1 January 2027" (a datetime is read in the local time zone)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    language = _language(language)
    text = format_date(value, format="long", locale=LOCALES.get(language, "fr_FR"))
    return _first_of_month(text, value.day, language)


def long_datetime(value: datetime, language: str | None = None) -> str:
    """ "1er janvier 2027 14:05" / "1 January 2027 14:05", in the local time zone."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    language = _language(language)
    text = formats.date_format(value, "DATETIME_FORMAT", use_l10n=True)
    return _first_of_month(text, value.day, language)
