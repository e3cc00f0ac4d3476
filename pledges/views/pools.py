"""Pages of pools: the public list and pool page, joining, and the pages where an
organisation's administrators create a pool, change its rules, add colleges and approve
members (404 to whoever is not a pool administrator)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors, form_apply
from commons_fund.members.models import Organisation, Role
from commons_fund.members.selectors import organisations_with_role, user_with_calendar_key

from .. import ical, personal, selectors, services
from ..forms import (
    CollegeForm,
    JoinForm,
    PoolCommonsForm,
    PoolCreateForm,
    PoolRulesForm,
    ScheduleForm,
)
from ..models import (
    FAILED_STATES,
    CollectionMethods,
    MemberStatus,
    Pool,
    RoundState,
)
from .lookups import admin_pool, pool_or_404, rotation


def pool_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.pool_list(), 24).get_page(request.GET.get("page"))
    return render(request, "pledges/pool_list.html", {"page": page})


WAITING_SHOWN = 100


def _rules(data: dict) -> dict:
    return {name: value for name, value in data.items() if name != "host"}


@login_required
def pool_create(request: HttpRequest) -> HttpResponse:
    """A pool created by an administrator of its host organisation, with all its rules."""
    hosts = selectors.organisations_hosting_for(user=request.user)
    form = None
    if hosts.exists():
        form = PoolCreateForm(
            request.POST or None,
            hosts=hosts,
            funders=selectors.matching_funders_for(user=request.user),
        )
    elif request.method == "POST":
        raise Http404
    created = []
    if (
        form is not None
        and request.method == "POST"
        and form_apply(
            form,
            lambda data: created.append(
                services.pool_create(creator=request.user, host=data["host"], **_rules(data))
            ),
        )
    ):
        messages.success(request, _("The pool is created: schedule its first round."))
        return redirect(created[0].get_absolute_url())
    return render(request, "pledges/pool_form.html", {"form": form, "pool": None})


@login_required
def pool_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Its host's administrators change a pool's rules; a round takes them when its vote
    opens, so a vote under way is never changed."""
    pool = admin_pool(request, slug)
    form = PoolRulesForm(
        request.POST or None,
        instance=Pool.objects.get(pk=pool.pk),
        funders=selectors.matching_funders_for(user=request.user, pool=pool),
    )
    if request.method == "POST" and form_apply(
        form, lambda data: services.pool_update(pool=pool, actor=request.user, **data)
    ):
        messages.success(request, _("The pool's rules are saved; they apply from the next vote."))
        return redirect(pool.get_absolute_url())
    waiting = pool.memberships.filter(status=MemberStatus.PENDING)
    return render(
        request,
        "pledges/pool_form.html",
        {
            "form": form,
            "pool": pool,
            "colleges": pool.colleges.order_by("name"),
            "college_form": CollegeForm(),
            "listed": pool.listed_commons.select_related("project").order_by("project__name"),
            "commons_form": PoolCommonsForm(),
            # The oldest requests first, a page of them: approving one shows the next.
            "waiting": waiting.select_related("user", "organisation").order_by("joined_at")[
                :WAITING_SHOWN
            ],
            "waiting_count": waiting.count(),
        },
    )


@login_required
@require_POST
def college_add(request: HttpRequest, slug: str) -> HttpResponse:
    pool = admin_pool(request, slug)
    form = CollegeForm(request.POST)
    if form_apply(form, lambda data: services.college_add(pool=pool, actor=request.user, **data)):
        messages.success(request, _("The college is added."))
    else:
        flash_errors(request, form)
    return redirect("pledges:pool_edit", slug=pool.slug)


@login_required
@require_POST
def pool_commons_add(request: HttpRequest, slug: str) -> HttpResponse:
    pool = admin_pool(request, slug)
    form = PoolCommonsForm(request.POST)
    if form_apply(
        form,
        lambda data: services.pool_commons_add(
            pool=pool, actor=request.user, project=data["commons"]
        ),
    ):
        messages.success(
            request,
            _("%(name)s is on the pool's list.") % {"name": form.cleaned_data["commons"].name},
        )
    else:
        flash_errors(request, form)
    return redirect("pledges:pool_edit", slug=pool.slug)


@login_required
@require_POST
def pool_commons_remove(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    pool = admin_pool(request, slug)
    listed = get_object_or_404(pool.listed_commons.select_related("project"), project__slug=project)
    try:
        services.pool_commons_remove(pool=pool, actor=request.user, project=listed.project)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, _("%(name)s is off the pool's list.") % {"name": listed.project.name}
        )
    return redirect("pledges:pool_edit", slug=pool.slug)


@login_required
@require_POST
def membership_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pool = admin_pool(request, slug)
    membership = get_object_or_404(pool.memberships, pk=pk)
    services.membership_approve(membership=membership, actor=request.user)
    messages.success(request, _("%(name)s is a member now.") % {"name": membership.name})
    return redirect("pledges:pool_edit", slug=pool.slug)


MEMBERS_PER_PAGE = 100


def pool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pool = pool_or_404(slug)
    mine = list(selectors.memberships_of(pool=pool, user=request.user))
    is_admin = selectors.pool_admin(pool=pool, user=request.user)
    history = selectors.pool_rounds(pool=pool)
    current = next(
        (r for r in reversed(history) if r.state not in (*FAILED_STATES, RoundState.CLOSED)), None
    )
    return render(
        request,
        "pledges/pool_detail.html",
        {
            "pool": pool,
            "rounds": history,
            "current": current,
            "pot": selectors.round_pot(round_=current) if current else None,
            "members": Paginator(selectors.pool_members(pool=pool), MEMBERS_PER_PAGE).get_page(
                request.GET.get("members")
            ),
            "mine": mine,
            "transfers_only": selectors.methods_offered(pool=pool) == ["transfer"]
            and pool.collection_methods != CollectionMethods.TRANSFER,
            "can_see_people": bool(mine) or is_admin,
            "is_admin": is_admin,
            **rotation(pool),
            "join_form": _join_form(request, pool) if request.user.is_authenticated else None,
            "schedule_form": ScheduleForm() if is_admin else None,
            "ballot_box_minimum": settings.BALLOT_BOX_MINIMUM,
        },
    )


def _join_form(request, pool, data=None):
    # Without the NULLs of people's memberships: "NOT IN (…, NULL)" would exclude everyone.
    joined = (
        pool.memberships.exclude(status="left")
        .filter(organisation__isnull=False)
        .values("organisation")
    )
    organisations = organisations_with_role(user=request.user, roles=(Role.ADMIN, Role.TREASURER))
    if request.user.is_staff:
        organisations = Organisation.objects.none()
    return JoinForm(
        data,
        user=request.user,
        colleges=pool.colleges.all(),
        organisations=organisations.exclude(pk__in=joined),
    )


@login_required
@require_POST
def pool_join(request: HttpRequest, slug: str) -> HttpResponse:
    pool = pool_or_404(slug)
    form = _join_form(request, pool, request.POST)
    joined = []
    if form_apply(
        form,
        lambda data: joined.append(
            services.pool_join(
                pool=pool,
                actor=request.user,
                organisation=data["member"],
                college=data.get("college"),
            )
        ),
    ):
        if joined[0].status == "pending":
            messages.success(request, _("Your request was sent to the pool's administrators."))
        else:
            messages.success(request, _("Welcome to the pool! Now make your pledge."))
            return redirect("pledges:pledge_create", slug=slug)
    else:
        flash_errors(request, form)
    return redirect(pool)


def pool_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The pool's rounds as an iCalendar feed (public, like the pool page)."""
    pool = pool_or_404(slug)
    response = HttpResponse(
        ical.pool_calendar(pool=pool, rounds=selectors.pool_rounds(pool=pool)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{pool.slug}.ics"'
    return response


@never_cache
def person_calendar(request: HttpRequest, key: str) -> HttpResponse:
    """A person's iCalendar feed, at a secret address calendar apps fetch without a
    session; an unknown or renewed key is a 404."""
    user = user_with_calendar_key(key=key)
    if user is None:
        raise Http404
    response = HttpResponse(
        ical.person_calendar(items=personal.person_calendar(user=user)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="commons-fund.ics"'
    return response
