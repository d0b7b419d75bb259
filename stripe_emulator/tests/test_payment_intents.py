"""PaymentIntents with every test payment method, and their state rules."""

from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from stripe_emulator.tests.helpers import http, make_client

RETURN = "http://shop.test/return"


def create(client, on, **params):
    values = {"amount": 2500, "currency": "eur", "automatic_payment_methods": {"enabled": True}}
    values.update(params)
    return client.v1.payment_intents.create(values, on)


def confirm(client, on, intent_id, **params):
    """Confirm as a server does: with a return_url (automatic payment methods need one)."""
    return client.v1.payment_intents.confirm(intent_id, {"return_url": RETURN, **params}, on)


def test_create_shape(client, on):
    intent = create(client, on, metadata={"invoice": "INV/1"}, description="Invoice",
                    receipt_email="c@example.com", application_fee_amount=100)
    assert intent.id.startswith("pi_") and intent.object == "payment_intent"
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert intent.amount_received == 0 and intent.latest_charge is None
    assert intent.last_payment_error is None and intent.next_action is None
    assert intent.application_fee_amount == 100 and intent.metadata["invoice"] == "INV/1"
    assert intent.automatic_payment_methods.enabled is True and intent.livemode is False
    listed = client.v1.payment_intents.list({"limit": 1}, on)
    assert [i.id for i in listed.data] == [intent.id]


@pytest.mark.parametrize("params, param", [
    ({"amount": 0}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"currency": "euro"}, "currency"),
    ({"application_fee_amount": 99999}, "application_fee_amount"),
    ({"payment_method": "pm_nope"}, "payment_method"),
    ({"payment_method_types": ["card"]}, "payment_method_types"),
    ({"foo": "bar"}, "foo"),
])
def test_create_validation(client, on, params, param):
    with pytest.raises(stripe.InvalidRequestError) as info:
        create(client, on, **params)
    assert info.value.param == param and info.value.http_status == 400


def test_application_fee_needs_connected_account(client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.create({"amount": 1000, "currency": "eur",
                                          "application_fee_amount": 10})
    assert info.value.param == "application_fee_amount"
    assert client.v1.payment_intents.create({"amount": 1000, "currency": "EUR"}).currency == "eur"


def test_scoping_between_accounts(client, on, account):
    intent = create(client, on)
    other = client.v1.accounts.create({"type": "express"}).id
    for options in ({}, {"stripe_account": other}):
        with pytest.raises(stripe.InvalidRequestError) as info:
            client.v1.payment_intents.retrieve(intent.id, options=options)
        assert info.value.http_status == 404 and info.value.code == "resource_missing"
        assert info.value.user_message == f"No such payment_intent: '{intent.id}'"
    assert client.v1.payment_intents.retrieve(intent.id, options=on).id == intent.id


def test_confirm_visa_succeeds(client, on, emu):
    intent = create(client, on, application_fee_amount=150, receipt_email="r@example.com")
    intent = confirm(client, on, intent.id, payment_method="pm_card_visa",
                     expand=["latest_charge"])
    assert intent.status == "succeeded" and intent.amount_received == 2500
    charge = intent.latest_charge
    assert charge.id.startswith("ch_") and charge.object == "charge"
    assert charge.amount == charge.amount_captured == 2500 and charge.amount_refunded == 0
    assert charge.paid and charge.captured and not charge.refunded and not charge.disputed
    assert charge.status == "succeeded" and charge.payment_intent == intent.id
    assert charge.application_fee_amount == 150 and charge.balance_transaction.startswith("txn_")
    assert charge.payment_method_details.type == "card"
    card = charge.payment_method_details.card
    assert (card.brand, card.last4) == ("visa", "4242") and card.exp_year > 2000
    assert charge.receipt_email == "r@example.com" and charge.currency == "eur"
    plain = client.v1.payment_intents.retrieve(intent.id, options=on)
    assert plain.latest_charge == charge.id
    assert client.v1.charges.retrieve(charge.id, options=on).amount == 2500
    types = [e.type for e in client.v1.events.list({"limit": 3}, on).data]
    assert types[:2] == ["payment_intent.succeeded", "charge.succeeded"]


def test_confirm_on_create(client, on):
    intent = create(client, on, payment_method="pm_card_visa", confirm=True,
                    return_url="http://shop.test/done")
    assert intent.status == "succeeded"


def test_declined_card(client, on):
    intent = create(client, on)
    with pytest.raises(stripe.CardError) as info:
        confirm(client, on, intent.id, payment_method="pm_card_chargeDeclined")
    error = info.value
    assert error.http_status == 402 and error.code == "card_declined"
    assert error.error.decline_code == "generic_decline"
    assert error.user_message == "Your card was declined."
    assert error.error.payment_intent.id == intent.id
    assert error.error.payment_intent.status == "requires_payment_method"
    intent = client.v1.payment_intents.retrieve(intent.id, options=on)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert intent.last_payment_error.decline_code == "generic_decline"
    types = [e.type for e in client.v1.events.list({"limit": 2}, on).data]
    assert types == ["payment_intent.payment_failed", "charge.failed"]
    # a new attempt can still succeed
    assert confirm(client, on, intent.id, payment_method="pm_card_visa").status == "succeeded"


def test_three_d_secure_complete(client, on):
    intent = create(client, on)
    intent = client.v1.payment_intents.confirm(intent.id, {
        "payment_method": "pm_card_authenticationRequired",
        "return_url": "http://shop.test/return?x=1"}, on)
    assert intent.status == "requires_action"
    action = intent.next_action
    assert action.type == "redirect_to_url"
    assert action.redirect_to_url.return_url == "http://shop.test/return?x=1"
    page = http("GET", action.redirect_to_url.url)
    assert b"Complete authentication" in page.body and b"Fail authentication" in page.body
    done = http("POST", action.redirect_to_url.url, form={"outcome": "complete"})
    assert done.status == 303
    location = urlsplit(done.headers["Location"])
    query = parse_qs(location.query)
    assert location.path == "/return" and query["x"] == ["1"]
    assert query["payment_intent"] == [intent.id]
    assert query["payment_intent_client_secret"] == [intent.client_secret]
    assert query["redirect_status"] == ["succeeded"]
    assert client.v1.payment_intents.retrieve(intent.id, options=on).status == "succeeded"


def test_three_d_secure_fail(client, on):
    intent = create(client, on, payment_method="pm_card_authenticationRequired", confirm=True,
                    return_url="http://shop.test/return")
    done = http("POST", intent.next_action.redirect_to_url.url, form={"outcome": "fail"})
    assert "redirect_status=failed" in done.headers["Location"]
    intent = client.v1.payment_intents.retrieve(intent.id, options=on)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "payment_intent_authentication_failure"
    assert client.v1.events.list({"limit": 1}, on).data[0].type == \
        "payment_intent.payment_failed"


@pytest.mark.parametrize("outcome", [
    (True, "succeeded", "payment_intent.succeeded"),
    (False, "requires_payment_method", "payment_intent.payment_failed"),
])
def test_bank_debit_processing_then_settled(client, on, emu, outcome):
    succeed, status, event = outcome
    intent = create(client, on)
    intent = confirm(client, on, intent.id, payment_method="pm_bank_debit")
    assert intent.status == "processing"
    assert client.v1.events.list({"limit": 1}, on).data[0].type == "payment_intent.processing"
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    assert charge.status == "pending" and charge.payment_method_details.type == "sepa_debit"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.cancel(intent.id, options=on)
    settled = emu.settle_payment_intent(intent.id, succeed=succeed)
    assert settled["status"] == status
    assert client.v1.events.list({"limit": 1}, on).data[0].type == event
    charge = client.v1.charges.retrieve(intent.latest_charge, options=on)
    assert charge.status == ("succeeded" if succeed else "failed")
    with pytest.raises(ValueError):
        emu.settle_payment_intent(intent.id)


def test_unknown_payment_method_on_confirm(client, on):
    intent = create(client, on)
    with pytest.raises(stripe.InvalidRequestError) as info:
        confirm(client, on, intent.id, payment_method="pm_card_bogus")
    assert info.value.code == "resource_missing" and info.value.param == "payment_method"


def test_confirm_without_payment_method(client, on):
    intent = create(client, on)
    with pytest.raises(stripe.InvalidRequestError) as info:
        confirm(client, on, intent.id)
    assert info.value.code == "payment_intent_unexpected_state"


def test_update_rules(client, on):
    intent = create(client, on, metadata={"a": "1", "b": "2"})
    updated = client.v1.payment_intents.update(intent.id, {
        "amount": 3000, "metadata": {"a": "", "c": "3"}, "description": "new"}, on)
    assert updated.amount == 3000 and updated.description == "new"
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.update(intent.id, {"application_fee_amount": 5000}, on)
    assert info.value.param == "application_fee_amount"
    confirm(client, on, intent.id, payment_method="pm_card_visa")
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.update(intent.id, {"amount": 10}, on)
    assert info.value.code == "payment_intent_unexpected_state"
    with pytest.raises(stripe.InvalidRequestError) as info:
        confirm(client, on, intent.id, payment_method="pm_card_visa")
    assert info.value.code == "payment_intent_unexpected_state"


def test_cancel_rules(client, on):
    intent = create(client, on)
    canceled = client.v1.payment_intents.cancel(
        intent.id, {"cancellation_reason": "requested_by_customer"}, on)
    assert canceled.status == "canceled" and canceled.canceled_at
    assert canceled.cancellation_reason == "requested_by_customer"
    assert client.v1.events.list({"limit": 1}, on).data[0].type == "payment_intent.canceled"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.cancel(intent.id, options=on)
    assert info.value.code == "payment_intent_unexpected_state"
    paid = create(client, on, payment_method="pm_card_visa", confirm=True, return_url=RETURN)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.cancel(paid.id, options=on)


def test_publishable_key_needs_client_secret(client, on, emu):
    intent = create(client, on)
    public = make_client(emu, key=emu.publishable_key)
    retrieved = public.v1.payment_intents.retrieve(
        intent.id, {"client_secret": intent.client_secret}, on)
    assert retrieved.id == intent.id
    with pytest.raises(stripe.InvalidRequestError) as info:
        public.v1.payment_intents.retrieve(intent.id, {"client_secret": "wrong"}, on)
    assert info.value.param == "client_secret"
    confirmed = public.v1.payment_intents.confirm(
        intent.id, {"client_secret": intent.client_secret, "payment_method": "pm_card_visa",
                    "return_url": RETURN}, on)
    assert confirmed.status == "succeeded"
    with pytest.raises(stripe.AuthenticationError):
        public.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    with pytest.raises(stripe.AuthenticationError):
        public.v1.accounts.create({})


def test_live_key_objects_are_livemode(emu):
    live = make_client(emu, key="sk_live_emulator")
    intent = live.v1.payment_intents.create({"amount": 100, "currency": "usd"})
    assert intent.livemode is True
    with pytest.raises(stripe.InvalidRequestError):
        make_client(emu).v1.payment_intents.retrieve(intent.id)
