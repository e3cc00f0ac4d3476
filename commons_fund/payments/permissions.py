"""Who may move an organisation's money by hand."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.selectors import organisation_has_role


def require_treasurer(*, organisation: Organisation | None, actor: User) -> None:
    if not organisation_has_role(
        organisation=organisation, user=actor, roles=(Role.TREASURER, Role.ADMIN)
    ):
        raise PermissionDenied(_("Only a treasurer of the receiving organisation may do this."))
