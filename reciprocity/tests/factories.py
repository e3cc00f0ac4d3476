from datetime import date

from django.utils import timezone

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from commons_fund.payments import services as payments
from projects.tests.factories import ProjectFactory
from reciprocity import services
from reciprocity.models import RevenueDeclaration


def signed_declaration() -> RevenueDeclaration:
    """A declaration of 8 000 € under a 5 % contract both sides signed; the partner's and the
    host's administrators ride along as `partner_admin` and `host_admin`."""
    contract = signed_contract(rate="5")
    declaration = services.declaration_create(
        contract=contract,
        actor=contract.partner_admin,
        period_start=date(2026, 1, 1),
        revenue="8 000",
    )
    declaration.partner_admin, declaration.host_admin = contract.partner_admin, contract.host_admin
    return declaration


def signed_contract(partner_department="", show_amounts=True, project=None, rate="10"):
    """A contract (10 % unless told) both sides signed, the partner in `partner_department`
    when given; the partner's and the host's administrators ride along as `partner_admin`
    and `host_admin`."""
    partner = MembershipFactory(
        role=Role.ADMIN,
        organisation=OrganisationFactory(
            department=partner_department, region="28" if partner_department else ""
        ),
    )
    host = (
        MembershipFactory(role=Role.ADMIN, organisation=project.host)
        if project
        else MembershipFactory(role=Role.ADMIN)
    )
    project = project or ProjectFactory(host=host.organisation)
    contract = services.contract_create(
        partner=partner.organisation,
        project=project,
        actor=partner.user,
        rate=rate,
        base="CA HT",
        starts_on=date(2026, 1, 1),
        show_amounts=show_amounts,
    )
    contract = services.contract_propose(contract=contract, actor=partner.user)
    for user in (partner.user, host.user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )
    contract.partner_admin, contract.host_admin = partner.user, host.user
    return contract


def declare_and_pay(contract, start, revenue):
    """A period's revenue declared and its amount paid by bank transfer, received."""
    declaration = services.declaration_create(
        contract=contract, actor=contract.partner_admin, period_start=start, revenue=revenue
    )
    declaration = services.declaration_pay(
        declaration=declaration, actor=contract.partner_admin, method="transfer"
    )
    payments.transfer_record_receipt(
        charge=declaration.charge,
        amount=declaration.due.amount,
        received_on=timezone.localdate(),
        actor=contract.host_admin,
    )
    return services.declaration_follow_charge(declaration=declaration)
