"""The chart of accounts: each ledger account maps to a Plan Comptable Général number.

Every structure (the platform, an organisation; later a pool or a commons held by an
organisation) gets the accounts it needs by *purpose*; the purpose fixes the PCG number,
the label used in the FEC export and the account type.

| purpose              | PCG   | type      | what it holds                                         |
|----------------------|-------|-----------|-------------------------------------------------------|
| bank                 | 512   | asset     | money on the structure's bank account                 |
| to_collect           | 511   | asset     | payments under way: at the card/SEPA processor,       |
|                      |       |           | transfers announced but not yet on the bank account   |
| pledges_receivable   | 4687  | asset     | promises of members (pending phase until collected)   |
| commitments          | 4686  | liability | what the structure promised to pay out (pending)      |
| payable              | 467   | liability | other creditors: money owed to a beneficiary,         |
|                      |       |           | overpayments to give back                             |
| receivable           | 4671  | asset     | other debtors: reciprocity dues declared, not paid    |
| suspense             | 471   | liability | amounts waiting to be allocated (manual adjustments)  |
| contributions        | 756   | income    | members' contributions (pledges collected)            |
| donations            | 7541  | income    | one-off gifts                                         |
| subsidies            | 740   | income    | public subsidies (ADEME, ANCT, région...)             |
| reciprocity          | 7588  | income    | reciprocity payments of partners                      |
| processor_fees       | 627   | expense   | card and SEPA processing fees                         |
| grants_paid          | 6571  | expense   | money paid out to commons (pool payouts)              |
| contributors_paid    | 622   | expense   | contributors of a commons paid for their time         |
| equity               | 110   | equity    | retained earnings, opening balances                   |
| internal_transfers   | 580   | asset     | money moved between cost centres of one structure     |

Signs: an entry's amount is positive for a debit and negative for a credit. Asset and
expense accounts normally carry a debit balance, the others a credit balance.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    EQUITY = "equity", _("Equity")


DEBIT_NORMAL = {AccountType.ASSET, AccountType.EXPENSE}


@dataclass(frozen=True)
class ChartLine:
    code: str
    type: AccountType
    label: str  # the French PCG label, as the FEC export wants it


CHART = {
    "bank": ChartLine("512", AccountType.ASSET, "Banque"),
    "to_collect": ChartLine("511", AccountType.ASSET, "Valeurs à l'encaissement"),
    "pledges_receivable": ChartLine("4687", AccountType.ASSET, "Produits à recevoir - promesses"),
    "commitments": ChartLine("4686", AccountType.LIABILITY, "Charges à payer - engagements"),
    "payable": ChartLine("467", AccountType.LIABILITY, "Autres comptes créditeurs"),
    "receivable": ChartLine("4671", AccountType.ASSET, "Autres comptes débiteurs"),
    "suspense": ChartLine("471", AccountType.LIABILITY, "Compte d'attente"),
    "contributions": ChartLine("756", AccountType.INCOME, "Cotisations"),
    "donations": ChartLine("7541", AccountType.INCOME, "Dons manuels"),
    "subsidies": ChartLine("740", AccountType.INCOME, "Subventions d'exploitation"),
    "reciprocity": ChartLine("7588", AccountType.INCOME, "Produits divers - réciprocité"),
    "processor_fees": ChartLine("627", AccountType.EXPENSE, "Services bancaires et assimilés"),
    "grants_paid": ChartLine("6571", AccountType.EXPENSE, "Aides financières versées"),
    "contributors_paid": ChartLine(
        "622", AccountType.EXPENSE, "Rémunérations d'intermédiaires et honoraires"
    ),
    "equity": ChartLine("110", AccountType.EQUITY, "Report à nouveau"),
    "internal_transfers": ChartLine("580", AccountType.ASSET, "Virements internes"),
}
PURPOSE_CHOICES = [(purpose, f"{line.code} {line.label}") for purpose, line in CHART.items()]
