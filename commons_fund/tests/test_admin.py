"""Staff tools load with the email-based user model; others are kept out."""

import pytest
from django.apps import apps
from django.urls import reverse

from commons_fund.members.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/cms/",
    "/cms/users/",
    "/cms/pages/",
    "/django-admin/",
    "/django-admin/members/user/",
    "/django-admin/members/organisation/",
    "/django-admin/members/invitation/",
    "/django-admin/ledger/account/",
    "/django-admin/ledger/transaction/",
    "/django-admin/payments/charge/",
    "/django-admin/payments/webhookevent/",
    "/django-admin/payments/payout/",
]


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def test_staff_pages_load(client, staff):
    MembershipFactory()
    client.force_login(staff)
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("wagtailusers_users:edit", args=[staff.pk])).status_code == 200


def test_staff_pages_are_closed_to_others(client, user):
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 302, url
    client.force_login(user)
    for url in STAFF_PAGES:
        assert client.get(url).status_code in (302, 403), url


LOOK_ONLY = [
    "pledges.pool",
    "pledges.round",
    "pledges.pledge",
    "pledges.instalment",
    "projects.project",
    "projects.fundingsource",
    "reciprocity.reciprocitycontract",
    "reciprocity.revenuedeclaration",
]


@pytest.mark.parametrize("model", LOOK_ONLY)
def test_staff_look_at_pools_commons_and_contracts_without_changing_them(
    client, staff, demo_data, model
):
    client.force_login(staff)
    app_label, model_name = model.split(".")
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert client.get(changelist).status_code == 200
    first = apps.get_model(model)._default_manager.order_by("pk").first()
    page = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[first.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403
