"""Rules that must always hold are database constraints too: write around the ORM's
validation and expect the database itself to refuse."""

import pytest
from django.db import IntegrityError, connection, transaction

from commons_fund.members.models import Invitation, Membership, Organisation

from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except IntegrityError:
        return True
    return False


def _insert_organisation(**overrides) -> str:
    row = {
        "name": "Asso",
        "slug": "asso",
        "legal_form": "association",
        "siren": "",
        "siret": "",
        "region": "",
        "department": "",
        "website": "",
        "description": "",
        "translations": "{}",
        "logo": "",
        "street_address": "",
        "postal_code": "",
        "city": "",
        "representative_name": "",
        "representative_title": "",
        "created_at": "2026-01-01 00:00:00+00",
        "updated_at": "2026-01-01 00:00:00+00",
        **overrides,
    }
    columns = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    sql = f"INSERT INTO {Organisation._meta.db_table} ({columns}) VALUES ({marks})"
    return sql, list(row.values())


@pytest.mark.parametrize(
    "overrides",
    [
        {"legal_form": "pirate"},
        {"name": ""},
        {"slug": ""},
        {"siren": "1234"},
        {"siret": "123456789"},
    ],
)
def test_database_refuses_invalid_organisations(overrides):
    assert _refused(*_insert_organisation(**overrides))
    assert not Organisation.objects.exists()


def test_database_refuses_duplicate_slug_and_siren():
    OrganisationFactory(slug="asso", siren="552100554")
    assert _refused(*_insert_organisation(slug="asso"))
    assert _refused(*_insert_organisation(slug="autre", siren="552100554"))
    assert not _refused(*_insert_organisation(slug="sans-siren"))
    assert not _refused(*_insert_organisation(slug="sans-siren-2"))


def test_database_refuses_unknown_roles_and_duplicate_memberships():
    membership = MembershipFactory()
    table = Membership._meta.db_table
    sql = (
        f"INSERT INTO {table} (organisation_id, user_id, role, created_at) VALUES (%s, %s, %s, %s)"
    )
    now = "2026-01-01 00:00:00+00"
    assert _refused(sql, [membership.organisation_id, UserFactory().pk, "king", now])
    assert _refused(sql, [membership.organisation_id, membership.user_id, "member", now])


def test_database_allows_one_pending_invitation_per_address():
    organisation = OrganisationFactory()
    Invitation.objects.create(organisation=organisation, email="lou@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(organisation=organisation, email="LOU@example.org")
    Invitation.objects.filter(organisation=organisation).update(status="accepted")
    Invitation.objects.create(organisation=organisation, email="lou@example.org")
    assert Invitation.objects.count() == 2


def test_database_refuses_two_users_with_the_same_email_in_other_case():
    UserFactory(email="lou@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="LOU@example.org", verified_email=False)
