"""Database triggers that keep `AccountBalance` equal to the sum of each account's sealed
entries, on SQLite and PostgreSQL alike: when a transaction is sealed, its entries are
added to their accounts' balances in the same database transaction. Entries and sealed
transactions never change nor disappear (`triggers.py`), so nothing else moves a balance.

The accounts are locked in the order of their keys, so two postings touching the same
accounts wait for each other instead of deadlocking. Installed by migration 0008, which
also sums the entries already there.
"""

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from .triggers import execute_for_vendor

# The entries of the transaction being sealed, one row per account, in the order of their
# keys (the order the balances are locked in).
_SEALED_SUMS = """
        SELECT account_id,
               SUM(CASE WHEN phase = 'pending' THEN amount ELSE 0 END),
               SUM(CASE WHEN phase = 'posted' THEN amount ELSE 0 END)
        FROM ledger_entry WHERE transaction_id = NEW.id
        GROUP BY account_id ORDER BY account_id"""

SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS ledger_balance_on_seal
    AFTER UPDATE OF is_sealed ON ledger_transaction
    WHEN NEW.is_sealed AND NOT OLD.is_sealed
    BEGIN
        INSERT INTO ledger_accountbalance (account_id, pending, posted){_SEALED_SUMS}
        ON CONFLICT (account_id) DO UPDATE SET
            pending = pending + excluded.pending, posted = posted + excluded.posted;
    END
    """,  # noqa: S608 - constant SQL
]

SQLITE_DROP = ["DROP TRIGGER IF EXISTS ledger_balance_on_seal"]

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_balance_on_seal() RETURNS trigger AS $$
    BEGIN
        INSERT INTO ledger_accountbalance AS balance (account_id, pending, posted){_SEALED_SUMS}
        ON CONFLICT (account_id) DO UPDATE SET
            pending = balance.pending + EXCLUDED.pending,
            posted = balance.posted + EXCLUDED.posted;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_balance_on_seal
    AFTER UPDATE OF is_sealed ON ledger_transaction
    FOR EACH ROW WHEN (NEW.is_sealed AND NOT OLD.is_sealed)
    EXECUTE FUNCTION ledger_balance_on_seal()
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS ledger_balance_on_seal ON ledger_transaction",
    "DROP FUNCTION IF EXISTS ledger_balance_on_seal()",
]

# The balances of the entries already there when the triggers are installed.
BACKFILL = """
    INSERT INTO ledger_accountbalance (account_id, pending, posted)
    SELECT entry.account_id,
           SUM(CASE WHEN entry.phase = 'pending' THEN entry.amount ELSE 0 END),
           SUM(CASE WHEN entry.phase = 'posted' THEN entry.amount ELSE 0 END)
    FROM ledger_entry AS entry
    JOIN ledger_transaction AS txn ON txn.id = entry.transaction_id
    WHERE txn.is_sealed
    GROUP BY entry.account_id
"""


def install_in_migration(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Sum the entries already there, then keep the sums from now on."""
    execute_for_vendor(
        schema_editor.connection,
        postgresql=[BACKFILL, *POSTGRESQL],
        sqlite=[BACKFILL, *SQLITE],
    )


def uninstall_in_migration(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_for_vendor(
        schema_editor.connection,
        postgresql=[*POSTGRESQL_DROP, "DELETE FROM ledger_accountbalance"],
        sqlite=[*SQLITE_DROP, "DELETE FROM ledger_accountbalance"],
    )
