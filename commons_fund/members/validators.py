"""Field validators for members: plain-text names and French company identifiers."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siren, siret

_MARKUP = re.compile(r"[<>]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Words of the site's own addresses (/organisations/new/, /commons/<slug>/edit/...): a page
# named so would be hidden by, or hide, the page of that name.
RESERVED_SLUGS = frozenset(
    {
        "new",
        "edit",
        "delete",
        "create",
        "add",
        "admin",
        "api",
        "my",
        "accounts",
        "static",
        "media",
        "cms",
        "search",
        "login",
        "logout",
        "settings",
        "feeds",
        "rounds",
        "pay",
    }
)


def validate_plain_text(value: str) -> None:
    """Refuse markup and control characters in names shown everywhere on the site."""
    if _MARKUP.search(value):
        raise ValidationError(
            _("Names cannot contain HTML: remove the characters < and >."), code="markup"
        )
    if _CONTROL.search(value):
        raise ValidationError(_("Names cannot contain control characters."), code="control")
    # Unicode "format" characters: a right-to-left override (U+202E) makes "Eve<U+202E>gnp.exe"
    # read as "Eve exe.png"; zero-width spaces and joiners make two names look the same.
    if any(unicodedata.category(character) == "Cf" for character in value):
        raise ValidationError(
            _("Names cannot contain invisible or direction-changing characters."),
            code="invisible",
        )
    if not value.strip():
        raise ValidationError(_("This name is empty."), code="blank")


def validate_public_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a word of the site's own addresses: choose another web address.")
            % {"slug": value},
            code="reserved",
        )


def validate_siren(value: str) -> None:
    try:
        siren.validate(value)
    except stdnum_exceptions.InvalidLength as error:
        raise ValidationError(_("A SIREN number has 9 digits."), code="siren_length") from error
    except stdnum_exceptions.ValidationError as error:
        raise ValidationError(
            _("This SIREN number is not valid (check the digits)."), code="siren_invalid"
        ) from error


def validate_siret(value: str) -> None:
    try:
        siret.validate(value)
    except stdnum_exceptions.InvalidLength as error:
        raise ValidationError(_("A SIRET number has 14 digits."), code="siret_length") from error
    except stdnum_exceptions.ValidationError as error:
        raise ValidationError(
            _("This SIRET number is not valid (check the digits)."), code="siret_invalid"
        ) from error


def compact_siren(value: str) -> str:
    return siren.compact(value) if value else ""


def compact_siret(value: str) -> str:
    return siret.compact(value) if value else ""
