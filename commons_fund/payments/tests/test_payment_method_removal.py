"""#20: saved cards and mandates can be removed by their holder — detached at the stand-in,
never charged again — except while a payment with them is under way or a pledge uses them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.payments import services, stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, MethodKind
from pledges import services as pledges
from pledges.tests.factories import PoolFactory, PoolMembershipFactory

from .factories import connected_host, saved_card

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]


def _attached(method) -> str | None:
    found = stripe_client.client().v1.payment_methods.retrieve(
        method.stripe_id, options={"stripe_account": method.customer.stripe_account}
    )
    return getattr(found, "customer", None)


def test_a_person_removes_her_card_from_my_payments(client):
    person = UserFactory()
    host = OrganisationFactory()
    method = saved_card(person, host)
    assert _attached(method)
    client.force_login(person)
    page = client.get(reverse("payments:my_payments"))
    assert method.label in page.text
    stranger = UserFactory()
    client.force_login(stranger)  # someone else's card: not found, nothing changes
    url = reverse("payments:my_payment_method_remove", kwargs={"pk": method.pk})
    assert client.post(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.payment_method_remove(method=method, actor=stranger)
    method.refresh_from_db()
    assert method.removed_at is None and method.active

    client.force_login(person)
    assert client.post(url).status_code == 302
    method.refresh_from_db()
    assert method.removed_at is not None and not method.active
    assert _attached(method) is None  # detached at Stripe: it cannot be charged
    assert list(client.get(reverse("payments:my_payments")).context["methods"]) == []
    assert client.post(url).status_code == 404  # gone from the list
    services.payment_method_remove(method=method, actor=person)  # twice: nothing more
    with pytest.raises(ValidationError):  # and it pays nothing any more
        services.charge_create(
            payer=person,
            books=host,
            amount="10",
            method=MethodKind.CARD,
            saved_method=method,
            credit_purpose="donations",
            description="Don",
        )


def test_a_card_that_pays_a_pledge_or_a_payment_under_way_stays(client):
    membership = PoolMembershipFactory(pool=PoolFactory())
    person = membership.user
    method = saved_card(person, membership.pool.host)
    pledge = pledges.pledge_create(
        membership=membership, actor=person, amount="12", method="card", saved_method=method
    )
    client.force_login(person)
    url = reverse("payments:my_payment_method_remove", kwargs={"pk": method.pk})
    client.post(url)
    page = client.get(reverse("payments:my_payments")).text
    assert "change the pledge" in page or "changez d’abord" in page.replace("&#x27;", "’")
    method.refresh_from_db()
    assert method.removed_at is None and _attached(method)

    pledges.pledge_change_method(pledge=pledge, actor=person, method="transfer")
    Charge.objects.create(
        user=person,
        amount=500,
        method=MethodKind.CARD,
        saved_method=method,
        credit_purpose="donations",
        description="Don",
        status=ChargeStatus.REQUIRES_ACTION,
    )
    with pytest.raises(ValidationError, match=r"under way|en cours"):
        services.payment_method_remove(method=method, actor=person)
    Charge.objects.filter(saved_method=method).update(status=ChargeStatus.FAILED)
    assert services.payment_method_remove(method=method, actor=person).removed_at


def test_an_organisation_s_treasurer_removes_its_mandate_and_a_member_cannot(client):
    treasurer = MembershipFactory(role=Role.TREASURER)
    organisation = treasurer.organisation
    member = MembershipFactory(organisation=organisation, role=Role.MEMBER).user
    host = OrganisationFactory()
    connected_host(host)
    method = services.payment_method_save_sepa(
        payer=organisation,
        books=host,
        iban="FR1420041010050500013M02606",
        holder_name=organisation.name,
        email="tresorerie@example.org",
        ip_address="127.0.0.1",
        user_agent="test",
    )
    url = reverse(
        "payments:payment_method_remove", kwargs={"slug": organisation.slug, "pk": method.pk}
    )
    client.force_login(member)
    assert client.post(url).status_code == 404
    client.force_login(treasurer.user)
    assert client.post(url).status_code == 302
    method.refresh_from_db()
    assert method.removed_at is not None and _attached(method) is None
    page = client.get(reverse("payments:payment_methods", kwargs={"slug": organisation.slug}))
    assert list(page.context["methods"]) == []
