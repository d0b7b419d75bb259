"""Test payment methods (``pm_card_visa`` ...) and the PaymentMethod objects made of them."""

import datetime

from ..cards import COUNTRY_CARDS
from ..errors import resource_missing
from ..render import render_for
from ..util import new_id, now

# behaviour: what confirming a PaymentIntent with the method does.
TEST_METHODS = {
    "pm_card_visa": {"type": "card", "brand": "visa", "last4": "4242",
                     "behaviour": "succeed"},
    "pm_card_mastercard": {"type": "card", "brand": "mastercard", "last4": "4444",
                           "behaviour": "succeed"},
    "pm_card_chargeDeclined": {"type": "card", "brand": "visa", "last4": "0002",
                               "behaviour": "decline", "decline_code": "generic_decline",
                               "message": "Your card was declined."},
    "pm_card_chargeDeclinedInsufficientFunds": {
        "type": "card", "brand": "visa", "last4": "9995", "behaviour": "decline",
        "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."},
    "pm_card_authenticationRequired": {"type": "card", "brand": "visa", "last4": "3184",
                                       "behaviour": "authenticate"},
    # Stand-in for SEPA / ACH debits: stays 'processing' until settled by a control.
    "pm_bank_debit": {"type": "sepa_debit", "last4": "3000", "behaviour": "processing"},
}
TEST_METHODS.update(COUNTRY_CARDS)  # pm_card_us, pm_card_de ..., pm_card_bypassPending


def _details(spec):
    if spec["type"] == "card":
        return {"brand": spec["brand"], "last4": spec["last4"], "exp_month": 12,
                "exp_year": datetime.date.today().year + 3, "country": spec.get("country", "US"),
                "funding": "credit"}
    return {"bank_code": "37040044", "country": "DE", "last4": spec["last4"]}


def resolve(ctx, method_id):
    """The PaymentMethod object for a test token or an existing ``pm_...`` id.

    A test token makes a new PaymentMethod each time, as Stripe does.
    """
    spec = TEST_METHODS.get(method_id)
    if spec is None:
        existing = ctx.store.find(method_id)
        if existing and existing.get("object") == "payment_method" \
                and ctx.store.visible(ctx, existing):
            return existing
        raise resource_missing("PaymentMethod", method_id, param="payment_method", status=400)
    method = {
        "id": new_id("pm"), "object": "payment_method", "type": spec["type"],
        spec["type"]: _details(spec),
        "billing_details": {"address": {"city": None, "country": None, "line1": None,
                                        "line2": None, "postal_code": None, "state": None},
                            "email": None, "name": None, "phone": None},
        "created": now(), "customer": None, "livemode": ctx.livemode, "metadata": {},
        "_spec": dict(spec, token=method_id),
    }
    return ctx.store.add(method, ctx.account)


def retrieve(ctx, method_id):
    return render_for(ctx, ctx.store.get(ctx, "payment_method", method_id, label="PaymentMethod"))


ROUTES = [("GET", r"/v1/payment_methods/([^/]+)", retrieve, False)]
