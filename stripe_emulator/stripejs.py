"""Serves the Stripe.js stand-in (``static/stripe.js``) at ``/v3/``, and its own internal
routes under ``/_stripejs/``.

Real Stripe.js asks Stripe's private endpoints which wallets it may show on the page's
domain; the stand-in asks these routes instead. They are the stand-in's, not Stripe's API:
they are not under ``/v1``, not in the request log, and no server code should call them.

* ``GET /_stripejs/wallets?hostname=<page host>`` (publishable key, ``Stripe-Account``) →
  ``{"apple_pay": bool, "google_pay": bool, "payment_method_domain": id or null}``: true when
  the host is a registered, enabled payment method domain of that account in that mode and
  the wallet is active on it.
* ``POST /_stripejs/wallets/<apple_pay|google_pay>/tokens`` (``hostname``) → ``{"id":
  "tok_..."}``, a one-time card token of the wallet (the stand-in's Google/Apple Pay sheet),
  refused (400) unless the wallet is available there. Stripe.js passes it as
  ``payment_method_data[card][token]`` to ``POST /v1/confirmation_tokens``.
"""

import re
from pathlib import Path

from . import api
from .context import DEFAULT_API_VERSION, Context
from .errors import ApiError, invalid_request
from .resources import payment_method_domains
from .util import new_id
from .wire import CORS_HEADERS, Response, json_response

SOURCE = Path(__file__).with_name("static") / "stripe.js"
PLACEHOLDER = "__STRIPE_EMULATOR_ORIGIN__"
WALLETS = ("apple_pay", "google_pay")
_TOKENS = re.compile(r"^/_stripejs/wallets/([a-z_]+)/tokens$")


def response(request, base_url):
    """The script, told to call the emulator at the origin the browser used to load it."""
    host = request.header("host")
    origin = f"http://{host}" if host else base_url
    script = SOURCE.read_text(encoding="utf-8").replace(PLACEHOLDER, origin)
    return Response(200, script.encode("utf-8"), {
        "Content-Type": "application/javascript; charset=utf-8",
        "Access-Control-Allow-Origin": "*",
        "Cache-Control": "no-cache",
    })


def wallets_available(store, account, livemode, hostname):
    """``{wallet: bool}`` for a page on ``hostname`` and the domain object (or None)."""
    domain = payment_method_domains.registered(store, account, livemode, hostname)
    return ({wallet: bool(domain and domain[wallet]["status"] == "active")
             for wallet in WALLETS}, domain)


def handle(core, request):
    """Answer one of the stand-in's internal routes (JSON, Stripe's error shape)."""
    ctx = Context(core=core, api_version=DEFAULT_API_VERSION, request_id=new_id("req", 14))
    ctx.params = request.params
    with core.lock:
        try:
            api.authenticate(core, ctx, request, publishable_ok=True)
            if ctx.key.kind != "publishable":
                raise invalid_request("The Stripe.js stand-in's routes take a publishable key.")
            status, body = 200, _route(core, ctx, request)
        except ApiError as error:
            status, body = error.status, error.body(None, core.base_url)
    return json_response(status, body, dict(CORS_HEADERS))


def _route(core, ctx, request):
    hostname = ctx.params.get("hostname")
    available, domain = wallets_available(core.store, ctx.account, ctx.livemode, hostname)
    if request.method == "GET" and request.path == "/_stripejs/wallets":
        return {**available, "payment_method_domain": domain["id"] if domain else None}
    match = _TOKENS.match(request.path)
    if request.method == "POST" and match and match.group(1) in WALLETS:
        wallet = match.group(1)
        if not available[wallet]:
            raise invalid_request(f"{wallet} is not available on {hostname}: the domain is not "
                                  "a registered, enabled payment method domain of this "
                                  "account, or the wallet is not active on it.",
                                  param="hostname")
        token_id = new_id("tok")
        core.store.wallet_tokens[token_id] = {
            "id": token_id, "wallet": wallet, "account": ctx.account,
            "livemode": ctx.livemode, "hostname": domain["domain_name"], "used": False}
        return {"id": token_id}
    raise ApiError(404, f"Unrecognized request URL ({request.method}: {request.path}).")
