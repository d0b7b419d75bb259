"""Disputes, opened and closed through the emulator controls; ``GET /v1/disputes``."""

from ..events import emit, tracking
from ..render import list_answer, render_for
from ..util import mode_of, new_id, now

EVIDENCE_DAYS = 7


def open_dispute(ctx, charge, reason="fraudulent"):
    """Open a dispute on a succeeded charge (emits ``charge.dispute.created``)."""
    if charge["status"] != "succeeded":
        raise ValueError(f"charge {charge['id']} has not succeeded")
    created = now()
    dispute = {
        "id": new_id("dp"), "object": "dispute", "amount": charge["amount"],
        "balance_transactions": [], "charge": charge["id"], "created": created,
        "currency": charge["currency"], "evidence": {},
        "evidence_details": {"due_by": created + EVIDENCE_DAYS * 86400, "has_evidence": False,
                             "past_due": False, "submission_count": 0},
        "is_charge_refundable": False, "livemode": mode_of(charge), "metadata": {},
        "payment_intent": charge["payment_intent"], "reason": reason,
        "status": "needs_response",
    }
    ctx.store.add(dispute, charge["_account"])
    emit(ctx, "charge.dispute.created", dispute)
    return dispute


def close_dispute(ctx, dispute, status):
    """Close with 'won' or 'lost'; a lost dispute marks the charge disputed, funds withdrawn."""
    if status not in ("won", "lost"):
        raise ValueError("status must be 'won' or 'lost'")
    if dispute["status"] in ("won", "lost"):
        raise ValueError(f"dispute {dispute['id']} is already {dispute['status']}")
    with tracking(ctx, dispute, "charge.dispute.updated"):
        dispute["status"] = status
        if status == "lost":
            dispute["balance_transactions"] = [{
                "id": new_id("txn"), "object": "balance_transaction",
                "amount": -dispute["amount"], "currency": dispute["currency"],
                "type": "adjustment", "reporting_category": "dispute"}]
            charge = ctx.store.find(dispute["charge"])
            charge["disputed"] = True
    emit(ctx, "charge.dispute.closed", dispute)
    return dispute


def retrieve(ctx, dispute_id):
    return render_for(ctx, ctx.store.get(ctx, "dispute", dispute_id))


def list_disputes(ctx):
    return list_answer(ctx, ctx.store.list(ctx, "dispute"), "/v1/disputes")


ROUTES = [
    ("GET", r"/v1/disputes", list_disputes, False),
    ("GET", r"/v1/disputes/([^/]+)", retrieve, False),
]
