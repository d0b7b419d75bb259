"""Connect OAuth: authorize, token, deauthorize."""

from urllib.parse import parse_qs, urlsplit

import pytest
import stripe
import stripe.oauth_error

from stripe_emulator.tests.helpers import http, make_client


def authorize(client, state="xyz"):
    url = client.oauth.authorize_url({"scope": "read_write", "state": state,
                                      "redirect_uri": "http://odoo.test/stripe/oauth"})
    answer = http("GET", url)
    assert answer.status == 302
    location = answer.headers["Location"]
    assert location.startswith("http://odoo.test/stripe/oauth?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_authorize_and_token(client, emu):
    query = authorize(client)
    assert query["code"].startswith("ac_") and query["state"] == "xyz"
    assert query["scope"] == "read_write"
    token = client.oauth.token({"grant_type": "authorization_code", "code": query["code"]})
    assert token.token_type == "bearer" and token.scope == "read_write"
    assert token.livemode is False and token.stripe_user_id.startswith("acct_")
    assert token.stripe_publishable_key.startswith("pk_test_")
    assert token.access_token.startswith("sk_test_") and token.refresh_token
    account = client.v1.accounts.retrieve(token.stripe_user_id)
    assert account.type == "standard" and account.charges_enabled and account.details_submitted
    # the access token acts on the connected account
    own = make_client(emu, key=token.access_token)
    assert own.v1.payment_intents.create({"amount": 100, "currency": "eur"}).livemode is False
    assert client.v1.payment_intents.list(
        options={"stripe_account": token.stripe_user_id}).data


def test_used_or_unknown_code(client):
    code = authorize(client)["code"]
    client.oauth.token({"grant_type": "authorization_code", "code": code})
    with pytest.raises(stripe.oauth_error.InvalidGrantError) as info:
        client.oauth.token({"grant_type": "authorization_code", "code": code})
    assert info.value.user_message == f"Authorization code does not exist: {code}"
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        client.oauth.token({"grant_type": "authorization_code", "code": "ac_nope"})
    with pytest.raises(stripe.oauth_error.UnsupportedGrantTypeError):
        client.oauth.token({"grant_type": "password", "code": "x"})


def test_deny_and_unknown_client(client, emu):
    emu.deny_next_authorization()
    query = authorize(client, state="s1")
    assert query == {"error": "access_denied", "state": "s1",
                     "error_description": "The user denied your request"}
    assert "code" in authorize(client)  # only the next one is denied
    answer = http("GET", f"{emu.base_url}/oauth/authorize?response_type=code&client_id=ca_x"
                         "&redirect_uri=http://a")
    assert answer.status == 400 and b"<html>" in answer.body


def test_deauthorize(client, emu, receiver):
    client.v1.webhook_endpoints.create({"url": receiver.url, "connect": True,
                                        "enabled_events": ["account.application.deauthorized"]})
    token = client.oauth.token({"grant_type": "authorization_code",
                                "code": authorize(client)["code"]})
    account_id = token.stripe_user_id
    answer = client.oauth.deauthorize({"stripe_user_id": account_id})
    assert answer.stripe_user_id == account_id
    with pytest.raises(stripe.PermissionError):
        client.v1.payment_intents.list(options={"stripe_account": account_id})
    with pytest.raises(stripe.AuthenticationError):
        make_client(emu, key=token.access_token).v1.payment_intents.list()
    receiver.wait_for(1)
    event = receiver.events()[0]
    assert event["type"] == "account.application.deauthorized"
    assert event["account"] == account_id
    assert event["data"]["object"] == {"id": emu.client_id, "object": "application",
                                       "name": "Stripe Emulator Platform"}
    with pytest.raises(stripe.oauth_error.InvalidClientError):
        client.oauth.deauthorize({"stripe_user_id": account_id})
    with pytest.raises(stripe.oauth_error.InvalidClientError):
        client.oauth.deauthorize({"stripe_user_id": "acct_unknown"})
