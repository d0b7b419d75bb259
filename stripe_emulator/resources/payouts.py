"""Automatic payouts: made by a control, moved through their statuses by controls;
``GET /v1/payouts``.

A payout takes the whole available balance of one currency to the account's bank account
for that currency: a ``payout`` BT (negative), and every available BT not yet paid out is
marked as paid out by it (``GET /v1/balance_transactions?payout=po_...`` lists them, the
payout's own BT included). ``pending`` -> ``in_transit`` -> ``paid``; or ``failed`` (from
any of these, as Stripe's can fail after ``paid``) with a ``payout_failure`` BT that gives
the money back, or ``canceled`` (while ``pending``) with a ``payout_cancel`` BT. The money
given back is paid out by the next payout.
"""

from .. import clock, ledger
from ..context import Context
from ..events import emit, tracking
from ..params import check_allowed, to_range
from ..render import list_answer, render_for
from ..util import mode_of, new_id

ARRIVAL_DAYS = 2  # a standard payout reaches the bank two days after it is made
LIST_PARAMS = {"arrival_date", "created", "destination", "ending_before", "limit",
               "starting_after", "status"}
# Stripe's payout failure codes and their messages (docs.stripe.com/api/payouts/failures).
FAILURE_CODES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": "The bank account has restrictions on either the type or "
                               "number of payouts allowed.",
    "bank_ownership_changed": "The destination bank account is no longer valid because its "
                              "branch has changed ownership.",
    "could_not_process": "The bank could not process this payout.",
    "debit_not_authorized": "Debit transactions are not approved on the bank account.",
    "declined": "The bank has declined this transfer.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The routing number seems correct, but the account number is "
                              "invalid.",
    "invalid_currency": "The bank was unable to process this payout because of its currency.",
    "no_account": "The bank account details on file are probably incorrect. No bank "
                  "account could be located with those details.",
}
STATUS_ORDER = ("pending", "in_transit", "paid")


def _bank_account(account, currency):
    """The account's bank account for ``currency`` (the default one for it first)."""
    banks = [b for b in (account.get("external_accounts") or {}).get("data") or []
             if b.get("currency") == currency]
    banks.sort(key=lambda b: not b.get("default_for_currency"))
    return banks[0] if banks else None


def run(core, account, currency=None):
    """Pay out the available balance of ``account`` per currency (or one currency).

    Funds due first become available. A currency with nothing available, or with no bank
    account, is not paid out. Returns the payouts made.
    """
    interval = ((account["settings"].get("payouts") or {}).get("schedule") or {}).get(
        "interval")
    if interval == "manual":
        raise ValueError(f"account {account['id']} has manual payouts")
    if not account.get("payouts_enabled"):
        raise ValueError(f"account {account['id']} cannot be paid out (payouts_enabled false)")
    livemode = mode_of(account)
    ledger.release_due(core)
    ctx = Context.system(core, account=account["id"], livemode=livemode)
    unpaid = {}
    for bt in ledger.transactions(core.store, account["id"], livemode):
        if bt["status"] == "available" and bt["_payout"] is None:
            unpaid.setdefault(bt["currency"], []).append(bt)
    made = []
    for code in sorted(unpaid):
        total = sum(bt["net"] for bt in unpaid[code])
        bank = _bank_account(account, code)
        if (currency and code != currency) or total <= 0 or bank is None:
            continue
        made.append(_payout(ctx, account, bank, unpaid[code]))
    return made


def _payout(ctx, account, bank, settled):
    """One payout of the BTs ``settled`` (available, not yet paid out) to ``bank``."""
    currency, amount = bank["currency"], sum(bt["net"] for bt in settled)
    created = clock.now()
    payout_id = new_id("po")
    bt = ledger.add(ctx, account["id"], mode_of(account), type="payout", amount=-amount,
                    currency=currency, category="payout", source=payout_id,
                    description="STRIPE PAYOUT")
    for item in [*settled, bt]:
        item["_payout"] = payout_id
    payout = {
        "id": payout_id, "object": "payout", "amount": amount, "application_fee": None,
        "application_fee_amount": None,
        "arrival_date": clock.start_of_day(created) + ARRIVAL_DAYS * clock.DAY,
        "automatic": True, "balance_transaction": bt["id"], "created": created,
        "currency": currency, "description": "STRIPE PAYOUT", "destination": bank["id"],
        "failure_balance_transaction": None, "failure_code": None, "failure_message": None,
        "livemode": mode_of(account), "metadata": {}, "method": "standard",
        "original_payout": None, "reconciliation_status": "in_progress", "reversed_by": None,
        "source_type": "card", "statement_descriptor": None, "status": "pending",
        "trace_id": {"status": "pending", "value": None}, "type": "bank_account",
    }
    ctx.store.add(payout, account["id"])
    emit(ctx, "payout.created", payout)
    return payout


def _system(core, payout):
    return Context.system(core, account=payout.get("_account"), livemode=mode_of(payout))


def advance(core, payout, status="paid"):
    """``pending`` -> ``in_transit`` -> ``paid`` (``payout.updated`` at each step, then
    ``payout.paid`` and ``payout.reconciliation_completed``)."""
    if status not in STATUS_ORDER[1:]:
        raise ValueError("status must be 'in_transit' or 'paid'")
    if payout["status"] not in STATUS_ORDER[:-1] or (
            STATUS_ORDER.index(payout["status"]) >= STATUS_ORDER.index(status)):
        raise ValueError(f"payout {payout['id']} is {payout['status']}: it cannot become "
                         f"{status}")
    ctx = _system(core, payout)
    if payout["status"] == "pending":
        with tracking(ctx, payout, "payout.updated"):
            payout["status"] = "in_transit"
    if status == "paid":
        with tracking(ctx, payout, "payout.updated"):
            payout["status"] = "paid"
            payout["trace_id"] = {"status": "supported",
                                  "value": f"TRACE{payout['id'][-10:].upper()}"}
        emit(ctx, "payout.paid", payout)
        payout["reconciliation_status"] = "completed"
        emit(ctx, "payout.reconciliation_completed", payout)
    return payout


def fail(core, payout, code="account_closed"):
    """The bank refused the payout: ``failed`` with ``failure_code``; a ``payout_failure``
    BT gives the money back (``payout.updated`` then ``payout.failed``)."""
    if code not in FAILURE_CODES:
        raise ValueError("code must be one of " + ", ".join(FAILURE_CODES))
    if payout["status"] not in STATUS_ORDER:
        raise ValueError(f"payout {payout['id']} is {payout['status']}: it cannot fail")
    return _reverse(core, payout, "failed", "payout_failure", "payout.failed",
                    failure_code=code, failure_message=FAILURE_CODES[code])


def cancel(core, payout):
    """A pending payout is canceled: a ``payout_cancel`` BT gives the money back
    (``payout.updated`` then ``payout.canceled``)."""
    if payout["status"] != "pending":
        raise ValueError(f"payout {payout['id']} is {payout['status']}: only a pending payout "
                         "can be canceled")
    return _reverse(core, payout, "canceled", "payout_cancel", "payout.canceled")


def _reverse(core, payout, status, bt_type, event_type, **fields):
    ctx = _system(core, payout)
    with tracking(ctx, payout, "payout.updated"):
        bt = ledger.add(ctx, payout["_account"], mode_of(payout), type=bt_type,
                        amount=payout["amount"], currency=payout["currency"],
                        category="payout_reversal", source=payout["id"],
                        description="STRIPE PAYOUT")
        payout.update(status=status, failure_balance_transaction=bt["id"], **fields)
    emit(ctx, event_type, payout)
    return payout


def retrieve(ctx, payout_id):
    check_allowed(ctx.params, set())
    return render_for(ctx, ctx.store.get(ctx, "payout", payout_id))


def list_payouts(ctx):
    params = ctx.params
    check_allowed(params, LIST_PARAMS)
    status = params.get("status") or None
    destination = params.get("destination") or None
    created = to_range(params.get("created"), "created")
    arrival = to_range(params.get("arrival_date"), "arrival_date")
    items = ctx.store.list(ctx, "payout", lambda p: (
        (not status or p["status"] == status)
        and (not destination or p["destination"] == destination)
        and (created is None or created(p["created"]))
        and (arrival is None or arrival(p["arrival_date"]))))
    return list_answer(ctx, items, "/v1/payouts")


ROUTES = [
    ("GET", r"/v1/payouts", list_payouts, False),
    ("GET", r"/v1/payouts/([^/]+)", retrieve, False),
]
