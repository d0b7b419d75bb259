"""PaymentIntents: create, retrieve, update, confirm, cancel, list; and their outcomes."""

from ..currencies import check_charge_amount
from ..errors import ApiError, invalid_request, unexpected_state
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
from . import payment_methods
from .charges import new_charge, set_status

COMMON = {"amount", "currency", "metadata", "description", "receipt_email",
          "application_fee_amount", "payment_method", "payment_method_types",
          "statement_descriptor", "statement_descriptor_suffix", "setup_future_usage",
          "shipping", "transfer_group", "payment_method_options"}
CREATE_PARAMS = COMMON | {"automatic_payment_methods", "confirm", "return_url", "capture_method",
                          "confirmation_method", "on_behalf_of", "use_stripe_sdk",
                          "error_on_requires_action", "off_session", "mandate_data"}
CONFIRM_PARAMS = {"payment_method", "return_url", "receipt_email", "client_secret",
                  "payment_method_options", "setup_future_usage", "shipping",
                  "use_stripe_sdk", "error_on_requires_action", "off_session", "mandate_data"}
UPDATABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action",
              "requires_capture")
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
# Longest text Stripe takes for these PaymentIntent parameters.
TEXT_LENGTHS = {"description": 1000, "statement_descriptor": 22, "transfer_group": 5000}
AUTH_FAILURE = ("The provided PaymentMethod has failed authentication. You can provide "
                "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                "PaymentIntent again.")


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


def _get(ctx, intent_id):
    """A visible PaymentIntent; publishable keys must also present its client_secret."""
    intent = ctx.store.get(ctx, "payment_intent", intent_id)
    if ctx.key and ctx.key.kind == "publishable" \
            and ctx.params.get("client_secret") != intent["client_secret"]:
        raise invalid_request("The client_secret provided does not match the client_secret "
                              "associated with the PaymentIntent.", param="client_secret")
    return intent


def _attach(ctx, intent, method_id):
    method = payment_methods.resolve(ctx, method_id)
    intent["payment_method"] = method["id"]
    intent["status"] = "requires_confirmation"
    return method


def _state_error(intent, action, allowed):
    done = {"confirm": "confirmed", "update": "updated", "cancel": "canceled"}[action]
    return unexpected_state(
        f"You cannot {action} this PaymentIntent because it has a status of "
        f"{intent['status']}. Only a PaymentIntent with one of the following statuses may be "
        f"{done}: {', '.join(allowed)}.", payment_intent=public(intent))


# -- outcomes ----------------------------------------------------------------------------
def succeed(ctx, intent):
    """Payment done: the charge (pending or new) succeeds, then the intent."""
    method = ctx.store.find(intent["payment_method"])
    charge = ctx.store.find(intent["latest_charge"]) if intent["status"] == "processing" else None
    if charge is None:
        charge = new_charge(ctx, intent, method, "succeeded")
    else:
        set_status(charge, "succeeded", ctx=ctx)
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


def _require_action(ctx, intent):
    intent.update(status="requires_action", next_action={
        "type": "redirect_to_url",
        "redirect_to_url": {"url": f"{ctx.base_url}/authenticate/{intent['id']}",
                            "return_url": intent.get("_return_url")}})
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


def _confirm(ctx, intent, params):
    if intent["status"] not in UPDATABLE:
        raise _state_error(intent, "confirm", UPDATABLE)
    receipt_email = to_email(params.get("receipt_email"), "receipt_email")
    if params.get("payment_method"):
        _attach(ctx, intent, params["payment_method"])
    if not intent["payment_method"]:
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "Update the PaymentIntent with a payment_method and then confirm it again.",
            param="payment_method", payment_intent=public(intent))
    if receipt_email:
        intent["receipt_email"] = receipt_email
    if params.get("return_url"):
        intent["_return_url"] = params["return_url"]
    method = ctx.store.find(intent["payment_method"])
    spec = method["_spec"]
    behaviour = spec["behaviour"]
    if behaviour == "decline":
        _decline(ctx, intent, method, spec)
    elif behaviour == "authenticate":
        _require_action(ctx, intent)
    elif behaviour == "processing":
        _start_processing(ctx, intent, method)
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
    automatic = to_dict(params.get("automatic_payment_methods"), "automatic_payment_methods")
    types = to_list(params.get("payment_method_types"), "payment_method_types")
    if automatic and types:
        raise invalid_request("You may only specify one of these parameters: "
                              "automatic_payment_methods, payment_method_types.",
                              param="payment_method_types")
    if params.get("capture_method", "automatic") not in ("automatic", "automatic_async"):
        raise invalid_request("The emulator only supports automatic capture.",
                              param="capture_method")
    fee = _fee(ctx, params.get("application_fee_amount"), amount)
    enabled = to_bool(automatic.get("enabled", False), "automatic_payment_methods[enabled]")
    intent_id = new_id("pi")
    intent = {
        "id": intent_id, "object": "payment_intent", "amount": amount,
        "amount_capturable": 0, "amount_received": 0, "application_fee_amount": fee,
        "automatic_payment_methods": ({"enabled": True, "allow_redirects": "always"}
                                      if enabled else None),
        "canceled_at": None, "cancellation_reason": None, "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_{random_token(25)}",
        "confirmation_method": "automatic", "created": now(), "currency": currency,
        "customer": None, "description": texts.get("description"),
        "last_payment_error": None, "latest_charge": None, "livemode": ctx.livemode,
        "metadata": merge_metadata({}, params.get("metadata")), "next_action": None,
        "on_behalf_of": None, "payment_method": None,
        "payment_method_types": types or ["card"], "processing": None,
        "receipt_email": texts.get("receipt_email"), "setup_future_usage": None,
        "statement_descriptor": texts.get("statement_descriptor"),
        "status": "requires_payment_method", "transfer_data": None,
        "transfer_group": texts.get("transfer_group"),
    }
    method_id = params.get("payment_method")
    method = payment_methods.resolve(ctx, method_id) if method_id else None
    ctx.store.add(intent, ctx.account)
    if method:
        intent.update(payment_method=method["id"], status="requires_confirmation")
    emit(ctx, "payment_intent.created", intent)
    if to_bool(params.get("confirm", False), "confirm"):
        return _confirm(ctx, intent, {"return_url": params.get("return_url")})
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
    if "payment_method_types" in params:
        changes["payment_method_types"] = to_list(params["payment_method_types"],
                                                  "payment_method_types")
    method = payment_methods.resolve(ctx, params["payment_method"]) \
        if params.get("payment_method") else None
    intent.update(changes)
    if method:
        intent.update(payment_method=method["id"], status="requires_confirmation")
    return render_for(ctx, intent)


def confirm(ctx, intent_id):
    check_allowed(ctx.params, CONFIRM_PARAMS)
    return _confirm(ctx, _get(ctx, intent_id), ctx.params)


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
