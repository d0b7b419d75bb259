"""What Stripe refuses on the calls the addon makes: amounts, emails, metadata, lengths,
currencies, idempotency keys."""

import uuid

import pytest
import stripe

from stripe_emulator.currencies import DEFAULT_USD_RATES, MINIMUM_CHARGE
from stripe_emulator.idempotency import LIFETIME, IdempotencyCache
from stripe_emulator.tests.helpers import http


def intent(client, on, **params):
    values = {"amount": 2500, "currency": "eur", "automatic_payment_methods": {"enabled": True}}
    values.update(params)
    return client.v1.payment_intents.create(values, on)


def refused(call, *args, **kwargs):
    with pytest.raises(stripe.InvalidRequestError) as info:
        call(*args, **kwargs)
    assert info.value.http_status == 400
    return info.value


# -- amounts ---------------------------------------------------------------------------------
@pytest.mark.parametrize("currency, minimum, message", [
    ("usd", 50, "Amount must be at least $0.50 usd"),
    ("eur", 50, "Amount must be at least €0.50 eur"),
    ("gbp", 30, "Amount must be at least £0.30 gbp"),
    ("jpy", 50, "Amount must be at least ¥50 jpy"),
    ("dkk", 250, "Amount must be at least 2.50 dkk"),
    ("hkd", 400, "Amount must be at least 4.00 hkd"),
    ("mxn", 1000, "Amount must be at least 10.00 mxn"),
    ("huf", 17500, "Amount must be at least 175.00 huf"),
])
def test_minimum_charge_amount(client, on, currency, minimum, message):
    assert MINIMUM_CHARGE[currency] == minimum
    error = refused(intent, client, on, amount=minimum - 1, currency=currency)
    assert error.code == "amount_too_small" and error.param == "amount"
    assert error.error.type == "invalid_request_error" and error.user_message == message
    assert intent(client, on, amount=minimum, currency=currency).amount == minimum


def test_minimum_table_is_stripes(client, on):
    assert MINIMUM_CHARGE == {
        "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
        "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
        "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
        "sek": 300, "sgd": 50, "thb": 1000}


def test_maximum_is_eight_digits(client, on):
    error = refused(intent, client, on, amount=100_000_000, currency="usd")
    assert error.code == "amount_too_large" and error.param == "amount"
    assert error.user_message == "Amount must be no more than $999,999.99 usd"
    assert intent(client, on, amount=99_999_999, currency="usd").amount == 99_999_999


def test_update_amount_is_checked_and_changes_nothing(client, on):
    created = intent(client, on, metadata={"k": "v"})
    error = refused(client.v1.payment_intents.update, created.id,
                    {"amount": 49, "metadata": {"k": "w"}}, on)
    assert error.code == "amount_too_small"
    error = refused(client.v1.payment_intents.update, created.id, {"amount": 10 ** 8}, on)
    assert error.code == "amount_too_large"
    error = refused(client.v1.payment_intents.update, created.id,
                    {"amount": 3000, "receipt_email": "not an email"}, on)
    assert error.code == "email_invalid"
    unchanged = client.v1.payment_intents.retrieve(created.id, options=on)
    assert unchanged.amount == 2500 and unchanged.metadata.to_dict() == {"k": "v"}
    assert unchanged.receipt_email is None
    # A currency change is checked against the new currency's minimum.
    error = refused(client.v1.payment_intents.update, created.id,
                    {"amount": 60, "currency": "dkk"}, on)
    assert error.code == "amount_too_small"
    assert client.v1.payment_intents.update(created.id, {"amount": 60}, on).amount == 60


def test_currency_outside_the_table_converts_to_50_cents(client, on, emu):
    assert emu.set_exchange_rates({"KWD": 3.25})["kwd"] == 3.25  # the default rate as well
    error = refused(intent, client, on, amount=100, currency="kwd")
    assert error.code == "amount_too_small" and error.param == "amount"
    assert error.user_message == ("Amount must convert to at least 50 cents. 0.100 kwd "
                                  "converts to approximately $0.33.")
    assert intent(client, on, amount=160, currency="kwd").amount == 160
    answer = http("POST", emu.base_url + "/_emulator/exchange_rates",
                  json_body={"rates": {"kwd": None, "xaf": 0.0016}})
    rates = answer.json()["rates"]
    assert answer.status == 200 and "kwd" not in rates and rates["xaf"] == 0.0016
    assert intent(client, on, amount=100, currency="kwd").amount == 100  # no rate known
    assert refused(intent, client, on, amount=300, currency="xaf").code == "amount_too_small"
    assert emu.set_exchange_rates() == DEFAULT_USD_RATES  # back to the defaults
    assert "xaf" not in DEFAULT_USD_RATES and DEFAULT_USD_RATES["kwd"] == 3.25


def test_currency_steps_and_support(client, on):
    error = refused(intent, client, on, amount=1005, currency="kwd")
    assert error.code == "invalid_charge_amount" and error.param == "amount"
    assert intent(client, on, amount=1010, currency="kwd").amount == 1010
    assert refused(intent, client, on, amount=12345, currency="isk").param == "amount"
    assert intent(client, on, amount=12300, currency="isk").amount == 12300
    error = refused(intent, client, on, currency="xyz")
    assert error.param == "currency" and "Invalid currency: xyz" in error.user_message
    assert intent(client, on, currency="EUR").currency == "eur"


# -- emails, metadata, text lengths ----------------------------------------------------------
@pytest.mark.parametrize("email", ["not an email", "Jane Doe <jane@example.com>",
                                   "jane@example.com, joe@example.com", "jane@example",
                                   "jane@@example.com"])
def test_receipt_email_must_be_one_address(client, on, email):
    error = refused(intent, client, on, receipt_email=email)
    assert error.code == "email_invalid" and error.param == "receipt_email"
    assert error.user_message == f"Invalid email address: {email}"
    created = intent(client, on)
    error = refused(client.v1.payment_intents.confirm, created.id,
                    {"payment_method": "pm_card_visa", "receipt_email": email}, on)
    assert error.code == "email_invalid"
    assert client.v1.payment_intents.retrieve(created.id, options=on).status == \
        "requires_payment_method"


def test_valid_receipt_email_and_unset(client, on):
    created = intent(client, on, receipt_email="jane.doe+inv@example.co.uk")
    assert created.receipt_email == "jane.doe+inv@example.co.uk"
    updated = client.v1.payment_intents.update(created.id, {"receipt_email": ""}, on)
    assert updated.receipt_email is None


def test_account_email_must_be_valid(client):
    error = refused(client.v1.accounts.create, {"type": "express", "email": "shop at home"})
    assert error.code == "email_invalid" and error.param == "email"
    account = client.v1.accounts.create({"type": "express", "email": "shop@example.com",
                                         "metadata": {"a": "1"}})
    error = refused(client.v1.accounts.update, account.id,
                    {"email": "two@example.com;three@example.com", "metadata": {"a": "2"}})
    assert error.code == "email_invalid"
    kept = client.v1.accounts.retrieve(account.id)
    assert kept.email == "shop@example.com" and kept.metadata.to_dict() == {"a": "1"}


@pytest.mark.parametrize("metadata, param, text", [
    ({f"k{i}": "v" for i in range(51)}, "metadata",
     "Metadata can have up to 50 keys, but you passed in 51 keys."),
    ({"k" * 41: "v"}, "metadata[" + "k" * 41 + "]",
     "Metadata keys can have up to 40 characters, but you passed in a key that is 41"),
    ({"note": "x" * 501}, "metadata[note]",
     "Metadata values can have up to 500 characters, but you passed in a value that is 501"),
])
def test_metadata_limits(client, on, metadata, param, text):
    errors = [
        refused(intent, client, on, metadata=metadata),
        refused(client.v1.accounts.create, {"type": "express", "metadata": metadata}),
        refused(client.v1.webhook_endpoints.create, {
            "url": "https://a.test/hook", "enabled_events": ["*"], "metadata": metadata}),
    ]
    for error in errors:
        assert error.param == param and text in error.user_message
    paid = intent(client, on, payment_method="pm_card_visa", confirm=True,
                  return_url="https://shop.test/done")
    error = refused(client.v1.refunds.create, {"payment_intent": paid.id,
                                               "metadata": metadata}, on)
    assert error.param == param
    assert client.v1.refunds.list({"payment_intent": paid.id}, on).data == []
    fifty = {f"k{i}": "v" * 500 for i in range(50)}
    assert len(intent(client, on, metadata=fifty).metadata.to_dict()) == 50


def test_text_lengths(client, on):
    error = refused(intent, client, on, description="d" * 1001)
    assert error.param == "description" and "must be at most 1000 characters" in \
        error.user_message
    assert len(intent(client, on, description="d" * 1000).description) == 1000
    assert refused(intent, client, on,
                   statement_descriptor="S" * 23).param == "statement_descriptor"


# -- state and fee rules on update -----------------------------------------------------------
def test_fee_rules_on_update(client, on):
    created = intent(client, on, application_fee_amount=100)
    error = refused(client.v1.payment_intents.update, created.id, {"amount": 90}, on)
    assert error.param == "application_fee_amount"  # the existing fee exceeds the new amount
    updated = client.v1.payment_intents.update(created.id, {"application_fee_amount": ""}, on)
    assert updated.application_fee_amount is None
    assert client.v1.payment_intents.update(created.id, {"amount": 90}, on).amount == 90


# -- idempotency keys ------------------------------------------------------------------------
def test_idempotency_key_reuse_and_expiry(client, on, emu):
    key = str(uuid.uuid4())
    params = {"amount": 700, "currency": "eur"}
    first = client.v1.payment_intents.create(params, {**on, "idempotency_key": key})
    replay = client.v1.payment_intents.create(params, {**on, "idempotency_key": key})
    assert replay.id == first.id
    with pytest.raises(stripe.IdempotencyError) as info:
        client.v1.payment_intents.create({**params, "amount": 800},
                                         {**on, "idempotency_key": key})
    assert info.value.error.type == "idempotency_error" and info.value.http_status == 400
    assert emu.expire_idempotency_keys() >= 1  # the SDK also puts keys on its own POSTs
    fresh = client.v1.payment_intents.create(params, {**on, "idempotency_key": key})
    assert fresh.id != first.id and "Idempotent-Replayed" not in fresh.last_response.headers
    # After expiry the key is new: other parameters are a new request, not an error.
    answer = http("POST", emu.base_url + "/_emulator/idempotency/expire")
    assert answer.status == 200 and answer.json() == {"expired": 1}
    other = client.v1.payment_intents.create({**params, "amount": 900},
                                             {**on, "idempotency_key": key})
    assert other.amount == 900
    assert len(client.v1.payment_intents.list({"limit": 10}, on).data) == 3


def test_idempotency_keys_live_24_hours():
    now = [1_000_000.0]
    cache = IdempotencyCache(clock=lambda: now[0])
    scope, request = ("sk", None, "key-1"), ("POST", "/v1/refunds", {"amount": "1"})
    cache.save(scope, *request, "first answer")
    now[0] += LIFETIME - 1
    assert cache.lookup(scope, *request) == "first answer"
    now[0] += 2
    assert cache.lookup(scope, *request) is None
    assert LIFETIME == 24 * 3600


# -- accounts and webhook endpoints ----------------------------------------------------------
def test_account_country_is_two_letters(client):
    error = refused(client.v1.accounts.create, {"type": "express", "country": "Belgium"})
    assert error.param == "country" and error.user_message.startswith(
        "Country 'Belgium' is unknown. Try using a 2-character alphanumeric country code")
    assert client.v1.accounts.create({"type": "express", "country": "be"}).country == "BE"


def test_webhook_event_types_are_stripes(client):
    error = refused(client.v1.webhook_endpoints.create, {
        "url": "https://a.test/hook", "enabled_events": ["refund.created", "refund.crated"]})
    assert error.param == "enabled_events[1]"
    assert error.user_message.startswith("Invalid enabled_events[1]: must be one of *, ")
    endpoint = client.v1.webhook_endpoints.create({
        "url": "https://a.test/hook",
        "enabled_events": ["refund.failed", "charge.refund.updated", "account.updated"]})
    assert endpoint.enabled_events == ["refund.failed", "charge.refund.updated",
                                       "account.updated"]
