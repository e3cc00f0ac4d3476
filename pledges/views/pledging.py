"""A member's promises: pledging in a pool, saving a way to pay, my pledges and the
changes a member makes to one (amount, way to pay, pause or cancel)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commons_fund.forms import flash_errors, form_add_error, form_apply
from commons_fund.payments import selectors as payment_selectors
from commons_fund.payments import services as payments
from commons_fund.payments import stripe_client
from commons_fund.payments.forms import SepaMandateForm
from commons_fund.payments.models import SavedPaymentMethod

from .. import personal, selectors, services
from ..forms import (
    PledgeChangeForm,
    PledgeForm,
    PledgeStatusForm,
)
from ..models import (
    Pledge,
)
from .lookups import pool_or_404


@login_required
def pledge_create(request: HttpRequest, slug: str) -> HttpResponse:
    pool = pool_or_404(slug)
    memberships = selectors.memberships_of(pool=pool, user=request.user)
    if not memberships.exists():
        messages.error(request, _("Join the pool before pledging."))
        return redirect(pool)
    labels = dict(Pledge._meta.get_field("method").choices)
    account = payment_selectors.collecting_accounts(organisation_ids=[pool.host_id]).get(
        pool.host_id
    )
    methods = [
        (m, labels[m])
        for m in selectors.methods_offered(pool=pool, takes_cards=account is not None)
    ]
    form = PledgeForm(
        request.POST or None,
        memberships=memberships,
        methods=methods,
        saved_methods=personal.saved_methods_of(memberships=memberships, account=account),
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
        {"pool": pool, "form": form, "transfers_only": account is None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def payment_method_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Save a card (confirmed in the browser with Stripe.js) or a SEPA mandate for a member
    one acts for, then come back to the pledge."""
    pool = pool_or_404(slug)
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
                    payer=payer, books=pool.host, setup_intent=request.POST.get("setup_intent", "")
                )
            elif sepa_form.is_valid():
                data = sepa_form.cleaned_data
                payments.payment_method_save_sepa(
                    payer=payer,
                    books=pool.host,
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
            elif hasattr(error, "error_dict") or not sepa_form.errors:
                form_add_error(sepa_form, error)
        except stripe_client.PaymentError as error:
            card_error = error.message
        else:
            messages.success(request, _("The means of payment is saved; now make your pledge."))
            return redirect("pledges:pledge_create", slug=slug)
    try:
        setup = payments.card_setup_start(payer=payer, books=pool.host)
    except stripe_client.PaymentError as error:
        setup, card_error = None, card_error or error.message
    except ValidationError as error:  # the host takes transfers only
        setup, card_error = None, card_error or " ".join(error.messages)
    return render(
        request,
        "pledges/payment_method.html",
        {
            "pool": pool,
            "membership": membership,
            "memberships": memberships,
            "sepa_form": sepa_form,
            "setup": setup,
            "stripe_account": payment_selectors.collecting_accounts(
                organisation_ids=[pool.host_id]
            ).get(pool.host_id, ""),
            "card_error": card_error,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_pledges(request: HttpRequest) -> HttpResponse:
    pledges = personal.pledges_of(user=request.user)
    methods = personal.saved_methods_by_pledge(pledges=pledges)
    return render(
        request,
        "pledges/my_pledges.html",
        {
            "pledges": [(pledge, methods[pledge.pk]) for pledge in pledges],
            "change_form": PledgeChangeForm(),
            "transfers": personal.transfers_to_make(pledges=pledges),
        },
    )


def _my_pledge(request, pk: int) -> Pledge:
    pledge = get_object_or_404(Pledge.objects.select_related("membership__pool"), pk=pk)
    if pledge not in personal.pledges_of(user=request.user):
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
