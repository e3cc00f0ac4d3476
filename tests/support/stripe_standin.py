"""A local stand-in for Stripe's API, for the tests and the demo (never for production).

It runs the `localstripe` package (a development dependency) bound to 127.0.0.1, with its
on-disk persistence turned off, plus what the project needs and localstripe lacks:
- `Idempotency-Key` honoured: the same key on the same path answers the first response again
  (with other parameters, 400 `idempotency_error`);
- parameters real Stripe accepts and the project sends: SetupIntent `mandate_data` (SEPA
  mandates), PaymentIntent `description`;
- processing fees on charges, so fee entries can be tested: cards 1.5 % + 0.25, SEPA Direct
  Debit 0.35 (Stripe's standard European prices);
- Checkout Sessions (`POST/GET /v1/checkout/sessions`) with a hosted page at
  `/_checkout/<id>` whose "Pay" button charges the test card, sends the signed
  `checkout.session.completed` event and returns to `success_url`; in `subscription` mode
  (monthly gifts) the subscription and its invoices (tests/support/standin_billing.py);
- `DELETE /_config/data` also forgets registered idempotency keys; a request whose key is
  still being processed is answered 409 `idempotency_error`, as Stripe answers it;
- Stripe Connect: connected accounts, their onboarding page and the `Stripe-Account`
  header (tests/support/standin_connect.py); `--connected-account` onboards one at start;
- `--latency`: answers to `POST /v1/payment_intents…` are held back after the intent is made
  and its idempotent reply recorded, as when Stripe has charged but its answer is still on
  the way (fault tests kill workers in that window);
- `--processing`: those requests take that long at Stripe, their key in progress.

    python -m tests.support.stripe_standin --port 8420 \
        --webhook-url http://127.0.0.1:8000/payments/stripe/webhook/
"""

import argparse
import asyncio
import html
import json
import logging
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError
from localstripe.webhooks import schedule_webhook

from tests.support import standin_billing, standin_connect

CARD_FEE_RATE = Decimal("0.015")
CARD_FEE_FIXED = 25
SEPA_FEE = 35

_replies: dict[tuple[str, str], tuple[list[tuple[str, str]], int, bytes]] = {}
_in_progress: set[tuple[str, str]] = set()
_IN_PROGRESS = {
    "error": {
        "type": "idempotency_error",
        "message": "There is currently another in-progress request using this "
        "Stripe-Idempotency-Key. Please try again later.",
    }
}
_OTHER_PARAMETERS = {
    "error": {
        "type": "idempotency_error",
        "message": "Keys for idempotent requests can only be used with the same parameters "
        "they were first used with.",
    }
}


def _no_persistence() -> None:
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None


def _accept_params(cls, method_name: str, ignored: tuple[str, ...]) -> None:
    """Let a localstripe API method take (and ignore) parameters real Stripe accepts.

    Must run before `localstripe.server` is imported: it builds its routes from
    `resources.extra_apis`, which holds the methods themselves."""
    original = getattr(cls, method_name)

    def accepting(*args, **kwargs):
        for name in ignored:
            kwargs.pop(name, None)
        return original(*args, **kwargs)

    setattr(cls, method_name, accepting)
    resources.extra_apis[:] = [
        (verb, url, accepting if func == original else func)
        for verb, url, func in resources.extra_apis
    ]


def _fee(charge_id: str, amount: int) -> int:
    charge = resources.Charge._api_retrieve(charge_id)
    method = resources.PaymentMethod._api_retrieve(charge.payment_method)
    if method.type == "sepa_debit":
        return SEPA_FEE
    variable = (Decimal(amount) * CARD_FEE_RATE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(variable) + CARD_FEE_FIXED


def _charge_fees() -> None:
    original = resources.BalanceTransaction.__init__

    def with_fee(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.type == "charge" and self.amount > 0:
            self.fee = _fee(self.source, self.amount)
            self.fee_details = [
                {
                    "amount": self.fee,
                    "currency": self.currency,
                    "type": "stripe_fee",
                    "description": "Stripe processing fees",
                    "application": None,
                }
            ]

    resources.BalanceTransaction.__init__ = with_fee


@web.middleware
async def idempotency_middleware(request, handler):
    if request.method == "DELETE" and request.path == "/_config/data":
        _replies.clear()  # forgetting the data forgets the keys too
        response = await handler(request)
        standin_connect.preconnect()  # but not the accounts onboarded at start
        return response
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    key = f"{standin_connect.ACCOUNT.get()}:{key}"  # Stripe keeps keys per account
    params = sorted(parse_qsl((await request.read()).decode(), keep_blank_values=True))
    cached = _replies.get((key, request.path))
    if cached is not None:
        first_params, status, body = cached
        if params != first_params:
            return web.json_response(_OTHER_PARAMETERS, status=400)
        return web.Response(status=status, body=body, content_type="application/json")
    if (key, request.path) in _in_progress:
        return web.json_response(_IN_PROGRESS, status=409)
    _in_progress.add((key, request.path))
    try:
        response = await handler(request)
    finally:
        _in_progress.discard((key, request.path))
    if isinstance(response, web.Response) and response.body is not None:
        _replies[(key, request.path)] = (params, response.status, bytes(response.body))
    return response


def _intent_post(request) -> bool:
    return request.method == "POST" and request.path.startswith("/v1/payment_intents")


def latency_middleware(seconds: float):
    @web.middleware
    async def held_back(request, handler):
        response = await handler(request)
        if _intent_post(request):
            await asyncio.sleep(seconds)
        return response

    return held_back


def processing_middleware(seconds: float):
    @web.middleware
    async def processed(request, handler):
        if _intent_post(request):
            await asyncio.sleep(seconds)
        return await handler(request)

    return processed


class CheckoutSession(resources.StripeObject):
    """The part of Stripe Checkout the project uses: a one-off payment of line items, or a
    monthly subscription to one (standin_billing)."""

    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(
        self,
        mode=None,
        line_items=None,
        success_url=None,
        cancel_url=None,
        customer_email=None,
        metadata=None,
        client_reference_id=None,
        payment_intent_data=None,
        subscription_data=None,
        locale=None,
        payment_method_types=None,
        **kwargs,
    ):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        try:
            assert mode in ("payment", "subscription")
            assert isinstance(line_items, list) and line_items
            items = [(item["price_data"], int(item.get("quantity", 1))) for item in line_items]
            recurring = [price.get("recurring") for price, _quantity in items]
            if mode == "subscription":
                assert len(items) == 1 and recurring[0] == {"interval": "month"}
                assert payment_intent_data is None
            else:
                assert not any(recurring) and subscription_data is None
            assert all(int(price["unit_amount"]) > 0 and quantity > 0 for price, quantity in items)
            currencies = {price["currency"] for price, _quantity in items}
            assert len(currencies) == 1
            assert success_url and cancel_url
        except (AssertionError, KeyError, TypeError, ValueError) as error:
            raise UserError(400, "Bad request") from error
        super().__init__()
        self.mode = mode
        self.success_url = success_url
        self.cancel_url = cancel_url
        self.customer_email = customer_email
        self.metadata = metadata or {}
        self.client_reference_id = client_reference_id
        self.currency = currencies.pop()
        self.amount_total = sum(int(price["unit_amount"]) * quantity for price, quantity in items)
        self.description = ", ".join(price["product_data"]["name"] for price, _q in items)
        self.status = "open"
        self.payment_status = "unpaid"
        self.payment_intent = None
        self.subscription = None
        self.url = None
        self._intent_metadata = (payment_intent_data or {}).get("metadata") or {}
        self._subscription_metadata = (subscription_data or {}).get("metadata") or {}

    def _pay(self) -> None:
        if self.mode == "subscription":
            self.subscription = standin_billing.subscribe(
                email=self.customer_email,
                amount=self.amount_total,
                currency=self.currency,
                name=self.description,
                metadata=self._subscription_metadata,
            )
        else:
            intent = resources.PaymentIntent._api_create(
                amount=self.amount_total,
                currency=self.currency,
                payment_method="pm_card_visa",
                metadata=self._intent_metadata,
                confirm=True,
            )
            self.payment_intent = intent.id
        self.status = "complete"
        self.payment_status = "paid"
        schedule_webhook(resources.Event("checkout.session.completed", self))


async def _checkout_create(request):
    from localstripe.server import get_post_data  # imported by build_app, after the patches

    data = await get_post_data(request) or {}
    session = CheckoutSession(**data)
    session.url = f"http://{request.host}/_checkout/{session.id}"
    return web.json_response(session._export())


async def _checkout_retrieve(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    return web.json_response(session._export())


_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Stripe Checkout (local stand-in)</title>
<link rel="icon" href="data:,"></head><body>
<h1>Stripe Checkout – local stand-in</h1><p>{description}: {amount} {currency}</p>
<form method="post" action="/_checkout/{id}/pay"><button type="submit">Pay</button></form>
<form method="post" action="/_checkout/{id}/cancel"><button type="submit">Cancel</button></form>
</body></html>"""


@web.middleware
async def checkout_page_middleware(request, handler):
    """The hosted payment page: reached by the payer's browser, without an API key."""
    parts = request.path.strip("/").split("/")
    if parts[0] != "_checkout" or len(parts) < 2:
        return await handler(request)
    session = resources.store.get(f"{CheckoutSession.object}:{parts[1]}")
    if session is None:
        return web.Response(status=404, text="No such checkout session.")
    token = standin_connect.ACCOUNT.set(session._account)  # the host's, when connected
    try:
        return _checkout_page(request, parts, session)
    finally:
        standin_connect.ACCOUNT.reset(token)


def _checkout_page(request, parts: list[str], session: CheckoutSession) -> web.Response:
    if len(parts) == 2 and request.method == "GET":
        return web.Response(
            content_type="text/html",
            text=_PAGE.format(
                id=session.id,
                description=html.escape(session.description),
                amount=f"{session.amount_total / 100:.2f}",
                currency=session.currency.upper(),
            ),
        )
    if len(parts) == 3 and request.method == "POST" and session.status == "open":
        if parts[2] == "pay":
            session._pay()
            target = session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id)
        else:
            session.status = "expired"
            target = session.cancel_url
        raise web.HTTPSeeOther(target)
    return web.Response(status=400, text="This checkout session is closed.")


def build_app(
    *, latency: float = 0, processing: float = 0, connected: tuple[str, ...] = ()
) -> web.Application:
    _no_persistence()
    _charge_fees()
    _accept_params(resources.SetupIntent, "_api_create", ("mandate_data",))
    _accept_params(resources.SetupIntent, "_api_confirm", ("mandate_data",))
    _accept_params(resources.PaymentIntent, "_api_create", ("description",))
    from localstripe import server  # after the patches above: it reads extra_apis

    app = server.app
    app.middlewares.insert(0, checkout_page_middleware)
    standin_connect.install(app)
    standin_billing.install(app)
    if latency:
        app.middlewares.append(latency_middleware(latency))
    app.middlewares.append(idempotency_middleware)
    if processing:
        app.middlewares.append(processing_middleware(processing))
    app.router.add_post("/v1/checkout/sessions", _checkout_create)
    app.router.add_get("/v1/checkout/sessions/{id}", _checkout_retrieve)
    standin_connect.preconnect(connected)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Stripe stand-in (tests and demo).")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", help="where to send signed webhooks (optional)")
    parser.add_argument("--webhook-secret", default="whsec_commons_fund_local")
    parser.add_argument(
        "--latency",
        type=float,
        default=0,
        help="seconds to hold back each PaymentIntent answer (fault tests)",
    )
    parser.add_argument(
        "--processing",
        type=float,
        default=0,
        help="seconds each PaymentIntent request takes, its idempotency key in progress",
    )
    parser.add_argument(
        "--connected-account",
        action="append",
        default=[],
        help="a connected account already onboarded (repeat for several; the demo's hosts)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.webhook_url:
        from localstripe.webhooks import register_webhook

        register_webhook("default", args.webhook_url, args.webhook_secret, None)
    print(json.dumps({"listening": f"http://127.0.0.1:{args.port}"}), flush=True)
    web.run_app(
        build_app(
            latency=args.latency,
            processing=args.processing,
            connected=tuple(args.connected_account),
        ),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
