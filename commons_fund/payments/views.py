"""Payment pages: Stripe's webhook endpoint, and the page where a payer confirms a payment
their bank wants to authenticate. Charges are visible to their payer only (404 otherwise)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commons_fund.members.selectors import organisation_membership

from . import selectors, services, stripe_client
from .models import Charge, ChargeStatus, EventStatus


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    """Stripe's deliveries: 400 (nothing stored) for a bad signature or the wrong mode;
    503 when handling failed, so that Stripe delivers the event again later."""
    try:
        event = services.webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except stripe_client.WebhookSignatureInvalid:
        return JsonResponse({"error": "invalid signature"}, status=400)
    except ValidationError as error:
        return JsonResponse({"error": error.messages}, status=400)
    status = 503 if event.status == EventStatus.FAILED else 200
    return JsonResponse({"event": event.stripe_id, "status": event.status}, status=status)


def _payer_charge(request: HttpRequest, pk: int) -> Charge:
    charge = get_object_or_404(Charge.objects.select_related("organisation", "user"), pk=pk)
    if charge.user_id:
        allowed = charge.user_id == request.user.pk
    else:
        allowed = organisation_membership(
            organisation=charge.organisation, user=request.user
        ) is not None
    if not allowed:
        raise Http404
    return charge


@login_required
def charge_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    charge = _payer_charge(request, pk)
    if charge.status == ChargeStatus.REQUIRES_ACTION and charge.stripe_payment_intent:
        charge = selectors.charge_refreshed(charge=charge)
    return render(request, "payments/charge_confirm.html", {
        "charge": charge,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    })
