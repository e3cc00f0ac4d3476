from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commons_fund.ledger.selectors import balance_drift, ledger_totals


class Command(BaseCommand):
    help = (
        "Check the ledger: every currency and phase sums to zero, and each account's kept "
        "balance equals the sum of its entries. Exits 1 when it finds a fault."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        faults = [
            f"{currency} {phase}: the entries sum to {total}, not 0"
            for (currency, phase), total in sorted(ledger_totals().items())
            if total
        ]
        for account, (kept, summed) in balance_drift().items():
            faults.append(
                f"account {account}: kept {kept.posted} posted, {kept.pending} pending; "
                f"its entries sum to {summed.posted} posted, {summed.pending} pending"
            )
        if faults:
            raise CommandError("The ledger is not sound:\n" + "\n".join(faults))
        self.stdout.write("The ledger is sound: it balances and every kept balance agrees.")
