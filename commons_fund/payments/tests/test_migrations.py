"""Data migrations of payments fill what older rows lack: the day a paid charge was paid
(from its last transfer received, else the day it last moved) and the reference (RUM) of
every SEPA mandate saved before."""

import re
from datetime import date

import pytest
from django.utils import timezone

from commons_fund.members.tests.factories import UserFactory
from tests.helpers import migrations_from

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("payments", "0005_bank_account_changes")]


def test_paid_days_and_mandate_references_are_filled_from_history():
    with migrations_from(BEFORE) as run:
        apps = run.apps
        Customer = apps.get_model("payments", "Customer")
        Charge = apps.get_model("payments", "Charge")
        Receipt = apps.get_model("payments", "TransferReceipt")
        Method = apps.get_model("payments", "SavedPaymentMethod")
        person = UserFactory()  # members' tables are at their latest: today's model
        customer = Customer.objects.create(user_id=person.pk, stripe_id="cus_old")
        mandate = Method.objects.create(
            customer=customer, stripe_id="pm_old_sepa", kind="sepa_debit", label="SEPA FR"
        )
        card = Method.objects.create(customer=customer, stripe_id="pm_old_card", kind="card")

        def charge(**fields):
            return Charge.objects.create(
                user_id=person.pk,
                amount=1000,
                income_purpose="donations",
                description="Don",
                **fields,
            )

        by_transfer = charge(method="transfer", status="succeeded", transfer_reference="CF-OLD1")
        for day in (date(2025, 3, 1), date(2025, 3, 9)):
            Receipt.objects.create(
                charge=by_transfer, amount=500, received_on=day, recorded_by_id=person.pk
            )
        by_card = charge(method="card", status="succeeded")
        waiting = charge(
            method="transfer", status="awaiting_transfer", transfer_reference="CF-OLD2"
        )

        apps = run.forward()
        Charge = apps.get_model("payments", "Charge")
        Method = apps.get_model("payments", "SavedPaymentMethod")
        assert Charge.objects.get(pk=by_transfer.pk).paid_on == date(2025, 3, 9)
        assert Charge.objects.get(pk=by_card.pk).paid_on == timezone.localdate(by_card.updated_at)
        assert Charge.objects.get(pk=waiting.pk).paid_on is None
        assert re.fullmatch(
            r"CF-\d{8}-[0-9A-F]{12}", Method.objects.get(pk=mandate.pk).mandate_reference
        )
        assert Method.objects.get(pk=card.pk).mandate_reference is None
