"""What pools do when something happens elsewhere (connected in PledgesConfig.ready)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext as _

from commons_fund.payments.signals import charge_settled, method_removing, payouts_paid

from .collecting import collection_follow_charge, round_close, round_pay_out
from .models import Instalment, InstalmentStatus, Pledge, PledgeStatus, Round, RoundState


@receiver(charge_settled, dispatch_uid="pledges.collections_follow_their_charge")
def collections_follow_their_charge(sender, *, charge, **kwargs) -> None:
    """A collection's charge settled: the collection is collected (or retried, or defaulted)
    now, not at the next sweep."""
    for instalment in Instalment.objects.filter(
        charge=charge, status__in=[InstalmentStatus.DUE, InstalmentStatus.FAILED]
    ):
        collection_follow_charge(instalment=instalment)


@receiver(charge_settled, dispatch_uid="pledges.rounds_follow_their_matching")
def rounds_follow_their_matching(sender, *, charge, **kwargs) -> None:
    """The matching's funder paid (or the transfer was given up): the round pays out now."""
    for round_ in Round.objects.filter(matching_charge=charge, state=RoundState.COLLECTING):
        round_pay_out(round_=round_)


@receiver(method_removing, dispatch_uid="pledges.pledges_keep_their_method")
def pledges_keep_their_method(sender, *, method, **kwargs) -> None:
    """A card or mandate that pays a pledge still running is not removed: the member changes
    the pledge's method first (on "My pledges")."""
    pledges = list(
        Pledge.objects.filter(
            saved_method=method, status__in=[PledgeStatus.ACTIVE, PledgeStatus.PAUSED]
        ).select_related("membership__pool")
    )
    if pledges:
        raise ValidationError(
            _(
                "%(label)s pays your pledge to %(pools)s: change the pledge's means of payment "
                "first (My pledges)."
            )
            % {
                "label": method.label,
                "pools": ", ".join(sorted({p.membership.pool.name for p in pledges})),
            }
        )


@receiver(payouts_paid, dispatch_uid="pledges.rounds_follow_their_payouts")
def rounds_follow_their_payouts(sender, *, payouts, **kwargs) -> None:
    """A round's payouts were paid: it closes now (and its commons' plans show the money
    received), not at the next sweep."""
    round_type = ContentType.objects.get_for_model(Round)
    for round_ in Round.objects.filter(
        pk__in={int(p.cause_id) for p in payouts if p.cause_type_id == round_type.pk}
    ):
        round_close(round_=round_)
