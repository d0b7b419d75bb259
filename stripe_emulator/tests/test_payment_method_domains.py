"""Payment method domains, and the wallets the Stripe.js stand-in shows on them."""

import pytest
import stripe

from stripe_emulator.tests.helpers import http, make_client, stripe_js

RETURN = "https://shop.example.com/pay/return"


def wallets(emu, account, hostname, key=None):
    answer = stripe_js(emu, "GET", "/_stripejs/wallets", {"hostname": hostname},
                       account=account, key=key)
    return answer.status, answer.json()


def test_create_list_retrieve_update_validate(client, on):
    domain = client.v1.payment_method_domains.create({"domain_name": "Pay.Example.com"}, on)
    assert domain.id.startswith("pmd_") and domain.object == "payment_method_domain"
    assert domain.domain_name == "pay.example.com" and domain.enabled is True
    assert domain.livemode is False
    for wallet in ("apple_pay", "google_pay", "link", "paypal", "amazon_pay", "klarna"):
        assert domain[wallet].status == "active" and domain[wallet].status_details is None
    assert client.v1.payment_method_domains.retrieve(domain.id, options=on).id == domain.id
    listed = client.v1.payment_method_domains.list({"domain_name": "pay.example.com"}, on)
    assert [d.id for d in listed.data] == [domain.id]
    disabled = client.v1.payment_method_domains.update(domain.id, {"enabled": False}, on)
    assert disabled.enabled is False
    assert client.v1.payment_method_domains.list({"enabled": True}, on).data == []
    assert client.v1.payment_method_domains.validate(domain.id, options=on).id == domain.id
    # Per account and mode: the platform and live mode do not see it.
    assert client.v1.payment_method_domains.list().data == []
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_method_domains.retrieve(domain.id)


def test_live_domains_are_apart(client, on, emu):
    live = make_client(emu, key="sk_live_emulator")
    made = live.v1.payment_method_domains.create({"domain_name": "pay.example.com"}, on)
    assert made.livemode is True
    # The same name in test mode is another registration, not a duplicate.
    assert client.v1.payment_method_domains.create({"domain_name": "pay.example.com"},
                                                   on).livemode is False
    assert len(live.v1.payment_method_domains.list({}, on).data) == 1


@pytest.mark.parametrize("name", [
    "https://pay.example.com", "http://pay.example.com", "pay.example.com/pay",
    "pay.example.com?x=1", "pay.example.com:8069", "127.0.0.1", "[::1]", "::1",
    "localhost", "shop.localhost", "*.example.com", "example", "pay_shop.example.com",
    "-pay.example.com", "pay.example.123", "",
])
def test_refused_domains(client, on, name):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_method_domains.create({"domain_name": name}, on)
    assert info.value.param == "domain_name" and info.value.http_status == 400
    assert client.v1.payment_method_domains.list({}, on).data == []


def test_duplicates_are_refused(client, on):
    first = client.v1.payment_method_domains.create({"domain_name": "pay.example.com"}, on)
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_method_domains.create({"domain_name": "PAY.example.com"}, on)
    assert info.value.code == "resource_already_exists" and first.id in info.value.user_message
    # Another account may register the same domain.
    other = client.v1.accounts.create({"type": "express"}).id
    assert client.v1.payment_method_domains.create(
        {"domain_name": "pay.example.com"}, {"stripe_account": other}).id != first.id


def test_wallet_status_control(client, on, emu):
    domain = client.v1.payment_method_domains.create({"domain_name": "pay.example.com"}, on)
    emu.set_payment_method_domain_status(domain.id, "apple_pay", "inactive")
    validated = client.v1.payment_method_domains.validate(domain.id, options=on)
    assert validated.apple_pay.status == "inactive"
    assert "pay.example.com" in validated.apple_pay.status_details.error_message
    assert validated.google_pay.status == "active"
    answer = http("POST", f"{emu.base_url}/_emulator/payment_method_domains/{domain.id}/status",
                  form={"wallet": "apple_pay", "status": "active"})
    assert answer.json()["apple_pay"] == {"status": "active", "status_details": None}
    with pytest.raises(ValueError):
        emu.set_payment_method_domain_status(domain.id, "cash", "active")


def test_stand_in_shows_wallets_only_on_registered_domains(client, on, emu, account):
    assert wallets(emu, account, "pay.example.com") == (200, {
        "apple_pay": False, "google_pay": False, "payment_method_domain": None})
    domain = client.v1.payment_method_domains.create({"domain_name": "pay.example.com"}, on)
    status, body = wallets(emu, account, "pay.example.com")
    assert status == 200 and body["google_pay"] and body["apple_pay"]
    assert body["payment_method_domain"] == domain.id
    assert not wallets(emu, account, "other.example.com")[1]["google_pay"]
    assert not wallets(emu, None, "pay.example.com")[1]["google_pay"]  # the platform's
    emu.set_payment_method_domain_status(domain.id, "apple_pay", "inactive")
    assert wallets(emu, account, "pay.example.com")[1] == {
        "apple_pay": False, "google_pay": True, "payment_method_domain": domain.id}
    client.v1.payment_method_domains.update(domain.id, {"enabled": False}, on)
    assert not wallets(emu, account, "pay.example.com")[1]["google_pay"]
    # The stand-in's routes take a publishable key and the account's rules.
    assert wallets(emu, account, "pay.example.com", key=emu.secret_key)[0] == 400
    assert wallets(emu, account, "pay.example.com", key="pk_test_nope")[0] == 401
    assert wallets(emu, "acct_nope", "pay.example.com")[0] == 403


def test_pay_with_a_wallet(client, on, emu, account):
    client.v1.payment_method_domains.create({"domain_name": "pay.example.com"}, on)
    refused = stripe_js(emu, "POST", "/_stripejs/wallets/google_pay/tokens",
                        {"hostname": "evil.example.com"}, account=account)
    assert refused.status == 400
    wallet_token = stripe_js(emu, "POST", "/_stripejs/wallets/google_pay/tokens",
                             {"hostname": "pay.example.com"}, account=account).json()["id"]
    assert wallet_token.startswith("tok_")
    answer = stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        "type": "card", "card": {"token": wallet_token}}}, account=account)
    token = answer.json()
    assert token["payment_method_preview"]["card"]["wallet"]["type"] == "google_pay"
    intent = client.v1.payment_intents.create({
        "amount": 2500, "currency": "eur", "automatic_payment_methods": {"enabled": True},
        "confirm": True, "confirmation_token": token["id"], "return_url": RETURN,
        "expand": ["latest_charge"]}, on)
    assert intent.status == "succeeded"
    assert intent.latest_charge.payment_method_details.card.wallet.type == "google_pay"
    method = client.v1.payment_methods.retrieve(intent.payment_method, options=on)
    assert method.type == "card" and method.card.wallet.type == "google_pay"
    # A wallet token is used once, by its account only.
    again = stripe_js(emu, "POST", "/v1/confirmation_tokens", {"payment_method_data": {
        "type": "card", "card": {"token": wallet_token}}}, account=account)
    assert again.status == 400 and again.json()["error"]["code"] == "resource_missing"
