from django.db import migrations


def create(apps, schema_editor):
    """Every site starts with its settings row, so that pages read it (one query) rather than
    create it on the first visit."""
    Site = apps.get_model("wagtailcore", "Site")
    SiteSettings = apps.get_model("cms", "SiteSettings")
    for site in Site.objects.all():
        SiteSettings.objects.get_or_create(site=site)


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_settings_and_menu")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
