"""What reciprocity does when something happens elsewhere (connected in
ReciprocityConfig.ready)."""

from django.dispatch import receiver

from commons_fund.finances.signals import giving_percents_asked
from commons_fund.payments.signals import charge_settled

from .models import DeclarationStatus, RevenueDeclaration, RevenueSharePolicy
from .services import declaration_follow_charge


@receiver(charge_settled, dispatch_uid="reciprocity.declarations_follow_their_charge")
def declarations_follow_their_charge(sender, *, charge, **kwargs) -> None:
    """A declaration's charge settled: the declaration is paid now, not at the next sweep."""
    for declaration in RevenueDeclaration.objects.filter(
        charge=charge, status=DeclarationStatus.DUE
    ):
        declaration_follow_charge(declaration=declaration)


@receiver(giving_percents_asked, dispatch_uid="reciprocity.giving_percents")
def giving_percents(sender, *, organisation, **kwargs) -> dict:
    """The share of its revenue an organisation gives each year, for its finances page."""
    return dict(
        RevenueSharePolicy.objects.filter(organisation=organisation)
        .order_by()
        .values_list("year", "percent")
    )
