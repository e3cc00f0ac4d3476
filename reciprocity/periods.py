"""Declaration periods: a month, a quarter or a year, as the contract says."""

from calendar import monthrange
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Period, ReciprocityContract

PERIOD_MONTHS = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.YEARLY: 12}


def period_of(*, contract: ReciprocityContract, start: date) -> tuple[date, date]:
    """The declaration period starting on `start` (first and last day); it must start on a
    period boundary (1st of a month, of a quarter or of January)."""
    months = PERIOD_MONTHS[contract.period]
    if start.day != 1 or (start.month - 1) % months:
        raise ValidationError(
            {
                "period_start": _(
                    "A period starts on the first day of a month, a quarter (January, April, July, "
                    "October) or a year, as the contract says."
                )
            }
        )
    last_month = start.month + months - 1
    year, month = start.year + (last_month - 1) // 12, (last_month - 1) % 12 + 1
    return start, date(year, month, monthrange(year, month)[1])
