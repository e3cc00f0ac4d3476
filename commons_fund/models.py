from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


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
