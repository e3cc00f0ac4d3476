from datetime import date

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _


class CausedBy(models.Model):
    """What a row happened because of (a pledge, a round, a contract...): any model."""

    cause_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cause_id = models.CharField(max_length=64, blank=True)
    cause = GenericForeignKey("cause_type", "cause_id")

    class Meta:
        abstract = True


def cause_fields(cause: models.Model | None) -> dict:
    """Keyword arguments recording `cause` on a CausedBy row (nothing when there is none)."""
    return {"cause": cause} if cause is not None else {}


def save_validated(instance: models.Model) -> None:
    """Validate a row (fields, validators, `clean`) then save it; a database constraint that
    still refuses it becomes a ValidationError too (never a 500)."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError(
            _("This conflicts with existing data: %(error)s") % {"error": error}
        ) from error


def require_past_or_today(*, field: str, day: date) -> None:
    """Money has not moved yet on a day to come: such a date is refused, next to its field."""
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
