"""Disputes, opened and closed through the emulator controls; ``GET /v1/disputes``."""

from .. import ledger
from ..events import emit, tracking
from ..params import check_allowed, to_range
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


# Dispute statuses (the pinned API version's) and the controls that move them.
OPEN = ("warning_needs_response", "warning_under_review", "needs_response", "under_review",
        "appeal_needs_response", "appeal_under_review")
REVIEW = {"warning_needs_response": "warning_under_review", "needs_response": "under_review",
          "appeal_needs_response": "appeal_under_review"}


def open_dispute(ctx, charge, reason="fraudulent", inquiry=False):
    """Open a dispute on a succeeded charge: ``charge.dispute.created``; the charge is
    ``disputed``. A dispute (not an inquiry) takes the amount and the dispute fee from the
    balance at once: a withdrawal BT and ``charge.dispute.funds_withdrawn``."""
    if charge["status"] != "succeeded":
        raise ValueError(f"charge {charge['id']} has not succeeded")
    if any(d.get("charge") == charge["id"] and d.get("object") == "dispute"
           for d in ctx.store.objects.values()):
        raise ValueError(f"charge {charge['id']} is already disputed")
    created = now()
    dispute = {
        "id": new_id("dp"), "object": "dispute",
        "amount": charge["amount"] - charge["amount_refunded"],
        "balance_transactions": [], "charge": charge["id"], "created": created,
        "currency": charge["currency"], "enhanced_eligibility_types": [],
        "evidence": {**dict.fromkeys(EVIDENCE_FIELDS), "enhanced_evidence": {}},
        "evidence_details": {"due_by": created + EVIDENCE_DAYS * 86400,
                             "enhanced_eligibility": {}, "has_evidence": False,
                             "past_due": False, "submission_count": 0,
                             "submission_method": "not_submitted"},
        "is_charge_refundable": bool(inquiry), "livemode": mode_of(charge), "metadata": {},
        "payment_intent": charge["payment_intent"], "reason": reason,
        "status": "warning_needs_response" if inquiry else "needs_response",
    }
    ctx.store.add(dispute, charge["_account"])
    charge["disputed"] = True
    if not inquiry:
        ledger.dispute_withdrawal(ctx, dispute, charge)
    emit(ctx, "charge.dispute.created", dispute)
    if not inquiry:
        emit(ctx, "charge.dispute.funds_withdrawn", dispute)
    return dispute


def review_dispute(ctx, dispute):
    """Evidence submitted: ``..._needs_response`` -> ``..._under_review``."""
    if dispute["status"] not in REVIEW:
        raise ValueError(f"dispute {dispute['id']} is {dispute['status']}: nothing to review")
    with tracking(ctx, dispute, "charge.dispute.updated"):
        dispute["status"] = REVIEW[dispute["status"]]
        details = dispute["evidence_details"]
        details.update(has_evidence=True, submission_count=details["submission_count"] + 1,
                       submission_method="manual")
    return dispute


def appeal_dispute(ctx, dispute):
    """A lost dispute is appealed: ``appeal_needs_response`` (``charge.dispute.updated``)."""
    if dispute["status"] != "lost":
        raise ValueError(f"dispute {dispute['id']} is {dispute['status']}: only a lost dispute "
                         "can be appealed")
    with tracking(ctx, dispute, "charge.dispute.updated"):
        dispute["status"] = "appeal_needs_response"
        dispute["evidence_details"]["due_by"] = now() + EVIDENCE_DAYS * 86400
    return dispute


def close_dispute(ctx, dispute, status):
    """Close an open dispute (or an appeal) as 'won' or 'lost': ``charge.dispute.updated``
    and ``charge.dispute.closed``. Won: the funds come back (a reinstatement BT and
    ``charge.dispute.funds_reinstated``); an inquiry closes as ``warning_closed``."""
    if status not in ("won", "lost"):
        raise ValueError("status must be 'won' or 'lost'")
    if dispute["status"] not in OPEN:
        raise ValueError(f"dispute {dispute['id']} is already {dispute['status']}")
    inquiry = dispute["status"].startswith("warning_")
    charge = ctx.store.find(dispute["charge"])
    reinstated = status == "won" and not inquiry and dispute["balance_transactions"]
    with tracking(ctx, dispute, "charge.dispute.updated"):
        dispute["status"] = "warning_closed" if inquiry else status
        dispute["is_charge_refundable"] = False
        if reinstated:
            ledger.dispute_reinstatement(ctx, dispute, charge)
    emit(ctx, "charge.dispute.closed", dispute)
    if reinstated:
        emit(ctx, "charge.dispute.funds_reinstated", dispute)
    return dispute


def retrieve(ctx, dispute_id):
    return render_for(ctx, ctx.store.get(ctx, "dispute", dispute_id))


def list_disputes(ctx):
    params = ctx.params
    check_allowed(params, {"charge", "created", "ending_before", "limit", "payment_intent",
                           "starting_after"})
    charge, intent = params.get("charge") or None, params.get("payment_intent") or None
    created = to_range(params.get("created"), "created")
    items = ctx.store.list(ctx, "dispute", lambda d: (
        (not charge or d["charge"] == charge) and (not intent or d["payment_intent"] == intent)
        and (created is None or created(d["created"]))))
    return list_answer(ctx, items, "/v1/disputes")


ROUTES = [
    ("GET", r"/v1/disputes", list_disputes, False),
    ("GET", r"/v1/disputes/([^/]+)", retrieve, False),
]
