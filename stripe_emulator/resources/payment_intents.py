"""PaymentIntents: create, retrieve, update, confirm, cancel, list; and their outcomes.

Confirmation takes a ``payment_method`` (a test token or a ``pm_...``) or a
``confirmation_token`` (``confirmation_tokens.py``; a ``payment_method`` given too wins, as
Stripe documents). Before anything changes, it checks what Stripe checks: the status, the
``return_url`` that automatic payment methods allowing redirects require, and the method's
type against the PaymentIntent's (``The PaymentMethod provided (x) is not allowed for this
PaymentIntent``). A ``create`` with ``confirm=true`` that fails these checks creates nothing;
one whose payment is declined leaves the PaymentIntent in ``requires_payment_method`` and
answers 402 with it in ``error.payment_intent``.
"""

from ..currencies import check_charge_amount
from ..errors import ApiError, invalid_request, missing_param, unexpected_state
from ..events import emit
from ..params import (
    check_allowed,
    merge_metadata,
    require,
    to_bool,
    to_currency,
    to_dict,
    to_email,
    to_int,
    to_list,
    to_text,
)
from ..render import list_answer, render, render_for
from ..util import new_id, now, public, random_token
from . import confirmation_tokens, payment_methods, vouchers
from .charges import new_charge, set_status

COMMON = {"amount", "currency", "metadata", "description", "receipt_email",
          "application_fee_amount", "payment_method", "payment_method_types",
          "statement_descriptor", "statement_descriptor_suffix", "setup_future_usage",
          "shipping", "transfer_group", "payment_method_options"}
CREATE_PARAMS = COMMON | {"automatic_payment_methods", "confirm", "return_url", "capture_method",
                          "confirmation_method", "on_behalf_of", "use_stripe_sdk",
                          "error_on_requires_action", "off_session", "mandate_data",
                          "confirmation_token"}
CONFIRM_PARAMS = {"payment_method", "return_url", "receipt_email", "client_secret",
                  "payment_method_options", "setup_future_usage", "shipping",
                  "use_stripe_sdk", "error_on_requires_action", "off_session", "mandate_data",
                  "confirmation_token"}
# Create parameters Stripe takes only with ``confirm=true``.
CONFIRM_ONLY = ("return_url", "confirmation_token", "error_on_requires_action")
UPDATABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action",
              "requires_capture")
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REDIRECTS = ("always", "never")
# Longest text Stripe takes for these PaymentIntent parameters.
TEXT_LENGTHS = {"description": 1000, "statement_descriptor": 22, "transfer_group": 5000}
AUTH_FAILURE = ("The provided PaymentMethod has failed authentication. You can provide "
                "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                "PaymentIntent again.")
RETURN_URL_REQUIRED = (
    "A `return_url` must be specified because this Payment Intent is configured to "
    "automatically accept the payment methods enabled in the Dashboard, some of which may "
    "require a full page redirect to succeed. If you do not want to accept redirect-based "
    "payment methods, set `automatic_payment_methods[enabled]` to `true` and "
    "`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and "
    "Payment Intents.")
# Where Stripe offers the vouchers: the business's country (Europe or the US for
# Multibanco, Mexico for OXXO) and the currency (``vouchers.CURRENCY``).
EUROPE = frozenset("AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MT "
                   "NL NO PL PT RO SE SI SK".split())
VOUCHER_COUNTRIES = {"multibanco": EUROPE | {"US"}, "oxxo": frozenset({"MX"})}


# -- helpers -----------------------------------------------------------------------------
def _fee(ctx, value, amount):
    if value in (None, ""):
        return None
    if not ctx.account:
        raise invalid_request(
            "Can only apply an application_fee_amount when the PaymentIntent is attempting a "
            "direct payment (using an OAuth key or Stripe-Account header) or destination "
            "payment (using `transfer_data[destination]`).", param="application_fee_amount")
    fee = to_int(value, "application_fee_amount", minimum=0)
    if fee > amount:
        raise invalid_request(f"The application fee amount ({fee}) cannot be greater than the "
                              f"amount of the PaymentIntent ({amount}).",
                              param="application_fee_amount")
    return fee


def _texts(params):
    """The text parameters present in ``params``, checked as Stripe checks them."""
    texts = {}
    if "receipt_email" in params:
        texts["receipt_email"] = to_email(params["receipt_email"], "receipt_email")
    for name, maximum in TEXT_LENGTHS.items():
        if name in params:
            texts[name] = to_text(params[name], name, maximum)
    return texts


def _automatic(params):
    """``automatic_payment_methods`` as the PaymentIntent shows it, or None."""
    automatic = to_dict(params.get("automatic_payment_methods"), "automatic_payment_methods")
    if not automatic:
        return None
    for key in automatic:
        if key not in ("enabled", "allow_redirects"):
            raise invalid_request(
                f"Received unknown parameter: automatic_payment_methods[{key}]",
                param=f"automatic_payment_methods[{key}]", code="parameter_unknown")
    if "enabled" not in automatic:
        raise missing_param("automatic_payment_methods[enabled]")
    redirects = automatic.get("allow_redirects") or "always"
    if redirects not in REDIRECTS:
        raise invalid_request("Invalid automatic_payment_methods[allow_redirects]: must be one "
                              "of always or never",
                              param="automatic_payment_methods[allow_redirects]")
    if not to_bool(automatic["enabled"], "automatic_payment_methods[enabled]"):
        return None
    return {"allow_redirects": redirects, "enabled": True}


def _country(ctx, intent):
    """Country of the business the PaymentIntent is for (None for the platform)."""
    account = ctx.store.find(intent.get("_account", ctx.account))
    return account.get("country") if account else None


def _automatic_types(ctx, intent):
    """The method types automatic payment methods offer for the intent's currency."""
    country = _country(ctx, intent)
    types = ["card"]
    for kind, currency in vouchers.CURRENCY.items():
        if intent["currency"] == currency and (country is None
                                               or country in VOUCHER_COUNTRIES[kind]):
            types.append(kind)
    return types


def _explicit_types(intent, types):
    """``payment_method_types`` given by the caller: vouchers only in their currency."""
    for kind in types:
        if kind in vouchers.CURRENCY and intent["currency"] != vouchers.CURRENCY[kind]:
            raise invalid_request(
                f"The currency provided ({intent['currency']}) is invalid. Payments with "
                f"{kind} support the following currencies: {vouchers.CURRENCY[kind]}.",
                param="currency")
    return types


def _get(ctx, intent_id):
    """A visible PaymentIntent; publishable keys must also present its client_secret."""
    intent = ctx.store.get(ctx, "payment_intent", intent_id)
    if ctx.key and ctx.key.kind == "publishable" \
            and ctx.params.get("client_secret") != intent["client_secret"]:
        raise invalid_request("The client_secret provided does not match the client_secret "
                              "associated with the PaymentIntent.", param="client_secret")
    return intent


def _state_error(intent, action, allowed):
    done = {"confirm": "confirmed", "update": "updated", "cancel": "canceled"}[action]
    return unexpected_state(
        f"You cannot {action} this PaymentIntent because it has a status of "
        f"{intent['status']}. Only a PaymentIntent with one of the following statuses may be "
        f"{done}: {', '.join(allowed)}.", payment_intent=public(intent))


def _check_type(intent, kind):
    """Stripe's refusal of a method whose type the PaymentIntent does not take."""
    allowed = intent["payment_method_types"]
    if kind in allowed or (not intent.get("_explicit_types") and kind not in vouchers.CURRENCY):
        return
    raise invalid_request(
        f"The PaymentMethod provided ({kind}) is not allowed for this PaymentIntent. Please "
        f"attach a PaymentMethod of one of the following types: {', '.join(allowed)}. "
        f"Alternatively, update the allowed payment_method_types for this PaymentIntent to "
        f"include \"{kind}\".", param="payment_method",
        code="payment_intent_incompatible_payment_method")


# -- outcomes ----------------------------------------------------------------------------
def succeed(ctx, intent, charge_details=None):
    """Payment done: the charge (pending or new) succeeds, then the intent."""
    method = ctx.store.find(intent["payment_method"])
    charge = ctx.store.find(intent["latest_charge"]) if intent["status"] == "processing" else None
    if charge is None:
        charge = new_charge(ctx, intent, method, "succeeded")
    else:
        set_status(charge, "succeeded", ctx=ctx)
    if charge_details:
        charge["payment_method_details"][method["type"]].update(charge_details)
    intent.update(status="succeeded", amount_received=intent["amount"],
                  latest_charge=charge["id"], next_action=None, last_payment_error=None)
    emit(ctx, "charge.succeeded", charge)
    emit(ctx, "payment_intent.succeeded", intent)
    return intent


def fail(ctx, intent, error, charge=None):
    """Payment failed: back to requires_payment_method with ``last_payment_error``."""
    intent.update(status="requires_payment_method", last_payment_error=error,
                  next_action=None, payment_method=None)
    if charge is not None:
        intent["latest_charge"] = charge["id"]
        emit(ctx, "charge.failed", charge)
    emit(ctx, "payment_intent.payment_failed", intent)
    return intent


def _decline(ctx, intent, method, spec):
    charge = new_charge(ctx, intent, method, "failed")
    set_status(charge, "failed", spec["decline_code"], spec["message"])
    error = {"type": "card_error", "code": "card_declined",
             "decline_code": spec["decline_code"], "message": spec["message"],
             "charge": charge["id"], "doc_url": "https://stripe.com/docs/error-codes/card-declined",
             "payment_method": public(method)}
    fail(ctx, intent, error, charge)
    raise ApiError(402, spec["message"], type="card_error", code="card_declined",
                   decline_code=spec["decline_code"], charge=charge["id"],
                   payment_intent=render(ctx.store, intent), payment_method=public(method))


def _require_action(ctx, intent, use_stripe_sdk):
    """3-D Secure: a ``use_stripe_sdk`` action for Stripe.js (``handleNextAction``), or,
    without it and with a return_url, a ``redirect_to_url`` to the authentication page."""
    page = f"{ctx.base_url}/authenticate/{intent['id']}"
    if use_stripe_sdk or not intent.get("_return_url"):
        source = new_id("src")
        action = {"type": "use_stripe_sdk", "use_stripe_sdk": {
            "type": "three_d_secure_redirect", "source": source,
            "stripe_js": f"{page}?client_secret={intent['client_secret']}&source={source}"}}
    else:
        action = {"type": "redirect_to_url",
                  "redirect_to_url": {"url": page, "return_url": intent["_return_url"]}}
    intent.update(status="requires_action", next_action=action)
    emit(ctx, "payment_intent.requires_action", intent)


def _start_processing(ctx, intent, method):
    charge = new_charge(ctx, intent, method, "pending")
    intent.update(status="processing", latest_charge=charge["id"], next_action=None,
                  last_payment_error=None)
    emit(ctx, "charge.pending", charge)
    emit(ctx, "payment_intent.processing", intent)


def authentication_result(ctx, intent, completed):
    """Outcome of the emulated 3-D Secure page."""
    if completed:
        return succeed(ctx, intent)
    method = ctx.store.find(intent["payment_method"])
    return fail(ctx, intent, {"type": "invalid_request_error",
                              "code": "payment_intent_authentication_failure",
                              "message": AUTH_FAILURE, "payment_method": public(method)})


def settle(ctx, intent, succeeded=True):
    """Outcome of a bank debit left 'processing'."""
    if intent["status"] != "processing":
        raise ValueError(f"{intent['id']} is {intent['status']}, not processing")
    if succeeded:
        return succeed(ctx, intent)
    charge = ctx.store.find(intent["latest_charge"])
    message = "The customer's account has insufficient funds to cover this payment."
    set_status(charge, "failed", "insufficient_funds", message)
    error = {"type": "card_error", "code": "insufficient_funds",
             "decline_code": "insufficient_funds", "message": message, "charge": charge["id"],
             "payment_method": public(ctx.store.find(intent["payment_method"]))}
    return fail(ctx, intent, error, charge)


def voucher_result(ctx, intent, paid):
    """The customer pays the voucher (``paid``) or lets it expire."""
    kind, details = vouchers.details_of(intent)
    if kind is None:
        raise ValueError(f"{intent['id']} is {intent['status']}, not waiting for a voucher")
    if paid:
        return succeed(ctx, intent, vouchers.charge_details(kind, details))
    return fail(ctx, intent, vouchers.expired_error(ctx, intent))


# -- confirmation ------------------------------------------------------------------------
def _plan(ctx, intent, params):
    """Every check of a confirmation, before anything changes: what to confirm with."""
    if intent["status"] not in UPDATABLE:
        raise _state_error(intent, "confirm", UPDATABLE)
    receipt_email = to_email(params.get("receipt_email"), "receipt_email")
    token = (confirmation_tokens.usable(ctx, params["confirmation_token"])
             if params.get("confirmation_token") else None)
    existing = None
    if params.get("payment_method"):
        spec, existing = payment_methods.find(ctx, params["payment_method"])
    elif token is not None:
        spec = token["_spec"]
    elif intent["payment_method"]:
        existing = ctx.store.find(intent["payment_method"])
        spec = existing["_spec"]
    else:
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "Update the PaymentIntent with a payment_method and then confirm it again.",
            param="payment_method", payment_intent=public(intent))
    return_url = to_text(params.get("return_url"), "return_url") \
        or (token["return_url"] if token else None)
    automatic = intent["automatic_payment_methods"]
    if automatic and automatic["allow_redirects"] == "always" and not return_url:
        raise invalid_request(RETURN_URL_REQUIRED)
    _check_type(intent, spec["type"])
    options = to_dict(params.get("payment_method_options"), "payment_method_options") \
        or intent.get("_payment_method_options") or {}
    if spec["behaviour"] == "voucher":
        vouchers.check(intent, spec["type"], options)
    return {"token": token, "spec": spec, "existing": existing, "return_url": return_url,
            "method_id": params.get("payment_method"), "receipt_email": receipt_email,
            "options": options,
            "use_stripe_sdk": to_bool(params.get("use_stripe_sdk", False), "use_stripe_sdk")
            or bool(token and token["use_stripe_sdk"])}


def _execute(ctx, intent, plan):
    """Attach the method, use the token, and play the method's outcome."""
    token = plan["token"]
    if plan["existing"] is not None:
        method = plan["existing"]
    elif plan["method_id"]:
        method = payment_methods.create(ctx, plan["spec"], token=plan["method_id"])
    else:
        method = confirmation_tokens.payment_method_of(ctx, token)
    intent["payment_method"] = method["id"]
    if plan["receipt_email"]:
        intent["receipt_email"] = plan["receipt_email"]
    if plan["return_url"]:
        intent["_return_url"] = plan["return_url"]
    if token is not None:
        confirmation_tokens.consume(token, intent)
        if token["shipping"]:
            intent["shipping"] = dict(token["shipping"])
        if token["setup_future_usage"]:
            intent["setup_future_usage"] = token["setup_future_usage"]
    behaviour = plan["spec"]["behaviour"]
    if behaviour == "decline":
        _decline(ctx, intent, method, plan["spec"])
    elif behaviour == "authenticate":
        _require_action(ctx, intent, plan["use_stripe_sdk"])
    elif behaviour == "processing":
        _start_processing(ctx, intent, method)
    elif behaviour == "voucher":
        vouchers.display(ctx, intent, plan["spec"]["type"], plan["options"])
    else:
        succeed(ctx, intent)
    return render_for(ctx, intent)


# -- routes ------------------------------------------------------------------------------
def create(ctx):
    params = ctx.params
    check_allowed(params, CREATE_PARAMS)
    amount = to_int(require(params, "amount"), "amount", minimum=1)
    currency = to_currency(require(params, "currency"))
    check_charge_amount(amount, currency, ctx.core.usd_rates)
    texts = _texts(params)
    automatic = _automatic(params)
    types = to_list(params.get("payment_method_types"), "payment_method_types")
    if params.get("automatic_payment_methods") and types:
        raise invalid_request("You may only specify one of these parameters: "
                              "automatic_payment_methods, payment_method_types.",
                              param="payment_method_types")
    if params.get("capture_method", "automatic") not in ("automatic", "automatic_async"):
        raise invalid_request("The emulator only supports automatic capture.",
                              param="capture_method")
    confirm = to_bool(params.get("confirm", False), "confirm")
    for name in CONFIRM_ONLY:
        if params.get(name) not in (None, "") and not confirm:
            raise invalid_request(f"You can only pass `{name}` when `confirm` is true.",
                                  param=name)
    fee = _fee(ctx, params.get("application_fee_amount"), amount)
    intent_id = new_id("pi")
    intent = {
        "id": intent_id, "object": "payment_intent", "amount": amount,
        "amount_capturable": 0, "amount_received": 0, "application_fee_amount": fee,
        "automatic_payment_methods": automatic,
        "canceled_at": None, "cancellation_reason": None, "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_{random_token(25)}",
        "confirmation_method": "automatic", "created": now(), "currency": currency,
        "customer": None, "description": texts.get("description"),
        "last_payment_error": None, "latest_charge": None, "livemode": ctx.livemode,
        "metadata": merge_metadata({}, params.get("metadata")), "next_action": None,
        "on_behalf_of": None, "payment_method": None, "payment_method_types": ["card"],
        "processing": None, "receipt_email": texts.get("receipt_email"),
        "setup_future_usage": None, "statement_descriptor": texts.get("statement_descriptor"),
        "status": "requires_payment_method", "transfer_data": None,
        "transfer_group": texts.get("transfer_group"), "_account": ctx.account,
        "_explicit_types": bool(types),
        "_payment_method_options": to_dict(params.get("payment_method_options"),
                                           "payment_method_options"),
    }
    if types:
        intent["payment_method_types"] = _explicit_types(intent, types)
    elif automatic:
        intent["payment_method_types"] = _automatic_types(ctx, intent)
    plan = _plan(ctx, intent, params) if confirm else None
    method = None
    if not confirm and params.get("payment_method"):
        method = payment_methods.resolve(ctx, params["payment_method"])
    ctx.store.add(intent, ctx.account)
    if method:
        intent.update(payment_method=method["id"], status="requires_confirmation")
    emit(ctx, "payment_intent.created", intent)
    if plan is not None:
        return _execute(ctx, intent, plan)
    return render_for(ctx, intent)


def retrieve(ctx, intent_id):
    return render_for(ctx, _get(ctx, intent_id))


def update(ctx, intent_id):
    """Every parameter is checked before anything changes, as Stripe does."""
    params = ctx.params
    check_allowed(params, COMMON)
    intent = _get(ctx, intent_id)
    if intent["status"] not in UPDATABLE:
        raise _state_error(intent, "update", UPDATABLE)
    changes = _texts(params)
    changes["amount"] = to_int(params["amount"], "amount", minimum=1) if "amount" in params \
        else intent["amount"]
    changes["currency"] = to_currency(params["currency"]) if "currency" in params \
        else intent["currency"]
    if "amount" in params or "currency" in params:
        check_charge_amount(changes["amount"], changes["currency"], ctx.core.usd_rates)
    fee_value = params.get("application_fee_amount", intent["application_fee_amount"])
    changes["application_fee_amount"] = _fee(ctx, fee_value, changes["amount"])
    if "metadata" in params:
        changes["metadata"] = merge_metadata(intent["metadata"], params["metadata"])
    draft = dict(intent, **changes)
    if "payment_method_types" in params:
        types = to_list(params["payment_method_types"], "payment_method_types")
        changes["payment_method_types"] = _explicit_types(draft, types)
        changes["_explicit_types"] = True
    elif intent["automatic_payment_methods"]:
        changes["payment_method_types"] = _automatic_types(ctx, draft)
    elif intent.get("_explicit_types"):
        _explicit_types(draft, intent["payment_method_types"])
    if "payment_method_options" in params:
        changes["_payment_method_options"] = to_dict(params["payment_method_options"],
                                                     "payment_method_options")
    method = payment_methods.resolve(ctx, params["payment_method"]) \
        if params.get("payment_method") else None
    intent.update(changes)
    if method:
        intent.update(payment_method=method["id"], status="requires_confirmation")
    return render_for(ctx, intent)


def confirm(ctx, intent_id):
    check_allowed(ctx.params, CONFIRM_PARAMS)
    intent = _get(ctx, intent_id)
    return _execute(ctx, intent, _plan(ctx, intent, ctx.params))


def cancel(ctx, intent_id):
    check_allowed(ctx.params, {"cancellation_reason"})
    intent = _get(ctx, intent_id)
    if intent["status"] not in CANCELABLE:
        raise _state_error(intent, "cancel", CANCELABLE)
    reason = ctx.params.get("cancellation_reason") or None
    if reason and reason not in CANCEL_REASONS:
        raise invalid_request("Invalid cancellation_reason: must be one of "
                              + ", ".join(CANCEL_REASONS), param="cancellation_reason")
    intent.update(status="canceled", canceled_at=now(), cancellation_reason=reason,
                  next_action=None)
    emit(ctx, "payment_intent.canceled", intent)
    return render_for(ctx, intent)


def list_intents(ctx):
    return list_answer(ctx, ctx.store.list(ctx, "payment_intent"), "/v1/payment_intents")


ROUTES = [
    ("POST", r"/v1/payment_intents", create, False),
    ("GET", r"/v1/payment_intents", list_intents, False),
    ("GET", r"/v1/payment_intents/([^/]+)", retrieve, True),
    ("POST", r"/v1/payment_intents/([^/]+)", update, False),
    ("POST", r"/v1/payment_intents/([^/]+)/confirm", confirm, True),
    ("POST", r"/v1/payment_intents/([^/]+)/cancel", cancel, False),
]
