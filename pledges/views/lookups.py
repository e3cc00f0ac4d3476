"""The pool and round of a URL, and what every pool page shows of the rotation."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from projects.models import Project

from .. import selectors
from ..models import (
    Pool,
    Round,
    RoundKind,
)


def pool_or_404(slug: str) -> Pool:
    return get_object_or_404(Pool.objects.select_related("host", "matching_funder"), slug=slug)


def round_or_404(slug: str, number: int) -> Round:
    return get_object_or_404(
        Round.objects.select_related("pool__host", "winner__project", "matching_funder"),
        pool__slug=slug,
        number=number,
    )


def admin_pool(request, slug: str) -> Pool:
    pool = pool_or_404(slug)
    if not selectors.pool_admin(pool=pool, user=request.user):
        raise Http404
    return pool


def rotation(pool: Pool) -> dict:
    """Where the rotation's cycle stands, by commons name."""
    state = selectors.rotation(pool=pool)
    projects = {
        project.pk: project
        for project in Project.objects.filter(pk__in=state.eligible | state.won).only(
            "pk", "name", "slug"
        )
    }
    names = {pk: project.name for pk, project in projects.items()}
    return {
        # The commons the pool funds, each with whether it has had its turn in this cycle.
        "listed_commons": sorted(
            ((projects[pk], pk in state.won) for pk in state.eligible if pk in projects),
            key=lambda row: row[0].name,
        )
        if state.listed
        else [],
        "won": sorted(names[pk] for pk in state.won if pk in names),
        "waiting": sorted(names[pk] for pk in state.waiting if pk in names),
        "cycle": state.cycle,
        "rotation_listed": state.listed,
        "shows_rotation": pool.rotation_rule == "strict"
        and pool.round_kind != RoundKind.ALLOCATION
        and bool(names),
    }
