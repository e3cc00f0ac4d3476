from django.db import migrations

from commons_fund.ledger import triggers


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(triggers.install_in_migration, triggers.uninstall_in_migration),
    ]
