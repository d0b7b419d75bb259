"""Live mode: objects of live keys, fields Stripe does not have, live-only refusals."""

import json

import pytest
import stripe

from stripe_emulator.tests.helpers import http, make_client

LIVE_KEY = "sk_live_emulator"


@pytest.fixture
def live(emu):
    return make_client(emu, key=LIVE_KEY)


@pytest.fixture
def live_account(live):
    """An onboarded connected account made with the live key."""
    account = live.v1.accounts.create({"type": "express", "country": "BE"})
    link = live.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "https://shop.test/refresh", "return_url": "https://shop.test/return"})
    http("POST", link.url, form={"business_name": "Live shop"})
    return account.id


def test_live_account_and_refund_have_no_livemode(live, live_account, emu):
    account = live.v1.accounts.retrieve(live_account)
    assert account.charges_enabled and "livemode" not in account
    on = {"stripe_account": live_account}
    intent = live.v1.payment_intents.create({
        "amount": 5000, "currency": "eur", "payment_method": "pm_card_visa",
        "confirm": True}, on)
    assert intent.livemode is True
    refund = live.v1.refunds.create({"payment_intent": intent.id, "amount": 1000}, on)
    assert refund.status == "succeeded" and "livemode" not in refund
    assert "livemode" not in live.v1.refunds.retrieve(refund.id, options=on)
    assert all("livemode" not in r for r in live.v1.refunds.list(
        {"payment_intent": intent.id}, on).data)
    # Still a live object: invisible to the test key, its events are live events.
    with pytest.raises(stripe.InvalidRequestError) as info:
        make_client(emu).v1.refunds.retrieve(refund.id, options=on)
    assert info.value.http_status == 404
    event = live.v1.events.list({"type": "refund.created"}, on).data[0]
    assert event.livemode is True and "livemode" not in event.data.object
    assert event.data.object.id == refund.id


# -- https only in live mode ---------------------------------------------------------------
def test_live_webhook_endpoint_must_be_https(live, client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        live.v1.webhook_endpoints.create({"url": "http://shop.test/hook", "connect": True,
                                          "enabled_events": ["*"]})
    assert info.value.http_status == 400 and info.value.code is None
    assert info.value.user_message == ('Invalid URL: http://shop.test/hook. URLs in livemode '
                                       'must begin with "https://"')
    endpoint = live.v1.webhook_endpoints.create({"url": "https://shop.test/hook",
                                                 "connect": True, "enabled_events": ["*"]})
    assert endpoint.livemode is True
    with pytest.raises(stripe.InvalidRequestError):
        live.v1.webhook_endpoints.update(endpoint.id, {"url": "http://shop.test/other"})
    assert live.v1.webhook_endpoints.retrieve(endpoint.id).url == "https://shop.test/hook"
    # Test mode takes http URLs, as Stripe's test mode does.
    assert client.v1.webhook_endpoints.create({"url": "http://shop.test/hook",
                                               "enabled_events": ["*"]}).livemode is False


@pytest.mark.parametrize("field", ["refresh_url", "return_url"])
def test_live_account_link_urls_must_be_https(live, client, field):
    account = live.v1.accounts.create({"type": "express"})
    urls = {"refresh_url": "https://shop.test/refresh", "return_url": "https://shop.test/back"}
    urls[field] = urls[field].replace("https://", "http://")
    with pytest.raises(stripe.InvalidRequestError) as info:
        live.v1.account_links.create({"account": account.id, "type": "account_onboarding",
                                      **urls})
    assert info.value.user_message == "Livemode requests must always be redirected via HTTPS."
    assert info.value.http_status == 400 and info.value.param is None
    assert client.v1.account_links.create({"account": account.id,
                                           "type": "account_onboarding", **urls}).url


def _authorize(emu, client_id, redirect_uri):
    return http("GET", f"{emu.base_url}/oauth/authorize?response_type=code&scope=read_write"
                       f"&client_id={client_id}&redirect_uri={redirect_uri}&state=s1")


def test_live_oauth_redirect_must_be_https(emu, live, client):
    refused = _authorize(emu, emu.live_client_id, "http://shop.test/oauth")
    assert refused.status == 400 and "Location" not in refused.headers
    assert b"invalid_redirect_uri" in refused.body
    answer = _authorize(emu, emu.live_client_id, "https://shop.test/oauth")
    assert answer.status == 302
    location = answer.headers["Location"]
    assert location.startswith("https://shop.test/oauth?code=ac_")
    code = location.split("code=")[1].split("&")[0]
    # A live code is not a test one: the test key cannot exchange it.
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        client.oauth.token({"grant_type": "authorization_code", "code": code})
    token = live.oauth.token({"grant_type": "authorization_code", "code": code})
    assert token.livemode is True and token.access_token.startswith("sk_live_")
    # The test client id still takes http redirects (test mode).
    assert _authorize(emu, emu.client_id, "http://shop.test/oauth").status == 302


# -- public addresses mapped to local ones -------------------------------------------------
def test_mapped_public_url_receives_live_deliveries(emu, live, live_account, receiver):
    emu.map_public_url("https://shop.example.com/", receiver.url)
    assert emu.public_urls == {"https://shop.example.com": receiver.url}
    endpoint = live.v1.webhook_endpoints.create({
        "url": "https://shop.example.com/stripe/webhook", "connect": True,
        "enabled_events": ["payment_intent.created"]})
    assert endpoint.url == "https://shop.example.com/stripe/webhook"
    live.v1.payment_intents.create({"amount": 1000, "currency": "eur"},
                                   {"stripe_account": live_account})
    received = receiver.wait_for(1)
    assert [r["path"] for r in received] == ["/stripe/webhook"]
    event = stripe.Webhook.construct_event(received[0]["body"],
                                           received[0]["headers"]["Stripe-Signature"],
                                           endpoint.secret)
    assert event.livemode is True and event.type == "payment_intent.created"
    emu.wait_for_deliveries(3)
    record = emu.deliveries[-1]
    assert record["url"] == endpoint.url and record["status"] == 200
    assert record["target"] == receiver.url + "/stripe/webhook"
    emu.reset()
    assert emu.public_urls == {"https://shop.example.com": receiver.url}  # configuration


def test_mapped_public_url_for_page_redirects_and_over_http(emu, live):
    answer = http("POST", emu.base_url + "/_emulator/public_urls",
                  json_body={"public": "https://shop.example.com",
                             "local": "http://127.0.0.1:8069"})
    assert answer.status == 200
    assert answer.json()["public_urls"] == {"https://shop.example.com": "http://127.0.0.1:8069"}
    assert http("GET", emu.base_url + "/_emulator/public_urls").json()["public_urls"] == {
        "https://shop.example.com": "http://127.0.0.1:8069"}
    account = live.v1.accounts.create({"type": "express"})
    link = live.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "https://shop.example.com/refresh?x=1",
        "return_url": "https://shop.example.com/return"})
    done = http("POST", link.url, form={"business_name": "Mapped"})
    assert done.status == 303 and done.headers["Location"] == "http://127.0.0.1:8069/return"
    again = http("GET", link.url)
    assert again.headers["Location"] == "http://127.0.0.1:8069/refresh?x=1"
    oauth = _authorize(emu, emu.live_client_id, "https://shop.example.com/oauth")
    assert oauth.headers["Location"].startswith("http://127.0.0.1:8069/oauth?code=")
    # Only that base: another host, or a longer host name, is left alone.
    other = _authorize(emu, emu.live_client_id, "https://shop.example.company/oauth")
    assert other.headers["Location"].startswith("https://shop.example.company/oauth?")
    assert http("POST", emu.base_url + "/_emulator/public_urls",
                json_body={"public": "https://shop.example.com"}).status == 200
    assert emu.public_urls == {}
    assert http("POST", emu.base_url + "/_emulator/public_urls", json_body={}).status == 400


# -- Connect endpoints and modes -----------------------------------------------------------
def test_live_connect_endpoint_also_gets_test_events(emu, live, on, live_account, receiver):
    client = make_client(emu)
    live.v1.webhook_endpoints.create({"url": "https://live.example.com/connect",
                                      "connect": True, "enabled_events": ["*"]})
    live.v1.webhook_endpoints.create({"url": "https://live.example.com/platform",
                                      "enabled_events": ["*"]})
    client.v1.webhook_endpoints.create({"url": receiver.url + "/test-connect",
                                        "connect": True, "enabled_events": ["*"]})
    emu.map_public_url("https://live.example.com", receiver.url)
    test_intent = client.v1.payment_intents.create({"amount": 700, "currency": "eur"}, on)
    live_intent = live.v1.payment_intents.create({"amount": 800, "currency": "eur"},
                                                 {"stripe_account": live_account})
    client.v1.payment_intents.create({"amount": 900, "currency": "eur"})  # test platform
    live.v1.payment_intents.create({"amount": 950, "currency": "eur"})  # live platform
    emu.wait_for_deliveries(3)
    seen = sorted((r["path"], json.loads(r["body"])["data"]["object"]["amount"],
                   json.loads(r["body"])["livemode"]) for r in receiver.received)
    assert seen == [("/connect", 700, False), ("/connect", 800, True),
                    ("/platform", 950, True), ("/test-connect", 700, False)]
    assert test_intent.livemode is False and live_intent.livemode is True
