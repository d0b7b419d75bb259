"""Live mode: objects of live keys, fields Stripe does not have, live-only refusals."""

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
