"""Refunds (full, partial, too much) and disputes."""

import pytest
import stripe


def paid(client, on, amount=5000):
    return client.v1.payment_intents.create({
        "amount": amount, "currency": "eur", "payment_method": "pm_card_visa",
        "confirm": True}, on)


def test_partial_then_full_then_over(client, on):
    intent = paid(client, on)
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 2000,
                                       "reason": "requested_by_customer",
                                       "metadata": {"move": "RINV/1"}}, on)
    assert refund.id.startswith("re_") and refund.object == "refund"
    assert refund.amount == 2000 and refund.status == "succeeded"
    assert refund.charge == intent.latest_charge and refund.payment_intent == intent.id
    assert refund.currency == "eur" and refund.reason == "requested_by_customer"
    assert refund.metadata["move"] == "RINV/1"
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    assert charge.amount_refunded == 2000 and charge.refunded is False
    assert charge.refunds.data[0].id == refund.id
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({"charge": charge.id, "amount": 3001}, on)
    assert info.value.param == "amount"
    assert "is greater than unrefunded amount on charge (30.00 EUR)" in info.value.user_message
    rest = client.v1.refunds.create({"charge": charge.id}, on)
    assert rest.amount == 3000
    charge = client.v1.charges.retrieve(charge.id, options=on)
    assert charge.refunded is True and charge.amount_refunded == 5000
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({"payment_intent": intent.id}, on)
    assert info.value.code == "charge_already_refunded"
    assert client.v1.refunds.retrieve(refund.id, options=on).amount == 2000
    listed = client.v1.refunds.list({"payment_intent": intent.id}, on)
    assert listed.object == "list" and [r.id for r in listed.data] == [rest.id, refund.id]
    assert listed.url == "/v1/refunds" and listed.has_more is False
    event_types = [e.type for e in client.v1.events.list({"limit": 2}, on).data]
    assert event_types == ["charge.refunded", "refund.created"]
    refunded_event = client.v1.events.list({"limit": 1}, on).data[0]
    assert refunded_event.data.previous_attributes.amount_refunded == 2000


def test_refund_needs_successful_payment(client, on):
    intent = client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({"payment_intent": intent.id}, on)
    assert info.value.param == "payment_intent"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({"payment_intent": "pi_missing"}, on)
    assert info.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({}, on)
    assert info.value.code == "parameter_missing"


def test_dispute_lost(client, on, emu):
    intent = paid(client, on)
    dispute = emu.create_dispute(intent.latest_charge, reason="product_not_received")
    assert dispute["id"].startswith("dp_") and dispute["object"] == "dispute"
    assert dispute["status"] == "needs_response" and dispute["amount"] == 5000
    assert dispute["charge"] == intent.latest_charge and dispute["payment_intent"] == intent.id
    details = dispute["evidence_details"]
    assert details["due_by"] == dispute["created"] + 7 * 86400
    assert details["has_evidence"] is False and details["submission_count"] == 0
    assert client.v1.events.list({"limit": 1}, on).data[0].type == "charge.dispute.created"
    closed = emu.close_dispute(dispute["id"], status="lost")
    assert closed["status"] == "lost" and closed["balance_transactions"][0]["amount"] == -5000
    events = client.v1.events.list({"limit": 2}, on).data
    assert [e.type for e in events] == ["charge.dispute.closed", "charge.dispute.updated"]
    assert events[1].data.previous_attributes.status == "needs_response"
    assert client.v1.charges.retrieve(intent.latest_charge, options=on).disputed is True
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({"payment_intent": intent.id}, on)
    assert info.value.code == "charge_disputed"
    with pytest.raises(ValueError):
        emu.close_dispute(dispute["id"], status="won")


def test_dispute_won(client, on, emu):
    intent = paid(client, on)
    dispute = emu.create_dispute(intent.latest_charge)
    assert dispute["reason"] == "fraudulent"
    assert emu.close_dispute(dispute["id"], status="won")["status"] == "won"
    assert client.v1.charges.retrieve(intent.latest_charge, options=on).disputed is False
    assert emu.get_object(dispute["id"])["status"] == "won"
    with pytest.raises(KeyError):
        emu.create_dispute("ch_missing")
