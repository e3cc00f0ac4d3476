"""What payments tells the apps above it, which connect their receivers in their
AppConfig.ready() (payments never imports them):
- `charge_settled`: a charge was paid, failed or was cancelled. The apps that asked for it (a
  pool's collection, a reciprocity declaration…) receive it once the change is committed and
  follow it at once; their periodic sweeps stay only as a safety net.
- `payouts_paid`: the bank executed payouts (sent with `payouts` and `paid_on`, after
  commit): the apps that asked for them (a pool's round) follow at once.
- `method_removing`: a saved card or mandate is about to be removed; a receiver that still
  relies on it (a pledge paid with it) refuses by raising ValidationError, which stops the
  removal with its message."""

import logging
from datetime import date

from django.db import transaction
from django.dispatch import Signal

from commons_fund.logs import log_event

from .models import FINAL_STATUSES, Charge, Payout

logger = logging.getLogger(__name__)

# Sent with `charge`, the settled charge as committed.
charge_settled = Signal()
# Sent with `method`, inside the removal's transaction, before anything is changed.
method_removing = Signal()
# Sent with `payouts` (a list) and `paid_on`, once the marking commits.
payouts_paid = Signal()


def charge_settle_after_commit(*, charge: Charge) -> None:
    """Send `charge_settled` once the current transaction commits (at once outside one).
    A receiver that fails is logged; the sweeps will follow that charge later."""
    if charge.status not in FINAL_STATUSES:
        raise ValueError(f"Charge #{charge.pk} is {charge.status}, not settled.")
    transaction.on_commit(lambda: _send(charge.pk))


def _send(charge_id: int) -> None:
    charge = Charge.objects.get(pk=charge_id)
    _send_logged(
        charge_settled, "charge.settled_receiver_failed", {"charge": charge_id}, charge=charge
    )


def payouts_paid_after_commit(*, payouts: list[Payout], paid_on: date) -> None:
    """Send `payouts_paid` once the current transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: _send_logged(
            payouts_paid,
            "payouts.paid_receiver_failed",
            {"payouts": ",".join(str(payout.pk) for payout in payouts)},
            payouts=payouts,
            paid_on=paid_on,
        )
    )


def _send_logged(signal: Signal, event: str, logged: dict[str, object], **kwargs: object) -> None:
    """Every receiver runs; one that fails is logged (the sweeps follow later)."""
    for receiver, result in signal.send_robust(sender=Charge, **kwargs):
        if isinstance(result, Exception):
            log_event(
                logger,
                event,
                level=logging.ERROR,
                **logged,
                receiver=getattr(receiver, "__qualname__", repr(receiver)),
                error=repr(result),
            )
