"""Refunds of succeeded charges: ``/v1/refunds``; their later success or failure.

Card refunds succeed at once, as in Stripe's test mode; refunds of bank debits (the
``pm_bank_debit`` stand-in) stay ``pending`` until :func:`settle` (or :func:`fail`). Any
refund can fail later (Stripe's test card 4000000000005126 does it to a succeeded one):
it becomes ``failed`` with a ``failure_reason``, and the money goes back to the charge.
"""

from .. import ledger
from ..currencies import format_amount
from ..errors import invalid_request, missing_param
from ..events import emit
from ..params import check_allowed, merge_metadata, to_bool, to_int
from ..render import list_answer, render_for
from ..util import diff, mode_of, new_id, now, public

PARAMS = {"payment_intent", "charge", "amount", "reason", "metadata",
          "refund_application_fee", "reverse_transfer", "instructions_email"}
REASONS = ("duplicate", "fraudulent", "requested_by_customer")
# Refund.failure_reason values Stripe documents.
FAILURE_REASONS = ("lost_or_stolen_card", "expired_or_canceled_card",
                   "charge_for_pending_refund_disputed", "insufficient_funds", "declined",
                   "merchant_request", "unknown")
# Payment method types whose refunds are asynchronous (pending first).
PENDING_TYPES = ("sepa_debit", "us_bank_account", "bacs_debit", "au_becs_debit", "acss_debit")


def _charge_to_refund(ctx, params):
    store = ctx.store
    if params.get("charge"):
        return store.get(ctx, "charge", params["charge"], param="charge", status=400)
    if not params.get("payment_intent"):
        raise missing_param("charge")
    intent = store.get(ctx, "payment_intent", params["payment_intent"],
                       param="payment_intent", status=400)
    charge = store.find(intent["latest_charge"])
    if intent["status"] != "succeeded" or charge is None:
        raise invalid_request(f"This PaymentIntent ({intent['id']}) does not have a successful "
                              "charge to refund.", param="payment_intent")
    return charge


def create(ctx):
    params = ctx.params
    check_allowed(params, PARAMS)
    charge = _charge_to_refund(ctx, params)
    if charge["status"] != "succeeded":
        raise invalid_request(f"Charge {charge['id']} has not succeeded; it cannot be refunded.",
                              param="charge")
    if charge["disputed"]:
        raise invalid_request(f"Charge {charge['id']} has been charged back; cannot issue a "
                              "refund.", code="charge_disputed")
    left = charge["amount"] - charge["amount_refunded"]
    if left <= 0:
        raise invalid_request(f"Charge {charge['id']} has already been refunded.",
                              code="charge_already_refunded")
    amount = to_int(params["amount"], "amount", minimum=1) if params.get("amount") else left
    if amount > left:
        currency = charge["currency"]
        raise invalid_request(
            f"Refund amount ({format_amount(amount, currency)}) is greater than unrefunded "
            f"amount on charge ({format_amount(left, currency)})", param="amount")
    reason = params.get("reason") or None
    if reason and reason not in REASONS:
        raise invalid_request("Invalid reason: must be one of " + ", ".join(REASONS),
                              param="reason")
    refund_fee = to_bool(params.get("refund_application_fee", False), "refund_application_fee")
    refund = {
        "id": new_id("re"), "object": "refund", "amount": amount,
        "balance_transaction": None, "charge": charge["id"], "created": now(),
        "currency": charge["currency"], "metadata": merge_metadata({}, params.get("metadata")),
        "payment_intent": charge["payment_intent"], "reason": reason, "receipt_number": None,
        "status": "succeeded", "failure_reason": None, "failure_balance_transaction": None,
        "pending_reason": None,
    }
    if (charge.get("payment_method_details") or {}).get("type") in PENDING_TYPES:
        refund.update(status="pending", pending_reason="processing")
    ctx.store.add(refund, charge["_account"], livemode=mode_of(charge))
    before = public(charge)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    ledger.refund_created(ctx, refund, charge, refund_fee)
    emit(ctx, "refund.created", refund)
    emit(ctx, "charge.refunded", charge, previous_attributes=diff(before, public(charge)))
    return render_for(ctx, refund)


def _changed(ctx, refund, before):
    """``refund.updated`` and ``charge.refund.updated``, as Stripe sends them."""
    previous = diff(before, public(refund))
    emit(ctx, "refund.updated", refund, previous_attributes=previous)
    emit(ctx, "charge.refund.updated", refund, previous_attributes=previous)


def settle(ctx, refund):
    """A pending refund reaches the customer: ``succeeded``."""
    if refund["status"] != "pending":
        raise ValueError(f"refund {refund['id']} is {refund['status']}, not pending")
    before = public(refund)
    refund.update(status="succeeded", pending_reason=None)
    _changed(ctx, refund, before)
    return refund


def fail(ctx, refund, reason="unknown"):
    """The refund could not be made: ``failed``, and the money is back on the charge."""
    if reason not in FAILURE_REASONS:
        raise ValueError("reason must be one of " + ", ".join(FAILURE_REASONS))
    if refund["status"] not in ("pending", "succeeded"):
        raise ValueError(f"refund {refund['id']} is {refund['status']}: it cannot fail")
    before = public(refund)
    refund.update(status="failed", failure_reason=reason, pending_reason=None)
    charge = ctx.store.find(refund["charge"])
    ledger.refund_failed(ctx, refund, charge)
    charge["amount_refunded"] -= refund["amount"]
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    _changed(ctx, refund, before)
    emit(ctx, "refund.failed", refund)
    return refund


def retrieve(ctx, refund_id):
    return render_for(ctx, ctx.store.get(ctx, "refund", refund_id))


def list_refunds(ctx):
    intent, charge = ctx.params.get("payment_intent"), ctx.params.get("charge")
    items = ctx.store.list(ctx, "refund", lambda r: (not intent or r["payment_intent"] == intent)
                           and (not charge or r["charge"] == charge))
    return list_answer(ctx, items, "/v1/refunds")


ROUTES = [
    ("POST", r"/v1/refunds", create, False),
    ("GET", r"/v1/refunds", list_refunds, False),
    ("GET", r"/v1/refunds/([^/]+)", retrieve, False),
]
