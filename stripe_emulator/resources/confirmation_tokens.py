"""ConfirmationTokens: made by Stripe.js (publishable key) or the test helper (secret key),
retrieved with a secret key, used once to confirm a PaymentIntent.

Stripe's object (``stripe/_confirmation_token.py``): ``expires_at`` is 12 hours after
``created`` (as in Stripe's own example object) and null once the token is used, when
``payment_intent`` names the PaymentIntent it confirmed; ``use_stripe_sdk`` is true (Stripe:
"Defaults to true on ConfirmationToken"), so a PaymentIntent confirmed with it answers a
card's 3-D Secure with a ``use_stripe_sdk`` next action for ``stripe.handleNextAction``.
"""

from ..errors import ApiError, invalid_request, resource_missing
from ..params import check_allowed, to_dict, to_text
from ..render import render_for
from ..util import new_id, now
from . import payment_methods

LIFETIME = 12 * 3600  # seconds
PUBLIC_PARAMS = {"payment_method_data", "return_url", "shipping", "setup_future_usage",
                 "mandate_data", "payment_method_options"}
HELPER_PARAMS = {"payment_method", "payment_method_data", "payment_method_options",
                 "return_url", "setup_future_usage", "shipping"}
FUTURE_USAGES = ("off_session", "on_session")
USED = "This ConfirmationToken has already been used to confirm a PaymentIntent or SetupIntent."
EXPIRED = "This ConfirmationToken has expired and can no longer be used."


def _shipping(value):
    if value in (None, ""):
        return None
    value = to_dict(value, "shipping")
    if not value.get("name"):
        raise invalid_request("Missing required param: shipping[name].", param="shipping[name]",
                              code="parameter_missing")
    address = to_dict(value.get("address"), "shipping[address]")
    return {"address": {key: address.get(key) or None
                        for key in payment_methods.EMPTY_ADDRESS},
            "name": to_text(value["name"], "shipping[name]"),
            "phone": to_text(value.get("phone"), "shipping[phone]")}


def _mandate(value):
    if value in (None, ""):
        return None
    acceptance = to_dict(to_dict(value, "mandate_data").get("customer_acceptance"),
                         "mandate_data[customer_acceptance]")
    online = to_dict(acceptance.get("online"), "mandate_data[customer_acceptance][online]")
    return {"customer_acceptance": {
        "online": ({"ip_address": online.get("ip_address"),
                    "user_agent": online.get("user_agent")} if online else None),
        "type": acceptance.get("type") or "online"}}


def _create(ctx, params):
    """Build and store a token from checked parameters."""
    if params.get("payment_method") and params.get("payment_method_data"):
        raise invalid_request("You may only specify one of these parameters: payment_method, "
                              "payment_method_data.", param="payment_method_data")
    existing = None
    if params.get("payment_method"):
        spec, existing = payment_methods.find(ctx, params["payment_method"])
        billing = existing["billing_details"] if existing else None
    elif params.get("payment_method_data"):
        spec, billing = payment_methods.from_data(
            ctx, params["payment_method_data"], wallet_tokens=ctx.store.wallet_tokens)
    else:
        raise invalid_request("Missing required param: payment_method_data.",
                              param="payment_method_data", code="parameter_missing")
    usage = params.get("setup_future_usage") or None
    if usage and usage not in FUTURE_USAGES:
        raise invalid_request(f"Invalid setup_future_usage: must be one of "
                              f"{', '.join(FUTURE_USAGES)}", param="setup_future_usage")
    created = now()
    token = {
        "id": new_id("ctoken"), "object": "confirmation_token", "created": created,
        "expires_at": created + LIFETIME, "livemode": ctx.livemode,
        "mandate_data": _mandate(params.get("mandate_data")), "payment_intent": None,
        "payment_method_options": None,
        "payment_method_preview": payment_methods.preview(spec, billing),
        "return_url": to_text(params.get("return_url"), "return_url"),
        "setup_future_usage": usage, "setup_intent": None,
        "shipping": _shipping(params.get("shipping")), "use_stripe_sdk": True,
        "_spec": spec, "_billing": billing,
        "_payment_method": existing["id"] if existing else params.get("payment_method"),
    }
    return ctx.store.add(token, ctx.account)


# -- use by PaymentIntents -------------------------------------------------------------
def usable(ctx, token_id):
    """The token ``token_id`` if it can confirm a PaymentIntent now, else Stripe's 400."""
    token = ctx.store.find(token_id)
    if token is None or token.get("object") != "confirmation_token" \
            or not ctx.store.visible(ctx, token):
        raise resource_missing("confirmation_token", token_id, param="confirmation_token",
                               status=400)
    if token["payment_intent"] or token["setup_intent"] or token.get("_used"):
        raise invalid_request(USED, param="confirmation_token")
    if token["expires_at"] is not None and token["expires_at"] <= now():
        raise invalid_request(EXPIRED, param="confirmation_token")
    return token


def payment_method_of(ctx, token):
    """The PaymentMethod a PaymentIntent confirmed with ``token`` uses (made now)."""
    existing = ctx.store.find(token["_payment_method"]) if token["_payment_method"] else None
    if existing is not None and existing.get("object") == "payment_method":
        return existing
    return payment_methods.create(ctx, token["_spec"], token["_billing"],
                                  token=token["_payment_method"])


def consume(token, intent):
    """Mark the token used by ``intent``: single use, no expiry any more."""
    token.update(payment_intent=intent["id"], expires_at=None, _used=True)


def expire(store, token_id=None):
    """Expire one unused token, or all of them; returns how many expired."""
    count = 0
    for token in list(store.objects.values()):
        if token.get("object") != "confirmation_token" or token.get("_used"):
            continue
        if token_id in (None, token["id"]) and token["expires_at"] > now() - 1:
            token["expires_at"] = now() - 1
            count += 1
    return count


# -- routes ------------------------------------------------------------------------------
def create_public(ctx):
    """``POST /v1/confirmation_tokens``: what Stripe.js calls, publishable keys only."""
    check_allowed(ctx.params, PUBLIC_PARAMS)
    if ctx.params.get("payment_method_options"):
        to_dict(ctx.params["payment_method_options"], "payment_method_options")
    return render_for(ctx, _create(ctx, ctx.params))


def create_test_helper(ctx):
    """``POST /v1/test_helpers/confirmation_tokens``: secret keys, test mode only."""
    if ctx.livemode:
        raise ApiError(400, "Test helpers can only be used with a test mode API key.")
    check_allowed(ctx.params, HELPER_PARAMS)
    if ctx.params.get("payment_method_options"):
        to_dict(ctx.params["payment_method_options"], "payment_method_options")
    return render_for(ctx, _create(ctx, ctx.params))


def retrieve(ctx, token_id):
    return render_for(ctx, ctx.store.get(ctx, "confirmation_token", token_id))


ROUTES = [
    ("POST", r"/v1/confirmation_tokens", create_public, "only"),
    ("GET", r"/v1/confirmation_tokens/([^/]+)", retrieve, False),
    ("POST", r"/v1/test_helpers/confirmation_tokens", create_test_helper, False),
]
