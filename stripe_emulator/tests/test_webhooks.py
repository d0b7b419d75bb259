"""Webhook endpoints, routing, signatures and the delivery controls."""

import json
import time

import pytest
import stripe


def paid(client, on):
    return client.v1.payment_intents.create({
        "amount": 1000, "currency": "eur", "payment_method": "pm_card_visa",
        "confirm": True}, on)


def test_endpoint_crud(client):
    created = client.v1.webhook_endpoints.create({
        "url": "https://odoo.test/stripe/webhook", "enabled_events": ["payment_intent.succeeded"],
        "connect": True, "api_version": "2026-10-28.endive", "description": "Odoo",
        "metadata": {"db": "prod"}})
    assert created.id.startswith("we_") and created.secret.startswith("whsec_")
    assert created.status == "enabled" and "connect" not in created  # not a field of Stripe's
    assert created.enabled_events == ["payment_intent.succeeded"]
    fetched = client.v1.webhook_endpoints.retrieve(created.id)
    assert "secret" not in fetched and fetched.url == created.url
    updated = client.v1.webhook_endpoints.update(created.id, {
        "url": "https://odoo.test/new", "enabled_events": ["*"], "disabled": True})
    assert updated.url == "https://odoo.test/new" and updated.status == "disabled"
    assert updated.enabled_events == ["*"]
    assert [e.id for e in client.v1.webhook_endpoints.list().data] == [created.id]
    deleted = client.v1.webhook_endpoints.delete(created.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.webhook_endpoints.retrieve(created.id)
    assert info.value.http_status == 404


@pytest.mark.parametrize("params, param", [
    ({"url": "not a url", "enabled_events": ["*"]}, "url"),
    ({"url": "https://a.test"}, "enabled_events"),
    ({"url": "https://a.test", "enabled_events": ["Bad Event"]}, "enabled_events[0]"),
])
def test_endpoint_validation(client, params, param):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.webhook_endpoints.create(params)
    assert info.value.param == param


def test_delivery_is_signed_like_stripe(client, on, emu, receiver, endpoint):
    emu.wait_for_deliveries(2)
    start = len(receiver.received)
    intent = paid(client, on)
    received = receiver.wait_for(start + 3)[start:]
    assert [json.loads(r["body"])["type"] for r in received] == [
        "payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]
    request = received[-1]
    assert request["path"] == "/connect"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["headers"]["User-Agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    event = stripe.Webhook.construct_event(request["body"], request["headers"]["Stripe-Signature"],
                                           endpoint.secret)
    assert event.type == "payment_intent.succeeded" and event.account == on["stripe_account"]
    assert event.data.object.id == intent.id and event.api_version == "2026-10-28.endive"
    assert event.request.idempotency_key
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(request["body"], request["headers"]["Stripe-Signature"],
                                       "whsec_wrong")
    emu.wait_for_deliveries(2)
    records = [r for r in emu.deliveries if r["event_id"] == event.id]
    assert records == [{"event_id": event.id, "endpoint_id": endpoint.id, "url": endpoint.url,
                        "target": endpoint.url, "status": 200, "attempts": 1}]
    assert client.v1.events.retrieve(event.id, options=on).pending_webhooks == 0


def test_routing_connect_vs_platform_and_enabled_events(client, on, emu, receiver):
    client.v1.webhook_endpoints.create({"url": receiver.url + "/platform",
                                        "enabled_events": ["*"]})
    client.v1.webhook_endpoints.create({"url": receiver.url + "/connect-refunds",
                                        "enabled_events": ["charge.refunded"], "connect": True})
    disabled = client.v1.webhook_endpoints.create({"url": receiver.url + "/off",
                                                   "enabled_events": ["*"], "connect": True})
    client.v1.webhook_endpoints.update(disabled.id, {"disabled": True})
    intent = paid(client, on)
    client.v1.refunds.create({"payment_intent": intent.id}, on)
    client.v1.payment_intents.create({"amount": 100, "currency": "eur"})  # platform event
    emu.wait_for_deliveries(3)
    seen = [(r["path"], json.loads(r["body"])["type"]) for r in receiver.received]
    assert seen == [("/connect-refunds", "charge.refunded"),
                    ("/platform", "payment_intent.created")]


def test_hold_and_release_in_reverse(client, on, emu, receiver, endpoint):
    emu.wait_for_deliveries(2)
    start = len(receiver.received)
    emu.hold_deliveries()
    paid(client, on)
    time.sleep(0.1)
    assert len(receiver.received) == start
    pending = emu.pending_deliveries()
    assert [json.loads(p["body"])["type"] for p in pending] == [
        "payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]
    assert pending[0]["headers"]["Stripe-Signature"].startswith("t=")
    assert pending[0]["endpoint_id"] == endpoint.id and pending[0]["url"] == endpoint.url
    assert emu.wait_for_deliveries(0.2)  # held deliveries do not count
    emu.release_deliveries(order="reverse")
    assert emu.wait_for_deliveries(3)
    types = [e["type"] for e in receiver.events()[start:]]
    assert types == ["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"]
    assert emu.pending_deliveries() == []


def test_release_in_given_order(client, on, emu, receiver, endpoint):
    emu.wait_for_deliveries(2)
    start = len(receiver.received)
    emu.hold_deliveries()
    paid(client, on)
    ids = [json.loads(p["body"])["id"] for p in emu.pending_deliveries()]
    emu.release_deliveries(order=[ids[1], ids[0]])
    emu.wait_for_deliveries(3)
    assert [e["id"] for e in receiver.events()[start:]] == [ids[1], ids[0], ids[2]]


def test_failed_delivery_recorded_then_redelivered(client, on, emu, receiver, endpoint):
    emu.wait_for_deliveries(2)
    receiver.status = 500
    intent = client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    emu.wait_for_deliveries(3)
    event_id = client.v1.events.list({"limit": 1}, on).data[0].id
    assert [r["status"] for r in emu.deliveries if r["event_id"] == event_id] == [500]
    time.sleep(0.1)
    assert len([r for r in emu.deliveries if r["event_id"] == event_id]) == 1  # no retries
    assert client.v1.events.retrieve(event_id, options=on).pending_webhooks == 1
    receiver.status = 200
    assert emu.redeliver(event_id) == 1
    emu.wait_for_deliveries(3)
    records = [r for r in emu.deliveries if r["event_id"] == event_id]
    assert [(r["status"], r["attempts"]) for r in records] == [(500, 1), (200, 2)]
    bodies = [r["body"] for r in receiver.received if json.loads(r["body"])["id"] == event_id]
    assert len(bodies) == 2 and json.loads(bodies[1])["data"]["object"]["id"] == intent.id


def test_unreachable_endpoint_is_recorded_as_error(client, on, emu):
    client.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/nothing", "connect": True,
                                        "enabled_events": ["payment_intent.created"]})
    client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    emu.wait_for_deliveries(3)
    assert [r["status"] for r in emu.deliveries][-1] == "error"


def test_signed_request_for_tests(client, on, emu, endpoint):
    client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    event_id = client.v1.events.list({"limit": 1}, on).data[0].id
    body, headers = emu.signed_request(event_id)
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], endpoint.secret)
    assert event.id == event_id
    body, headers = emu.signed_request(event_id, endpoint.id, timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], endpoint.secret)


def test_delivery_waits_for_the_api_answer(client, on, emu, receiver, endpoint):
    """Deliveries go out on the worker thread, after the causing call was answered."""
    emu.wait_for_deliveries(2)
    start = len(receiver.received)
    intent = client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    assert emu.wait_for_deliveries(3)
    assert receiver.events()[start]["data"]["object"]["id"] == intent.id
