"""A charge settled — paid, failed or cancelled. The apps that asked for the charge (a pool's
collection, a reciprocity declaration…) receive `charge_settled` once the change is committed
and follow it at once; their periodic sweeps stay only as a safety net. payments never
imports them: they connect their receivers in their AppConfig.ready()."""

import logging

from django.db import transaction
from django.dispatch import Signal

from commons_fund.logs import log_event

from .models import FINAL_STATUSES, Charge

logger = logging.getLogger(__name__)

# Sent with `charge`, the settled charge as committed.
charge_settled = Signal()


def charge_settle_after_commit(*, charge: Charge) -> None:
    """Send `charge_settled` once the current transaction commits (at once outside one).
    A receiver that fails is logged; the sweeps will follow that charge later."""
    if charge.status not in FINAL_STATUSES:
        raise ValueError(f"Charge #{charge.pk} is {charge.status}, not settled.")
    transaction.on_commit(lambda: _send(charge.pk))


def _send(charge_id: int) -> None:
    charge = Charge.objects.get(pk=charge_id)
    for receiver, result in charge_settled.send_robust(sender=Charge, charge=charge):
        if isinstance(result, Exception):
            log_event(
                logger,
                "charge.settled_receiver_failed",
                level=logging.ERROR,
                charge=charge_id,
                receiver=getattr(receiver, "__qualname__", repr(receiver)),
                error=repr(result),
            )
