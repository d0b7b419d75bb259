"""Automatic payouts, and the ledger: the BTs' net adds up to the balance."""

from collections import Counter, defaultdict

import pytest
import stripe

from stripe_emulator.tests.helpers import http
from stripe_emulator.tests.test_balance import DAY, T0, pay


@pytest.fixture
def frozen(emu):
    emu.set_time(T0, frozen=True)
    return T0


def all_transactions(client, on):
    """Every BT of the account, following the pages."""
    found, params = [], {"limit": 100}
    while True:
        page = client.v1.balance_transactions.list(params, on)
        found.extend(page.data)
        if not page.has_more:
            return found
        params = {"limit": 100, "starting_after": page.data[-1].id}


@pytest.mark.usefixtures("frozen", "endpoint")
def test_payout_takes_the_available_balance(client, on, emu, receiver):
    pay(client, on, 10000)  # net 9825
    pay(client, on, 5000, method="pm_card_gb")  # net 4850
    assert emu.run_payouts(on["stripe_account"]) == [], "nothing available yet"
    emu.advance_time(days=3)
    refund = client.v1.refunds.create({"payment_intent": pay(client, on, 2000).id}, on)
    [payout] = emu.run_payouts(on["stripe_account"])
    amount = 9825 + 4850 - 2000  # the refund's money left at once; its charge is pending
    assert payout["object"] == "payout" and payout["id"].startswith("po_")
    assert (payout["amount"], payout["currency"], payout["status"]) == (amount, "eur", "pending")
    assert payout["automatic"] is True and payout["method"] == "standard"
    assert payout["type"] == "bank_account" and payout["source_type"] == "card"
    assert payout["created"] == T0 + 3 * DAY and payout["arrival_date"] == T0 + 5 * DAY
    account = client.v1.accounts.retrieve(on["stripe_account"])
    assert payout["destination"] == account.external_accounts.data[0].id
    retrieved = client.v1.payouts.retrieve(payout["id"], options=on)
    assert retrieved.reconciliation_status == "in_progress"
    bt = client.v1.balance_transactions.retrieve(payout["balance_transaction"], options=on)
    assert (bt.type, bt.amount, bt.net, bt.reporting_category, bt.source) == (
        "payout", -amount, -amount, "payout", payout["id"])
    settled = client.v1.balance_transactions.list({"payout": payout["id"]}, on).data
    assert Counter(b.type for b in settled) == {"charge": 2, "refund": 1, "payout": 1}
    assert sum(b.net for b in settled) == 0, "what it pays out, itself included"
    assert refund.balance_transaction in [b.id for b in settled]
    balance = client.v1.balance.retrieve(options=on)
    assert balance.available[0].amount == 0 and balance.pending[0].amount == 2000 - 55
    assert emu.run_payouts(on["stripe_account"]) == [], "nothing left to pay out"

    emu.advance_payout(payout["id"], "in_transit")
    paid = emu.advance_payout(payout["id"])
    assert paid["status"] == "paid" and paid["reconciliation_status"] == "completed"
    assert paid["trace_id"]["status"] == "supported"
    events = client.v1.events.list({"type": "payout.*"}, on).data
    assert [e.type for e in reversed(events)] == [
        "payout.created", "payout.updated", "payout.updated", "payout.paid",
        "payout.reconciliation_completed"]
    assert [e.data.previous_attributes.status for e in reversed(events) if
            e.type == "payout.updated"] == ["pending", "in_transit"]
    listed = client.v1.payouts.list({"status": "paid"}, on)
    assert [p.id for p in listed.data] == [payout["id"]] and listed.url == "/v1/payouts"
    assert client.v1.payouts.list({"status": "failed"}, on).data == []
    assert client.v1.payouts.list({"arrival_date": {"gte": T0 + 5 * DAY}}, on).data
    with pytest.raises(ValueError):
        emu.advance_payout(payout["id"])  # already paid
    emu.wait_for_deliveries(5)
    assert "payout.paid" in [e["type"] for e in receiver.events()]


def test_failed_payout_gives_the_money_back_to_the_next_one(client, on, emu, frozen):
    pay(client, on, 10000, method="pm_card_bypassPending")  # net 9650, available now
    [first] = emu.run_payouts(on["stripe_account"])
    emu.advance_payout(first["id"], "in_transit")
    failed = emu.fail_payout(first["id"], code="account_closed")
    assert failed["status"] == "failed" and failed["failure_code"] == "account_closed"
    assert failed["failure_message"] == "The bank account has been closed."
    failure = client.v1.balance_transactions.retrieve(failed["failure_balance_transaction"],
                                                      options=on)
    assert (failure.type, failure.amount, failure.reporting_category, failure.source) == (
        "payout_failure", 9650, "payout_reversal", first["id"])
    assert client.v1.balance.retrieve(options=on).available[0].amount == 9650
    types = [e.type for e in client.v1.events.list({"limit": 2}, on).data]
    assert types == ["payout.failed", "payout.updated"]
    [second] = emu.run_payouts(on["stripe_account"])
    assert second["amount"] == 9650
    paid_out = client.v1.balance_transactions.list({"payout": second["id"]}, on).data
    assert sorted(b.type for b in paid_out) == ["payout", "payout_failure"]
    with pytest.raises(ValueError):
        emu.fail_payout(second["id"], code="bad_luck")
    # A paid payout can still fail later (Stripe's can); a pending one can be canceled.
    emu.advance_payout(second["id"])
    assert emu.fail_payout(second["id"])["status"] == "failed"
    [third] = emu.run_payouts(on["stripe_account"])
    canceled = emu.cancel_payout(third["id"])
    assert canceled["status"] == "canceled"
    cancel_bt = client.v1.balance_transactions.retrieve(
        canceled["failure_balance_transaction"], options=on)
    assert (cancel_bt.type, cancel_bt.amount) == ("payout_cancel", 9650)
    assert client.v1.events.list({"limit": 1}, on).data[0].type == "payout.canceled"
    with pytest.raises(ValueError):
        emu.cancel_payout(third["id"])


def test_payouts_per_currency_and_refusals(client, on, emu, frozen):
    emu.add_bank_account(on["stripe_account"], "usd")
    pay(client, on, 10000, method="pm_card_bypassPending")
    pay(client, on, 10000, "usd", method="pm_card_bypassPending")
    pay(client, on, 10000, "gbp", method="pm_card_bypassPending")  # converted to EUR
    made = emu.run_payouts(on["stripe_account"], currency="usd")
    assert [(p["currency"], p["amount"]) for p in made] == [("usd", 10000 - 325 - 27)]
    [euros] = emu.run_payouts(on["stripe_account"])
    assert euros["currency"] == "eur"
    emu.update_account(on["stripe_account"], settings={"payouts": {"schedule": {
        "interval": "manual"}}})
    with pytest.raises(ValueError):
        emu.run_payouts(on["stripe_account"])
    with pytest.raises(KeyError):
        emu.run_payouts("acct_missing")


def test_payout_controls_over_http(client, on, emu, frozen):
    pay(client, on, 10000, method="pm_card_bypassPending")
    base = emu.base_url + "/_emulator"
    answer = http("POST", f"{base}/accounts/{on['stripe_account']}/payouts",
                  form={"currency": "eur"})
    assert answer.status == 200
    [payout] = answer.json()["data"]
    assert http("POST", f"{base}/payouts/{payout['id']}/advance",
                form={"status": "in_transit"}).json()["status"] == "in_transit"
    assert http("POST", f"{base}/payouts/{payout['id']}/cancel").status == 400
    assert http("POST", f"{base}/payouts/{payout['id']}/fail",
                form={"code": "no_account"}).json()["failure_code"] == "no_account"
    assert http("POST", f"{base}/payouts/po_missing/advance").status == 404
    bank = http("POST", f"{base}/accounts/{on['stripe_account']}/bank_accounts",
                form={"currency": "gbp", "country": "GB"})
    assert bank.status == 200 and bank.json()["currency"] == "gbp"
    assert http("POST", f"{base}/accounts/{on['stripe_account']}/bank_accounts").status == 400
    with pytest.raises(stripe.InvalidRequestError):  # another account's payout
        client.v1.payouts.retrieve(payout["id"])


def test_ledger_adds_up_to_the_balance(client, on, emu, frozen):
    """After charges (one converted, one with an application fee), a refund, a lost dispute
    and a payout, the BTs' net per currency is the balance, available plus pending."""
    first = pay(client, on, 10000, application_fee_amount=200)
    second = pay(client, on, 5000, method="pm_card_gb")
    pay(client, on, 3000, "usd", method="pm_card_us")
    client.v1.refunds.create({"payment_intent": first.id, "amount": 2000,
                              "refund_application_fee": True}, on)
    dispute = emu.create_dispute(second.latest_charge)
    emu.close_dispute(dispute["id"], status="lost")
    emu.advance_time(days=3)
    [payout] = emu.run_payouts(on["stripe_account"])
    emu.advance_payout(payout["id"])
    pay(client, on, 4000)  # pending again
    transactions = all_transactions(client, on)
    assert {b.type for b in transactions} == {"charge", "refund", "adjustment", "payout",
                                              "application_fee_refund"}
    net = defaultdict(int)
    for bt in transactions:
        net[bt.currency] += bt.net
        assert bt.net == bt.amount - bt.fee
        assert bt.fee == sum(d.amount for d in bt.fee_details)
    balance = client.v1.balance.retrieve(options=on)
    totals = defaultdict(int)
    for part in (*balance.available, *balance.pending):
        totals[part.currency] += part.amount
    assert dict(net) == dict(totals)
    assert balance.available[0].amount == 0 and balance.pending[0].amount == 4000 - 85
    # The platform's side: the fee, minus what the refund gave back.
    platform = client.v1.balance.retrieve()
    assert sum(p.amount for p in (*platform.available, *platform.pending)) == 200 - 40
