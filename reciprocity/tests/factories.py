from datetime import date

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from projects.tests.factories import ProjectFactory
from reciprocity import services
from reciprocity.models import RevenueDeclaration


def signed_declaration() -> RevenueDeclaration:
    """A declaration of 8 000 € under a 5 % contract both sides signed; the partner's and the
    host's administrators ride along as `partner_admin` and `host_admin`."""
    partner = MembershipFactory(role=Role.ADMIN)
    host = MembershipFactory(role=Role.ADMIN)
    contract = services.contract_create(
        partner=partner.organisation,
        project=ProjectFactory(host=host.organisation),
        actor=partner.user,
        rate="5",
        base="CA HT",
        starts_on=date(2026, 1, 1),
    )
    contract = services.contract_propose(contract=contract, actor=partner.user)
    for user in (partner.user, host.user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )
    declaration = services.declaration_create(
        contract=contract, actor=partner.user, period_start=date(2026, 1, 1), revenue="8 000"
    )
    declaration.partner_admin, declaration.host_admin = partner.user, host.user
    return declaration
