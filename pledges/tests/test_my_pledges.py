"""My pledges: the transfers a member still has to make, with everything the bank asks."""

import pytest
from django.utils import timezone, translation

from commons_fund.payments import services as payments
from commons_fund.payments.tests.factories import BankAccountFactory
from pledges.models import PledgeStatus

from .support import collected

pytestmark = pytest.mark.django_db


def test_a_member_sees_the_transfer_to_make_with_its_qr_code_until_it_is_received(
    client, pool, admin, members, projects, django_assert_max_num_queries
):
    BankAccountFactory(organisation=pool.host, bic="", updated_by=admin.user)
    instalments = collected(pool, admin, members, projects)
    mine = next(c for c in instalments if c.pledge.membership_id == members[0].pk)
    client.force_login(members[0].user)
    with django_assert_max_num_queries(20):
        page = client.get("/fr/my/pledges/").text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Virements à faire" in page and page.count('class="epc-qr"') == 1
    assert mine.charge.transfer_reference in page and "10,00 €" in page
    for other in instalments:
        if other.pk != mine.pk:
            assert other.charge.transfer_reference not in page  # only one's own

    payments.transfer_record_receipt(
        charge=mine.charge, amount="10", received_on=timezone.localdate(), actor=admin.user
    )
    assert "Virements à faire" not in client.get("/fr/my/pledges/").text


def test_a_pledge_s_status_agrees_with_une_promesse():
    """Issue #22: a promesse read "Actif" / "Annulé"."""
    with translation.override("fr"):
        labels = {status: str(status.label) for status in PledgeStatus}
    assert labels == {
        PledgeStatus.ACTIVE: "Active",
        PledgeStatus.PAUSED: "En pause",
        PledgeStatus.CANCELLED: "Annulée",
        PledgeStatus.FINISHED: "Terminée",
    }
