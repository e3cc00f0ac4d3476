"""Database triggers that keep the ledger's invariants even against raw SQL.

Installed by migration 0002 on SQLite and PostgreSQL alike:
- a transaction is inserted unsealed; sealing it checks at least two entries and that the
  entries sum to zero per currency and phase; a sealed transaction never changes;
- entries go only into an unsealed transaction, in the account's currency, at the
  transaction's date; entries and transactions are never updated or deleted;
- on PostgreSQL, a deferred constraint trigger refuses to commit an unsealed transaction.
Uniqueness of idempotency keys and the checks on single rows are ordinary constraints.
"""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS ledger_transaction_insert BEFORE INSERT ON ledger_transaction
    WHEN NEW.is_sealed
    BEGIN SELECT RAISE(ABORT, 'ledger: a transaction is inserted unsealed, then sealed'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_transaction_update BEFORE UPDATE ON ledger_transaction
    BEGIN
        SELECT RAISE(ABORT, 'ledger: a sealed transaction cannot change') WHERE OLD.is_sealed;
        SELECT RAISE(ABORT, 'ledger: a transaction needs at least two entries')
        WHERE NEW.is_sealed
          AND (SELECT COUNT(*) FROM ledger_entry WHERE transaction_id = NEW.id) < 2;
        SELECT RAISE(ABORT, 'ledger: entries do not sum to zero per currency and phase')
        WHERE NEW.is_sealed AND EXISTS (
            SELECT 1 FROM ledger_entry WHERE transaction_id = NEW.id
            GROUP BY currency, phase HAVING SUM(amount) <> 0
        );
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_transaction_delete BEFORE DELETE ON ledger_transaction
    BEGIN SELECT RAISE(ABORT, 'ledger: transactions are never deleted'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_entry_insert BEFORE INSERT ON ledger_entry
    BEGIN
        SELECT RAISE(ABORT, 'ledger: entries cannot be added to a sealed transaction')
        WHERE (SELECT is_sealed FROM ledger_transaction WHERE id = NEW.transaction_id);
        SELECT RAISE(ABORT, 'ledger: the entry currency differs from the account currency')
        WHERE NEW.currency <> (SELECT currency FROM ledger_account WHERE id = NEW.account_id);
        SELECT RAISE(ABORT, 'ledger: the entry date differs from the transaction date')
        WHERE NEW.occurred_at <>
            (SELECT occurred_at FROM ledger_transaction WHERE id = NEW.transaction_id);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_entry_update BEFORE UPDATE ON ledger_entry
    BEGIN SELECT RAISE(ABORT, 'ledger: entries are never changed'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS ledger_entry_delete BEFORE DELETE ON ledger_entry
    BEGIN SELECT RAISE(ABORT, 'ledger: entries are never deleted'); END
    """,
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_transaction_insert",
        "ledger_transaction_update",
        "ledger_transaction_delete",
        "ledger_entry_insert",
        "ledger_entry_update",
        "ledger_entry_delete",
    )
]

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION ledger_transaction_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'ledger: transactions are never deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        ELSIF TG_OP = 'INSERT' THEN
            IF NEW.is_sealed THEN
                RAISE EXCEPTION 'ledger: a transaction is inserted unsealed, then sealed'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        IF OLD.is_sealed THEN
            RAISE EXCEPTION 'ledger: a sealed transaction cannot change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.is_sealed THEN
            IF (SELECT COUNT(*) FROM ledger_entry WHERE transaction_id = NEW.id) < 2 THEN
                RAISE EXCEPTION 'ledger: a transaction needs at least two entries'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF EXISTS (
                SELECT 1 FROM ledger_entry WHERE transaction_id = NEW.id
                GROUP BY currency, phase HAVING SUM(amount) <> 0
            ) THEN
                RAISE EXCEPTION 'ledger: entries do not sum to zero per currency and phase'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_transaction_guard
    BEFORE INSERT OR UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_guard()
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            RAISE EXCEPTION 'ledger: entries are never changed or deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF (SELECT is_sealed FROM ledger_transaction WHERE id = NEW.transaction_id) THEN
            RAISE EXCEPTION 'ledger: entries cannot be added to a sealed transaction'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.currency <> (SELECT currency FROM ledger_account WHERE id = NEW.account_id) THEN
            RAISE EXCEPTION 'ledger: the entry currency differs from the account currency'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.occurred_at <>
                (SELECT occurred_at FROM ledger_transaction WHERE id = NEW.transaction_id) THEN
            RAISE EXCEPTION 'ledger: the entry date differs from the transaction date'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_entry_guard
    BEFORE INSERT OR UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_transaction_sealed_at_commit() RETURNS trigger AS $$
    BEGIN
        IF NOT (SELECT is_sealed FROM ledger_transaction WHERE id = NEW.id) THEN
            RAISE EXCEPTION 'ledger: transaction % was not sealed before commit', NEW.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    DROP TRIGGER IF EXISTS ledger_transaction_sealed_at_commit ON ledger_transaction
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_transaction_sealed_at_commit
    AFTER INSERT ON ledger_transaction DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_sealed_at_commit()
    """,
    # TRUNCATE fires no row trigger: it is refused by statement triggers of its own.
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger: % is never emptied', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_transaction_truncate BEFORE TRUNCATE ON ledger_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_entry_truncate BEFORE TRUNCATE ON ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_truncate ON ledger_entry",
    "DROP TRIGGER IF EXISTS ledger_transaction_truncate ON ledger_transaction",
    "DROP FUNCTION IF EXISTS ledger_refuse_truncate()",
    "DROP TRIGGER IF EXISTS ledger_transaction_sealed_at_commit ON ledger_transaction",
    "DROP TRIGGER IF EXISTS ledger_entry_guard ON ledger_entry",
    "DROP TRIGGER IF EXISTS ledger_transaction_guard ON ledger_transaction",
    "DROP FUNCTION IF EXISTS ledger_transaction_sealed_at_commit()",
    "DROP FUNCTION IF EXISTS ledger_entry_guard()",
    "DROP FUNCTION IF EXISTS ledger_transaction_guard()",
]


def execute_for_vendor(
    connection: BaseDatabaseWrapper, *, postgresql: list[str], sqlite: list[str]
) -> None:
    """Run the statements written for this database (PostgreSQL's or SQLite's): triggers
    are installed and lifted by migrations, the ledger's here and other apps' alike."""
    statements = postgresql if connection.vendor == "postgresql" else sqlite
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    execute_for_vendor(connection, postgresql=POSTGRESQL, sqlite=SQLITE)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    execute_for_vendor(connection, postgresql=POSTGRESQL_DROP, sqlite=SQLITE_DROP)


def install_in_migration(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """RunPython form of `install`. A migration that makes SQLite rebuild a ledger table
    lifts the triggers first (they would point at the old table during the rename):
    RunPython(uninstall_in_migration, install_in_migration) before the change, and the
    reverse after it."""
    install(schema_editor.connection)


def uninstall_in_migration(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    uninstall(schema_editor.connection)
