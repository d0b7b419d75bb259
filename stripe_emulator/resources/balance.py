"""The balance and its history: ``GET /v1/balance``, ``GET /v1/balance_transactions``."""

from .. import ledger
from ..errors import invalid_request
from ..params import check_allowed, to_range
from ..render import list_answer, render_for

LIST_PARAMS = {"created", "currency", "ending_before", "limit", "payout", "source",
               "starting_after", "type"}


def retrieve_balance(ctx):
    check_allowed(ctx.params, set())
    return ledger.balance(ctx.store, ctx.account, ctx.livemode)


def list_transactions(ctx):
    """Newest first; ``payout`` lists what an automatic payout paid out (itself included)."""
    params = ctx.params
    check_allowed(params, LIST_PARAMS)
    payout_id = params.get("payout") or None
    if payout_id:
        ctx.store.get(ctx, "payout", payout_id, param="payout", status=400)
    source = params.get("source") or None
    kind = params.get("type") or None
    currency = str(params.get("currency") or "").lower() or None
    created = to_range(params.get("created"), "created")
    if params.get("source") is not None and not isinstance(params.get("source"), str):
        raise invalid_request("Invalid string: source", param="source")

    def wanted(bt):
        return ((not payout_id or bt["_payout"] == payout_id)
                and (not source or bt["source"] == source)
                and (not kind or bt["type"] == kind)
                and (not currency or bt["currency"] == currency)
                and (created is None or created(bt["created"])))

    items = ctx.store.list(ctx, "balance_transaction", wanted)
    return list_answer(ctx, items, "/v1/balance_transactions")


def retrieve_transaction(ctx, bt_id):
    check_allowed(ctx.params, set())
    return render_for(ctx, ctx.store.get(ctx, "balance_transaction", bt_id))


ROUTES = [
    ("GET", r"/v1/balance", retrieve_balance, False),
    ("GET", r"/v1/balance_transactions", list_transactions, False),
    ("GET", r"/v1/balance_transactions/([^/]+)", retrieve_transaction, False),
]
