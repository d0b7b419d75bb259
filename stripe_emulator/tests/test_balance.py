"""Balance transactions, fees, currency conversion, balances and the clock."""

import pytest
import stripe

from stripe_emulator.tests.helpers import http

T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC
DAY = 86400
RATES = {"usd": 1.0, "eur": 1.25, "jpy": 0.0067, "kwd": 3.25, "gbp": 1.5}


@pytest.fixture
def frozen(emu):
    """The clock stands still at T0 (``reset()`` puts it back on real time)."""
    emu.set_time(T0, frozen=True)
    return T0


@pytest.fixture
def rates(emu):
    emu.set_exchange_rates(RATES)
    yield RATES
    emu.set_exchange_rates()


def onboarded(client, country, email="shop@example.com"):
    """An onboarded connected account of ``country``: its request options."""
    account = client.v1.accounts.create({"type": "express", "country": country,
                                         "email": email})
    link = client.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "http://shop.test/refresh", "return_url": "http://shop.test/return"})
    http("POST", link.url, form={"business_name": "Shop"})
    return {"stripe_account": account.id}


def pay(client, on, amount, currency="eur", method="pm_card_de", **params):
    return client.v1.payment_intents.create({
        "amount": amount, "currency": currency, "payment_method": method, "confirm": True,
        **params}, on)


def charge_bt(client, on, intent):
    charge = client.v1.charges.retrieve(intent.latest_charge,
                                        {"expand": ["balance_transaction"]}, on)
    return charge.balance_transaction


# -- fees ---------------------------------------------------------------------------------
@pytest.mark.parametrize("method, fee", [
    ("pm_card_de", 175),  # EEA card: 1.5% + EUR 0.25
    ("pm_card_fr", 175),
    ("pm_card_gb", 275),  # UK card: 2.5% + EUR 0.25
    ("pm_card_us", 350),  # international: 3.25% + EUR 0.25
    ("pm_card_visa", 350),  # Stripe's test Visa is a US card
])
def test_charge_fee_of_an_eea_account_by_card_country(client, on, frozen, method, fee):
    intent = pay(client, on, 10000, method=method)
    bt = charge_bt(client, on, intent)
    assert bt.id.startswith("txn_") and bt.object == "balance_transaction"
    assert (bt.amount, bt.fee, bt.net, bt.currency) == (10000, fee, 10000 - fee, "eur")
    assert bt.type == "charge" and bt.reporting_category == "charge"
    assert bt.source == intent.latest_charge and bt.exchange_rate is None
    assert bt.balance_type == "payments" and bt.created == T0
    assert bt.status == "pending" and bt.available_on == T0 + 3 * DAY  # EEA: 3 days
    [detail] = bt.fee_details
    assert (detail.type, detail.amount, detail.currency) == ("stripe_fee", fee, "eur")
    assert detail.application is None and detail.description == "Stripe processing fees"


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("case", [
    ("US", "usd", "pm_card_us", 10000, 320, 2),  # 2.9% + $0.30
    ("US", "usd", "pm_card_de", 10000, 470, 2),  # + 1.5% international
    ("GB", "gbp", "pm_card_gb", 10000, 170, 3),  # 1.5% + 20p
    ("GB", "gbp", "pm_card_fr", 10000, 270, 3),  # EEA card: 2.5% + 20p
    ("JP", "jpy", "pm_card_jp", 10000, 360, 4),  # 3.6%, no fixed fee
])
def test_charge_fee_by_account_country(client, case):
    country, currency, method, amount, fee, delay = case
    on = onboarded(client, country)
    account = client.v1.accounts.retrieve(on["stripe_account"])
    assert account.default_currency == currency
    assert account.settings.payouts.schedule.delay_days == delay
    assert account.settings.payouts.schedule.interval == "daily"
    bank = account.external_accounts.data[0]
    assert bank.object == "bank_account" and bank.currency == currency
    assert bank.default_for_currency is True
    bt = charge_bt(client, on, pay(client, on, amount, currency, method))
    assert (bt.amount, bt.fee, bt.currency) == (amount, fee, currency)
    assert bt.available_on == T0 + delay * DAY


def test_bank_debit_is_a_payment_with_its_own_price(client, on, emu, frozen):
    intent = client.v1.payment_intents.create({
        "amount": 4000, "currency": "eur", "payment_method": "pm_bank_debit",
        "payment_method_types": ["sepa_debit"], "confirm": True}, on)
    pending = client.v1.charges.retrieve(intent.latest_charge, options=on)
    assert pending.status == "pending" and pending.balance_transaction is None
    assert client.v1.balance_transactions.list(options=on).data == []
    emu.settle_payment_intent(intent.id)
    bt = charge_bt(client, on, intent)
    assert (bt.type, bt.reporting_category, bt.fee) == ("payment", "charge", 35)  # EUR 0.35
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1000}, on)
    refund_bt = client.v1.balance_transactions.retrieve(refund.balance_transaction, options=on)
    assert (refund_bt.type, refund_bt.amount, refund_bt.status) == (
        "payment_refund", -1000, "available")
    emu.fail_refund(refund.id)
    failure = client.v1.balance_transactions.retrieve(
        client.v1.refunds.retrieve(refund.id, options=on).failure_balance_transaction,
        options=on)
    assert (failure.type, failure.amount, failure.reporting_category) == (
        "payment_failure_refund", 1000, "refund_failure")


# -- application fees ---------------------------------------------------------------------
def test_application_fee_is_in_the_fee_details_and_on_the_platform(client, on, emu, frozen):
    intent = pay(client, on, 10000, application_fee_amount=300)
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    bt = charge_bt(client, on, intent)
    assert (bt.amount, bt.fee, bt.net) == (10000, 475, 9525)
    stripe_fee, app_fee = bt.fee_details
    assert (stripe_fee.type, stripe_fee.amount) == ("stripe_fee", 175)
    assert (app_fee.type, app_fee.amount, app_fee.currency) == ("application_fee", 300, "eur")
    assert app_fee.application == emu.client_id
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert fee.id.startswith("fee_") and fee.object == "application_fee"
    assert (fee.amount, fee.currency, fee.account, fee.charge) == (
        300, "eur", on["stripe_account"], charge.id)
    assert fee.amount_refunded == 0 and fee.refunded is False and fee.refunds.data == []
    platform_bt = client.v1.balance_transactions.retrieve(fee.balance_transaction)
    assert (platform_bt.type, platform_bt.amount, platform_bt.reporting_category) == (
        "application_fee", 300, "platform_earning")
    assert platform_bt.source == fee.id and platform_bt.status == "pending"
    platform = client.v1.balance.retrieve()  # a US platform: USD first, then what it holds
    assert [(b.currency, b.amount) for b in platform.pending] == [("usd", 0), ("eur", 300)]
    assert [e.type for e in client.v1.events.list().data] == ["application_fee.created"]
    with pytest.raises(stripe.InvalidRequestError):  # not the connected account's object
        client.v1.application_fees.retrieve(fee.id, options=on)


def test_refund_with_the_application_fee(client, on, frozen):
    intent = pay(client, on, 10000, application_fee_amount=500)
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 4000,
                                       "refund_application_fee": True}, on)
    refund_bt = client.v1.balance_transactions.retrieve(refund.balance_transaction, options=on)
    assert (refund_bt.type, refund_bt.amount, refund_bt.fee, refund_bt.net) == (
        "refund", -4000, 0, -4000)  # Stripe keeps its processing fee
    assert refund_bt.reporting_category == "refund" and refund_bt.status == "available"
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert fee.amount_refunded == 200 and fee.refunded is False  # 500 * 4000 / 10000
    [fee_refund] = fee.refunds.data
    assert fee_refund.object == "fee_refund" and fee_refund.amount == 200
    back = client.v1.balance_transactions.list({"type": "application_fee_refund"}, on).data
    assert [(b.amount, b.reporting_category, b.source) for b in back] == [
        (200, "fee", fee_refund.id)]
    platform = client.v1.balance_transactions.list({"type": "application_fee_refund"}).data
    assert [(b.amount, b.reporting_category) for b in platform] == [
        (-200, "platform_earning_refund")]
    # The last refund gives back the rest of the fee; a refund without the flag none.
    client.v1.refunds.create({"charge": charge.id, "amount": 1000}, on)
    client.v1.refunds.create({"charge": charge.id, "refund_application_fee": True}, on)
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert fee.amount_refunded == 500 and fee.refunded is True
    assert [r.amount for r in fee.refunds.data] == [300, 200]


# -- currency conversion ------------------------------------------------------------------
def test_payment_in_another_currency_is_converted(client, on, emu, frozen, rates):
    bt = charge_bt(client, on, pay(client, on, 5000, "usd", application_fee_amount=500))
    assert (bt.amount, bt.currency, bt.exchange_rate) == (4000, "eur", 0.8)  # 1.0 / 1.25
    assert bt.fee == 165 + 400  # (1.5% + 2% conversion) + EUR 0.25; the fee converted
    assert [d.currency for d in bt.fee_details] == ["eur", "eur"]
    jpy = charge_bt(client, on, pay(client, on, 10000, "jpy"))  # zero-decimal
    assert (jpy.amount, jpy.exchange_rate, jpy.fee) == (5360, 0.00536, 213)
    kwd = charge_bt(client, on, pay(client, on, 12340, "kwd"))  # three-decimal
    assert (kwd.amount, kwd.exchange_rate, kwd.fee) == (3208, 2.6, 137)


def test_a_bank_account_in_the_currency_settles_it(client, on, emu, frozen, rates):
    bank = emu.add_bank_account(on["stripe_account"], "usd", country="US")
    assert bank["currency"] == "usd" and bank["default_for_currency"] is True
    account = client.v1.accounts.retrieve(on["stripe_account"])
    assert sorted(b.currency for b in account.external_accounts.data) == ["eur", "usd"]
    created = client.v1.events.list({"type": "account.external_account.created"}, on).data
    assert created[0].data.object.id == bank["id"]
    bt = charge_bt(client, on, pay(client, on, 5000, "usd"))
    # No conversion: the EEA card price, the fixed EUR 0.25 in USD (0.3125 -> 31).
    assert (bt.amount, bt.currency, bt.exchange_rate, bt.fee) == (5000, "usd", None, 106)


def test_refunds_and_disputes_are_converted_at_the_rate_of_their_day(client, on, emu, frozen,
                                                                     rates):
    first = pay(client, on, 5000, "usd")
    second = pay(client, on, 5000, "usd")
    emu.set_exchange_rates({"eur": 1.0})  # the dollar is worth more now
    refund = client.v1.refunds.create({"payment_intent": first.id}, on)
    refund_bt = client.v1.balance_transactions.retrieve(refund.balance_transaction, options=on)
    assert (refund_bt.amount, refund_bt.currency, refund_bt.exchange_rate) == (-5000, "eur", 1.0)
    dispute = emu.create_dispute(second.latest_charge)
    [withdrawal] = dispute["balance_transactions"]
    assert (withdrawal["amount"], withdrawal["fee"], withdrawal["exchange_rate"]) == (
        -5000, 2000, 1.0)


def test_a_missing_rate_is_a_clear_error_and_keeps_nothing(client, on, emu, rates):
    emu.set_exchange_rates({"jpy": None})
    with pytest.raises(stripe.APIError) as info:
        pay(client, on, 10000, "jpy")
    assert "no exchange rate for jpy" in info.value.user_message
    assert client.v1.charges.list(options=on).data == []


# -- the list and its filters -------------------------------------------------------------
def test_list_filters_paging_and_expansion(client, on, emu, frozen):
    intents = [pay(client, on, 1000 * (n + 1)) for n in range(3)]
    emu.advance_time(days=1)
    refund = client.v1.refunds.create({"payment_intent": intents[0].id, "amount": 500}, on)
    listed = client.v1.balance_transactions.list(options=on)
    assert listed.url == "/v1/balance_transactions" and listed.has_more is False
    assert [bt.type for bt in listed.data] == ["refund", "charge", "charge", "charge"]
    assert [bt.amount for bt in listed.data] == [-500, 3000, 2000, 1000]  # newest first
    charges = client.v1.balance_transactions.list({"type": "charge", "limit": 2}, on)
    assert [bt.amount for bt in charges.data] == [3000, 2000] and charges.has_more is True
    rest = client.v1.balance_transactions.list(
        {"type": "charge", "starting_after": charges.data[-1].id}, on)
    assert [bt.amount for bt in rest.data] == [1000]
    by_source = client.v1.balance_transactions.list({"source": refund.id}, on).data
    assert [bt.id for bt in by_source] == [refund.balance_transaction]
    later = client.v1.balance_transactions.list({"created": {"gt": T0}}, on).data
    assert [bt.type for bt in later] == ["refund"]
    assert client.v1.balance_transactions.list({"currency": "usd"}, on).data == []
    expanded = client.v1.balance_transactions.list({"expand": ["data.source"]}, on).data
    assert expanded[0].source.object == "refund" and expanded[1].source.object == "charge"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.balance_transactions.list({"payout": "po_missing"}, on)
    assert info.value.code == "resource_missing" and info.value.param == "payout"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.balance_transactions.list({"charge": intents[0].latest_charge}, on)
    assert info.value.code == "parameter_unknown"
    with pytest.raises(stripe.InvalidRequestError) as info:  # another account's
        client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert info.value.code == "resource_missing"
    intent = client.v1.payment_intents.retrieve(
        intents[1].id, {"expand": ["latest_charge.balance_transaction"]}, on)
    assert intent.latest_charge.balance_transaction.amount == 2000


# -- the clock and the balance ------------------------------------------------------------
@pytest.mark.usefixtures("frozen", "endpoint")
def test_funds_become_available_with_the_clock(client, on, emu, receiver):
    pay(client, on, 10000)  # net 9825, available in 3 days
    balance = client.v1.balance.retrieve(options=on)
    assert balance.object == "balance" and balance.livemode is False
    assert [(b.amount, b.currency) for b in balance.pending] == [(9825, "eur")]
    assert [(b.amount, b.currency) for b in balance.available] == [(0, "eur")]
    assert emu.advance_time(days=2) == T0 + 2 * DAY
    assert client.v1.balance.retrieve(options=on).available[0].amount == 0
    emu.advance_time(days=1)
    balance = client.v1.balance.retrieve(options=on)
    assert (balance.available[0].amount, balance.pending[0].amount) == (9825, 0)
    event = client.v1.events.list({"type": "balance.available"}, on).data[0]
    assert event.data.object.available[0].amount == 9825 and event.created == T0 + 3 * DAY
    assert client.v1.balance_transactions.list(options=on).data[0].status == "available"
    emu.wait_for_deliveries(5)
    assert "balance.available" in [e["type"] for e in receiver.events()]


def test_bypass_pending_card_and_the_release_control(client, on, emu, frozen):
    bt = charge_bt(client, on, pay(client, on, 10000, method="pm_card_bypassPending"))
    assert bt.status == "available" and bt.available_on == T0
    pay(client, on, 2000)
    assert http("POST", emu.base_url + "/_emulator/balance/release",
                form={"account": on["stripe_account"]}).status == 200
    balance = client.v1.balance.retrieve(options=on)
    assert balance.pending[0].amount == 0
    assert balance.available[0].amount == (10000 - 350) + (2000 - 55)
    assert http("GET", emu.base_url + "/_emulator/balance?account="
                + on["stripe_account"]).json()["available"][0]["amount"] == 11595


def test_clock_controls_over_http(client, on, emu):
    answer = http("POST", emu.base_url + "/_emulator/clock",
                  form={"timestamp": T0, "frozen": "true"})
    assert answer.status == 200 and answer.json()["now"] == T0
    assert http("GET", emu.base_url + "/_emulator/clock").json()["now"] == T0
    intent = pay(client, on, 1000)
    assert intent.created == T0
    moved = http("POST", emu.base_url + "/_emulator/clock/advance", form={"days": 1,
                                                                         "seconds": 5})
    assert moved.json()["now"] == T0 + DAY + 5
    assert pay(client, on, 1000).created == T0 + DAY + 5
    assert http("POST", emu.base_url + "/_emulator/clock", form={}).status == 400
    with pytest.raises(ValueError):
        emu.advance_time(-1)
    emu.reset()
    assert abs(emu.now() - T0) > DAY, "reset() puts the clock back on real time"


def test_idempotency_keys_expire_with_the_clock(client, on, emu, frozen):
    params = {"amount": 1000, "currency": "eur"}
    first = client.v1.payment_intents.create(params, {**on, "idempotency_key": "k-clock"})
    again = client.v1.payment_intents.create(params, {**on, "idempotency_key": "k-clock"})
    assert again.id == first.id
    emu.advance_time(days=1, seconds=1)
    later = client.v1.payment_intents.create(params, {**on, "idempotency_key": "k-clock"})
    assert later.id != first.id
