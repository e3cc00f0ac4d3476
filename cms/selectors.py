"""Reads for the site's pages: the live figures of a commons, the commons index."""

import re
from datetime import date

from django.core.paginator import Paginator
from wagtail.search.backends import get_search_backend

from commons_fund.members.models import Organisation
from commons_fund.members.territories import DEPARTMENTS
from pledges.selectors import collected_total, commons_rounds, latest_results, open_rounds
from projects.models import Project, Step
from projects.selectors import list_filters, pool_funding_received_total, project_plan
from reciprocity.selectors import certified_providers, given_back_total

from .actors import FlowKind, actors_and_flows, actors_by_department
from .actors_drawing import france_map, network


def commons_live_data(*, project) -> dict:
    """What a commons' page shows from the data: its co-financing plan, the pools it is a
    candidate in, the rounds it won, its certified providers — each app's own selector; a
    constant number of queries whatever the number of steps, sources, contributions and
    partners."""
    return {
        "project": project,
        "plan": project_plan(project=project),
        **commons_rounds(project=project),
        "providers": certified_providers(project=project),
    }


def commons_index(*, pages, params) -> dict:
    """The commons of an index's live pages (`pages`), filtered like /commons/ (only the
    search differs: the Wagtail search backend, over the pages)."""
    context = list_filters(params={**params.dict(), "q": ""})
    context["search"] = search = params.get("q", "")[:100]
    found_pages = pages
    pages = (
        pages.specific()
        .select_related("project__host")
        .filter(project__in=context.pop("projects").values("pk"))
    )
    if search:
        found = [page.pk for page in found_pages.search(search)]
        pages = pages.filter(pk__in=found)
    context["page_obj"] = Paginator(pages.order_by("title"), 24).get_page(params.get("page"))
    return context


def home_figures() -> dict:
    """The home page's live part: open rounds with their deadlines, the latest results, and
    totals — collected by pools, paid out to commons, given back by reciprocity (euros)."""
    return {
        "open_rounds": open_rounds(limit=5),
        "latest_results": latest_results(limit=3),
        "totals": {
            "collected": collected_total(),
            "paid_out": pool_funding_received_total(),
            "given_back": given_back_total(),
        },
    }


SEARCH_LIMIT = 20  # results of each kind
SEARCH_QUERY_LENGTH = 100


def site_search(*, query: str) -> dict:
    """Commons, their steps and organisations matching `query` (Wagtail's search: French
    stemming on PostgreSQL), best first, `SEARCH_LIMIT` of each kind."""
    # Words only: quotes and operators mean something to the search engines (SQLite's FTS5
    # fails on a lone double quote) and nothing to the people typing them.
    query = " ".join(re.sub(r"[^\w]+", " ", query).split())[:SEARCH_QUERY_LENGTH]
    if not query:
        return {"query": "", "commons": [], "steps": [], "organisations": []}
    backend = get_search_backend()
    return {
        "query": query,
        "commons": list(backend.search(query, Project.objects.all())[:SEARCH_LIMIT]),
        "steps": list(backend.search(query, Step.objects.select_related("project"))[:SEARCH_LIMIT]),
        "organisations": list(backend.search(query, Organisation.objects.all())[:SEARCH_LIMIT]),
    }


def actors_page(*, today: date, territory: tuple[str, str] | None, kind: str) -> dict:
    """The actors' page: the flows between actors (filtered), drawn as a network, the actors
    on a map by département, and both as tables."""
    found = actors_and_flows(today=today, territory=territory, kind=kind)
    rows = actors_by_department(found.actors)
    names = {code: name for code, name, _region in DEPARTMENTS}
    return {
        "flows": found.flows,
        "actors": found.actors,
        "network": network(found.flows),
        "map": france_map(rows, names),
        "departments": rows,
        "placeless": [actor for actor in found.actors if not actor.departments],
        "kinds": FlowKind.choices,
    }
