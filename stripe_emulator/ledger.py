"""Balance transactions and balances, kept per account, mode and currency as Stripe does.

Every movement of money makes one balance transaction (BT) on the account whose balance it
changes: the connected account for direct charges, the platform (``_account`` None) for
application fees. A BT is ``pending`` until its ``available_on`` (a payment's funds wait for
the account's payout delay) and ``available`` after; refunds, disputes and payouts take
money from the balance at once. The balance is the sum of the BTs' ``net``: per currency,
``available`` and ``pending`` by the BTs' status.

Signs: ``amount`` and ``net`` are positive when money comes in, negative when it goes out;
``fee`` is positive when a fee is taken, negative when one is given back; ``net = amount -
fee``. Amounts are in the settlement currency (``currency``); a converted payment has the
``exchange_rate`` from the presentment currency.
"""

from collections import defaultdict

from . import clock, pricing
from .context import Context
from .currencies import MissingRate, convert
from .errors import ApiError
from .events import emit
from .util import mode_of, new_id, public

BT_FIELDS = ("amount", "available_on", "balance_type", "created", "currency", "description",
             "exchange_rate", "fee", "fee_details", "net", "reporting_category", "source",
             "status", "type")
NON_CARD = "payment"  # BT types of payment methods other than cards carry this prefix


# -- conversion ----------------------------------------------------------------------------
def _converter(core):
    """``convert(amount, from, to) -> amount`` with the emulator's rates (fixed fees)."""
    def convert_amount(amount, from_currency, to_currency):
        return _convert(core, amount, from_currency, to_currency)[0]
    return convert_amount


def _convert(core, amount, from_currency, to_currency):
    try:
        return convert(amount, from_currency, to_currency, core.usd_rates)
    except MissingRate as missing:
        raise ApiError(500, f"The emulator has no exchange rate for {missing} (from "
                            f"{from_currency} to {to_currency}): give one with "
                            "set_exchange_rates().", type="api_error") from None


def account_of(store, account_id):
    account = store.find(account_id) if account_id else None
    return account if account and account.get("object") == "account" else None


def settlement_currencies(account):
    """The currencies ``account`` settles in: its default one and its bank accounts'."""
    currencies = {account["default_currency"]}
    for external in (account.get("external_accounts") or {}).get("data") or []:
        currencies.add(external["currency"])
    return currencies


def settlement_currency(store, account_id, currency):
    """Where a payment in ``currency`` lands: that currency if the account settles in it,
    else its default currency (Stripe converts at the time of the charge). The platform
    settles every currency as it is."""
    account = account_of(store, account_id)
    if account is None or currency in settlement_currencies(account):
        return currency
    return account["default_currency"]


def country_of(store, account_id):
    account = account_of(store, account_id)
    return account["country"] if account else pricing.PLATFORM_COUNTRY


def delay_of(store, account_id):
    """The payout delay (days) of the account: its ``settings.payouts.schedule``."""
    account = account_of(store, account_id)
    schedule = (((account or {}).get("settings") or {}).get("payouts") or {}).get("schedule")
    if schedule and schedule.get("delay_days") is not None:
        return int(schedule["delay_days"])
    return pricing.delay_days(country_of(store, account_id))


# -- balance transactions ------------------------------------------------------------------
def add(ctx, account_id, livemode, *, type, amount, currency, category, source,
        fee_details=(), description=None, exchange_rate=None, available_on=None):
    """Store one balance transaction; ``available_on`` None means available now."""
    created = clock.now()
    available_on = created if available_on is None else int(available_on)
    fee = sum(detail["amount"] for detail in fee_details)
    bt = {
        "id": new_id("txn"), "object": "balance_transaction", "amount": amount,
        "available_on": available_on, "balance_type": "payments", "created": created,
        "currency": currency, "description": description,
        "exchange_rate": float(exchange_rate) if exchange_rate is not None else None,
        "fee": fee, "fee_details": [dict(detail) for detail in fee_details],
        "net": amount - fee, "reporting_category": category, "source": source,
        "status": "pending" if available_on > created else "available", "type": type,
        "_payout": None,
    }
    ctx.store.add(bt, account_id, livemode=livemode)
    if bt["status"] == "pending":
        ctx.store.pending_bts.add(bt["id"])
    return bt


def _fee(amount, currency, description, kind="stripe_fee", application=None):
    return {"amount": amount, "application": application, "currency": currency,
            "description": description, "type": kind}


def _is_card(charge):
    return (charge.get("payment_method_details") or {}).get("type") == "card"


def _kind(charge, card_type, other_type):
    return card_type if _is_card(charge) else other_type


def client_id(core, livemode):
    return (core.live_client_id if livemode else core.client_id) or core.client_id


def charge_succeeded(ctx, charge):
    """The BT of a succeeded charge (Stripe's fee and the platform's application fee in its
    ``fee_details``) and, with an application fee, the platform's ApplicationFee and BT.

    Sets ``charge.balance_transaction`` (and ``charge.application_fee``). Nothing is stored
    when the conversion cannot be made.
    """
    store, core = ctx.store, ctx.core
    account_id, livemode = charge.get("_account"), mode_of(charge)
    currency = settlement_currency(store, account_id, charge["currency"])
    amount, rate = _convert(core, charge["amount"], charge["currency"], currency)
    converter = _converter(core)
    stripe_fee = pricing.processing_fee(country_of(store, account_id),
                                        charge.get("payment_method_details"), amount,
                                        currency, converted=rate is not None, convert=converter)
    details = [_fee(stripe_fee, currency, "Stripe processing fees")]
    app_fee = 0
    if charge.get("application_fee_amount") and account_id:
        app_fee = _convert(core, charge["application_fee_amount"], charge["currency"],
                           currency)[0]
        details.append(_fee(app_fee, currency, f"{core.platform_name} application fee",
                            "application_fee", client_id(core, livemode)))
    method = store.find(charge.get("payment_method")) or {}
    bypass = (method.get("_spec") or {}).get("bypass_pending")
    available_on = None if bypass else clock.start_of_day(
        clock.now() + delay_of(store, account_id) * clock.DAY)
    bt = add(ctx, account_id, livemode, type=_kind(charge, "charge", NON_CARD), amount=amount,
             currency=currency, category="charge", source=charge["id"], fee_details=details,
             description=charge.get("description"), exchange_rate=rate,
             available_on=available_on)
    charge["balance_transaction"] = bt["id"]
    if app_fee:
        charge["application_fee"] = _application_fee(ctx, charge, app_fee, currency)["id"]
    return bt


def _application_fee(ctx, charge, amount, currency):
    """The platform's ApplicationFee of a direct charge, its BT and ``application_fee.created``."""
    livemode = mode_of(charge)
    fee_id = new_id("fee")
    platform_available = clock.start_of_day(clock.now() + delay_of(ctx.store, None)
                                            * clock.DAY)
    bt = add(ctx, None, livemode, type="application_fee", amount=amount, currency=currency,
             category="platform_earning", source=fee_id, available_on=platform_available)
    fee = {
        "id": fee_id, "object": "application_fee", "account": charge["_account"],
        "amount": amount, "amount_refunded": 0, "application": client_id(ctx.core, livemode),
        "balance_transaction": bt["id"], "charge": charge["id"], "created": clock.now(),
        "currency": currency, "fee_source": {"charge": charge["id"], "payout": None,
                                             "type": "charge"},
        "livemode": livemode, "originating_transaction": None, "refunded": False,
        "refunds": {"object": "list", "data": [], "has_more": False,
                    "url": f"/v1/application_fees/{fee_id}/refunds"},
    }
    ctx.store.add(fee, None, livemode=livemode)
    emit(ctx, "application_fee.created", fee)
    return fee


def _charge_bt(store, charge):
    return store.find(charge.get("balance_transaction")) or {}


def refund_created(ctx, refund, charge, refund_application_fee=False):
    """The BT of a refund (money out at once, no fee given back: Stripe keeps its fee) in
    the charge's settlement currency at today's rate; with ``refund_application_fee``, the
    application fee refunded in proportion (the rest of it on a full refund)."""
    core = ctx.core
    currency = _charge_bt(ctx.store, charge).get("currency", charge["currency"])
    amount, rate = _convert(core, refund["amount"], charge["currency"], currency)
    bt = add(ctx, charge["_account"], mode_of(charge),
             type=_kind(charge, "refund", "payment_refund"), amount=-amount,
             currency=currency, category="refund", source=refund["id"], exchange_rate=rate)
    refund["balance_transaction"] = bt["id"]
    if refund_application_fee and charge.get("application_fee"):
        _refund_application_fee(ctx, charge, refund)
    return bt


def _refund_application_fee(ctx, charge, refund):
    fee = ctx.store.find(charge["application_fee"])
    left = fee["amount"] - fee["amount_refunded"]
    if charge["amount_refunded"] >= charge["amount"]:
        portion = left
    else:
        portion = min(left, _proportion(fee["amount"], refund["amount"], charge["amount"]))
    if portion <= 0:
        return None
    livemode = mode_of(charge)
    fee_refund_id = new_id("fr")
    platform_bt = add(ctx, None, livemode, type="application_fee_refund", amount=-portion,
                      currency=fee["currency"], category="platform_earning_refund",
                      source=fee_refund_id)
    add(ctx, charge["_account"], livemode, type="application_fee_refund", amount=portion,
        currency=fee["currency"], category="fee", source=fee_refund_id,
        description="Application fee refund")
    fee_refund = {"id": fee_refund_id, "object": "fee_refund", "amount": portion,
                  "balance_transaction": platform_bt["id"], "created": clock.now(),
                  "currency": fee["currency"], "fee": fee["id"], "metadata": {}}
    ctx.store.add(fee_refund, None, livemode=livemode)
    fee["amount_refunded"] += portion
    fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
    fee["refunds"]["data"].insert(0, public(fee_refund))
    emit(ctx, "application_fee.refunded", fee)
    return fee_refund


def _proportion(fee, part, whole):
    """``fee * part / whole`` rounded half up, in integers."""
    return (2 * fee * part + whole) // (2 * whole)


def refund_failed(ctx, refund, charge):
    """The money of a failed refund back in the balance: the refund's BT reversed."""
    original = ctx.store.find(refund.get("balance_transaction")) or {}
    bt = add(ctx, charge["_account"], mode_of(charge),
             type=_kind(charge, "refund_failure", "payment_failure_refund"),
             amount=-original.get("amount", 0), currency=original.get("currency",
                                                                       charge["currency"]),
             category="refund_failure", source=refund["id"],
             exchange_rate=original.get("exchange_rate"))
    refund["failure_balance_transaction"] = bt["id"]
    return bt


def dispute_withdrawal(ctx, dispute, charge):
    """The disputed amount (at today's rate) and the dispute fee leave the balance."""
    core = ctx.core
    currency = _charge_bt(ctx.store, charge).get("currency", charge["currency"])
    amount, rate = _convert(core, dispute["amount"], dispute["currency"], currency)
    fee, _returned = pricing.dispute_fee(country_of(ctx.store, charge["_account"]), currency,
                                         _converter(core))
    bt = add(ctx, charge["_account"], mode_of(charge), type="adjustment", amount=-amount,
             currency=currency, category="dispute", source=dispute["id"],
             fee_details=[_fee(fee, currency, "Dispute fee")] if fee else (),
             description=f"Chargeback withdrawal for {charge['id']}", exchange_rate=rate)
    dispute["balance_transactions"].append(public(bt))
    return bt


def dispute_reinstatement(ctx, dispute, charge):
    """A won dispute gives the disputed amount back (at today's rate); the dispute fee too
    where the price table says Stripe returns it."""
    core = ctx.core
    withdrawal = dispute["balance_transactions"][0]
    currency = withdrawal["currency"]
    amount, rate = _convert(core, dispute["amount"], dispute["currency"], currency)
    fee, returned = pricing.dispute_fee(country_of(ctx.store, charge["_account"]), currency,
                                        _converter(core))
    details = [_fee(-fee, currency, "Dispute fee refund")] if returned and fee else ()
    bt = add(ctx, charge["_account"], mode_of(charge), type="adjustment", amount=amount,
             currency=currency, category="dispute_reversal", source=dispute["id"],
             fee_details=details, description=f"Chargeback reversal for {charge['id']}",
             exchange_rate=rate)
    dispute["balance_transactions"].append(public(bt))
    return bt


# -- balances ------------------------------------------------------------------------------
def transactions(store, account_id, livemode):
    """The account's BTs, oldest first."""
    return [obj for obj in store.objects.values()
            if obj.get("object") == "balance_transaction" and obj.get("_account") == account_id
            and mode_of(obj) == livemode]


def balance(store, account_id, livemode):
    """The Balance object of an account (None: the platform)."""
    totals = defaultdict(lambda: {"available": 0, "pending": 0})
    account = account_of(store, account_id)
    default = account["default_currency"] if account else "usd"
    totals[default]
    for bt in transactions(store, account_id, livemode):
        totals[bt["currency"]][bt["status"]] += bt["net"]
    order = sorted(totals, key=lambda currency: (currency != default, currency))
    return {
        "object": "balance",
        "available": [{"amount": totals[c]["available"], "currency": c} for c in order],
        "livemode": livemode,
        "pending": [{"amount": totals[c]["pending"], "currency": c} for c in order],
    }


def release_due(core, account_id=False, force=False):
    """Pending BTs whose ``available_on`` has come become available; one
    ``balance.available`` event per account whose balance grew that way.

    ``force`` makes the pending BTs of ``account_id`` (every account when False) available
    now, their ``available_on`` moved to now. Returns the accounts released.
    """
    store, now = core.store, clock.now()
    released = set()
    for bt_id in sorted(store.pending_bts):
        bt = store.find(bt_id)
        if bt is None or bt["status"] != "pending":
            store.pending_bts.discard(bt_id)
            continue
        mine = account_id is False or bt["_account"] == account_id
        if mine and force and bt["available_on"] > now:
            bt["available_on"] = now
        if bt["available_on"] <= now:
            bt["status"] = "available"
            store.pending_bts.discard(bt_id)
            released.add((bt["_account"], mode_of(bt)))
    for owner, livemode in sorted(released, key=lambda pair: (pair[0] or "", pair[1])):
        ctx = Context.system(core, account=owner, livemode=livemode)
        emit(ctx, "balance.available", balance(store, owner, livemode), account=owner,
             livemode=livemode)
    return released
