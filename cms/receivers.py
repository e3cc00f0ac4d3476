"""What the site does when something happens in the apps below (connected in
CmsConfig.ready)."""

from django.conf import settings
from django.dispatch import receiver
from django.utils.text import slugify

from projects.signals import project_created

from .models import CommonsIndexPage, CommonsPage


@receiver(project_created, dispatch_uid="cms.commons_page_for_a_new_commons")
def commons_page_for_a_new_commons(sender, *, project, **kwargs) -> None:
    """Every commons has a site page: a new one gets a draft in the editors' tree (under the
    first commons index of the default language), for them to write and publish."""
    index = (
        CommonsIndexPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("path")
        .first()
    )
    if index is None or CommonsPage.objects.filter(project=project).exists():
        return
    taken = set(index.get_children().values_list("slug", flat=True))
    slug, number = project.slug or slugify(project.name) or "commun", 2
    while slug in taken:
        slug, number = f"{project.slug}-{number}", number + 1
    page = index.add_child(
        instance=CommonsPage(title=project.name, slug=slug, project=project, live=False)
    )
    page.save_revision()
