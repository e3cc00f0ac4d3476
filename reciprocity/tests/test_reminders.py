from datetime import date

import pytest
from django.core import mail

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from projects.tests.factories import ProjectFactory
from reciprocity import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract():
    partner = MembershipFactory(role=Role.ADMIN)
    treasurer = MembershipFactory(role=Role.TREASURER, organisation=partner.organisation)
    host = MembershipFactory(role=Role.ADMIN)
    contract = services.contract_create(
        partner=partner.organisation,
        project=ProjectFactory(host=host.organisation, name="Dokos"),
        actor=partner.user,
        rate="5",
        base="CA HT",
        starts_on=date(2026, 2, 15),
    )
    contract = services.contract_propose(contract=contract, actor=partner.user)
    for user in (partner.user, host.user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )
    contract.treasurer = treasurer.user
    return contract


def test_missing_periods_are_listed_for_the_host_and_the_partner(contract):
    rows = selectors.missing_declarations(today=date(2026, 10, 20), host=contract.project.host)
    assert [(r.period_start, r.days_late) for r in rows] == [
        (date(2026, 1, 1), 203),
        (date(2026, 4, 1), 112),
        (date(2026, 7, 1), 20),
    ]
    services.declaration_create(
        contract=contract, actor=contract.treasurer, period_start=date(2026, 4, 1), revenue="0"
    )
    rows = selectors.missing_declarations(today=date(2026, 10, 20), partner=contract.partner)
    assert [r.period_start for r in rows] == [date(2026, 1, 1), date(2026, 7, 1)]
    assert selectors.missing_declarations(today=date(2026, 10, 20), host=contract.partner) == []


def test_reminders_go_after_the_period_then_15_and_30_days_later(
    contract, django_capture_on_commit_callbacks
):
    services.declaration_create(
        contract=contract, actor=contract.treasurer, period_start=date(2026, 1, 1), revenue="100"
    )
    sent = []
    for today in (
        date(2026, 7, 1),
        date(2026, 7, 1),
        date(2026, 7, 2),
        date(2026, 7, 10),
        date(2026, 7, 15),
        date(2026, 7, 20),
        date(2026, 7, 30),
        date(2026, 8, 20),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            sent.append(services.declarations_remind(today=today))
    assert sent == [1, 0, 0, 0, 1, 0, 1, 0]  # Q2 ended on 30 June: +1, +15, +30 days
    partners = sorted(m.user.email for m in contract.partner.memberships.all())
    assert len(mail.outbox) == 3 * len(partners)  # one email per person, each reminder
    assert sorted(address for m in mail.outbox[-len(partners) :] for address in m.to) == partners
    message = mail.outbox[-1]
    assert "Dokos" in message.subject and contract.reference in message.body
    assert "1er avril 2026" in message.body
