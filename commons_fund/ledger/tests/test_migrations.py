"""Ledger 0006 / payments 0010: the sub-accounts and charges that named a commons by a
foreign key now name that commons' cost centre, with the FEC code they had."""

import pytest

from commons_fund.members.tests.factories import UserFactory
from projects.tests.factories import ProjectFactory
from tests.helpers import migrations_from

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ledger", "0005_refuse_truncate"), ("payments", "0009_sepa_mandates")]


def test_a_commons_accounts_and_charges_move_to_its_cost_centre():
    with migrations_from(BEFORE) as run:
        apps = run.apps
        Account = apps.get_model("ledger", "Account")
        Charge = apps.get_model("payments", "Charge")
        project = ProjectFactory(name="Movilab", slug="movilab")  # today's model
        bank = Account.objects.create(
            organisation_id=project.host_id,
            project_id=project.pk,
            purpose="bank",
            code="512",
            type="asset",
        )
        income = Account.objects.create(
            organisation_id=project.host_id,
            project_id=project.pk,
            purpose="reciprocity",
            code="7588",
            type="income",
        )
        plain = Account.objects.create(
            organisation_id=project.host_id, purpose="bank", code="512", type="asset"
        )
        charge = Charge.objects.create(
            user_id=UserFactory().pk,
            books_id=project.host_id,
            project_id=project.pk,
            amount=1000,
            income_purpose="receivable",
            description="Réciprocité",
            method="transfer",
            status="awaiting_transfer",
            transfer_reference="CF-MIG1",
        )

        apps = run.forward()
        Account = apps.get_model("ledger", "Account")
        Charge = apps.get_model("payments", "Charge")
        CostCentre = apps.get_model("ledger", "CostCentre")
        centre = CostCentre.objects.get()
        assert (centre.code, centre.name, centre.organisation_id, centre.owner_id) == (
            "COMMUN-movilab",
            "Movilab",
            project.host_id,
            str(project.pk),
        )
        assert (centre.owner_type.app_label, centre.owner_type.model) == ("projects", "project")
        assert {a.centre_id for a in Account.objects.filter(pk__in=[bank.pk, income.pk])} == {
            centre.pk
        }
        assert Account.objects.get(pk=plain.pk).centre_id is None
        assert Charge.objects.get(pk=charge.pk).centre_id == centre.pk
