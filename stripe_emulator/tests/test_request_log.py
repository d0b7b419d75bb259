"""The request log proves what a server sent to Stripe, and what Stripe.js sent."""

from stripe_emulator.tests.helpers import http, stripe_js


def test_each_call_is_logged_with_its_key_kind(emu, client, on, account):
    intent = client.v1.payment_intents.create({"amount": 900, "currency": "eur"}, on)
    stripe_js(emu, "GET", f"/v1/payment_intents/{intent.id}",
              {"client_secret": intent.client_secret}, account=account)
    http("GET", emu.base_url + "/v1/charges", headers={"Authorization": "Bearer sk_test_nope"})
    secret, publishable, invalid = emu.request_log[-3:]
    assert (secret["method"], secret["path"], secret["account"], secret["key_kind"],
            secret["livemode"], secret["status"]) == \
        ("POST", "/v1/payment_intents", account, "secret", False, 200)
    assert secret["params"] == {"amount": "900", "currency": "eur"}
    assert (publishable["key_kind"], publishable["method"]) == ("publishable", "GET")
    assert publishable["params"]["client_secret"] == intent.client_secret
    assert (invalid["key_kind"], invalid["status"]) == (None, 401)


def test_filters_count_what_the_server_made(emu, client, on, account):
    for _ in range(3):
        client.v1.payment_intents.list({}, on)
    client.v1.payment_intents.create({"amount": 900, "currency": "eur"}, on)
    stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        "type": "multibanco", "billing_details": {"email": "c@example.com"}}}, account=account)
    made = emu.api_calls(method="post", path="/v1/payment_intents", key_kind="secret")
    assert len(made) == 1 and made[0]["account"] == account
    assert len(emu.api_calls(key_kind="publishable")) == 1
    assert len(emu.api_calls(method="GET", path="/v1/payment_intents", account=account)) == 3
    intent_id = client.v1.payment_intents.list({"limit": 1}, on).data[0].id
    client.v1.payment_intents.retrieve(intent_id, options=on)
    assert len(emu.api_calls(path_prefix="/v1/payment_intents/")) == 1
    assert len(emu.api_calls(method="POST", path="/v1/payment_intents")) == 1
    over_http = http("GET", emu.base_url + "/_emulator/requests?key_kind=secret&method=POST"
                            "&path_prefix=/v1/payment_intents").json()["data"]
    assert [entry["request_id"] for entry in over_http] == [made[0]["request_id"]]
    # The stand-in's own routes are not Stripe's API: they are not logged.
    count = len(emu.request_log)
    stripe_js(emu, "GET", "/_stripejs/wallets", {"hostname": "shop.example.com"},
              account=account)
    assert len(emu.request_log) == count
