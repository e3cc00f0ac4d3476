"""What pools do when something happens elsewhere (connected in PledgesConfig.ready)."""

from django.dispatch import receiver

from commons_fund.payments.signals import charge_settled

from .collecting import collection_sync
from .models import Collection, CollectionStatus


@receiver(charge_settled, dispatch_uid="pledges.collections_follow_their_charge")
def collections_follow_their_charge(sender, *, charge, **kwargs) -> None:
    """A collection's charge settled: the collection is collected (or retried, or defaulted)
    now, not at the next sweep."""
    for collection in Collection.objects.filter(
        charge=charge, status__in=[CollectionStatus.DUE, CollectionStatus.FAILED]
    ):
        collection_sync(collection=collection)
