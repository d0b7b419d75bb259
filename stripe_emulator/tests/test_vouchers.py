"""Vouchers (Multibanco, OXXO): requires_action with instructions, paid or expired later."""

import time

import pytest
import stripe

from stripe_emulator.tests.helpers import http

RETURN = "https://shop.example.com/pay/return"
MULTIBANCO = {"type": "multibanco", "billing_details": {"email": "cliente@example.pt"}}
OXXO = {"type": "oxxo", "billing_details": {"name": "Juan Pérez", "email": "juan@example.mx"}}


def voucher_intent(client, on, data=MULTIBANCO, amount=2500, currency="eur", **params):
    token = client.v1.test_helpers.confirmation_tokens.create(
        {"payment_method_data": data}, on)
    return client.v1.payment_intents.create({
        "amount": amount, "currency": currency, "automatic_payment_methods": {"enabled": True},
        "confirm": True, "confirmation_token": token.id, "return_url": RETURN, **params}, on)


@pytest.fixture
def mexico(client):
    """A connected account in Mexico, where OXXO is offered."""
    return {"stripe_account": client.v1.accounts.create({"type": "express",
                                                         "country": "MX"}).id}


def test_multibanco_waits_with_instructions_then_is_paid(client, on, emu):
    intent = voucher_intent(client, on)
    assert intent.status == "requires_action" and intent.latest_charge is None
    assert "multibanco" in intent.payment_method_types
    action = intent.next_action
    assert action.type == "multibanco_display_details"
    details = action.multibanco_display_details
    assert len(details.entity) == 5 and len(details.reference.replace(" ", "")) == 9
    assert abs(details.expires_at - (time.time() + 7 * 86400)) < 60
    assert details.hosted_voucher_url == f"{emu.base_url}/vouchers/{intent.id}"
    assert client.v1.events.list({"limit": 1}, on).data[0].type == \
        "payment_intent.requires_action"
    page = http("GET", details.hosted_voucher_url)
    assert details.reference.encode() in page.body and b"Simulate payment" in page.body
    paid = emu.pay_voucher(intent.id)
    assert paid["status"] == "succeeded" and paid["next_action"] is None
    intent = client.v1.payment_intents.retrieve(intent.id, {"expand": ["latest_charge"]}, on)
    charge = intent.latest_charge
    assert charge.status == "succeeded" and charge.amount == 2500
    assert charge.payment_method_details.type == "multibanco"
    assert charge.payment_method_details.multibanco.reference == details.reference
    assert charge.billing_details.email == "cliente@example.pt"
    types = [e.type for e in client.v1.events.list({"limit": 2}, on).data]
    assert types == ["payment_intent.succeeded", "charge.succeeded"]
    with pytest.raises(ValueError):
        emu.pay_voucher(intent.id)
    assert b"no longer payable" in http("GET", details.hosted_voucher_url).body


def test_voucher_expires_unpaid(client, on, emu):
    intent = voucher_intent(client, on)
    expired = emu.expire_voucher(intent.id)
    assert expired["status"] == "requires_payment_method" and expired["next_action"] is None
    intent = client.v1.payment_intents.retrieve(intent.id, options=on)
    error = intent.last_payment_error
    assert error.code == "payment_intent_payment_attempt_expired"
    assert error.type == "invalid_request_error" and error.payment_method.type == "multibanco"
    assert intent.latest_charge is None
    assert client.v1.events.list({"limit": 1}, on).data[0].type == \
        "payment_intent.payment_failed"
    # The customer may pay the same invoice another way afterwards.
    again = client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa",
                                                          "return_url": RETURN}, on)
    assert again.status == "succeeded"


def test_voucher_controls_over_http_and_page_buttons(client, on, emu):
    first, second, third = (voucher_intent(client, on) for _ in range(3))
    answer = http("POST", f"{emu.base_url}/_emulator/payment_intents/{first.id}/voucher/pay")
    assert answer.status == 200 and answer.json()["status"] == "succeeded"
    answer = http("POST", f"{emu.base_url}/_emulator/payment_intents/{second.id}/voucher/expire")
    assert answer.json()["status"] == "requires_payment_method"
    assert http("POST", f"{emu.base_url}/_emulator/payment_intents/{second.id}/voucher/pay"
                ).status == 400
    page = http("POST", third.next_action.multibanco_display_details.hosted_voucher_url,
                form={"outcome": "pay"})
    assert b"succeeded" in page.body
    assert client.v1.payment_intents.retrieve(third.id, options=on).status == "succeeded"


def test_voucher_can_be_canceled(client, on):
    intent = voucher_intent(client, on)
    canceled = client.v1.payment_intents.cancel(intent.id, {"cancellation_reason": "duplicate"},
                                                on)
    assert canceled.status == "canceled" and canceled.next_action is None


def test_multibanco_rules(client, on):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.test_helpers.confirmation_tokens.create(
            {"payment_method_data": {"type": "multibanco"}}, on)
    assert info.value.param == "payment_method_data[billing_details][email]"
    for params in ({"currency": "usd"},
                   {"automatic_payment_methods": None, "payment_method_types": ["card"]}):
        with pytest.raises(stripe.InvalidRequestError) as info:
            voucher_intent(client, on, **params)
        assert info.value.code == "payment_intent_incompatible_payment_method"
        assert "The PaymentMethod provided (multibanco) is not allowed" in info.value.user_message
    assert client.v1.payment_intents.list({}, on).data == []
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.create({"amount": 900, "currency": "usd",
                                          "payment_method_types": ["multibanco"]}, on)
    assert info.value.param == "currency"


def test_oxxo_in_mexico(client, emu, mexico):
    intent = voucher_intent(client, mexico, OXXO, amount=50000, currency="mxn",
                            payment_method_options={"oxxo": {"expires_after_days": 2}})
    details = intent.next_action.oxxo_display_details
    assert intent.next_action.type == "oxxo_display_details" and len(details.number) == 18
    assert 86400 < details.expires_after - time.time() < 3 * 86400
    assert emu.pay_voucher(intent.id)["status"] == "succeeded"
    charge = client.v1.charges.retrieve(
        client.v1.payment_intents.retrieve(intent.id, options=mexico).latest_charge,
        options=mexico)
    assert charge.payment_method_details.oxxo.number == details.number


def test_oxxo_rules(client, on, mexico):
    with pytest.raises(stripe.InvalidRequestError) as info:
        voucher_intent(client, mexico, OXXO, amount=1_000_100, currency="mxn")
    assert info.value.code == "amount_too_large"
    with pytest.raises(stripe.InvalidRequestError) as info:
        voucher_intent(client, mexico, OXXO, amount=50000, currency="mxn",
                       payment_method_options={"oxxo": {"expires_after_days": 8}})
    assert info.value.param == "payment_method_options[oxxo][expires_after_days]"
    # A Belgian business is not offered OXXO, even in pesos.
    with pytest.raises(stripe.InvalidRequestError) as info:
        voucher_intent(client, on, OXXO, amount=50000, currency="mxn")
    assert info.value.code == "payment_intent_incompatible_payment_method"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.test_helpers.confirmation_tokens.create(
            {"payment_method_data": {"type": "oxxo",
                                     "billing_details": {"email": "juan@example.mx"}}}, mexico)
    assert info.value.param == "payment_method_data[billing_details][name]"
