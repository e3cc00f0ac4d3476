"""A round's page (candidates, ballot, results), voting, nominating, its published
receipts, and the administrators' actions on a round."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors, form_apply

from .. import ballots, publication, rounds, selectors
from ..forms import (
    BallotForm,
    CancelForm,
    ExtendForm,
    NominationForm,
    ReceiptSearchForm,
    ScheduleForm,
)
from ..models import (
    RESULT_STATES,
    PoolMembership,
    Round,
    RoundKind,
    RoundState,
    VoterRoll,
)
from ..results import grade_labels, results_for_page
from .lookups import admin_pool, rotation, round_or_404


def _voters(request, round_) -> list[tuple[PoolMembership, bool]]:
    """The members this person votes for in the round, each with whether it has voted."""
    members = [
        m
        for m in selectors.memberships_of(pool=round_.pool, user=request.user)
        if selectors.has_vote(round_=round_, membership=m)
    ]
    voted = set(
        VoterRoll.objects.filter(round=round_, membership__in=members).values_list(
            "membership_id", flat=True
        )
    )
    return [(member, member.pk in voted) for member in members]


def _ballot_form(request, round_, candidacies, data=None):
    """The ballot of one of the members this person votes for: the one asked for (`for` in
    the address, `membership` in a posted ballot), else the first that has not voted."""
    voters = _voters(request, round_)
    if round_.state != RoundState.VOTING or not voters:
        return None, None, voters
    asked = data.get("membership", "") if data is not None else request.GET.get("for", "")
    voter = next((m for m, _voted in voters if str(m.pk) == asked), None)
    if voter is None and asked and data is not None:
        raise Http404  # a ballot for a member this person does not vote for
    if voter is None:
        voter = next((m for m, voted in voters if not voted), voters[0][0])
    form = BallotForm(
        data,
        round_=round_,
        candidacies=candidacies,
        membership=voter,
        grades=grade_labels(get_language()),
    )
    return voter, form, voters


def round_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = round_or_404(slug, number)
    candidacies = selectors.round_candidacies(round_=round_)
    voter, ballot_form, voters = _ballot_form(request, round_, candidacies)
    mine = list(selectors.memberships_of(pool=round_.pool, user=request.user))
    is_admin = selectors.pool_admin(pool=round_.pool, user=request.user)
    projected = publication.round_projected_matching(round_=round_)
    return render(
        request,
        "pledges/round_detail.html",
        {
            "round": round_,
            "pool": round_.pool,
            "candidacies": candidacies,
            "pot": selectors.round_pot(round_=round_),
            "turnout": selectors.rounds_turnout(rounds=[round_])[round_.pk]
            if round_.state == RoundState.VOTING
            else None,
            "kind": round_.kind or round_.pool.round_kind,
            "projected": projected,
            "projected_rows": projected.rows(candidacies) if projected and projected.shown else [],
            "voter": voter,
            "voters": voters,
            "ballot_form": ballot_form,
            "promise": selectors.member_promise(round_=round_, membership=voter)
            if voter and round_.kind == "allocation"
            else None,
            "has_voted": voter is not None and dict(voters)[voter],
            "results": results_for_page(
                round_=round_, candidacies=candidacies, language=get_language()
            )
            if round_.state in RESULT_STATES
            else None,
            "nomination_form": NominationForm(
                projects=selectors.nominable_projects(round_=round_),
                search_url=reverse(
                    "pledges:round_nominable", kwargs={"slug": slug, "number": number}
                ),
            )
            if (mine or is_admin) and round_.state in (RoundState.SCHEDULED, RoundState.NOMINATING)
            else None,
            "is_admin": is_admin,
            "cancel_form": CancelForm() if is_admin else None,
            "extend_form": ExtendForm(
                initial={"voting_closes_at": round_.voting_closes_at + timedelta(days=7)}
            )
            if is_admin and round_.state == RoundState.VOTING
            else None,
            **rotation(round_.pool),
        },
    )


@login_required
@require_POST
def round_vote(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = round_or_404(slug, number)
    candidacies = selectors.round_candidacies(round_=round_)
    voter, form, voters = _ballot_form(request, round_, candidacies, request.POST)
    if form is None:
        raise Http404
    receipt = []
    if form_apply(
        form,
        lambda data: receipt.append(
            ballots.ballot_cast(
                round_=round_,
                membership=voter,
                actor=request.user,
                marks=form.marks(),
                previous_receipt=data.get("previous_receipt", ""),
            )
        ),
    ):
        return render(
            request,
            "pledges/receipt.html",
            {"round": round_, "pool": round_.pool, "receipt": receipt[0]},
        )
    return render(
        request,
        "pledges/round_detail.html",
        {
            "round": round_,
            "pool": round_.pool,
            "candidacies": candidacies,
            "pot": selectors.round_pot(round_=round_),
            "kind": round_.kind or round_.pool.round_kind,
            "voter": voter,
            "voters": voters,
            "ballot_form": form,
            "promise": selectors.member_promise(round_=round_, membership=voter)
            if round_.kind == "allocation"
            else None,
            "has_voted": dict(voters)[voter],
        },
        status=400,
    )


def round_receipts(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = round_or_404(slug, number)
    if round_.state not in RESULT_STATES:
        raise Http404
    # A receipt is sent in the body, never in the address: access logs would pair it with
    # the voter's IP address.
    form = ReceiptSearchForm(request.POST or None)
    receipt = form.cleaned_data["receipt"] if form.is_valid() else ""
    page = Paginator(publication.round_receipts(round_=round_, receipt=receipt), 100).get_page(
        request.GET.get("page")
    )
    names = {c.pk: c.project.name for c in round_.candidacies.select_related("project")}
    small = publication.round_small_colleges(round_=round_)
    ballots = publication.published_ballots(round_=round_, ballots=page.object_list, small=small)
    return render(
        request,
        "pledges/round_receipts.html",
        {
            "round": round_,
            "pool": round_.pool,
            "page": page,
            "form": form,
            "threshold": publication.publication_threshold(round_=round_),
            "allocation": round_.kind == RoundKind.ALLOCATION,
            "rows": [
                (
                    ballot,
                    None
                    if ballot.marks is None
                    else sorted((names[key], value) for key, value in ballot.marks.items()),
                )
                for ballot in ballots
            ],
            "college_totals": [
                (
                    name or _("Voters without a college"),
                    group["voters"],
                    sorted(
                        (names[int(key)], sorted((int(v), n) for v, n in marks.items()))
                        for key, marks in group["marks"].items()
                    ),
                )
                for name, group in publication.round_college_totals(
                    round_=round_, small=small
                ).items()
            ],
        },
    )


@login_required
@require_POST
def round_nominate(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = round_or_404(slug, number)
    form = NominationForm(
        request.POST,
        projects=selectors.nominable_projects(round_=round_),
        search_url=reverse("pledges:round_nominable", kwargs={"slug": slug, "number": number}),
    )
    if form_apply(
        form,
        lambda data: rounds.candidacy_nominate(
            round_=round_, actor=request.user, project=data["project"]
        ),
    ):
        messages.success(request, _("The commons is nominated."))
    else:
        flash_errors(request, form)
    return redirect(round_)


NOMINABLE_SUGGESTED = 20


@login_required
def round_nominable(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    """Suggestions for the nomination field as a member types: the first nominable commons
    whose name or address contains `q` (members and administrators of the pool; others 404)."""
    round_ = round_or_404(slug, number)
    if not (
        selectors.memberships_of(pool=round_.pool, user=request.user).exists()
        or selectors.pool_admin(pool=round_.pool, user=request.user)
    ):
        raise Http404
    found = selectors.nominable_projects(round_=round_, search=request.GET.get("q", "")[:100])
    return JsonResponse(
        {"results": list(found.values("slug", "name")[:NOMINABLE_SUGGESTED])},
        headers={"Cache-Control": "private, max-age=60"},
    )


@login_required
@require_POST
def round_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    pool = admin_pool(request, slug)
    form = ScheduleForm(request.POST)
    created = []
    if form_apply(
        form,
        lambda data: created.append(
            rounds.round_schedule(
                pool=pool, actor=request.user, **{k: v for k, v in data.items() if v}
            )
        ),
    ):
        messages.success(request, _("The round is scheduled."))
        return redirect(created[0])
    flash_errors(request, form)
    return redirect(pool)


ADMIN_ACTIONS = {
    "advance": lambda round_, user, data: rounds.round_advance(round_=round_),
    "open_nominations": lambda round_, user, data: rounds.round_open_nominations(round_=round_),
    "open_voting": lambda round_, user, data: rounds.round_open_voting(round_=round_),
    "cancel": lambda round_, user, data: rounds.round_cancel(
        round_=round_, actor=user, reason=data.get("reason", "")
    ),
    "extend": lambda round_, user, data: _extend(round_, user, data),
}


def _extend(round_: Round, user, data) -> Round:
    form = ExtendForm(data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return rounds.round_extend_vote(
        round_=round_, actor=user, closes_at=form.cleaned_data["voting_closes_at"]
    )


@login_required
@require_POST
def round_action(request: HttpRequest, slug: str, number: int, action: str) -> HttpResponse:
    """A pool administrator moves a round without waiting for its date."""
    admin_pool(request, slug)
    round_ = round_or_404(slug, number)
    if action not in ADMIN_ACTIONS:
        raise Http404
    try:
        ADMIN_ACTIONS[action](round_, request.user, request.POST)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect(round_)
