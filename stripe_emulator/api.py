"""The JSON APIs (``/v1/...`` and ``/oauth/token|deauthorize``): auth, scoping, idempotency.

Every call is answered with ``Request-Id`` and ``Stripe-Version`` headers and recorded in
the request log (method, path, account, key kind and mode, params, status). Handlers run one
at a time under the core lock.

Each route says which keys may call it: ``False`` secret keys only, ``True`` secret and
publishable keys, ``"only"`` publishable keys only (endpoints only Stripe.js calls, such as
``POST /v1/confirmation_tokens``: a secret key gets the 404 of an unknown URL).
"""

import base64
import json
import re

from . import ledger
from .context import DEFAULT_API_VERSION, Context
from .errors import ApiError, OAuthError, account_invalid, authentication
from .resources import (
    account_links,
    accounts,
    application_fees,
    balance,
    charges,
    confirmation_tokens,
    disputes,
    events,
    oauth,
    payment_intents,
    payment_method_domains,
    payment_methods,
    payouts,
    refunds,
    webhook_endpoints,
)
from .util import mask_key, new_id
from .wire import CORS_HEADERS, Response, json_response

_MODULES = (accounts, account_links, payment_intents, payment_methods, charges, refunds,
            disputes, webhook_endpoints, events, balance, payouts, application_fees,
            confirmation_tokens, payment_method_domains)
ROUTES = [(method, re.compile(f"^{pattern}$"), handler, publishable_ok)
          for module in _MODULES for method, pattern, handler, publishable_ok in module.ROUTES]
OAUTH_ROUTES = {"/oauth/token": oauth.token, "/oauth/deauthorize": oauth.deauthorize}


def handle(core, request):
    """Answer one API request (the caller already checked the path is an API path)."""
    request_id = new_id("req", 14)
    ctx = Context(core=core, api_version=request.header("stripe-version") or DEFAULT_API_VERSION,
                  request_id=request_id, idempotency_key=request.header("idempotency-key"),
                  gate=request.gate)
    with core.lock:
        ledger.release_due(core)  # funds whose day has come, before anything reads them
        try:
            response = _serve(core, ctx, request)
        except ApiError as error:
            response = json_response(error.status, error.body(request_id, core.base_url))
        except OAuthError as error:
            response = json_response(error.status, error.body())
        except ValueError as error:  # undecodable body
            response = json_response(400, ApiError(400, f"Invalid request: {error}")
                                     .body(request_id, core.base_url))
        if core.recording:
            core.record(f"{request.method} {request.path}", json.loads(response.body),
                        request.path, response.status)
        core.request_log.append({
            "method": request.method, "path": request.path,
            "account": ctx.account or request.header("stripe-account"),
            "key_kind": ctx.key.kind if ctx.key else None,
            "livemode": ctx.key.livemode if ctx.key else None,
            "idempotency_key": ctx.idempotency_key, "status": response.status,
            "request_id": request_id, "params": ctx.params,
        })
    headers = {"Request-Id": request_id, "Stripe-Version": ctx.api_version, **CORS_HEADERS}
    if ctx.idempotency_key:
        headers["Idempotency-Key"] = ctx.idempotency_key
    response.headers = {**headers, **response.headers}
    return response


def _api_key(request):
    """Key from ``Authorization: Bearer <key>`` (or HTTP basic auth, as Stripe accepts)."""
    value = request.header("authorization") or ""
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(credentials).decode("utf-8").split(":")[0]
        except ValueError:
            return None
    return None


def _serve(core, ctx, request):
    ctx.params = request.params
    ctx.api_key = _api_key(request)
    if request.path in OAUTH_ROUTES:
        ctx.key = core.key_info(ctx.api_key)
        ctx.livemode = bool(ctx.key and ctx.key.livemode)
        return json_response(200, OAUTH_ROUTES[request.path](ctx))
    if not ctx.api_key:
        raise authentication(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').")
    handler, args, publishable_ok = _route(request.method, request.path)
    authenticate(core, ctx, request, publishable_ok)
    scope = None
    if request.method == "POST" and ctx.idempotency_key:
        scope = (ctx.api_key, ctx.account, ctx.idempotency_key)
        saved = core.idempotency.lookup(scope, request.method, request.path, ctx.params)
        if saved is not None:
            return Response(saved.status, saved.body,
                            {**saved.headers, "Idempotent-Replayed": "true"})
    try:
        result = handler(ctx, *args)
    except ApiError as error:
        if scope and error.replayable:
            core.idempotency.save(scope, request.method, request.path, ctx.params,
                                  json_response(error.status,
                                                error.body(ctx.request_id, core.base_url)))
        raise
    status, body = result if isinstance(result, tuple) else (200, result)
    response = json_response(status, body)
    if scope:
        core.idempotency.save(scope, request.method, request.path, ctx.params, response)
    return response


def authenticate(core, ctx, request, publishable_ok=False):
    """Check the request's key for a route and set ``ctx.key``, mode and account.

    :param publishable_ok: False (secret keys only), True (both kinds) or ``"only"``
        (publishable keys only; a secret key gets the answer of an unknown URL).
    """
    ctx.api_key = ctx.api_key or _api_key(request)
    if not ctx.api_key:
        raise authentication(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').")
    ctx.key = core.key_info(ctx.api_key)
    if ctx.key is None:
        raise authentication(f"Invalid API Key provided: {mask_key(ctx.api_key)}")
    ctx.livemode = ctx.key.livemode
    if ctx.key.kind == "publishable" and not publishable_ok:
        raise authentication(
            "This API call cannot be made with a publishable API key. Please use a secret "
            "API key. You can find a list of your API keys at "
            "https://dashboard.stripe.com/account/apikeys.")
    if ctx.key.kind != "publishable" and publishable_ok == "only":
        raise _unrecognized(request.method, request.path)
    ctx.account = _connected_account(ctx, request.header("stripe-account"))


def _unrecognized(method, path):
    return ApiError(404, f"Unrecognized request URL ({method}: {path}). Please see "
                         "https://stripe.com/docs or we can help at https://support.stripe.com/.")


def _route(method, path):
    for route_method, pattern, handler, publishable_ok in ROUTES:
        match = pattern.match(path)
        if match and route_method == method:
            return handler, match.groups(), publishable_ok
    raise _unrecognized(method, path)


def _connected_account(ctx, header):
    """The account the call acts on: Stripe-Account, or the OAuth key's own account."""
    account_id = header or ctx.key.account
    if not account_id:
        return None
    if header and ctx.key.account and header != ctx.key.account:
        raise account_invalid(mask_key(ctx.api_key), header)
    accounts.accessible(ctx, account_id)
    return account_id
