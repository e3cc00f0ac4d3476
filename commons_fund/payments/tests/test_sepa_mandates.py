"""#20: a SEPA mandate shows the creditor identifier (ICS), a unique mandate reference (RUM)
and the EPC mandate text, with the same creditor on every page that asks for one."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from commons_fund.payments import services
from commons_fund.payments.models import SavedPaymentMethod
from pledges.tests.factories import PoolFactory, PoolMembershipFactory

from .factories import connected_host, saved_card

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]

RUM = re.compile(r"^CF-\d{8}-[0-9A-F]{12}$")
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def _text(response) -> str:
    return response.text.replace("\u202f", " ").replace("\xa0", " ")


def test_the_mandate_names_the_host_it_pays_as_creditor_wherever_it_is_asked(client, settings):
    """With Connect the debits are made on the host's own Stripe account: the host is the
    creditor (chosen in the form on an organisation's means of payment)."""
    settings.SEPA_CREDITOR_ID = "FR12ZZZ654321"
    treasurer = MembershipFactory(role=Role.TREASURER)
    member = PoolMembershipFactory(pool=PoolFactory(slug="normandie"))
    host = member.pool.host
    connected_host(host)
    client.force_login(treasurer.user)
    page = client.get(
        reverse("payments:payment_methods", kwargs={"slug": treasurer.organisation.slug})
    )
    assert list(page.context["form"].fields["creditor"].queryset) == [host]
    assert "la structure choisie ci-dessus" in _text(page)
    client.force_login(member.user)
    pool_page = client.get(reverse("pledges:payment_method_add", kwargs={"slug": "normandie"}))
    assert f"(A) {host.name} et Stripe" in _text(pool_page).replace("&#x27;", "’")
    for shown in (page, pool_page):
        text = _text(shown)
        assert "FR12ZZZ654321" in text
        assert "8 semaines" in text  # the refund right of the EPC wording


def test_each_mandate_gets_a_unique_reference_shown_to_its_holder(client, settings):
    member = PoolMembershipFactory(pool=PoolFactory(slug="normandie"))
    connected_host(member.pool.host)
    client.force_login(member.user)
    url = reverse("pledges:payment_method_add", kwargs={"slug": "normandie"})
    sepa = {
        "action": "sepa",
        "holder_name": "Lou Martin",
        "iban": IBAN,
        "email": member.user.email,
        "accept": "on",
    }
    assert client.post(url, sepa).status_code == 302
    mandate = SavedPaymentMethod.objects.get()
    assert RUM.match(mandate.mandate_reference)
    assert (mandate.mandate_holder, mandate.mandate_ip) == ("Lou Martin", "127.0.0.1")
    assert mandate.mandate_accepted_at is not None
    other = services.payment_method_save_sepa(
        payer=member.user,
        books=member.pool.host,
        iban=IBAN,
        holder_name="Lou Martin",
        email=member.user.email,
    )
    assert RUM.match(other.mandate_reference)
    assert other.mandate_reference != mandate.mandate_reference
    page = _text(client.get(reverse("payments:my_payments")))
    assert mandate.mandate_reference in page and "Lou Martin" in page
    assert settings.SEPA_CREDITOR_ID in page and member.pool.host.name in page

    card = saved_card(member.user, member.pool.host)
    assert card.mandate_reference is None
    with pytest.raises(IntegrityError), transaction.atomic():  # a card has no mandate
        SavedPaymentMethod.objects.filter(pk=card.pk).update(mandate_reference="CF-X")
    with pytest.raises(IntegrityError), transaction.atomic():  # one reference, one mandate
        SavedPaymentMethod.objects.filter(pk=other.pk).update(
            mandate_reference=mandate.mandate_reference
        )
