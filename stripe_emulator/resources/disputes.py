"""Disputes, opened and closed through the emulator controls; ``GET /v1/disputes``."""

from ..events import emit, tracking
from ..render import list_answer, render_for
from ..util import mode_of, new_id, now

EVIDENCE_DAYS = 7
# Evidence fields of a dispute with nothing submitted yet (all null in Stripe's answers).
EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy",
    "cancellation_policy_disclosure", "cancellation_rebuttal", "customer_communication",
    "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
    "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id",
    "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
    "uncategorized_file", "uncategorized_text",
)


def open_dispute(ctx, charge, reason="fraudulent"):
    """Open a dispute on a succeeded charge (emits ``charge.dispute.created``)."""
    if charge["status"] != "succeeded":
        raise ValueError(f"charge {charge['id']} has not succeeded")
    created = now()
    dispute = {
        "id": new_id("dp"), "object": "dispute", "amount": charge["amount"],
        "balance_transactions": [], "charge": charge["id"], "created": created,
        "currency": charge["currency"], "enhanced_eligibility_types": [],
        "evidence": {**dict.fromkeys(EVIDENCE_FIELDS), "enhanced_evidence": {}},
        "evidence_details": {"due_by": created + EVIDENCE_DAYS * 86400,
                             "enhanced_eligibility": {}, "has_evidence": False,
                             "past_due": False, "submission_count": 0,
                             "submission_method": "not_submitted"},
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
            closed = now()
            dispute["balance_transactions"] = [{
                "id": new_id("txn"), "object": "balance_transaction",
                "amount": -dispute["amount"], "available_on": closed,
                "balance_type": "payments", "created": closed,
                "currency": dispute["currency"], "description": f"Chargeback withdrawal for "
                                                                f"{dispute['charge']}",
                "exchange_rate": None, "fee": 0, "fee_details": [], "net": -dispute["amount"],
                "reporting_category": "dispute", "source": dispute["id"],
                "status": "available", "type": "adjustment"}]
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
