"""Atom feeds of the site, in the request's language: rounds' results, new commons and the
reciprocity wall's newest contracts (announced in every page's head)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pledges.selectors import latest_results
from projects.selectors import newest_projects
from reciprocity.selectors import newest_contracts

ITEMS = 20


class _AtomFeed(Feed):
    feed_type = Atom1Feed

    def link(self) -> str:
        return f"/{get_language()}/"


class ResultsFeed(_AtomFeed):
    def title(self) -> str:
        return _("Commons Fund — results of the pools' rounds")

    def subtitle(self) -> str:
        return _("Which commons each round elected, as soon as the votes are counted.")

    def items(self):
        return latest_results(limit=ITEMS)

    def item_title(self, item) -> str:
        return _("%(pool)s, round %(number)s: %(commons)s") % {
            "pool": item.pool.name,
            "number": item.number,
            "commons": item.winner.project.name,
        }

    def item_description(self, item) -> str:
        return _("Elected by the members of %(pool)s.") % {"pool": item.pool.name}

    def item_link(self, item) -> str:
        return item.get_absolute_url()

    def item_updateddate(self, item):
        return item.voting_closes_at


class CommonsFeed(_AtomFeed):
    def title(self) -> str:
        return _("Commons Fund — new commons")

    def subtitle(self) -> str:
        return _("The commons that joined the platform, newest first.")

    def items(self):
        return newest_projects(limit=ITEMS)

    def item_title(self, item) -> str:
        return item.name

    def item_description(self, item) -> str:
        return item.summary

    def item_link(self, item) -> str:
        return item.get_absolute_url()

    def item_updateddate(self, item):
        return item.created_at


class WallFeed(_AtomFeed):
    def title(self) -> str:
        return _("Commons Fund — reciprocity wall")

    def subtitle(self) -> str:
        return _("Companies that earn from a commons and signed to give part of it back.")

    def items(self):
        return newest_contracts(limit=ITEMS)

    def item_title(self, item) -> str:
        return _("%(partner)s gives back to %(commons)s") % {
            "partner": item.partner.name,
            "commons": item.project.name,
        }

    def item_description(self, item) -> str:
        return _("A reciprocity contract signed with the commons' hosting structure.")

    def item_link(self, item) -> str:
        return reverse("reciprocity:wall")

    def item_guid(self, item) -> str:
        return f"tag:commons-fund,2026:reciprocity-contract-{item.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.signed_at
