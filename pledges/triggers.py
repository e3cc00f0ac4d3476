"""Database triggers that keep `PoolMemberCount` equal to the number of active members of
each pool, on SQLite and PostgreSQL alike, whatever writes the memberships (a join, an
approval, a departure, the admin, a pool deleted with its members, raw SQL).

Installed by migration 0011. Like the ledger's (`commons_fund/ledger/triggers.py`), a later
migration that makes SQLite rebuild `pledges_poolmembership` must lift them first and put
them back after.
"""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from commons_fund.ledger.triggers import execute_for_vendor

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS pledges_member_count_insert
    AFTER INSERT ON pledges_poolmembership WHEN NEW.status = 'active'
    BEGIN
        INSERT OR IGNORE INTO pledges_poolmembercount (pool_id, active) VALUES (NEW.pool_id, 0);
        UPDATE pledges_poolmembercount SET active = active + 1 WHERE pool_id = NEW.pool_id;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS pledges_member_count_update
    AFTER UPDATE OF status, pool_id ON pledges_poolmembership
    BEGIN
        UPDATE pledges_poolmembercount SET active = active - 1
        WHERE OLD.status = 'active' AND pool_id = OLD.pool_id;
        INSERT OR IGNORE INTO pledges_poolmembercount (pool_id, active)
        SELECT NEW.pool_id, 0 WHERE NEW.status = 'active';
        UPDATE pledges_poolmembercount SET active = active + 1
        WHERE NEW.status = 'active' AND pool_id = NEW.pool_id;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS pledges_member_count_delete
    AFTER DELETE ON pledges_poolmembership WHEN OLD.status = 'active'
    BEGIN
        UPDATE pledges_poolmembercount SET active = active - 1 WHERE pool_id = OLD.pool_id;
    END
    """,
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS pledges_member_count_{operation}"
    for operation in ("insert", "update", "delete")
]

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION pledges_member_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
            UPDATE pledges_poolmembercount SET active = active - 1 WHERE pool_id = OLD.pool_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
            INSERT INTO pledges_poolmembercount AS counts (pool_id, active) VALUES (NEW.pool_id, 1)
            ON CONFLICT (pool_id) DO UPDATE SET active = counts.active + 1;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER pledges_member_count
    AFTER INSERT OR UPDATE OF status, pool_id OR DELETE ON pledges_poolmembership
    FOR EACH ROW EXECUTE FUNCTION pledges_member_count()
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS pledges_member_count ON pledges_poolmembership",
    "DROP FUNCTION IF EXISTS pledges_member_count()",
]

# The counts of the members already there when the triggers are installed.
BACKFILL = """
    INSERT INTO pledges_poolmembercount (pool_id, active)
    SELECT pool_id, COUNT(*) FROM pledges_poolmembership WHERE status = 'active'
    GROUP BY pool_id
"""


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pledges_poolmembercount")
        cursor.execute(BACKFILL)
    execute_for_vendor(connection, postgresql=POSTGRESQL, sqlite=SQLITE)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    execute_for_vendor(connection, postgresql=POSTGRESQL_DROP, sqlite=SQLITE_DROP)


def install_in_migration(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install(schema_editor.connection)


def uninstall_in_migration(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    uninstall(schema_editor.connection)
