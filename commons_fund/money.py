"""Money helpers: parsing what people type, rounding, minor units, exact splitting.

One rounding rule for the whole project: half-up to the cent (`round_cents`). Splits use the
largest remainder method, so the parts always add up to the whole.
"""

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from num2words import num2words

CENT = Decimal("0.01")
MAXIMUM_AMOUNT = Decimal("1000000000")
DEFAULT_CURRENCY = "EUR"

# Spaces people and software put between thousands: space, no-break, narrow no-break, thin.
_GROUP_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY_MARKS = re.compile(r"(€|eur(os?)?)", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$", re.ASCII)  # 0-9 only, not "٣" or "²"
# One mark followed by three figures, after one to three: "1.500" is 1 500 in French and 1.5
# in English; "1,500" the other way round. Refused rather than guessed.
_AMBIGUOUS = re.compile(r"^[+-]?([1-9]\d{0,2})[.,](\d{3})$", re.ASCII)


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies met: nothing is ever converted silently."""


def parse_amount(
    text: str | Decimal | int,
    *,
    allow_zero: bool = False,
    allow_negative: bool = False,
    maximum: Decimal = MAXIMUM_AMOUNT,
) -> Decimal:
    """Read an amount as people write it: "1 234,50", "1234.5", "12,3 €", "1.234,50".

    Returns a Decimal with exactly two decimals. Raises ValidationError with a message meant
    for the person who typed it.
    """
    is_number = isinstance(text, Decimal | int)
    value = Decimal(text) if is_number else _decimal_from_text(str(text))
    if not value.is_finite():
        raise ValidationError(_("Enter an amount in figures."), code="not_finite")
    if value < 0 and not allow_negative:
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if value == 0 and not allow_zero:
        raise ValidationError(_("The amount must be more than zero."), code="zero")
    if abs(value) > maximum:
        raise ValidationError(
            _("The amount cannot exceed %(maximum)s.") % {"maximum": format_amount(maximum)},
            code="too_large",
        )
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise ValidationError(_("An amount has at most two decimals (cents)."), code="decimals")
    return value.quantize(CENT)


def _decimal_from_text(text: str) -> Decimal:
    cleaned = _GROUP_SPACES.sub("", _CURRENCY_MARKS.sub("", text.strip()))
    if "," in cleaned and "." in cleaned:
        # Both separators: the last one marks the decimals ("1.234,50" or "1,234.50").
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(group_mark, "")
    if cleaned.count(",") + cleaned.count(".") > 1 or not _NUMBER.match(cleaned):
        raise ValidationError(
            _("“%(text)s” is not an amount. Write it like 1 234,50.") % {"text": text[:40]},
            code="invalid",
        )
    if ambiguous := _AMBIGUOUS.match(cleaned):
        raise _ambiguous(text.strip(), *ambiguous.groups())
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern above rules it out
        raise ValidationError(_("Enter an amount in figures."), code="invalid") from error


def _ambiguous(text: str, head: str, tail: str) -> ValidationError:
    """The error for "1.500": both readings, written so that they cannot be misread."""
    locale = (get_language() or "fr").replace("-", "_")
    whole = Decimal(head + tail)
    readings = {
        "text": text[:40],
        # Thousands grouped by a (narrow no-break) space: the one grouping read the same way
        # in every language.
        "grouped": f"{whole:,}".replace(",", "\u202f"),
        "plain": format_decimal(whole, format="0.00", locale=locale),
    }
    small = Decimal(f"{head}.{tail}")
    if small == small.quantize(CENT):
        readings["small"] = format_decimal(small, format="0.00", locale=locale)
        message = _(
            "“%(text)s” is ambiguous: write %(grouped)s or %(plain)s, "
            "or %(small)s for the smaller amount."
        )
    else:
        message = _("“%(text)s” is ambiguous: write %(grouped)s or %(plain)s.")
    return ValidationError(message % readings, code="ambiguous")


def round_cents(value: Decimal) -> Decimal:
    """The project's one rounding rule: half-up to the cent."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def minor_units(amount: Decimal, currency: str = DEFAULT_CURRENCY) -> int:
    """An exact amount in the currency's minor unit (cents for EUR); refuses sub-cent values."""
    exponent = get_currency_precision(currency)
    scaled = Decimal(amount).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units.")
    return int(scaled)


def from_minor_units(value: int, currency: str = DEFAULT_CURRENCY) -> Decimal:
    exponent = get_currency_precision(currency)
    return Decimal(int(value)).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """Share an amount into `parts` equal parts to the cent: 100 in 3 → 33.34, 33.33, 33.33."""
    if parts < 1:
        raise ValueError("An amount is split into one part at least.")
    return split_by_weights(amount, [1] * parts)


def split_by_weights(amount: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Share an amount in proportion to weights, by the largest remainder method.

    Every part is a whole number of cents, the parts add up exactly to the amount, and each
    part is within a cent of its exact share. Ties on the remainder go to the earlier weight.
    """
    weights = [Decimal(weight) for weight in weights]
    if not weights or any(weight < 0 for weight in weights) or sum(weights) <= 0:
        raise ValueError("Weights must be non-negative with a positive total.")
    total_cents = minor_units(round_cents(amount))
    if total_cents < 0:
        raise ValueError("Only a non-negative amount can be split.")
    total_weight = sum(weights)
    exact = [Decimal(total_cents) * weight / total_weight for weight in weights]
    floors = [int(share) for share in exact]  # int() truncates: shares are non-negative
    leftover = total_cents - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return [from_minor_units(cents) for cents in floors]


def format_amount(
    amount: Decimal, currency: str = DEFAULT_CURRENCY, language: str | None = None
) -> str:
    """ "1 234,50 €" in French (narrow no-break spaces), "€1,234.50" in English."""
    locale = {"fr": "fr_FR", "en": "en_GB"}.get((language or get_language() or "fr")[:2], "fr_FR")
    return format_currency(Decimal(amount), currency, locale=locale)


def format_number(value: Decimal | int, language: str | None = None) -> str:
    """A number as the reader writes it, without trailing zeros: "5", "12,5" in French."""
    locale = {"fr": "fr_FR", "en": "en_GB"}.get((language or get_language() or "fr")[:2], "fr_FR")
    return format_decimal(Decimal(value).normalize(), locale=locale)


def ensure_same_currency(*currencies: str) -> str:
    distinct = set(currencies)
    if len(distinct) != 1:
        raise CurrencyMismatch(f"Amounts in different currencies: {sorted(distinct)}.")
    return distinct.pop()


def amount_in_words(amount: Decimal, language: str = "fr") -> str:
    """An amount of euros in words, as a tax receipt writes it ("en toutes lettres"):
    "mille deux cent trente-quatre euros et cinquante centimes", "un million d'euros",
    "one thousand two hundred and thirty-four euros and fifty cents"."""
    cents_total = minor_units(amount)
    if cents_total < 0:
        raise ValueError("A negative amount has no words on a receipt.")
    euros, cents = divmod(cents_total, 100)
    words = num2words(euros, lang=language)
    if language == "fr":
        if euros >= 1_000_000 and euros % 1_000_000 == 0:
            unit = "d’euros"
        else:
            unit = "euros" if euros > 1 else "euro"
        cent_words = f"{num2words(cents, lang='fr')} centime{'s' if cents > 1 else ''}"
        joiner = " et "
    else:
        unit = "euros" if euros != 1 else "euro"
        cent_words = f"{num2words(cents, lang=language)} cent{'s' if cents != 1 else ''}"
        joiner = " and "
    if not cents:
        return f"{words} {unit}"
    if not euros:
        return cent_words
    return f"{words} {unit}{joiner}{cent_words}"


def format_percent(value: Decimal) -> str:
    """ "14,18 %" or "20 %" in French (a narrow no-break space), "14.18%" in English (no ",00"
    on a whole number)."""
    whole = value == value.to_integral_value()
    number = number_format(int(value) if whole else value, decimal_pos=None if whole else 2)
    return _("%(value)s%%") % {"value": number}
