"""Payment method domains: the web domains where Elements may show wallets (Apple Pay, Google
Pay, Link, PayPal ...), per account (``Stripe-Account`` for a connected account) and mode.

Shape as ``stripe/_payment_method_domain.py``: one ``{status, status_details}`` object per
payment method. The emulator verifies nothing with Apple or Google: every wallet of a
registered domain is ``active`` unless a control says otherwise
(``StripeEmulator.set_payment_method_domain_status``), which ``validate`` then keeps, as a
verification that still fails would.

Refused, as Stripe refuses domains it cannot serve wallets on (the wording is the
emulator's): a scheme (``https://``), a path, query or port, an IP address, ``localhost``
and ``*.localhost``, a wildcard, a name that is not a public domain name (one label, bad
characters); and a domain already registered on the account in that mode.
"""

import ipaddress
import re

from ..errors import invalid_request, missing_param
from ..params import check_allowed, to_bool, to_text
from ..render import list_answer, render_for
from ..util import new_id, now

WALLETS = ("amazon_pay", "apple_pay", "google_pay", "klarna", "link", "paypal")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^[a-z]{2,63}$|^xn--[a-z0-9-]{1,59}$")


def _refuse(domain, why):
    return invalid_request(f"Invalid domain name '{domain}': {why}", param="domain_name")


def check_domain(value):
    """A bare domain name Stripe can register (lower case), or Stripe's 400."""
    domain = to_text(value, "domain_name", 253)
    if not domain:
        raise missing_param("domain_name")
    if "://" in domain:
        raise _refuse(domain, "give the domain name only, without a scheme such as https://.")
    if any(char in domain for char in "/?#"):
        raise _refuse(domain, "give the domain name only, without a path.")
    host = domain.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise _refuse(domain, "IP addresses cannot be registered.")
    if ":" in domain:
        raise _refuse(domain, "give the domain name only, without a port.")
    if "*" in domain:
        raise _refuse(domain, "wildcards are not supported; register each domain and "
                              "subdomain.")
    name = domain.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise _refuse(domain, "localhost cannot be registered; use a public domain name.")
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) \
            or not _TLD.match(labels[-1]):
        raise _refuse(domain, "not a valid public domain name.")
    return name


def _status():
    return {"status": "active", "status_details": None}


def registered(store, account, livemode, hostname):
    """The enabled domain registered for ``hostname`` on the account in that mode, or None."""
    name = str(hostname or "").lower().rstrip(".")
    for domain in store.objects.values():
        if domain.get("object") == "payment_method_domain" and domain["enabled"] \
                and domain["domain_name"] == name and domain.get("_account") == account \
                and domain["livemode"] == livemode:
            return domain
    return None


def set_status(domain, wallet, status, error_message=None):
    """Set one wallet's status (a control: the emulator verifies nothing itself)."""
    if wallet not in WALLETS:
        raise ValueError(f"unknown payment method {wallet!r}: one of {', '.join(WALLETS)}")
    if status not in ("active", "inactive"):
        raise ValueError("status must be 'active' or 'inactive'")
    details = None
    if status == "inactive":
        details = {"error_message": error_message or (
            f"We were unable to verify that you control the domain {domain['domain_name']}.")}
    domain[wallet] = {"status": status, "status_details": details}
    return domain


# -- routes ------------------------------------------------------------------------------
def create(ctx):
    check_allowed(ctx.params, {"domain_name", "enabled"})
    name = check_domain(ctx.params.get("domain_name"))
    enabled = to_bool(ctx.params.get("enabled", True), "enabled")
    for other in ctx.store.list(ctx, "payment_method_domain"):
        if other["domain_name"] == name:
            raise invalid_request(
                f"The domain {name} is already registered on this account "
                f"({other['id']}).", param="domain_name", code="resource_already_exists")
    domain = {"id": new_id("pmd"), "object": "payment_method_domain", "created": now(),
              "domain_name": name, "enabled": enabled, "livemode": ctx.livemode}
    domain.update({wallet: _status() for wallet in WALLETS})
    return render_for(ctx, ctx.store.add(domain, ctx.account))


def retrieve(ctx, domain_id):
    return render_for(ctx, ctx.store.get(ctx, "payment_method_domain", domain_id))


def update(ctx, domain_id):
    check_allowed(ctx.params, {"enabled"})
    domain = ctx.store.get(ctx, "payment_method_domain", domain_id)
    if "enabled" in ctx.params:
        domain["enabled"] = to_bool(ctx.params["enabled"], "enabled")
    return render_for(ctx, domain)


def validate(ctx, domain_id):
    check_allowed(ctx.params, set())
    return render_for(ctx, ctx.store.get(ctx, "payment_method_domain", domain_id))


def list_domains(ctx):
    check_allowed(ctx.params, {"domain_name", "enabled", "limit", "starting_after",
                               "ending_before"})
    name = ctx.params.get("domain_name")
    enabled = to_bool(ctx.params["enabled"], "enabled") if "enabled" in ctx.params else None
    items = ctx.store.list(ctx, "payment_method_domain", lambda d: (
        (not name or d["domain_name"] == str(name).lower())
        and (enabled is None or d["enabled"] == enabled)))
    return list_answer(ctx, items, "/v1/payment_method_domains")


ROUTES = [
    ("POST", r"/v1/payment_method_domains", create, False),
    ("GET", r"/v1/payment_method_domains", list_domains, False),
    ("GET", r"/v1/payment_method_domains/([^/]+)", retrieve, False),
    ("POST", r"/v1/payment_method_domains/([^/]+)", update, False),
    ("POST", r"/v1/payment_method_domains/([^/]+)/validate", validate, False),
]
