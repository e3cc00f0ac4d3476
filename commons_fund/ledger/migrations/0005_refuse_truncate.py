from django.db import migrations

from commons_fund.ledger import triggers


class Migration(migrations.Migration):
    """PostgreSQL: TRUNCATE of the ledger's tables is refused too (statement triggers);
    installing again is harmless for the triggers already there."""

    dependencies = [("ledger", "0004_chart_contributors_paid")]

    operations = [
        migrations.RunPython(triggers.install_in_migration, migrations.RunPython.noop),
    ]
