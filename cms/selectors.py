"""Reads for the site's pages: the live figures of a commons, the commons index."""

from django.core.paginator import Paginator
from django.db.models import F, Sum

from commons_fund.money import from_minor_units
from commons_fund.payments.models import Payout, PayoutStatus
from pledges.models import Candidacy, Instalment, InstalmentStatus, Pool, Round, RoundState
from projects.selectors import list_filters, project_plan
from reciprocity.models import DeclarationStatus, RevenueDeclaration
from reciprocity.selectors import certified_providers


def commons_live_data(*, project) -> dict:
    """What a commons' page shows from the data: its co-financing plan, the pools it is a
    candidate in, the rounds it won, its certified providers. A constant number of queries
    whatever the number of steps, sources, contributions and partners."""
    won = list(
        Candidacy.objects.filter(project=project, round__winner=F("pk"))
        .select_related("round__pool")
        .order_by("-round__voting_closes_at")
    )
    pools = list(
        Pool.objects.filter(rounds__candidacies__project=project).distinct().order_by("name")
    )
    return {
        "project": project,
        "plan": project_plan(project=project),
        "won": won,
        "pools": pools,
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
    collected = (
        Instalment.objects.filter(status=InstalmentStatus.SUCCEEDED).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    paid_out = (
        Payout.objects.filter(
            status=PayoutStatus.PAID, cause_type__app_label="pledges", cause_type__model="round"
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    given_back = (
        RevenueDeclaration.objects.filter(status=DeclarationStatus.PAID).aggregate(
            total=Sum("due")
        )["total"]
        or 0
    )
    return {
        "open_rounds": list(
            Round.objects.filter(state__in=[RoundState.NOMINATING, RoundState.VOTING])
            .select_related("pool")
            .order_by("voting_closes_at")[:5]
        ),
        "latest_results": list(
            Round.objects.filter(
                state__in=[
                    RoundState.TALLIED,
                    RoundState.COLLECTING,
                    RoundState.PAID_OUT,
                    RoundState.CLOSED,
                ],
                winner__isnull=False,
            )
            .select_related("pool", "winner__project")
            .order_by("-voting_closes_at")[:3]
        ),
        "totals": {
            "collected": from_minor_units(collected),
            "paid_out": from_minor_units(paid_out),
            "given_back": given_back,
        },
    }
