"""Gifts to a commons (#20): its host receives them in the commons' own sub-accounts and
gives the receipt; once or monthly, with or without an account."""

import pytest

from commons_fund.ledger.models import Entry
from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments.models import Charge, ChargeStatus, MonthlyGift
from commons_fund.payments.tests.factories import connected_host
from projects.services import project_centre
from projects.tests.factories import ProjectFactory
from tests.helpers import press_on_hosted_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_gift_to_a_commons_goes_to_its_sub_accounts_at_its_host(client, stripe_api):
    project = ProjectFactory(name="PeerTube", slug="peertube", host__name="Framasoft")
    connected_host(project.host)
    page = client.get("/fr/commons/peertube/give/")
    assert page.status_code == 200 and "Donner à PeerTube" in page.text
    assert "Framasoft" in page.text  # who receives it and gives the receipt
    guest = {"email": "ana@example.org", "first_name": "Ana", "last_name": "B", "amount": "30"}
    response = client.post("/fr/commons/peertube/give/", guest)
    assert response.status_code == 302
    back = press_on_hosted_page(response["Location"], "Pay", "pay")
    thanks = client.get(back.removeprefix("http://testserver"))  # settles it, before a webhook
    assert "Merci" in thanks.text
    charge = Charge.objects.get()
    centre = project_centre(project=project)
    assert (charge.books, charge.centre, charge.description, charge.status) == (
        project.host,
        centre,
        "Don à PeerTube",
        ChargeStatus.SUCCEEDED,
    )
    assert Entry.objects.filter(account__centre=centre, amount__gt=0).exists()


def test_a_monthly_gift_to_a_commons_keeps_its_sub_accounts(client, stripe_api):
    project = ProjectFactory(name="Scribouilli", slug="scribouilli")
    connected_host(project.host)
    client.force_login(UserFactory())
    response = client.post("/fr/commons/scribouilli/give/", {"amount": "8", "frequency": "monthly"})
    assert response.status_code == 302
    gift = MonthlyGift.objects.get()
    assert (gift.books, gift.centre) == (project.host, project_centre(project=project))


def test_the_give_page_of_an_unknown_commons_is_404(client):
    assert client.get("/fr/commons/nothing-here/give/").status_code == 404
