"""A local stand-in for Stripe's API, for the tests and the demo (never for production).

It runs the `localstripe` package (a development dependency) bound to 127.0.0.1, with its
on-disk persistence turned off, plus what the project needs and localstripe lacks:
- `Idempotency-Key` honoured: the same key on the same path answers the first response again;
- parameters real Stripe accepts and the project sends: SetupIntent `mandate_data` (SEPA
  mandates), PaymentIntent `description`;
- processing fees on charges, so fee entries can be tested: cards 1.5 % + 0.25, SEPA Direct
  Debit 0.35 (Stripe's standard European prices);
- `DELETE /_config/data` also forgets registered idempotency keys.

    python -m commons_fund.payments.standin --port 8420 \
        --webhook-url http://127.0.0.1:8000/payments/stripe/webhook/
"""

import argparse
import json
import logging
from decimal import ROUND_HALF_UP, Decimal

from aiohttp import web
from localstripe import resources

CARD_FEE_RATE = Decimal("0.015")
CARD_FEE_FIXED = 25
SEPA_FEE = 35

_replies: dict[tuple[str, str], tuple[int, bytes]] = {}


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
            self.fee_details = [{
                "amount": self.fee, "currency": self.currency, "type": "stripe_fee",
                "description": "Stripe processing fees", "application": None,
            }]

    resources.BalanceTransaction.__init__ = with_fee


@web.middleware
async def idempotency_middleware(request, handler):
    if request.method == "DELETE" and request.path == "/_config/data":
        _replies.clear()  # forgetting the data forgets the keys too
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    cached = _replies.get((key, request.path))
    if cached is not None:
        status, body = cached
        return web.Response(status=status, body=body, content_type="application/json")
    response = await handler(request)
    if isinstance(response, web.Response) and response.body is not None:
        _replies[(key, request.path)] = (response.status, bytes(response.body))
    return response


def build_app() -> web.Application:
    _no_persistence()
    _charge_fees()
    _accept_params(resources.SetupIntent, "_api_create", ("mandate_data",))
    _accept_params(resources.SetupIntent, "_api_confirm", ("mandate_data",))
    _accept_params(resources.PaymentIntent, "_api_create", ("description",))
    from localstripe import server  # after the patches above: it reads extra_apis

    app = server.app
    app.middlewares.append(idempotency_middleware)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Stripe stand-in (tests and demo).")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", help="where to send signed webhooks (optional)")
    parser.add_argument("--webhook-secret", default="whsec_commons_fund_local")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.webhook_url:
        from localstripe.webhooks import register_webhook

        register_webhook("default", args.webhook_url, args.webhook_secret, None)
    print(json.dumps({"listening": f"http://127.0.0.1:{args.port}"}), flush=True)
    web.run_app(build_app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
