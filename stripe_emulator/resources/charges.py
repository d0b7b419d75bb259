"""Charges, created by PaymentIntents; ``GET /v1/charges``."""

from .. import ledger
from ..errors import ApiError
from ..render import list_answer, render_for
from ..util import new_id, now, public

OUTCOMES = {
    "succeeded": {"network_status": "approved_by_network", "reason": None,
                  "risk_level": "normal", "seller_message": "Payment complete.",
                  "type": "authorized"},
    "failed": {"network_status": "declined_by_network", "reason": "generic_decline",
               "risk_level": "normal", "type": "issuer_declined",
               "seller_message": "The bank did not return any further details with this "
                                 "decline."},
}


def new_charge(ctx, intent, method, status):
    """Store a charge of ``intent`` paid with ``method`` ('succeeded', 'pending', 'failed')."""
    charge_id = new_id("ch")
    charge = {
        "id": charge_id, "object": "charge", "amount": intent["amount"],
        "amount_captured": 0, "amount_refunded": 0,
        "application_fee": None, "application_fee_amount": intent["application_fee_amount"],
        "balance_transaction": None,
        "billing_details": public(method["billing_details"]), "captured": False,
        "created": now(), "currency": intent["currency"],
        "description": intent["description"], "disputed": False,
        "failure_code": None, "failure_message": None, "livemode": intent["livemode"],
        "metadata": dict(intent["metadata"]), "outcome": None, "paid": False,
        "payment_intent": intent["id"], "payment_method": method["id"],
        "payment_method_details": {"type": method["type"],
                                   method["type"]: public(method[method["type"]])},
        "receipt_email": intent["receipt_email"], "receipt_url": None,
        "refunded": False, "status": status,
    }
    ctx.store.add(charge, intent["_account"], livemode=intent["livemode"])
    try:
        set_status(charge, status, ctx=ctx)
    except ApiError:  # the ledger could not book it (no exchange rate): nothing is kept
        del ctx.store.objects[charge_id]
        raise
    return charge


def set_status(charge, status, decline_code=None, message=None, ctx=None):
    """Move a charge to 'succeeded', 'pending' or 'failed' with the matching fields.

    A charge that succeeds gets its balance transaction (and application fee) from the
    ledger, which needs the call's ``ctx``.
    """
    if status == "succeeded":
        if ctx is None:
            raise TypeError("a charge succeeds through set_status(..., ctx=ctx)")
        ledger.charge_succeeded(ctx, charge)
    charge["status"] = status
    if status == "succeeded":
        charge.update(paid=True, captured=True, amount_captured=charge["amount"],
                      outcome=dict(OUTCOMES["succeeded"]),
                      receipt_url=f"https://pay.stripe.com/receipts/{charge['id']}")
    elif status == "pending":
        charge.update(paid=False, captured=True, amount_captured=charge["amount"])
    else:
        outcome = dict(OUTCOMES["failed"], reason=decline_code)
        charge.update(paid=False, captured=False, amount_captured=0, outcome=outcome,
                      failure_code=decline_code or "card_declined", failure_message=message)


def retrieve(ctx, charge_id):
    return render_for(ctx, ctx.store.get(ctx, "charge", charge_id))


def list_charges(ctx):
    intent = ctx.params.get("payment_intent")
    items = ctx.store.list(ctx, "charge",
                           lambda c: not intent or c["payment_intent"] == intent)
    return list_answer(ctx, items, "/v1/charges")


ROUTES = [
    ("GET", r"/v1/charges", list_charges, False),
    ("GET", r"/v1/charges/([^/]+)", retrieve, False),
]
