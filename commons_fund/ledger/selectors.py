"""Reads of the ledger. Balances now are kept by the database (`AccountBalance`); at a past
date, they are SQL aggregates over indexed columns. Never Python loops over entries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce

from commons_fund.members.models import Organisation

from .chart import CHART, DEBIT_NORMAL
from .models import Account, AccountBalance, Entry, Phase, Transaction


@dataclass(frozen=True)
class Balance:
    """Debit-positive sums in minor units: pending commitments and posted amounts apart."""

    pending: int
    posted: int
    currency: str

    @property
    def total(self) -> int:
        return self.pending + self.posted


def _sealed_entries(*, at: datetime | None = None) -> QuerySet[Entry]:
    """Entries of sealed transactions. Written as "not one of the few unsealed" (an index of
    them, a hashed set in the plan) rather than a join: joining made PostgreSQL probe the
    transactions table once per entry (97 000 probes for a big host's books, #24)."""
    unsealed = Transaction.objects.filter(is_sealed=False).values("pk")
    entries = Entry.objects.exclude(transaction__in=unsealed)
    if at is not None:
        entries = entries.filter(occurred_at__lte=at)
    return entries


def _sums() -> dict[str, Any]:
    return {
        "pending": Coalesce(Sum("amount", filter=Q(phase=Phase.PENDING)), 0),
        "posted": Coalesce(Sum("amount", filter=Q(phase=Phase.POSTED)), 0),
    }


def account_balance(*, account: Account, at: datetime | None = None) -> Balance:
    """The balance of one account now (its kept balance) or at a date (a sum of its entries
    up to then), in one query."""
    sums: dict[str, Any] = {"pending": 0, "posted": 0}
    if at is not None:
        sums = _sealed_entries(at=at).filter(account=account).aggregate(**_sums())
    elif kept := AccountBalance.objects.filter(account=account).first():
        sums = {"pending": kept.pending, "posted": kept.posted}
    return Balance(pending=sums["pending"], posted=sums["posted"], currency=account.currency)


def organisation_balances(*, organisation: Organisation | None) -> dict[str, Balance]:
    """Balances of a structure's accounts by purpose (None: the platform), sub-accounts of
    its cost centres included, in one query over its kept balances: one row per account,
    whatever the length of its history (#24)."""
    rows = (
        AccountBalance.objects.filter(account__organisation=organisation)
        .values("account__purpose", "account__currency")
        .annotate(pending=Sum("pending"), posted=Sum("posted"))
        .order_by("account__purpose", "account__currency")
    )
    return {
        f"{row['account__purpose']}:{row['account__currency']}": Balance(
            pending=row["pending"], posted=row["posted"], currency=row["account__currency"]
        )
        for row in rows
    }


def organisation_balance_rows(*, organisation: Organisation | None) -> list[dict[str, Any]]:
    """Each account of a structure with its balance shown on the account's usual side
    (assets and expenses as debits, the others as credits), posted and pending, in cents."""
    rows = []
    for key, balance in organisation_balances(organisation=organisation).items():
        line = CHART[key.split(":")[0]]
        sign = 1 if line.type in DEBIT_NORMAL else -1
        rows.append(
            {
                "line": line,
                "currency": balance.currency,
                "posted": sign * balance.posted,
                "pending": sign * balance.pending,
            }
        )
    return rows


def centre_balance_rows(*, organisation: Organisation) -> list[dict[str, Any]]:
    """Each cost centre of a structure's books (a commons it hosts, a pool it runs) with what
    it holds (bank and money on its way, posted) and the promises it awaits (pending), in
    cents — one query over its kept balances."""
    held, awaited = {"bank", "to_collect"}, {"pledges_receivable"}
    rows = (
        AccountBalance.objects.filter(
            account__organisation=organisation,
            account__centre__isnull=False,
            account__purpose__in=held | awaited,
        )
        .values(
            "account__centre__code",
            "account__centre__name",
            "account__purpose",
            "account__currency",
            "pending",
            "posted",
        )
        .order_by("account__centre__code", "account__currency")
    )
    centres: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["account__centre__code"], row["account__currency"])
        centre = centres.setdefault(
            key,
            {
                "code": key[0],
                "name": row["account__centre__name"],
                "currency": key[1],
                "held": 0,
                "awaited": 0,
            },
        )
        if row["account__purpose"] in held:
            centre["held"] += row["posted"]
        else:
            centre["awaited"] += row["pending"]
    return list(centres.values())


def owners_posted_total(*, purpose: str, owner_type: ContentType, currency: str) -> int:
    """What the accounts of one purpose hold (posted, debit > 0) over the cost centres of
    every owner of a kind (every pool, every commons): one kept balance per centre."""
    total = AccountBalance.objects.filter(
        account__purpose=purpose,
        account__currency=currency,
        account__centre__owner_type=owner_type,
    ).aggregate(total=Sum("posted"))["total"]
    return total or 0


def balance_drift() -> dict[int, tuple[Balance, Balance]]:
    """Accounts whose kept balance differs from the sum of their sealed entries, with both
    (kept, summed): empty in a sound ledger. Reads every entry: a check, not a page."""
    summed = {
        row["account"]: (row["pending"], row["posted"])
        for row in _sealed_entries().values("account").annotate(**_sums()).order_by()
    }
    kept = {
        row[0]: (row[1], row[2])
        for row in AccountBalance.objects.values_list("account", "pending", "posted")
    }
    currencies = dict(Account.objects.values_list("pk", "currency"))
    drift = {}
    for account in sorted(summed.keys() | kept.keys()):
        (kept_pending, kept_posted), (pending, posted) = (
            kept.get(account, (0, 0)),
            summed.get(account, (0, 0)),
        )
        if (kept_pending, kept_posted) != (pending, posted):
            currency = currencies[account]
            drift[account] = (
                Balance(pending=kept_pending, posted=kept_posted, currency=currency),
                Balance(pending=pending, posted=posted, currency=currency),
            )
    return drift


def ledger_totals(*, at: datetime | None = None) -> dict[tuple[str, str], int]:
    """Sum of every entry per currency and phase: zero in a sound ledger."""
    rows = _sealed_entries(at=at).values("currency", "phase").annotate(total=Sum("amount"))
    return {(row["currency"], row["phase"]): row["total"] for row in rows}


def account_statement(*, account: Account) -> QuerySet[Entry]:
    """The account's entries, oldest first, each with the running balance after it
    (`running_posted`, `running_pending`). Slice or paginate it: the window is computed in SQL
    over the whole account before the page is cut."""
    order = [F("occurred_at").asc(), F("id").asc()]
    return (
        _sealed_entries()
        .filter(account=account)
        .select_related("transaction")
        .annotate(
            running_posted=Coalesce(
                Window(Sum("amount", filter=Q(phase=Phase.POSTED)), order_by=order), 0
            ),
            running_pending=Coalesce(
                Window(Sum("amount", filter=Q(phase=Phase.PENDING)), order_by=order), 0
            ),
        )
        .order_by("occurred_at", "id")
    )
