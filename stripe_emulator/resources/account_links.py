"""Account Links: single-use URLs to the emulated hosted onboarding page."""

from ..errors import invalid_request, live_redirect_not_https, resource_missing
from ..params import check_allowed, require
from ..util import now, random_token

PARAMS = {"account", "refresh_url", "return_url", "type", "collect", "collection_options"}
LIFETIME = 300


def create(ctx):
    params = ctx.params
    check_allowed(params, PARAMS)
    account_id = require(params, "account")
    account = ctx.store.find(account_id)
    if account is None or account.get("object") != "account" or account.get("_deleted"):
        raise resource_missing("account", account_id, param="account", status=400)
    link_type = require(params, "type")
    if link_type not in ("account_onboarding", "account_update"):
        raise invalid_request("Invalid type: must be one of account_onboarding or "
                              "account_update", param="type")
    refresh_url = require(params, "refresh_url")
    return_url = require(params, "return_url")
    if ctx.livemode and not all(str(url).startswith("https://")
                                for url in (refresh_url, return_url)):
        raise live_redirect_not_https()
    token = random_token(32)
    created = now()
    ctx.store.account_links[token] = {
        "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
        "expires_at": created + LIFETIME, "used": False, "expired": False,
        "livemode": ctx.livemode,
    }
    return {"object": "account_link", "created": created, "expires_at": created + LIFETIME,
            "url": f"{ctx.base_url}/connect/onboarding/{token}"}


def is_usable(link):
    return not (link["used"] or link["expired"] or now() > link["expires_at"])


def expire_all(store):
    for link in store.account_links.values():
        link["expired"] = True


ROUTES = [("POST", r"/v1/account_links", create, False)]
