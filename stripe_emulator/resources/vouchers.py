"""Vouchers: payment methods the customer pays later, outside the page (Multibanco, OXXO).

Confirming a PaymentIntent with one leaves it in ``requires_action`` with a
``<type>_display_details`` next action (the instructions to show: reference, expiry, a hosted
voucher page) and emits ``payment_intent.requires_action``. Then, by the emulator's controls
(what the customer does at the ATM or the shop, or the calendar):

* paid: a succeeded charge, ``charge.succeeded`` and ``payment_intent.succeeded``;
* expired: back to ``requires_payment_method`` with a ``last_payment_error``
  (``payment_intent_payment_attempt_expired``), ``payment_intent.payment_failed``.

Currencies as Stripe's pages give them: Multibanco in EUR only, OXXO in MXN only (10 to
10,000 MXN). Multibanco vouchers are valid for 7 days; OXXO ones until the end of the day
``payment_method_options[oxxo][expires_after_days]`` (1 to 7, default 3) days later.
"""

import secrets

from ..errors import invalid_request
from ..events import emit
from ..params import to_dict, to_int
from ..util import now, public

CURRENCY = {"multibanco": "eur", "oxxo": "mxn"}
MAXIMUM = {"oxxo": 1_000_000}  # minor units: 10,000.00 MXN
MULTIBANCO_DAYS = 7
OXXO_DAYS = 3
DAY = 86400
EXPIRED_MESSAGE = ("The latest payment attempt for the PaymentIntent has expired. Check the "
                   "last_payment_error property on the PaymentIntent for more details, and "
                   "provide a new payment method to attempt to fulfill this PaymentIntent again.")


def check(intent, kind, options):
    """Stripe's amount and option rules for confirming ``intent`` with a voucher (the
    currency is checked with the PaymentIntent's method types)."""
    if intent["amount"] > MAXIMUM.get(kind, intent["amount"]):
        raise invalid_request(f"Amount must be no more than {MAXIMUM[kind] // 100} "
                              f"{CURRENCY[kind]} for {kind} payments.", param="amount",
                              code="amount_too_large")
    if kind == "oxxo":
        _oxxo_days(options)


def _digits(count):
    return "".join(secrets.choice("0123456789") for _ in range(count))


def _oxxo_days(options):
    oxxo = to_dict(to_dict(options, "payment_method_options").get("oxxo"),
                   "payment_method_options[oxxo]")
    days = to_int(oxxo.get("expires_after_days", OXXO_DAYS),
                  "payment_method_options[oxxo][expires_after_days]", minimum=1)
    if days > 7:
        raise invalid_request("This value must be less than or equal to 7.",
                              param="payment_method_options[oxxo][expires_after_days]")
    return days


def display(ctx, intent, kind, options=None):
    """Put ``intent`` in ``requires_action`` with the voucher's instructions."""
    url = f"{ctx.base_url}/vouchers/{intent['id']}"
    if kind == "multibanco":
        details = {"entity": _digits(5), "expires_at": now() + MULTIBANCO_DAYS * DAY,
                   "hosted_voucher_url": url,
                   "reference": " ".join(_digits(3) for _ in range(3))}
    else:
        end_of_today = now() - now() % DAY + DAY - 1
        details = {"expires_after": end_of_today + _oxxo_days(options) * DAY,
                   "hosted_voucher_url": url, "number": _digits(18)}
    intent.update(status="requires_action", last_payment_error=None,
                  next_action={"type": f"{kind}_display_details",
                               f"{kind}_display_details": details})
    emit(ctx, "payment_intent.requires_action", intent)


def details_of(intent):
    """``(kind, details)`` of the voucher an intent waits for, or ``(None, None)``."""
    action = intent.get("next_action") or {}
    kind = action.get("type", "").removesuffix("_display_details")
    if intent["status"] != "requires_action" or kind not in CURRENCY:
        return None, None
    return kind, action[action["type"]]


def charge_details(kind, details):
    """What the charge of a paid voucher says about it (``payment_method_details``)."""
    if kind == "multibanco":
        return {"entity": details["entity"], "reference": details["reference"]}
    return {"number": details["number"]}


def expired_error(ctx, intent):
    """The ``last_payment_error`` of a voucher that expired unpaid."""
    method = ctx.store.find(intent["payment_method"])
    return {"type": "invalid_request_error", "code": "payment_intent_payment_attempt_expired",
            "doc_url": "https://stripe.com/docs/error-codes/"
                       "payment-intent-payment-attempt-expired",
            "message": EXPIRED_MESSAGE, "payment_method": public(method) if method else None,
            "payment_method_type": method["type"] if method else None}
