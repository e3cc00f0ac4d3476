"""A money form sent twice (a double click, two tabs, a replayed request) acts once: each
form carries a one-use key made when it is shown (probe of issue #17, point 5: two POSTs of
"record a transfer" booked 240 € on a 120 € charge)."""

import pytest

from commons_fund.ledger.models import Transaction
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    money_login,
)
from commons_fund.payments import services
from commons_fund.payments.models import TransferReceipt
from projects.models import Contribution
from projects.tests.factories import ProjectFactory
from tests.helpers import one_use_key as _key

pytestmark = pytest.mark.django_db


def test_recording_a_transfer_twice_books_it_once(client):
    books = OrganisationFactory(slug="ouvaton")
    money_login(client, MembershipFactory(organisation=books, role=Role.TREASURER).user)
    charge = services.charge_create(
        payer=OrganisationFactory(),
        books=books,
        amount="120",
        method="transfer",
        credit_purpose="contributions",
        description="Pot commun, tour 3",
    )
    url = f"/fr/organisations/ouvaton/treasury/charges/{charge.pk}/receipt/"
    form = {"amount": "120", "received_on": "2026-11-02", "request_key": _key(client.get(url))}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # the same form again
    charge.refresh_from_db()
    assert charge.amount_received == 12_000
    assert TransferReceipt.objects.filter(charge=charge).count() == 1
    assert Transaction.objects.filter(idempotency_key__startswith="receipt-").count() == 1
    form.pop("request_key")  # a form without its key is refused, nothing is booked
    response = client.post(url, form)
    assert response.status_code == 400 and "request_key" in response.context["form"].errors
    assert TransferReceipt.objects.filter(charge=charge).count() == 1


def test_logging_hours_twice_owes_them_once(client):
    project = ProjectFactory(slug="bouquet")
    maintainer = MembershipFactory(organisation=project.host, role=Role.ADMIN).user
    client.force_login(maintainer)
    url = "/fr/commons/bouquet/hours/new/"
    form = {
        "contributor": maintainer.email,
        "day": "2026-11-02",
        "hours": "3",
        "rate": "40",
        "description": "Documentation",
        "request_key": _key(client.get(url)),
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Contribution.objects.filter(project=project).count() == 1
