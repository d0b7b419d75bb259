"""Auth, headers, errors, idempotency, events listing, CORS, set_down."""

import time
import uuid

import pytest
import stripe

from stripe_emulator.tests.helpers import http, make_client


def test_invalid_and_missing_key(emu):
    with pytest.raises(stripe.AuthenticationError) as info:
        make_client(emu, key="sk_test_1234abcd").v1.accounts.list()
    assert info.value.http_status == 401
    assert info.value.user_message == "Invalid API Key provided: sk_test_****abcd"
    answer = http("GET", emu.base_url + "/v1/accounts")
    assert answer.status == 401 and "You did not provide an API key" in answer.json()[
        "error"]["message"]


def test_headers_and_error_body(emu, client):
    answer = http("GET", emu.base_url + "/v1/payment_intents/pi_nope",
                  headers={"Authorization": f"Bearer {emu.secret_key}",
                           "Stripe-Version": "2025-01-01.test"})
    assert answer.status == 404
    assert answer.headers["Request-Id"].startswith("req_")
    assert answer.headers["Stripe-Version"] == "2025-01-01.test"
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["code"] == "resource_missing"
    assert error["message"] == "No such payment_intent: 'pi_nope'"
    assert error["doc_url"].endswith("/resource-missing")
    assert error["request_log_url"].startswith(emu.base_url)
    unknown = http("GET", emu.base_url + "/v1/nothing",
                   headers={"Authorization": f"Bearer {emu.secret_key}"})
    assert unknown.status == 404 and "Unrecognized request URL" in unknown.json()["error"][
        "message"]


def test_idempotent_replay_and_mismatch(emu, client, on, account):
    key = str(uuid.uuid4())
    params = {"amount": 700, "currency": "eur", "metadata": {"k": "v"}}
    first = client.v1.payment_intents.create(params, {**on, "idempotency_key": key})
    events_before = len(client.v1.events.list({"limit": 100}, on).data)
    second = client.v1.payment_intents.create(params, {**on, "idempotency_key": key})
    assert second.id == first.id and second.client_secret == first.client_secret
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.payment_intents.list({"limit": 100}, on).data) == 1
    assert len(client.v1.events.list({"limit": 100}, on).data) == events_before
    with pytest.raises(stripe.IdempotencyError) as info:
        client.v1.payment_intents.create({**params, "amount": 701},
                                         {**on, "idempotency_key": key})
    assert f"Try using a key other than '{key}'" in info.value.user_message
    # the same key is independent on another account
    other = client.v1.payment_intents.create(params, {"idempotency_key": key})
    assert other.id != first.id
    logged = [r for r in emu.request_log if r["idempotency_key"] == key]
    assert [r["status"] for r in logged] == [200, 200, 400, 200]
    assert logged[0]["account"] == account and logged[0]["path"] == "/v1/payment_intents"


def test_card_error_replayed_with_same_key(client, on):
    intent = client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    options = {**on, "idempotency_key": "decline-1"}
    params = {"payment_method": "pm_card_chargeDeclined"}
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            client.v1.payment_intents.confirm(intent.id, params, options)
    failed = [e for e in client.v1.events.list({"limit": 100}, on).data
              if e.type == "payment_intent.payment_failed"]
    assert len(failed) == 1


def test_events_list_filters_paging_and_scoping(client, on, account):
    for amount in (100, 200, 300):
        client.v1.payment_intents.create({"amount": amount, "currency": "eur"}, on)
    client.v1.payment_intents.create({"amount": 400, "currency": "eur"})
    events = client.v1.events.list({"type": "payment_intent.created", "limit": 2}, on)
    assert [e.data.object.amount for e in events.data] == [300, 200] and events.has_more
    rest = client.v1.events.list({"type": "payment_intent.created",
                                  "starting_after": events.data[-1].id}, on)
    assert [e.data.object.amount for e in rest.data] == [100] and not rest.has_more
    assert all(e.account == account for e in events.data)
    every = list(client.v1.events.list({"limit": 1, "type": "payment_intent.*"},
                                       on).auto_paging_iter())
    assert len(every) == 3
    platform = client.v1.events.list({"type": "payment_intent.created"})
    assert [e.data.object.amount for e in platform.data] == [400]
    assert "account" not in platform.data[0]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.retrieve(events.data[0].id)  # not visible from the platform
    event = client.v1.events.retrieve(events.data[0].id, options=on)
    assert event.object == "event" and event.request.id.startswith("req_")
    assert event.livemode is False and event.created


def test_deauthorized_account_is_forbidden(client, on, account):
    intent = client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    client.oauth.deauthorize({"stripe_user_id": account})
    with pytest.raises(stripe.PermissionError) as info:
        client.v1.payment_intents.retrieve(intent.id, options=on)
    assert info.value.http_status == 403


def test_set_down_raises_api_connection_error(emu):
    client = make_client(emu, retries=1)
    emu.set_down(True)
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        client.v1.accounts.list()
    assert time.monotonic() - started < 5
    emu.set_down(False)
    assert client.v1.accounts.list().object == "list"


def test_cors_preflight_and_headers(emu, client):
    answer = http("OPTIONS", emu.base_url + "/v1/payment_intents/pi_x/confirm",
                  headers={"Origin": "http://odoo.test:8069",
                           "Access-Control-Request-Method": "POST"})
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    allowed = answer.headers["Access-Control-Allow-Headers"]
    for name in ("Authorization", "Content-Type", "Stripe-Account", "Stripe-Version",
                 "Idempotency-Key"):
        assert name in allowed
    api = http("GET", emu.base_url + "/v1/accounts",
               headers={"Authorization": f"Bearer {emu.secret_key}"})
    assert api.headers["Access-Control-Allow-Origin"] == "*"


def test_reset_forgets_everything(emu, client):
    account = client.v1.accounts.create({})
    assert emu.get_object(account.id)["id"] == account.id
    emu.reset()
    assert emu.get_object(account.id) is None and emu.request_log == []
