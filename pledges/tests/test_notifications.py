from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from commons_fund.members.models import EmailOptOut, EmailTopic, Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from commons_fund.payments import services as payments
from commons_fund.payments.tests.factories import BankAccountFactory
from pledges import ballots, collecting, notifications, rounds, services
from pledges.models import InstalmentStatus, Round
from projects.tests.factories import ProjectFactory
from tests.helpers import qr_code_lines

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory, voting_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting():
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation, name="Fonds normand")
    people = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(2)
    ]
    company = OrganisationFactory(name="Octopuce")
    treasurer = MembershipFactory(organisation=company, role=Role.TREASURER).user
    MembershipFactory(organisation=company, role=Role.MEMBER)  # not told: no money role
    organisation = services.pool_join(pool=pool, actor=treasurer, organisation=company)
    PledgeFactory(membership=organisation)
    project = ProjectFactory(name="Dokos")
    round_, (candidacy,) = voting_round(
        pool, admin.user, [project], voting_closes_at=timezone.now() + timedelta(hours=30)
    )
    return (round_, candidacy, people, organisation, treasurer, admin)


def test_the_vote_is_announced_to_every_member(voting):
    round_, _candidacy, people, _organisation, treasurer, _admin = voting
    assert notifications.round_notify(round_=round_, event="voting_open") == 3
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([people[0].user.email, people[1].user.email, treasurer.email])
    assert "Fonds normand" in mail.outbox[0].subject
    assert round_.get_absolute_url() in mail.outbox[0].body


def test_a_person_with_three_memberships_gets_one_email_per_event(voting):
    """#19: admin@demo.test got six identical "vote open" emails, one per membership."""
    round_, _candidacy, _people, _organisation, treasurer, _admin = voting
    pool = round_.pool
    services.pool_join(pool=pool, actor=treasurer)  # herself, besides Octopuce
    other = OrganisationFactory(name="Data Patch")
    MembershipFactory(organisation=other, user=treasurer, role=Role.ADMIN)
    services.pool_join(pool=pool, actor=treasurer, organisation=other)
    notifications.round_notify(round_=round_, event="results")
    to_her = [message for message in mail.outbox if treasurer.email in message.to]
    assert len(to_her) == 1
    assert all(len(message.to) == 1 for message in mail.outbox)  # no shared address lists


def test_the_reminder_goes_once_to_those_who_have_not_voted(
    voting, django_capture_on_commit_callbacks
):
    round_, candidacy, people, _organisation, _treasurer, _admin = voting
    ballots.ballot_cast(
        round_=round_, membership=people[0], actor=people[0].user, marks={candidacy.pk: 5}
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert rounds.rounds_remind(now=timezone.now()) == 1  # closes within 48 h
        assert rounds.rounds_remind(now=timezone.now()) == 0
    assert len(callbacks) == 1
    assert notifications.round_notify(round_=round_, event="reminder") == 2
    assert people[0].user.email not in [a for m in mail.outbox for a in m.to]
    assert Round.objects.get(pk=round_.pk).reminded_at is not None


def test_results_payment_due_failed_defaulted_and_payout(voting, settings):
    round_, candidacy, people, _organisation, _treasurer, admin = voting
    for member in people:
        ballots.ballot_cast(
            round_=round_, membership=member, actor=member.user, marks={candidacy.pk: 6}
        )
    round_ = rounds.round_tally(round_=round_, now=round_.voting_closes_at)
    assert notifications.round_notify(round_=round_, event="results") == 3
    assert "Dokos" in mail.outbox[-1].body
    mail.outbox.clear()

    round_ = collecting.round_collect(round_=round_)
    instalment = round_.pot_instalments.filter(pledge__membership=people[0]).get()
    instalment = collecting.collection_attempt(instalment=instalment)
    BankAccountFactory(organisation=round_.pool.host, updated_by=admin.user)
    assert notifications.collection_notify(instalment=instalment, event="due") == 1
    assert instalment.charge.transfer_reference in mail.outbox[-1].body
    for shown in ("Coopérative normande", "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP"):
        assert shown in mail.outbox[-1].body  # #20: where to send the transfer
    ((name, png, mimetype),) = mail.outbox[-1].attachments  # and its EPC QR code
    assert (name, mimetype) == ("virement-qr.png", "image/png")
    lines = qr_code_lines(png)
    assert lines[5:8] == ["Coopérative normande", "FR7630006000011234567890189", "EUR10"]
    assert lines[-1] == instalment.charge.transfer_reference
    instalment.status, instalment.next_attempt_at = (
        InstalmentStatus.FAILED,
        timezone.now() + timedelta(days=1),
    )
    instalment.save()
    notifications.collection_notify(instalment=instalment, event="failed")
    assert mail.outbox[-1].to == [people[0].user.email]
    collecting.collection_default(instalment=instalment, actor=admin.user)
    notifications.collection_notify(instalment=instalment, event="defaulted")
    told = [address for message in mail.outbox for address in message.to]
    assert admin.user.email in told  # the pool's administrators are told
    mail.outbox.clear()

    candidacy.project.maintainers.add(admin.user)
    for other in round_.pot_instalments.exclude(pk=instalment.pk):
        other = collecting.collection_attempt(instalment=other)
        payments.transfer_record_receipt(
            charge=other.charge, amount="10", received_on=timezone.localdate(), actor=admin.user
        )
        collecting.collection_follow_charge(instalment=other)
    round_ = collecting.round_pay_out(round_=round_)
    assert notifications.round_notify(round_=round_, event="payout") == 1
    assert mail.outbox[-1].to == [admin.user.email]


def _first_collection(round_, candidacy, people):
    """Everyone votes for the one candidate; the round is collected; the first person's
    promise is tried (a transfer: due)."""
    for member in people:
        ballots.ballot_cast(
            round_=round_, membership=member, actor=member.user, marks={candidacy.pk: 6}
        )
    round_ = collecting.round_collect(
        round_=rounds.round_tally(round_=round_, now=round_.voting_closes_at)
    )
    return collecting.collection_attempt(
        instalment=round_.pot_instalments.filter(pledge__membership=people[0]).get()
    )


def test_a_due_email_queued_before_the_transfer_arrived_is_not_sent_after(voting):
    """The demo check's worker crashed: the 'payment due' email, queued at collection, ran
    after the treasurer had recorded the transfer in full, and asked a QR code for 0 €."""
    round_, candidacy, people, _organisation, _treasurer, admin = voting
    instalment = _first_collection(round_, candidacy, people)
    BankAccountFactory(organisation=round_.pool.host, updated_by=admin.user)
    payments.transfer_record_receipt(
        charge=instalment.charge, amount="10", received_on=timezone.localdate(), actor=admin.user
    )
    mail.outbox.clear()
    assert notifications.collection_notify(instalment=instalment, event="due") == 0
    assert not mail.outbox


def test_round_emails_follow_each_person_s_language_and_preferences(voting):
    """#19: a language per person; a topic turned off is not sent, money emails always are."""
    round_, candidacy, people, _organisation, treasurer, _admin = voting
    treasurer.language = "en"
    treasurer.save()
    EmailOptOut.objects.create(user=people[0].user, topic=EmailTopic.VOTES)
    assert notifications.round_notify(round_=round_, event="voting_open") == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == sorted([people[1].user.email, treasurer.email])
    assert "the vote of round" in by_address[treasurer.email].subject
    assert f"/en/pools/{round_.pool.slug}/" in by_address[treasurer.email].body
    assert "le vote du tour" in by_address[people[1].user.email].subject
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    instalment = _first_collection(round_, candidacy, people)
    mail.outbox.clear()
    assert notifications.collection_notify(instalment=instalment, event="due") == 1
    (message,) = mail.outbox  # to the person who turned votes off: money is not a topic
    assert message.to == [people[0].user.email] and "List-Unsubscribe" not in message.extra_headers
