"""Monthly gifts for the local stand-in: Checkout in `subscription` mode, the invoices of a
subscription, and a way to move a month on.

- A Checkout session in `subscription` mode (one line whose `price_data` recurs monthly,
  `subscription_data.metadata`): its "Pay" button makes, on the session's account, the
  customer, their card, a plan and the subscription, whose first invoice is paid at once.
- Every paid invoice sends `invoice.paid`, as Stripe does (localstripe sends only
  `invoice.payment_succeeded`). As in Stripe's API since 2025-03, an invoice does not name
  its PaymentIntent: `GET /v1/invoice_payments?invoice=…` does.
- `POST /_config/subscriptions/<id>/next_month` bills the next month now (tests).
"""

from aiohttp import web
from localstripe import resources
from localstripe.webhooks import schedule_webhook

from tests.support import standin_connect


def subscribe(*, email: str, amount: int, currency: str, name: str, metadata: dict) -> str:
    """Subscribe a new customer paying by the test card; returns the subscription's id."""
    customer = resources.Customer(email=email)
    card = resources.PaymentMethod._api_retrieve("pm_card_visa")
    resources.PaymentMethod._api_attach(card.id, customer=customer.id)
    customer.invoice_settings["default_payment_method"] = card.id
    plan = resources.Plan(
        amount=amount, currency=currency, interval="month", product={"name": name}
    )
    subscription = resources.Subscription(
        customer=customer.id, items=[{"plan": plan.id}], metadata=metadata
    )
    return subscription.id


def _patch_invoices() -> None:
    paid = resources.Invoice._on_payment_success
    export = resources.Invoice._export

    def paid_and_told(self):
        paid(self)
        schedule_webhook(resources.Event("invoice.paid", self))

    def exported(self, expand=None):
        data = export(self, expand=expand)
        data.pop("payment_intent", None)
        return data

    resources.Invoice._on_payment_success = paid_and_told
    resources.Invoice._export = exported


async def _invoice_payments(request):
    invoice = resources.Invoice._api_retrieve(request.query.get("invoice", ""))
    payments = []
    if invoice.payment_intent and invoice.status == "paid":
        payments.append(
            {
                "object": "invoice_payment",
                "invoice": invoice.id,
                "status": "paid",
                "payment": {"type": "payment_intent", "payment_intent": invoice.payment_intent},
            }
        )
    return web.json_response(
        {"object": "list", "data": payments, "has_more": False, "url": "/v1/invoice_payments"}
    )


async def _next_month(request):
    subscription = resources.store.get(f"subscription:{request.match_info['id']}")
    if subscription is None or subscription.status != "active":
        return web.json_response({"error": {"message": "No such active subscription."}}, status=404)
    token = standin_connect.ACCOUNT.set(subscription._account)
    try:
        subscription._create_invoice()
    finally:
        standin_connect.ACCOUNT.reset(token)
    return web.json_response({"id": subscription.id, "latest_invoice": subscription.latest_invoice})


def install(app: web.Application) -> None:
    _patch_invoices()
    app.router.add_get("/v1/invoice_payments", _invoice_payments)
    app.router.add_post("/_config/subscriptions/{id}/next_month", _next_month)
