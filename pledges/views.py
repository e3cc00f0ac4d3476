"""Pages of pools: the public list and pool page, joining and pledging, my pledges, a
round's page (candidates, ballot, results), its published receipts, and the treasurer's
console. Pool administration answers 404 to whoever is not a pool administrator."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors, form_apply
from commons_fund.members.models import Organisation, Role
from commons_fund.members.selectors import organisations_with_role
from commons_fund.payments import services as payments
from commons_fund.payments import stripe_client
from commons_fund.payments.forms import SepaMandateForm
from commons_fund.payments.models import SavedPaymentMethod
from commons_fund.security import money_action
from projects.models import Project, ProjectStatus

from . import ballots, collecting, rounds, selectors, services
from .forms import (
    BallotForm,
    CancelForm,
    CollegeForm,
    JoinForm,
    NominationForm,
    PledgeChangeForm,
    PledgeForm,
    PledgeStatusForm,
    PoolCreateForm,
    PoolRulesForm,
    ReceiptSearchForm,
    ScheduleForm,
)
from .models import (
    FAILED_STATES,
    RESULT_STATES,
    Collection,
    MemberStatus,
    Pledge,
    Pool,
    PoolMembership,
    Round,
    RoundKind,
    RoundState,
    VoterRoll,
)
from .results import grade_labels, results_for_page
from .services import METHODS_ALLOWED


def _pool(slug: str) -> Pool:
    return get_object_or_404(Pool.objects.select_related("host"), slug=slug)


def _round(slug: str, number: int) -> Round:
    return get_object_or_404(
        Round.objects.select_related("pool__host", "winner__project"),
        pool__slug=slug,
        number=number,
    )


def _admin_pool(request, slug: str) -> Pool:
    pool = _pool(slug)
    if not selectors.pool_admin(pool=pool, user=request.user):
        raise Http404
    return pool


def pool_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.pool_list(), 24).get_page(request.GET.get("page"))
    return render(request, "pledges/pool_list.html", {"page": page})


def _rules(data: dict) -> dict:
    return {name: value for name, value in data.items() if name != "host"}


@login_required
def pool_create(request: HttpRequest) -> HttpResponse:
    """A pool created by an administrator of its host organisation, with all its rules."""
    hosts = selectors.organisations_hosting_for(user=request.user)
    form = None
    if hosts.exists():
        form = PoolCreateForm(request.POST or None, hosts=hosts)
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
    pool = _admin_pool(request, slug)
    form = PoolRulesForm(request.POST or None, instance=Pool.objects.get(pk=pool.pk))
    if request.method == "POST" and form_apply(
        form, lambda data: services.pool_update(pool=pool, actor=request.user, **data)
    ):
        messages.success(request, _("The pool's rules are saved; they apply from the next vote."))
        return redirect(pool.get_absolute_url())
    return render(
        request,
        "pledges/pool_form.html",
        {
            "form": form,
            "pool": pool,
            "colleges": pool.colleges.order_by("name"),
            "college_form": CollegeForm(),
            "waiting": pool.memberships.filter(status=MemberStatus.PENDING)
            .select_related("user", "organisation")
            .order_by("joined_at"),
        },
    )


@login_required
@require_POST
def college_add(request: HttpRequest, slug: str) -> HttpResponse:
    pool = _admin_pool(request, slug)
    form = CollegeForm(request.POST)
    if form_apply(form, lambda data: services.college_add(pool=pool, actor=request.user, **data)):
        messages.success(request, _("The college is added."))
    else:
        flash_errors(request, form)
    return redirect("pledges:pool_edit", slug=pool.slug)


@login_required
@require_POST
def membership_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pool = _admin_pool(request, slug)
    membership = get_object_or_404(pool.memberships, pk=pk)
    services.membership_approve(membership=membership, actor=request.user)
    messages.success(request, _("%(name)s is a member now.") % {"name": membership.name})
    return redirect("pledges:pool_edit", slug=pool.slug)


def pool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pool = _pool(slug)
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
            "members": list(selectors.pool_members(pool=pool)),
            "mine": mine,
            "can_see_people": bool(mine) or is_admin,
            "is_admin": is_admin,
            **_rotation(pool),
            "join_form": _join_form(request, pool) if request.user.is_authenticated else None,
            "schedule_form": ScheduleForm() if is_admin else None,
            "ballot_box_minimum": settings.BALLOT_BOX_MINIMUM,
        },
    )


def _rotation(pool: Pool) -> dict:
    """Where the rotation's cycle stands, by commons name."""
    rotation = selectors.rotation(pool=pool)
    names = dict(
        Project.objects.filter(pk__in=rotation.eligible | rotation.won).values_list("pk", "name")
    )
    return {
        "won": sorted(names[pk] for pk in rotation.won if pk in names),
        "waiting": sorted(names[pk] for pk in rotation.waiting if pk in names),
        "cycle": rotation.cycle,
        "shows_rotation": pool.rotation_rule == "strict"
        and pool.round_kind != RoundKind.ALLOCATION
        and bool(names),
    }


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
    pool = _pool(slug)
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


@login_required
def pledge_create(request: HttpRequest, slug: str) -> HttpResponse:
    pool = _pool(slug)
    memberships = selectors.memberships_of(pool=pool, user=request.user)
    if not memberships.exists():
        messages.error(request, _("Join the pool before pledging."))
        return redirect(pool)
    labels = dict(Pledge._meta.get_field("method").choices)
    methods = [
        (m, labels[m])
        for m in ("card", "sepa_debit", "transfer")
        if m in METHODS_ALLOWED[pool.collection_methods]
    ]
    form = PledgeForm(
        request.POST or None,
        memberships=memberships,
        methods=methods,
        saved_methods=selectors.saved_methods_of(memberships=memberships),
    )
    if request.method == "POST" and form_apply(
        form, lambda data: services.pledge_create(actor=request.user, **data)
    ):
        messages.success(
            request, _("Thank you! Nothing is charged until a round's beneficiary is elected.")
        )
        return redirect("pledges:my_pledges")
    return render(
        request,
        "pledges/pledge_form.html",
        {"pool": pool, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def payment_method_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Save a card (confirmed in the browser with Stripe.js) or a SEPA mandate for a member
    one acts for, then come back to the pledge."""
    pool = _pool(slug)
    memberships = list(selectors.memberships_of(pool=pool, user=request.user))
    chosen = request.POST.get("member") or request.GET.get("member")
    membership = next(
        (m for m in memberships if str(m.pk) == chosen), memberships[0] if memberships else None
    )
    if membership is None:
        raise Http404
    payer = membership.payer
    sepa_form = SepaMandateForm(
        request.POST if request.POST.get("action") == "sepa" else None,
        initial={"holder_name": membership.name, "email": request.user.email},
    )
    card_error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "card":
                payments.card_setup_finish(
                    payer=payer, setup_intent=request.POST.get("setup_intent", "")
                )
            elif sepa_form.is_valid():
                data = sepa_form.cleaned_data
                payments.payment_method_save_sepa(
                    payer=payer,
                    iban=data["iban"],
                    holder_name=data["holder_name"],
                    email=data["email"],
                    ip_address=request.META.get("REMOTE_ADDR", ""),
                    user_agent=request.headers.get("User-Agent", "")[:200],
                )
            else:
                raise ValidationError(_("Please correct the errors below."))
        except ValidationError as error:
            if request.POST.get("action") == "card":
                card_error = " ".join(error.messages)
            elif hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    sepa_form.add_error(field if field in sepa_form.fields else None, errors)
            elif not sepa_form.errors:
                sepa_form.add_error(None, error)
        except stripe_client.PaymentError as error:
            card_error = error.message
        else:
            messages.success(request, _("The means of payment is saved; now make your pledge."))
            return redirect("pledges:pledge_create", slug=slug)
    try:
        setup = payments.card_setup_start(payer=payer)
    except stripe_client.PaymentError as error:
        setup, card_error = None, card_error or error.message
    return render(
        request,
        "pledges/payment_method.html",
        {
            "pool": pool,
            "membership": membership,
            "memberships": memberships,
            "sepa_form": sepa_form,
            "setup": setup,
            "card_error": card_error,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_pledges(request: HttpRequest) -> HttpResponse:
    pledges = selectors.pledges_of(user=request.user)
    methods = selectors.saved_methods_by_payer(memberships=[p.membership for p in pledges])
    return render(
        request,
        "pledges/my_pledges.html",
        {
            "pledges": [
                (pledge, methods.get(selectors.payer_key(membership=pledge.membership), []))
                for pledge in pledges
            ],
            "change_form": PledgeChangeForm(),
        },
    )


def _my_pledge(request, pk: int) -> Pledge:
    pledge = get_object_or_404(Pledge.objects.select_related("membership__pool"), pk=pk)
    if pledge not in selectors.pledges_of(user=request.user):
        raise Http404
    return pledge


@login_required
@require_POST
def pledge_change(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _my_pledge(request, pk)
    form = PledgeChangeForm(request.POST)
    if form_apply(
        form,
        lambda data: services.pledge_change(
            pledge=pledge, actor=request.user, amount=data["amount"]
        ),
    ):
        messages.success(request, _("The new amount applies from the next round."))
    else:
        flash_errors(request, form)
    return redirect("pledges:my_pledges")


@login_required
@require_POST
def pledge_method(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay the next rounds by transfer or with one of the payer's saved cards or mandates."""
    pledge = _my_pledge(request, pk)
    choice = request.POST.get("payment", "")
    saved = None
    if choice != "transfer":
        saved = SavedPaymentMethod.objects.filter(pk=int(choice) if choice.isdigit() else 0).first()
    try:
        services.pledge_change_method(
            pledge=pledge,
            actor=request.user,
            method="transfer" if saved is None else saved.kind,
            saved_method=saved,
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The next rounds are paid this way."))
    return redirect("pledges:my_pledges")


@login_required
@require_POST
def pledge_status(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _my_pledge(request, pk)
    if request.POST.get("status") == "cancelled" and request.POST.get("confirm") != "yes":
        return render(request, "pledges/pledge_cancel.html", {"pledge": pledge})
    form = PledgeStatusForm(request.POST)
    if form_apply(
        form,
        lambda data: services.pledge_set_status(
            pledge=pledge, actor=request.user, status=data["status"]
        ),
    ):
        messages.success(request, _("Done; it applies from the next round."))
    else:
        flash_errors(request, form)
    return redirect("pledges:my_pledges")


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
    round_ = _round(slug, number)
    candidacies = selectors.round_candidacies(round_=round_)
    voter, ballot_form, voters = _ballot_form(request, round_, candidacies)
    mine = list(selectors.memberships_of(pool=round_.pool, user=request.user))
    is_admin = selectors.pool_admin(pool=round_.pool, user=request.user)
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
            "nomination_form": NominationForm(projects=_nominable(round_))
            if (mine or is_admin) and round_.state in (RoundState.SCHEDULED, RoundState.NOMINATING)
            else None,
            "is_admin": is_admin,
            "cancel_form": CancelForm() if is_admin else None,
            **_rotation(round_.pool),
        },
    )


def _nominable(round_: Round):
    rotation = selectors.rotation(pool=round_.pool)
    taken = round_.candidacies.filter(status="nominated").values("project")
    projects = Project.objects.exclude(
        status__in=[ProjectStatus.ARCHIVED, ProjectStatus.DORMANT]
    ).exclude(pk__in=taken)
    if round_.pool.rotation_rule == "strict":
        projects = projects.exclude(pk__in=rotation.won)
    return projects.order_by("name")


@login_required
@require_POST
def round_vote(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = _round(slug, number)
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
    round_ = _round(slug, number)
    if round_.state not in RESULT_STATES:
        raise Http404
    # A receipt is sent in the body, never in the address: access logs would pair it with
    # the voter's IP address.
    form = ReceiptSearchForm(request.POST or None)
    receipt = form.cleaned_data["receipt"] if form.is_valid() else ""
    page = Paginator(selectors.round_receipts(round_=round_, receipt=receipt), 100).get_page(
        request.GET.get("page")
    )
    names = {c.pk: c.project.name for c in round_.candidacies.select_related("project")}
    small = selectors.round_small_colleges(round_=round_)
    ballots = selectors.published_ballots(round_=round_, ballots=page.object_list, small=small)
    return render(
        request,
        "pledges/round_receipts.html",
        {
            "round": round_,
            "pool": round_.pool,
            "page": page,
            "form": form,
            "threshold": selectors.publication_threshold(round_=round_),
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
                for name, group in selectors.round_college_totals(
                    round_=round_, small=small
                ).items()
            ],
        },
    )


@login_required
@require_POST
def round_nominate(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = _round(slug, number)
    form = NominationForm(request.POST, projects=Project.objects.all())
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


@login_required
@require_POST
def round_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    pool = _admin_pool(request, slug)
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
}


@login_required
@require_POST
def round_action(request: HttpRequest, slug: str, number: int, action: str) -> HttpResponse:
    """A pool administrator moves a round without waiting for its date."""
    _admin_pool(request, slug)
    round_ = _round(slug, number)
    if action not in ADMIN_ACTIONS:
        raise Http404
    try:
        ADMIN_ACTIONS[action](round_, request.user, request.POST)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect(round_)


def _treasury_round(request, slug, number) -> Round:
    round_ = _round(slug, number)
    if not selectors.pool_treasurer(pool=round_.pool, user=request.user):
        raise Http404
    return round_


@login_required
def round_collections(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = _treasury_round(request, slug, number)
    page = Paginator(selectors.treasury_collections(round_=round_), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "pledges/round_collections.html",
        {
            "round": round_,
            "pool": round_.pool,
            "page": page,
            "pot": selectors.round_pot(round_=round_),
        },
    )


@login_required
@require_POST
@money_action
def collection_action(
    request: HttpRequest, slug: str, number: int, pk: int, action: str
) -> HttpResponse:
    round_ = _treasury_round(request, slug, number)
    collection = get_object_or_404(Collection, round=round_, pk=pk)
    try:
        if action == "retry":
            collecting.collection_retry_now(collection=collection, actor=request.user)
        elif action == "default":
            collecting.collection_default(collection=collection, actor=request.user)
        else:
            raise Http404
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect("pledges:round_collections", slug=slug, number=number)
