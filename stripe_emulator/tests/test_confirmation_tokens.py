"""ConfirmationTokens (Stripe.js and the test helper) and PaymentIntents confirmed with them:
the "finalize payments on the server" flow."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from stripe_emulator.resources.confirmation_tokens import EXPIRED, USED
from stripe_emulator.resources.payment_intents import RETURN_URL_REQUIRED
from stripe_emulator.tests.helpers import http, make_client, stripe_js

RETURN = "https://shop.example.com/pay/return"
CARD = {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12,
                                 "exp_year": time.gmtime().tm_year + 2, "cvc": "123"}}


def browser_token(emu, account, data=CARD, **params):
    """What ``stripe.createConfirmationToken`` sends: a publishable key, Stripe-Account."""
    answer = stripe_js(emu, "POST", "/v1/confirmation_tokens",
                       {"payment_method_data": data, **params}, account=account)
    assert answer.status == 200, answer.body
    return answer.json()


def helper_token(client, on, **params):
    return client.v1.test_helpers.confirmation_tokens.create(params, on)


def pay(client, on, token_id, **params):
    values = {"amount": 2500, "currency": "eur", "automatic_payment_methods": {"enabled": True},
              "confirm": True, "confirmation_token": token_id, "return_url": RETURN}
    values.update(params)
    return client.v1.payment_intents.create({k: v for k, v in values.items() if v is not None},
                                            on)


def test_test_helper_token_shape_and_retrieve(client, on, emu):
    token = helper_token(client, on, payment_method="pm_card_visa", return_url=RETURN)
    assert token.id.startswith("ctoken_") and token.object == "confirmation_token"
    assert token.expires_at - token.created == 12 * 3600
    assert token.livemode is False and token.use_stripe_sdk is True
    assert token.payment_intent is None and token.setup_intent is None
    assert token.return_url == RETURN
    preview = token.payment_method_preview
    assert preview.type == "card" and (preview.card.brand, preview.card.last4) == ("visa", "4242")
    assert preview.billing_details.email is None
    again = client.v1.confirmation_tokens.retrieve(token.id, options=on)
    assert again.id == token.id and again.expires_at == token.expires_at
    # Scoped to the account: not visible from the platform, nor to a publishable key.
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.confirmation_tokens.retrieve(token.id)
    assert info.value.http_status == 404
    with pytest.raises(stripe.AuthenticationError):
        make_client(emu, key=emu.publishable_key).v1.confirmation_tokens.retrieve(token.id,
                                                                                  options=on)


def test_stripe_js_token_with_publishable_key_only(emu, client, on, account):
    token = browser_token(emu, account, return_url=RETURN,
                          data={**CARD, "billing_details": {"email": "c@example.com"}})
    assert token["payment_method_preview"]["card"]["last4"] == "4242"
    assert token["payment_method_preview"]["billing_details"]["email"] == "c@example.com"
    assert client.v1.confirmation_tokens.retrieve(token["id"], options=on).return_url == RETURN
    # The endpoint is Stripe.js's: a secret key finds no such URL.
    secret = http("POST", emu.base_url + "/v1/confirmation_tokens",
                  form={"payment_method_data[type]": "card"},
                  headers={"Authorization": f"Bearer {emu.secret_key}", "Stripe-Account": account})
    assert secret.status == 404 and "Unrecognized request URL" in secret.json()["error"]["message"]
    # Raw card numbers: Stripe.js only; the secret-key test helper refuses them.
    with pytest.raises(stripe.InvalidRequestError) as info:
        helper_token(client, on, payment_method_data=CARD)
    assert "Sending credit card numbers directly" in info.value.user_message
    # A number that is not a test card is refused as Stripe does (card_error).
    wrong = stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        **CARD, "card": {**CARD["card"], "number": "4242424242424241"}}}, account=account)
    assert wrong.status == 402 and wrong.json()["error"]["code"] == "incorrect_number"
    expired = stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        **CARD, "card": {**CARD["card"], "exp_year": 2001}}}, account=account)
    assert expired.json()["error"]["code"] == "invalid_expiry_year"


def test_create_and_confirm_with_token_succeeds_once(client, on, emu, account):
    token = browser_token(emu, account)
    intent = pay(client, on, token["id"], expand=["latest_charge"])
    assert intent.status == "succeeded" and intent.amount_received == 2500
    assert intent.payment_method.startswith("pm_")
    assert intent.latest_charge.payment_method_details.card.last4 == "4242"
    method = client.v1.payment_methods.retrieve(intent.payment_method, options=on)
    assert method.card.brand == "visa"
    used = client.v1.confirmation_tokens.retrieve(token["id"], options=on)
    assert used.payment_intent == intent.id and used.expires_at is None
    # Single use: a second PaymentIntent with the same token is refused, and not created.
    count = len(client.v1.payment_intents.list({}, on).data)
    with pytest.raises(stripe.InvalidRequestError) as info:
        pay(client, on, token["id"])
    assert info.value.param == "confirmation_token" and info.value.user_message == USED
    assert len(client.v1.payment_intents.list({}, on).data) == count
    types = [e.type for e in client.v1.events.list({"limit": 3}, on).data]
    assert types == ["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"]


def test_confirm_existing_intent_with_token_and_precedence(client, on, emu, account):
    intent = client.v1.payment_intents.create({
        "amount": 1200, "currency": "eur", "automatic_payment_methods": {"enabled": True}}, on)
    declined = helper_token(client, on, payment_method="pm_card_chargeDeclined")
    # A payment_method given with the token wins, as Stripe documents.
    done = client.v1.payment_intents.confirm(intent.id, {
        "confirmation_token": declined.id, "payment_method": "pm_card_visa",
        "return_url": RETURN}, on)
    assert done.status == "succeeded"
    assert client.v1.confirmation_tokens.retrieve(declined.id, options=on).payment_intent \
        == intent.id


def test_token_of_another_account_or_mode_is_unknown(client, on, emu, account):
    other = client.v1.accounts.create({"type": "express", "country": "BE"}).id
    theirs = browser_token(emu, other)
    platform = browser_token(emu, None)
    for token_id in (theirs["id"], platform["id"]):
        with pytest.raises(stripe.InvalidRequestError) as info:
            pay(client, on, token_id)
        assert info.value.code == "resource_missing" and info.value.param == "confirmation_token"
        assert info.value.http_status == 400
    live = make_client(emu, key="sk_live_emulator")
    with pytest.raises(stripe.InvalidRequestError) as info:
        pay(live, on, helper_token(client, on, payment_method="pm_card_visa").id)
    assert info.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as info:
        helper_token(live, on, payment_method="pm_card_visa")
    assert "test mode" in info.value.user_message
    assert client.v1.payment_intents.list({}, on).data == []


def test_expired_token_is_refused(client, on, emu):
    token = helper_token(client, on, payment_method="pm_card_visa")
    assert emu.expire_confirmation_tokens(token.id) == 1
    assert client.v1.confirmation_tokens.retrieve(token.id, options=on).expires_at <= time.time()
    with pytest.raises(stripe.InvalidRequestError) as info:
        pay(client, on, token.id)
    assert info.value.param == "confirmation_token" and info.value.user_message == EXPIRED
    assert client.v1.payment_intents.list({}, on).data == []


def test_return_url_rule(client, on, emu, account):
    token = browser_token(emu, account)
    with pytest.raises(stripe.InvalidRequestError) as info:
        pay(client, on, token["id"], return_url=None)
    assert info.value.user_message == RETURN_URL_REQUIRED
    assert client.v1.payment_intents.list({}, on).data == []  # nothing was created
    # ... and the token was not used by the refused request.
    assert pay(client, on, token["id"], return_url=None,
               automatic_payment_methods={"enabled": True, "allow_redirects": "never"}
               ).status == "succeeded"
    # A return_url given to Stripe.js travels on the token.
    carried = browser_token(emu, account, return_url=RETURN)
    assert pay(client, on, carried["id"], return_url=None).status == "succeeded"
    # Card-only PaymentIntents need none.
    bare = browser_token(emu, account)
    assert pay(client, on, bare["id"], return_url=None, automatic_payment_methods=None,
               payment_method_types=["card"]).status == "succeeded"


@pytest.mark.parametrize("params, param", [
    ({"confirmation_token": "ctoken_x"}, "confirmation_token"),
    ({"return_url": RETURN}, "return_url"),
])
def test_confirm_only_parameters_need_confirm(client, on, params, param):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.create({"amount": 900, "currency": "eur", **params}, on)
    assert info.value.param == param
    assert client.v1.payment_intents.list({}, on).data == []


def test_decline_at_create_with_confirm(client, on, emu, account):
    token = browser_token(emu, account, data={**CARD, "card": {**CARD["card"],
                                                               "number": "4000000000000002"}})
    with pytest.raises(stripe.CardError) as info:
        pay(client, on, token["id"], metadata={"invoice": "INV/7"})
    error = info.value
    assert error.http_status == 402 and error.code == "card_declined"
    assert error.error.decline_code == "generic_decline"
    failed = error.error.payment_intent
    assert failed.id.startswith("pi_") and failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "card_declined"
    assert failed.metadata["invoice"] == "INV/7"
    kept = client.v1.payment_intents.retrieve(failed.id, options=on)
    assert kept.status == "requires_payment_method" and kept.amount == 2500
    assert client.v1.confirmation_tokens.retrieve(token["id"], options=on).payment_intent \
        == failed.id
    types = [e.type for e in client.v1.events.list({"limit": 3}, on).data]
    assert types == ["payment_intent.payment_failed", "charge.failed", "payment_intent.created"]
    # The customer tries again with a new token on the same PaymentIntent.
    again = client.v1.payment_intents.confirm(failed.id, {
        "confirmation_token": browser_token(emu, account)["id"], "return_url": RETURN}, on)
    assert again.status == "succeeded"


def test_three_d_secure_with_token_is_for_stripe_js(client, on, emu, account):
    token = browser_token(emu, account, data={**CARD, "card": {**CARD["card"],
                                                               "number": "4000002760003184"}})
    intent = pay(client, on, token["id"])
    assert intent.status == "requires_action"
    action = intent.next_action
    assert action.type == "use_stripe_sdk" and "redirect_to_url" not in action
    sdk = action.use_stripe_sdk
    assert sdk["type"] == "three_d_secure_redirect" and sdk["source"].startswith("src_")
    assert client.v1.events.list({"limit": 1}, on).data[0].type == \
        "payment_intent.requires_action"
    page = http("GET", sdk["stripe_js"])
    assert b"Complete authentication" in page.body and b'name="sdk"' in page.body
    done = http("POST", urlsplit(sdk["stripe_js"])._replace(query="").geturl(),
                form={"outcome": "complete", "sdk": "1"})
    assert done.status == 200 and b"stripe-emulator:3ds" in done.body  # no redirect
    assert b"succeeded" in done.body
    assert client.v1.payment_intents.retrieve(intent.id, options=on).status == "succeeded"


def test_three_d_secure_without_sdk_still_redirects(client, on, emu):
    intent = client.v1.payment_intents.create({
        "amount": 900, "currency": "eur", "payment_method_types": ["card"], "confirm": True,
        "payment_method": "pm_card_authenticationRequired", "return_url": RETURN}, on)
    assert intent.next_action.type == "redirect_to_url"
    emu.map_public_url("https://shop.example.com", "http://127.0.0.1:9")
    done = http("POST", intent.next_action.redirect_to_url.url, form={"outcome": "fail"})
    location = urlsplit(done.headers["Location"])
    assert location.netloc == "127.0.0.1:9"
    assert parse_qs(location.query)["redirect_status"] == ["failed"]
    failed = client.v1.payment_intents.retrieve(intent.id, options=on)
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"


def test_bank_debit_with_token(client, on, emu, account):
    sepa = {"type": "sepa_debit", "sepa_debit": {"iban": "DE89370400440532013000"},
            "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"}}
    intent = pay(client, on, browser_token(emu, account, data=sepa)["id"])
    assert intent.status == "processing"
    assert emu.settle_payment_intent(intent.id)["status"] == "succeeded"
    method = client.v1.payment_methods.retrieve(intent.payment_method, options=on)
    assert method.sepa_debit.last4 == "3000" and method.billing_details.name == "Jenny Rosen"
    missing = stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        **sepa, "billing_details": {"email": "jenny@example.com"}}}, account=account)
    assert missing.status == 400
    assert missing.json()["error"]["param"] == "payment_method_data[billing_details][name]"
    bad = stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        **sepa, "sepa_debit": {"iban": "DE00123"}}}, account=account)
    assert bad.json()["error"]["code"] == "invalid_bank_account_iban"


def test_token_carries_shipping_to_the_intent(client, on, emu, account):
    token = browser_token(emu, account, shipping={
        "name": "Jenny Rosen", "address": {"line1": "1 Rue X", "city": "Lisboa",
                                           "country": "PT"}})
    assert token["shipping"]["address"]["postal_code"] is None
    intent = pay(client, on, token["id"])
    assert intent.shipping.name == "Jenny Rosen" and intent.shipping.address.city == "Lisboa"


def test_mandate_and_future_usage_and_expiry_over_http(client, on, emu, account):
    token = browser_token(emu, account, setup_future_usage="off_session", mandate_data={
        "customer_acceptance": {"type": "online", "online": {
            "ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"}}})
    assert token["setup_future_usage"] == "off_session"
    assert token["mandate_data"]["customer_acceptance"]["online"]["ip_address"] == "203.0.113.7"
    wrong = stripe_js(emu, "POST", "/v1/confirmation_tokens", {
        "payment_method_data": CARD, "setup_future_usage": "sometimes"}, account=account)
    assert wrong.status == 400 and wrong.json()["error"]["param"] == "setup_future_usage"
    answer = http("POST", emu.base_url + "/_emulator/confirmation_tokens/expire")
    assert answer.json() == {"expired": 1}
    with pytest.raises(stripe.InvalidRequestError) as info:
        pay(client, on, token["id"])
    assert info.value.user_message == EXPIRED
