"""Replace Wagtail's default welcome page with the French home page of Commons Fund."""

from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms.HomePage")

    page_content_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_content_type, slug="home", depth=2).delete()
    homepage_content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale, _ = Locale.objects.get_or_create(language_code="fr")
    homepage = HomePage.objects.create(
        title="Commons Fund",
        draft_title="Commons Fund",
        slug="accueil",
        content_type=homepage_content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/accueil/",
        locale=locale,
        intro=(
            "Coopératives, associations, collectivités et citoyens financent ensemble "
            "les communs : pots communs votés, réciprocité, comptes ouverts."
        ),
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", root_page=homepage, is_default_site=True, site_name="Commons Fund"
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0054_initial_locale"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
