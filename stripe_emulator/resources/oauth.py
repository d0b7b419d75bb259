"""Stripe Connect OAuth: ``/oauth/authorize``, ``/oauth/token``, ``/oauth/deauthorize``."""

from ..context import KeyInfo
from ..errors import OAuthError
from ..events import emit
from ..pages.layout import esc, page
from ..params import EMAIL
from ..util import new_id, random_token
from ..wire import html_response, redirect, with_query
from .accounts import COUNTRY, complete_onboarding, new_account


def application(core):
    return {"id": core.client_id, "object": "application", "name": core.platform_name}


def authorize(core, request, express=False):
    """Redirect straight back to ``redirect_uri`` with a code (or ``access_denied``)."""
    params = request.params
    client_id = params.get("client_id")
    if not client_id or client_id not in (core.client_id, core.live_client_id):
        return _error_page("invalid_client", f"No such application: {client_id}")
    livemode = client_id == core.live_client_id
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        return _error_page("invalid_request", "Missing redirect_uri.")
    if livemode and not str(redirect_uri).startswith("https://"):
        # Stripe never redirects a live authorization to a URI that is not https.
        return _error_page("invalid_redirect_uri",
                           f"Invalid redirect URI '{redirect_uri}': live mode redirect URIs "
                           "must use a secure HTTPS connection.")
    redirect_uri = core.local_url(redirect_uri)
    state = params.get("state")
    if params.get("response_type", "code") != "code":
        return redirect(with_query(redirect_uri, error="unsupported_response_type",
                                   error_description="Only response_type=code is supported",
                                   state=state), 302)
    if core.deny_next_authorization:
        core.deny_next_authorization = False
        return redirect(with_query(redirect_uri, error="access_denied",
                                   error_description="The user denied your request",
                                   state=state), 302)
    scope = params.get("scope") or "read_only"
    code = new_id("ac", 24)
    core.store.oauth_codes[code] = {
        "scope": scope, "used": False, "type": "express" if express else "standard",
        "livemode": livemode,
        "prefill": params.get("stripe_user") if isinstance(params.get("stripe_user"), dict)
        else {},
    }
    return redirect(with_query(redirect_uri, code=code, scope=scope, state=state), 302)


def _error_page(error, description):
    """What Stripe shows instead of redirecting when the request itself is wrong."""
    return html_response(400, page("Stripe Connect (emulator)",
                                   f"<p><code>{esc(error)}</code>: {esc(description)}</p>"))


def _platform_key(ctx, params):
    key = params.get("client_secret") or ctx.api_key
    info = ctx.core.keys.get(key)
    if info is None or info.kind != "secret":
        raise OAuthError("invalid_client", "No such api key: a platform secret key is "
                         "required (client_secret or Authorization).", status=401)
    return info


def token(ctx):
    """Exchange an authorization code (or refresh token) for the connected account.

    Prefilled fields with invalid values are ignored, as Stripe's OAuth reference says.
    """
    params = ctx.params
    info = _platform_key(ctx, params)
    grant_type = params.get("grant_type")
    store = ctx.store
    if grant_type == "refresh_token":
        account_id = store.refresh_tokens.get(params.get("refresh_token"))
        account = store.find(account_id)
        if account is None or account.get("_revoked"):
            raise OAuthError("invalid_grant",
                             f"Refresh token does not exist: {params.get('refresh_token')}")
        return _token_answer(ctx, account, account["_scope"], info.livemode)
    if grant_type != "authorization_code":
        raise OAuthError("unsupported_grant_type",
                         f"Unsupported grant type: {grant_type}")
    code = params.get("code")
    if not code:
        raise OAuthError("invalid_request", "No authorization code provided")
    entry = store.oauth_codes.get(code)
    if entry is None or entry["used"] or entry["livemode"] != info.livemode:
        raise OAuthError("invalid_grant", f"Authorization code does not exist: {code}")
    entry["used"] = True
    prefill = entry["prefill"]
    email = prefill.get("email")
    fields = {"email": email if email and EMAIL.match(str(email)) else None,
              "country": prefill.get("country") if COUNTRY.match(str(prefill.get("country")))
              else None,
              "business_type": prefill.get("business_type"),
              "business_profile": {"name": prefill.get("business_name"),
                                   "url": prefill.get("url")}}
    account = new_account(ctx.core, info.livemode, entry["type"], fields)
    account["controller"] = {"type": "account", "is_controller": False}
    complete_onboarding(account)
    account["_scope"] = entry["scope"]
    emit(ctx, "account.application.authorized", application(ctx.core), account=account["id"],
         livemode=info.livemode)
    return _token_answer(ctx, account, entry["scope"], info.livemode)


def _token_answer(ctx, account, scope, livemode):
    mode = "live" if livemode else "test"
    access_token = f"sk_{mode}_{random_token(32)}"
    publishable = f"pk_{mode}_{random_token(32)}"
    refresh_token = f"rt_{random_token(32)}"
    store = ctx.store
    store.extra_keys[access_token] = KeyInfo("secret", livemode, account["id"])
    store.extra_keys[publishable] = KeyInfo("publishable", livemode, account["id"])
    store.refresh_tokens[refresh_token] = account["id"]
    account.setdefault("_keys", []).extend([access_token, publishable, refresh_token])
    return {"access_token": access_token, "livemode": livemode,
            "refresh_token": refresh_token, "scope": scope,
            "stripe_publishable_key": publishable, "stripe_user_id": account["id"],
            "token_type": "bearer"}


def deauthorize(ctx):
    """Revoke the platform's access to a connected account."""
    params = ctx.params
    info = _platform_key(ctx, params)
    client_id = params.get("client_id")
    if client_id != ctx.core.client_id:
        raise OAuthError("invalid_client", f"No such application: '{client_id}'", status=401)
    account_id = params.get("stripe_user_id")
    if not account_id:
        raise OAuthError("invalid_request", "No stripe_user_id provided")
    account = ctx.store.find(account_id)
    if (account is None or account.get("object") != "account" or account.get("_revoked")
            or account.get("_deleted")):
        raise OAuthError("invalid_client", f"This application is not connected to stripe "
                         f"account {account_id}, or that account does not exist.")
    account["_revoked"] = True
    for key in account.pop("_keys", []):
        ctx.store.extra_keys.pop(key, None)
        ctx.store.refresh_tokens.pop(key, None)
    emit(ctx, "account.application.deauthorized", application(ctx.core), account=account_id,
         livemode=info.livemode)
    return {"stripe_user_id": account_id}
