"""The home page's first introduction (0002) had a plain space before its colon: a
no-break space now, unless an editor has rewritten it since."""

from django.db import migrations

OLD = (
    "Coopératives, associations, collectivités et citoyens financent ensemble "
    "les communs : pots communs votés, réciprocité, comptes ouverts."
)
NEW = OLD.replace(" :", "\u202f:")


def forwards(apps, schema_editor):
    apps.get_model("cms", "HomePage").objects.filter(intro=OLD).update(intro=NEW)


def backwards(apps, schema_editor):
    apps.get_model("cms", "HomePage").objects.filter(intro=NEW).update(intro=OLD)


class Migration(migrations.Migration):
    dependencies = [("cms", "0007_finances_page")]

    operations = [migrations.RunPython(forwards, backwards)]
