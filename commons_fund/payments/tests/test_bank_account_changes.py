"""A changed IBAN is kept in a history, announced to the organisation's other treasurers and
administrators, and receives payouts only 48 hours later or once a second person confirms."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, money_login
from commons_fund.payments import services
from commons_fund.payments.models import BankAccount, BankAccountChange
from commons_fund.payments.services.payouts import BANK_CHANGE_HOLD

pytestmark = pytest.mark.django_db
DIVERTED = "FR7630001007941234567890185"


def _payout(books, treasurer, beneficiary):
    return services.payout_create(
        books=books, beneficiary=beneficiary, amount="300", description="Pot", actor=treasurer
    )


def test_a_new_iban_waits_then_a_second_person_releases_it(
    pool_host, winners, django_capture_on_commit_callbacks
):
    books, treasurer = pool_host
    winner = winners[0]
    first_admin = winner.memberships.get().user
    other_admin = MembershipFactory(organisation=winner, role=Role.TREASURER).user
    with django_capture_on_commit_callbacks() as queued:
        services.bank_account_set(
            organisation=winner, actor=first_admin, holder_name="Normandie Libre", iban=DIVERTED
        )
    assert len(queued) == 1  # bank_account_change_notify, run here as the worker would
    change = BankAccountChange.objects.filter(organisation=winner).first()
    assert services.bank_account_change_email_send(change=change) == 1
    account = BankAccount.objects.get(organisation=winner)
    assert account.usable_from > timezone.now() + BANK_CHANGE_HOLD - timedelta(minutes=1)
    # The other treasurer is told, by a message of its own; the author is not.
    assert [message.to for message in mail.outbox] == [[other_admin.email]]
    assert "0185" in mail.outbox[0].body and "0189" in mail.outbox[0].body

    payout = _payout(books, treasurer, winner)
    day = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        services.payout_batch_export(
            books=books, payouts=[payout], actor=treasurer, execution_date=day
        )
    assert "Normandie Libre" in raised.value.messages[0]

    with pytest.raises(ValidationError):  # not by the person who made the change
        services.bank_account_confirm(organisation=winner, actor=first_admin)
    services.bank_account_confirm(organisation=winner, actor=other_admin)
    batch = services.payout_batch_export(
        books=books, payouts=[payout], actor=treasurer, execution_date=day
    )
    assert DIVERTED in batch.xml
    history = list(BankAccountChange.objects.filter(organisation=winner))
    assert [(c.iban, c.replaced_iban, c.confirmed_by) for c in history] == [
        (DIVERTED, "FR7630006000011234567890189", other_admin),
        ("FR7630006000011234567890189", "", None),
    ]
    with pytest.raises(ValidationError):  # nothing left to confirm
        services.bank_account_confirm(organisation=winner, actor=other_admin)


def test_after_the_hold_payouts_go_without_a_confirmation(pool_host, winners):
    books, treasurer = pool_host
    winner = winners[1]
    admin = winner.memberships.get().user
    services.bank_account_set(
        organisation=winner, actor=admin, holder_name="Data Patch", iban=DIVERTED
    )
    BankAccount.objects.filter(organisation=winner).update(
        usable_from=timezone.now() - timedelta(seconds=1)
    )
    batch = services.payout_batch_export(
        books=books,
        payouts=[_payout(books, treasurer, winner)],
        actor=treasurer,
        execution_date=timezone.localdate(),
    )
    assert DIVERTED in batch.xml


def test_the_same_iban_again_or_a_first_one_does_not_wait(winners):
    winner = winners[0]
    admin = winner.memberships.get().user
    services.bank_account_set(
        organisation=winner,
        actor=admin,
        holder_name="Normandie Libre (association)",
        iban="FR76 3000 6000 0112 3456 7890 189",
        bic="AGRIFRPP",
    )
    assert BankAccount.objects.get(organisation=winner).usable_from <= timezone.now()
    assert not mail.outbox


def test_a_change_cannot_be_confirmed_by_its_author_even_in_the_database(winners):
    change = BankAccountChange.objects.filter(organisation=winners[0]).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccountChange.objects.filter(pk=change.pk).update(
            confirmed_by=change.changed_by, confirmed_at=timezone.now()
        )


def test_the_page_shows_the_history_and_offers_the_confirmation_to_the_other_person(
    client, winners
):
    winner = winners[0]
    first_admin = winner.memberships.get().user
    other_admin = MembershipFactory(organisation=winner, role=Role.ADMIN).user
    services.bank_account_set(
        organisation=winner, actor=first_admin, holder_name="Normandie Libre", iban=DIVERTED
    )
    url = f"/fr/organisations/{winner.slug}/treasury/bank-account/"
    for person, offered in ((first_admin, False), (other_admin, True)):
        money_login(client, person)
        page = client.get(url).text
        assert "•••• 0185" in page and "•••• 0189" in page
        assert ("Je confirme ce nouveau compte" in page) is offered
