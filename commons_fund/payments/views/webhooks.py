"""Stripe's webhook endpoint: verified, stored once, handed to the services."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import services, stripe_client
from ..models import (
    EventStatus,
)


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
    except stripe_client.WebhookMalformed as error:
        return JsonResponse({"error": str(error)}, status=400)
    except ValidationError as error:
        return JsonResponse({"error": error.messages}, status=400)
    status = 503 if event.status == EventStatus.FAILED else 200
    return JsonResponse({"event": event.stripe_id, "status": event.status}, status=status)
