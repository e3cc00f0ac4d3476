"""Gifts waiting for their payment cannot pile up in a treasury (probe of issue #17, point
18: any logged-in person could leave unlimited pending gift charges in any treasury)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from commons_fund.payments import services
from commons_fund.payments.models import Charge, ChargeStatus
from commons_fund.payments.tests.factories import connected_host

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]


def test_a_donor_has_a_few_gifts_waiting_at_most_and_they_expire():
    donor, books = UserFactory(), OrganisationFactory()
    connected_host(books)
    for _attempt in range(services.GIFTS_WAITING_MAX):
        services.gift_start(donor=donor, books=books, amount="10")
    with pytest.raises(ValidationError, match=r"waiting|attente"):
        services.gift_start(donor=donor, books=books, amount="10")
    assert Charge.objects.filter(user=donor).count() == services.GIFTS_WAITING_MAX
    services.gift_start(donor=UserFactory(), books=books, amount="10")  # others still give

    Charge.objects.filter(user=donor).update(created_at=timezone.now() - timedelta(days=2))
    assert services.gifts_expire() == services.GIFTS_WAITING_MAX
    assert set(Charge.objects.filter(user=donor).values_list("status", flat=True)) == {
        ChargeStatus.CANCELLED
    }
    services.gift_start(donor=donor, books=books, amount="10")  # the way is open again
