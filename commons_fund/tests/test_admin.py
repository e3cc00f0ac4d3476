"""Staff tools load with the email-based user model; others are kept out."""

import pytest
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
