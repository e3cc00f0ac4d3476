"""Stripe Connect for the local stand-in: connected accounts, their onboarding, and objects
that live on one account.

- `POST /v1/accounts`, `GET /v1/accounts/<id>`: Standard accounts, not able to take
  payments until onboarded;
- `POST /v1/account_links`: an onboarding link to a page of the stand-in,
  `/_onboarding/<account>`, whose "Finish" button marks the account onboarded, sends the
  signed `account.updated` event (with `account`, as Stripe sends Connect events) and
  returns to the link's `return_url`;
- the `Stripe-Account` header: every object made with it belongs to that account, and is
  found (retrieved, listed, used by another call) only with the same header; an unknown
  account is refused (403), as Stripe does; events made with it carry `account`;
- `preconnect(ids)`: accounts already onboarded when the stand-in starts (the demo's hosts).
"""

import contextvars
import html
import time
from pathlib import Path

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError
from localstripe.webhooks import schedule_webhook

ACCOUNT: contextvars.ContextVar[str] = contextvars.ContextVar("stripe_account", default="")


class Account(resources.StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(
        self,
        type="standard",
        country="FR",
        email=None,
        business_profile=None,
        metadata=None,
        id=None,
        **kwargs,
    ):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        if type not in ("standard", "express"):
            raise UserError(400, "Bad request")
        super().__init__(id=id)
        self.type = type
        self.country = country
        self.email = email
        self.business_profile = business_profile or {}
        self.metadata = metadata or {}
        self.charges_enabled = False
        self.details_submitted = False
        self.payouts_enabled = False
        self._return_url = ""

    def _onboard(self, *, notify: bool = True) -> None:
        self.charges_enabled = self.details_submitted = self.payouts_enabled = True
        if not notify:
            return
        token = ACCOUNT.set(self.id)
        try:
            schedule_webhook(resources.Event("account.updated", self))
        finally:
            ACCOUNT.reset(token)


def _account(account_id: str) -> Account:
    found = resources.store.get(f"account:{account_id}")
    if found is None:
        raise UserError(404, f"No such account: '{account_id}'")
    return found


def _belongs(obj) -> bool:
    return getattr(obj, "_account", "") == ACCOUNT.get()


def _scope_objects() -> None:
    """Objects remember the account they were made on; others cannot see them."""
    made = resources.StripeObject.__init__
    retrieve = resources.StripeObject._api_retrieve.__func__
    list_all = resources.StripeObject._api_list_all.__func__
    event_made = resources.Event.__init__

    def made_on_account(self, *args, **kwargs):
        made(self, *args, **kwargs)
        self._account = ACCOUNT.get()

    def retrieve_on_account(cls, id):
        obj = retrieve(cls, id)
        if not isinstance(obj, Account) and not _belongs(obj):
            raise UserError(404, f"No such {cls.object}: '{id}'")
        return obj

    def list_on_account(cls, url, **kwargs):
        listing = list_all(cls, url, **kwargs)
        listing._list = [obj for obj in listing._list if _belongs(obj)]
        return listing

    def event_with_account(self, type, data):
        event_made(self, type, data)
        self.account = ACCOUNT.get() or None

    resources.StripeObject.__init__ = made_on_account
    resources.StripeObject._api_retrieve = classmethod(retrieve_on_account)
    resources.StripeObject._api_list_all = classmethod(list_on_account)
    resources.Event.__init__ = event_with_account


@web.middleware
async def account_middleware(request, handler):
    """Run the request on the account its `Stripe-Account` header names."""
    account_id = request.headers.get("Stripe-Account", "")
    if "stripe_account" in request.query:  # from Stripe.js (stripe_js_middleware)
        account_id = request.query["stripe_account"]
        kept = [(key, value) for key, value in request.query.items() if key != "stripe_account"]
        request = request.clone(rel_url=request.rel_url.with_query(kept))
    unknown = resources.store.get(f"account:{account_id}") is None
    if account_id and request.path.startswith("/v1/") and unknown:
        return web.json_response(
            {
                "error": {
                    "type": "invalid_request_error",
                    "code": "account_invalid",
                    "message": f"The account '{account_id}' does not exist or this key "
                    "has no access to it.",
                }
            },
            status=403,
        )
    token = ACCOUNT.set(account_id)
    try:
        return await handler(request)
    finally:
        ACCOUNT.reset(token)


async def _data(request) -> dict:
    from localstripe.server import get_post_data  # imported by build_app, after the patches

    return await get_post_data(request) or {}


async def _account_create(request):
    if ACCOUNT.get():
        raise UserError(400, "A connected account cannot create accounts.")
    return web.json_response(Account(**await _data(request))._export())


async def _account_retrieve(request):
    return web.json_response(_account(request.match_info["id"])._export())


async def _account_link_create(request):
    data = await _data(request)
    account = _account(str(data.get("account", "")))
    if data.get("type") != "account_onboarding" or not data.get("return_url"):
        raise UserError(400, "Bad request")
    account._return_url = data["return_url"]
    now = int(time.time())
    return web.json_response(
        {
            "object": "account_link",
            "created": now,
            "expires_at": now + 300,
            "url": f"http://{request.host}/_onboarding/{account.id}",
        }
    )


_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Stripe onboarding (local stand-in)</title><link rel="icon" href="data:,"></head>
<body><h1>Stripe onboarding – local stand-in</h1><p>Account {id} ({email})</p>
<form method="post" action="/_onboarding/{id}/complete"><button type="submit">Finish</button>
</form></body></html>"""


@web.middleware
async def onboarding_page_middleware(request, handler):
    """The hosted onboarding page: reached by the host's browser, without an API key."""
    parts = request.path.strip("/").split("/")
    if parts[0] != "_onboarding" or len(parts) < 2:
        return await handler(request)
    try:
        account = _account(parts[1])
    except UserError as error:
        return error.to_response()
    if len(parts) == 2 and request.method == "GET":
        page = _PAGE.format(id=account.id, email=html.escape(account.email or ""))
        return web.Response(content_type="text/html", text=page)
    if parts[2:] == ["complete"] and request.method == "POST":
        account._onboard()
        raise web.HTTPSeeOther(account._return_url or "/")
    return web.Response(status=400, text="Unknown onboarding step.")


_PRECONNECTED: list[str] = []


def preconnect(account_ids: tuple[str, ...] = ()) -> None:
    """Accounts onboarded before anyone asks (the demo's hosts); called without ids after
    the data is forgotten, to make them again."""
    _PRECONNECTED.extend(account_ids)
    for account_id in _PRECONNECTED:
        if resources.store.get(f"account:{account_id}") is None:
            Account(id=account_id, email=f"{account_id}@demo.test")._onboard(notify=False)


def install(app: web.Application) -> None:
    from localstripe import server

    _scope_objects()
    app.middlewares.insert(0, onboarding_page_middleware)
    app.middlewares.insert(0, stripe_js_middleware)
    # Before localstripe's auth_middleware reads the body (a request read cannot be cloned).
    app.middlewares.insert(app.middlewares.index(server.auth_middleware), account_middleware)
    app.router.add_post("/v1/accounts", _account_create)
    app.router.add_get("/v1/accounts/{id}", _account_retrieve)
    app.router.add_post("/v1/account_links", _account_link_create)


# Stripe.js at the stand-in (localstripe's own) learns `Stripe(key, {stripeAccount})`: its
# calls then name the account in a `stripe_account` query parameter (a header would need a
# CORS preflight localstripe does not answer), which account_middleware reads.
_JS_PROLOGUE = """(function () {
let STRIPE_ACCOUNT = "";
const fetch = (url, options) => window.fetch(
  STRIPE_ACCOUNT ? url + (url.includes("?") ? "&" : "?") + "stripe_account="
    + encodeURIComponent(STRIPE_ACCOUNT) : url, options);
"""


@web.middleware
async def stripe_js_middleware(request, handler):
    if request.path != "/js.stripe.com/v3/":
        return await handler(request)
    from localstripe import server

    source = (Path(server.__file__).parent / "localstripe-v3.js").read_text()
    source = source.replace(
        "Stripe = (apiKey) => {",
        "Stripe = (apiKey, stripeOptions) => {\n"
        "  STRIPE_ACCOUNT = (stripeOptions || {}).stripeAccount || '';",
        1,
    )
    return web.Response(
        text=f"{_JS_PROLOGUE}{source}\n}})();\n", content_type="application/javascript"
    )
