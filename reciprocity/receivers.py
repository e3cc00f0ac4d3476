"""What reciprocity does when something happens elsewhere (connected in
ReciprocityConfig.ready)."""

from django.dispatch import receiver

from commons_fund.payments.signals import charge_settled

from .models import DeclarationStatus, RevenueDeclaration
from .services import declaration_sync


@receiver(charge_settled, dispatch_uid="reciprocity.declarations_follow_their_charge")
def declarations_follow_their_charge(sender, *, charge, **kwargs) -> None:
    """A declaration's charge settled: the declaration is paid now, not at the next sweep."""
    for declaration in RevenueDeclaration.objects.filter(
        charge=charge, status=DeclarationStatus.DUE
    ):
        declaration_sync(declaration=declaration)
