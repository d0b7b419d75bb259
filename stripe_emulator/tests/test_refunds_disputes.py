"""Refunds (full, partial, too much) and disputes."""

import pytest
import stripe

from stripe_emulator.tests.helpers import http


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
    assert "refunds" not in charge  # left out unless expanded since API version 2022-11-15
    charge = client.v1.charges.retrieve(intent.latest_charge, {"expand": ["refunds"]}, on)
    assert charge.refunds.object == "list" and charge.refunds.data[0].id == refund.id
    assert charge.refunds.url == f"/v1/charges/{charge.id}/refunds"
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
    events = client.v1.events.list({"limit": 2}, on).data
    assert [e.type for e in events] == ["charge.dispute.funds_withdrawn",
                                        "charge.dispute.created"]
    # The money leaves the balance when the dispute opens, with the dispute fee.
    [withdrawal] = dispute["balance_transactions"]
    assert withdrawal["amount"] == -5000 and withdrawal["fee"] == 2000  # EEA: EUR 20
    assert withdrawal["net"] == -7000 and withdrawal["type"] == "adjustment"
    assert withdrawal["reporting_category"] == "dispute"
    assert client.v1.charges.retrieve(intent.latest_charge, options=on).disputed is True
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create({"payment_intent": intent.id}, on)
    assert info.value.code == "charge_disputed"
    closed = emu.close_dispute(dispute["id"], status="lost")
    assert closed["status"] == "lost" and len(closed["balance_transactions"]) == 1
    events = client.v1.events.list({"limit": 2}, on).data
    assert [e.type for e in events] == ["charge.dispute.closed", "charge.dispute.updated"]
    assert events[1].data.previous_attributes.status == "needs_response"
    with pytest.raises(ValueError):
        emu.close_dispute(dispute["id"], status="won")
    with pytest.raises(ValueError):
        emu.create_dispute(intent.latest_charge)  # one dispute per charge


def test_dispute_won(client, on, emu):
    intent = paid(client, on)
    dispute = emu.create_dispute(intent.latest_charge)
    assert dispute["reason"] == "fraudulent"
    reviewed = emu.review_dispute(dispute["id"])
    assert reviewed["status"] == "under_review"
    assert reviewed["evidence_details"]["submission_count"] == 1
    won = emu.close_dispute(dispute["id"], status="won")
    assert won["status"] == "won"
    withdrawal, reinstatement = won["balance_transactions"]
    assert reinstatement["amount"] == 5000 and reinstatement["type"] == "adjustment"
    assert reinstatement["reporting_category"] == "dispute_reversal"
    assert reinstatement["fee"] == 0, "the dispute fee is not returned (pricing.py)"
    assert withdrawal["net"] + reinstatement["net"] == -2000
    events = client.v1.events.list({"limit": 3}, on).data
    assert [e.type for e in events] == ["charge.dispute.funds_reinstated",
                                        "charge.dispute.closed", "charge.dispute.updated"]
    assert client.v1.charges.retrieve(intent.latest_charge, options=on).disputed is True
    assert emu.get_object(dispute["id"])["status"] == "won"
    with pytest.raises(KeyError):
        emu.create_dispute("ch_missing")


def test_dispute_lost_then_won_on_appeal(client, on, emu):
    intent = paid(client, on)
    dispute = emu.create_dispute(intent.latest_charge)
    emu.close_dispute(dispute["id"], status="lost")
    with pytest.raises(ValueError):
        emu.appeal_dispute(emu.create_dispute(paid(client, on).latest_charge)["id"])
    appealed = emu.appeal_dispute(dispute["id"])
    assert appealed["status"] == "appeal_needs_response"
    assert emu.review_dispute(dispute["id"])["status"] == "appeal_under_review"
    won = emu.close_dispute(dispute["id"], status="won")
    assert won["status"] == "won" and len(won["balance_transactions"]) == 2
    listed = client.v1.disputes.list({"payment_intent": intent.id}, on).data
    assert [d.id for d in listed] == [dispute["id"]]
    assert len(client.v1.disputes.list(options=on).data) == 2
    retrieved = client.v1.disputes.retrieve(dispute["id"], options=on)
    assert [bt.reporting_category for bt in retrieved.balance_transactions] == [
        "dispute", "dispute_reversal"]
    updates = client.v1.events.list({"type": "charge.dispute.updated", "limit": 4}, on).data
    assert [e.data.previous_attributes.status for e in updates][:3] == [
        "appeal_under_review", "appeal_needs_response", "lost"]


def test_inquiry_takes_no_money(client, on, emu):
    intent = paid(client, on)
    inquiry = emu.create_dispute(intent.latest_charge, inquiry=True)
    assert inquiry["status"] == "warning_needs_response"
    assert inquiry["balance_transactions"] == [] and inquiry["is_charge_refundable"] is True
    answer = http("POST", f"{emu.base_url}/_emulator/disputes/{inquiry['id']}/close",
                  form={"status": "won"})
    assert answer.status == 200 and answer.json()["status"] == "warning_closed"
    assert answer.json()["balance_transactions"] == []


def bank_debit_paid(client, on, emu, amount=4000):
    intent = client.v1.payment_intents.create({
        "amount": amount, "currency": "eur", "payment_method": "pm_bank_debit",
        "payment_method_types": ["sepa_debit"], "confirm": True}, on)
    assert intent.status == "processing"
    emu.settle_payment_intent(intent.id)
    return intent


def test_card_refund_fails_later(client, on, emu, receiver, endpoint):
    intent = paid(client, on)
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1500}, on)
    assert refund.status == "succeeded" and refund.failure_reason is None
    failed = emu.fail_refund(refund.id, reason="expired_or_canceled_card")
    assert failed["status"] == "failed" and failed["failure_reason"] == "expired_or_canceled_card"
    assert failed["failure_balance_transaction"].startswith("txn_")
    refund = client.v1.refunds.retrieve(refund.id, options=on)
    assert refund.status == "failed" and refund.failure_reason == "expired_or_canceled_card"
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    assert charge.amount_refunded == 0 and charge.refunded is False  # the money is back
    events = client.v1.events.list({"limit": 3}, on).data
    assert [e.type for e in events] == ["refund.failed", "charge.refund.updated",
                                        "refund.updated"]
    assert all(e.data.object.id == refund.id and e.data.object.object == "refund"
               for e in events)
    assert events[1].data.previous_attributes.status == "succeeded"
    assert events[2].data.previous_attributes.failure_reason is None
    emu.wait_for_deliveries(3)
    delivered = [e["type"] for e in receiver.events()]
    assert delivered[-3:] == ["refund.updated", "charge.refund.updated", "refund.failed"]
    # The whole amount can be refunded again.
    assert client.v1.refunds.create({"charge": charge.id}, on).amount == 5000
    with pytest.raises(ValueError):
        emu.fail_refund(refund.id)  # already failed
    with pytest.raises(ValueError):
        emu.fail_refund(client.v1.refunds.list({"charge": charge.id}, on).data[0].id,
                        reason="bad_luck")


def test_bank_debit_refund_is_pending_then_succeeds(client, on, emu):
    intent = bank_debit_paid(client, on, emu)
    refund = client.v1.refunds.create({"payment_intent": intent.id}, on)
    assert refund.status == "pending" and refund.pending_reason == "processing"
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    assert charge.amount_refunded == 4000 and charge.refunded is True
    settled = emu.settle_refund(refund.id)
    assert settled["status"] == "succeeded" and settled["pending_reason"] is None
    events = client.v1.events.list({"limit": 2}, on).data
    assert [e.type for e in events] == ["charge.refund.updated", "refund.updated"]
    assert events[0].data.previous_attributes.status == "pending"
    assert client.v1.refunds.retrieve(refund.id, options=on).status == "succeeded"
    with pytest.raises(ValueError):
        emu.settle_refund(refund.id)


def test_pending_refund_fails_over_http(client, on, emu):
    intent = bank_debit_paid(client, on, emu)
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1000}, on)
    answer = http("POST", f"{emu.base_url}/_emulator/refunds/{refund.id}/fail",
                  form={"reason": "insufficient_funds"})
    assert answer.status == 200 and answer.json()["failure_reason"] == "insufficient_funds"
    assert client.v1.charges.retrieve(intent.latest_charge, options=on).amount_refunded == 0
    assert client.v1.events.list({"limit": 1}, on).data[0].type == "refund.failed"
    other = client.v1.refunds.create({"payment_intent": intent.id, "amount": 500}, on)
    assert http("POST", f"{emu.base_url}/_emulator/refunds/{other.id}/settle").json()[
        "status"] == "succeeded"
    assert http("POST", f"{emu.base_url}/_emulator/refunds/re_nope/settle").status == 404
    assert http("POST", f"{emu.base_url}/_emulator/refunds/{other.id}/settle").status == 400
