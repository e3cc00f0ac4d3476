"""The link that lets a donor reach their monthly gift (and stop it) without logging in: a
signed token, in every receipt email. Reads only, for the selectors and the services."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import MonthlyGift

MONTHLY_GIFT_TOKEN_SALT = "commons_fund.payments.monthly_gift"  # noqa: S105 - a namespace


def monthly_gift_token(gift: MonthlyGift) -> str:
    """What lets a donor reach their monthly gift (and stop it) without logging in: it is in
    every receipt email, so it does not expire."""
    return signing.dumps(gift.pk, salt=MONTHLY_GIFT_TOKEN_SALT)


def monthly_gift_of_token(token: str) -> MonthlyGift:
    """The monthly gift a token names (MonthlyGift.DoesNotExist for a bad or foreign one)."""
    try:
        pk = signing.loads(token, salt=MONTHLY_GIFT_TOKEN_SALT)
    except signing.BadSignature as error:
        raise MonthlyGift.DoesNotExist("Unknown monthly gift.") from error
    return MonthlyGift.objects.select_related("books", "centre", "user").get(pk=pk)


def monthly_gift_url(gift: MonthlyGift) -> str:
    path = reverse("payments:monthly_gift", kwargs={"token": monthly_gift_token(gift)})
    return str(settings.SITE_URL).rstrip("/") + path
