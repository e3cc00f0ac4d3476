"""Cost centres: the parts of one structure's books kept apart for what they serve. The
ledger knows them by a generic owner, not by the features' models."""

import pytest
from django.db import IntegrityError, transaction

from commons_fund.ledger.models import CostCentre
from commons_fund.ledger.services import account_get_or_create, cost_centre_get_or_create
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_centre_per_owner_and_books_its_code_kept_its_name_following():
    books = OrganisationFactory()
    owner = UserFactory()  # any model may own a centre
    centre = cost_centre_get_or_create(organisation=books, owner=owner, code="X-1", name="Un")
    again = cost_centre_get_or_create(organisation=books, owner=owner, code="X-2", name="Deux")
    assert again.pk == centre.pk and (again.code, again.name) == ("X-1", "Deux")
    assert again.owner == owner
    elsewhere = cost_centre_get_or_create(
        organisation=OrganisationFactory(), owner=owner, code="X-1", name="Un"
    )
    assert elsewhere.pk != centre.pk  # an owner moving to other books starts a new part


def test_a_code_already_taken_in_the_books_gets_the_owners_key():
    books = OrganisationFactory()
    first, second = UserFactory(), UserFactory()
    cost_centre_get_or_create(organisation=books, owner=first, code="COMMUN-a", name="A")
    taken = cost_centre_get_or_create(organisation=books, owner=second, code="COMMUN-a", name="B")
    assert taken.code == f"COMMUN-a-{second.pk}"
    with pytest.raises(IntegrityError), transaction.atomic():
        CostCentre.objects.create(
            organisation=books, owner=UserFactory(), code="COMMUN-a", name="C"
        )


def test_a_centres_accounts_are_in_its_books_one_per_purpose():
    books = OrganisationFactory()
    centre = cost_centre_get_or_create(organisation=books, owner=UserFactory(), code="F", name="F")
    bank = account_get_or_create(purpose="bank", centre=centre)
    assert bank.organisation == books and bank.centre == centre
    assert account_get_or_create(purpose="bank", centre=centre).pk == bank.pk
    assert account_get_or_create(purpose="bank", organisation=books).pk != bank.pk
    assert "F" in str(bank)
