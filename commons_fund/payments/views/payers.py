"""The payers' pages: confirm a payment their bank wants to authenticate, give, "My
payments", the receipts and removing one's saved card or mandate."""

from collections.abc import Callable

from allauth.core import ratelimit
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

from commons_fund.forms import flash_errors, form_add_error
from commons_fund.ledger.models import CostCentre
from commons_fund.members import services as members
from commons_fund.members.models import Organisation, User
from commons_fund.members.requests import AuthenticatedRequest
from commons_fund.members.selectors import organisation_membership

from .. import selectors, services, stripe_client
from ..forms import (
    GiftForm,
    GuestGiftForm,
)
from ..models import (
    Charge,
    ChargeStatus,
    MonthlyGift,
    MonthlyGiftStatus,
    SavedPaymentMethod,
)
from ..receipts import charge_receipt_pdf, receipt_number


def _payer_charge(request: HttpRequest, pk: int) -> Charge:
    charge = get_object_or_404(Charge.objects.select_related("organisation", "user"), pk=pk)
    if charge.user_id:
        allowed = charge.user_id == request.user.pk
    else:
        allowed = (
            organisation_membership(organisation=charge.organisation, user=request.user) is not None
        )
    if not allowed:
        raise Http404
    return charge


@login_required
def charge_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    charge = _payer_charge(request, pk)
    if charge.status in (ChargeStatus.REQUIRES_ACTION, ChargeStatus.PENDING):
        charge = services.charge_refresh(charge=charge)
    return render(
        request,
        "payments/charge_confirm.html",
        {
            "charge": charge,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
    )


def gift_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Where a donor without an account comes back from Checkout (a signed address): how
    the gift stands."""
    try:
        charge = services.gift_of_token(token)
    except Charge.DoesNotExist as error:
        raise Http404 from error
    if charge.status == ChargeStatus.PENDING:
        charge = services.charge_refresh(charge=charge)
    return render(request, "payments/gift_thanks.html", {"charge": charge})


def monthly_gift(request: HttpRequest, token: str) -> HttpResponse:
    """A monthly gift's own page (a signed address, in every receipt email and in "My
    payments"): how it stands, the months paid, and the button that stops it."""
    try:
        gift = services.monthly_gift_of_token(token)
    except MonthlyGift.DoesNotExist as error:
        raise Http404 from error
    if request.method == "POST":
        try:
            services.monthly_gift_cancel(gift=gift)
        except stripe_client.PaymentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your monthly gift is stopped: nothing more is charged."))
        return redirect("payments:monthly_gift", token=token)
    if gift.status == MonthlyGiftStatus.PENDING:
        gift = services.monthly_gift_refresh(gift=gift)
    return render(
        request,
        "payments/monthly_gift.html",
        {"gift": gift, "months": selectors.monthly_gift_months(gift=gift)},
    )


def give(request: HttpRequest, slug: str) -> HttpResponse:
    """A gift by card to an organisation, once or monthly."""
    organisation = get_object_or_404(Organisation, slug=slug)
    return give_page(request, books=organisation, name=organisation.name)


def give_page(
    request: HttpRequest,
    *,
    books: Organisation,
    name: str,
    centre: Callable[[], CostCentre] | None = None,
) -> HttpResponse:
    """The give page of `books`, or of what one of its cost centres keeps apart (a commons it
    hosts: `centre` makes it when a gift is started, `name` names it): a gift by card, once
    or monthly, paid on Stripe Checkout; without an account, the donor gives their email and
    name (a few tries an hour per address)."""
    guest = not request.user.is_authenticated
    form = (GuestGiftForm if guest else GiftForm)(request.POST or None)
    if guest and request.method == "POST" and not ratelimit.consume(request, action="gift"):
        form.add_error(None, _("Too many gifts started from here: please try again later."))
    takes_cards = selectors.takes_cards(organisation=books)
    if request.method == "POST" and not takes_cards:
        form.add_error(
            None,
            _("%(name)s cannot take gifts by card yet: it has not connected a Stripe account.")
            % {"name": books.name},
        )
    if request.method == "POST" and not form.errors and form.is_valid():
        data = form.cleaned_data
        try:
            donor = (
                request.user
                if isinstance(request.user, User)
                else members.guest_donor_get_or_create(
                    email=data["email"], first_name=data["first_name"], last_name=data["last_name"]
                )
            )
            gift = {
                "donor": donor,
                "books": books,
                "centre": centre() if centre else None,
                "amount": data["amount"],
                "language": get_language() or "fr",
            }
            if data["frequency"] == "monthly":
                _gift, url = services.monthly_gift_start(**gift)
            else:
                _charge, url = services.gift_start(**gift, guest=guest)
        except ValidationError as error:
            form_add_error(form, error)
        except stripe_client.PaymentError as error:
            form.add_error(None, error.message)
        else:
            return redirect(url)
    response = render(
        request,
        "payments/give.html",
        {"organisation": books, "name": name, "form": form, "takes_cards": takes_cards},
        status=400 if request.method == "POST" else 200,
    )
    # The form's answer sends the donor on to Checkout: the policy's form-action allows that
    # page (browsers apply form-action to redirects too), here only (django-csp reads it).
    response._csp_update = {"form-action": [stripe_client.checkout_origin()]}  # type: ignore[attr-defined]
    return response


@login_required
def my_payments(request: AuthenticatedRequest) -> HttpResponse:
    """ "My payments": what I paid and what my organisations paid, with a receipt each."""
    page = Paginator(selectors.payments_of(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/my_payments.html",
        {
            "page": page,
            "methods": selectors.own_payment_methods(user=request.user),
            "tax_receipts": selectors.tax_receipts_of(user=request.user),
            "monthly_gifts": selectors.monthly_gifts_of(user=request.user),
        },
    )


@login_required
@require_POST
def my_payment_method_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remove one of my own saved cards or mandates."""
    remove_saved_method(
        request, get_object_or_404(selectors.own_payment_methods(user=request.user), pk=pk)
    )
    return redirect("payments:my_payments")


@login_required
def payment_receipt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The PDF receipt of a paid charge, for its payer and its receiver (404 otherwise)."""
    charge = selectors.receipt_charge(user=request.user, pk=pk)
    if charge is None:
        raise Http404
    response = HttpResponse(
        charge_receipt_pdf(charge=charge, language=get_language()),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="recu-{receipt_number(charge)}.pdf"'
    return response


@login_required
def tax_receipt_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A tax receipt as it was issued, for its donor and its issuer (404 otherwise)."""
    receipt = selectors.tax_receipt_readable(user=request.user, pk=pk)
    if receipt is None:
        raise Http404
    response = HttpResponse(bytes(receipt.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="recu-fiscal-{receipt.reference}.pdf"'
    return response


def remove_saved_method(request: AuthenticatedRequest, method: SavedPaymentMethod) -> None:
    try:
        services.payment_method_remove(method=method, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    except stripe_client.PaymentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(label)s is removed: it will not be charged again.") % {"label": method.label},
        )
