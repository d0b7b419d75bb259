"""The platform's application fees: ``GET /v1/application_fees`` (platform key, no
Stripe-Account). They are made by direct charges with ``application_fee_amount``."""

from ..params import check_allowed, to_range
from ..render import list_answer, render_for


def retrieve(ctx, fee_id):
    check_allowed(ctx.params, set())
    return render_for(ctx, ctx.store.get(ctx, "application_fee", fee_id))


def list_fees(ctx):
    params = ctx.params
    check_allowed(params, {"charge", "created", "ending_before", "limit", "starting_after"})
    charge = params.get("charge") or None
    created = to_range(params.get("created"), "created")
    items = ctx.store.list(ctx, "application_fee", lambda f: (
        (not charge or f["charge"] == charge) and (created is None or created(f["created"]))))
    return list_answer(ctx, items, "/v1/application_fees")


ROUTES = [
    ("GET", r"/v1/application_fees", list_fees, False),
    ("GET", r"/v1/application_fees/([^/]+)", retrieve, False),
]
