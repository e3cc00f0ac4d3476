"""A round's share of a pledge was called a Collection; it is an instalment (échéance),
which collecting may take several attempts to settle (#18). The table is renamed with its
model; constraint names, idempotency keys and calendar UIDs keep the old word."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_cost_centres"),
        ("payments", "0012_credit_purpose"),
        ("pledges", "0008_matching_rules"),
    ]

    operations = [
        migrations.RenameModel("Collection", "Instalment"),
        migrations.AlterModelOptions(
            name="instalment",
            options={"verbose_name": "instalment", "verbose_name_plural": "instalments"},
        ),
        migrations.AlterField(
            model_name="instalment",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="instalments",
                to="pledges.round",
            ),
        ),
        migrations.AlterField(
            model_name="instalment",
            name="pledge",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="instalments",
                to="pledges.pledge",
            ),
        ),
        migrations.AlterField(
            model_name="instalment",
            name="commitment",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="instalment",
                to="ledger.transaction",
            ),
        ),
    ]
