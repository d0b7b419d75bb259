"""The contract checker (Stripe's shapes read from the SDK's typed classes) and the recorder."""

import pytest

from stripe_emulator.contract import default_contract
from stripe_emulator.tests.helpers import http


@pytest.fixture(scope="module")
def checks():
    return default_contract()


def refund(**extra):
    return {"id": "re_1", "object": "refund", "amount": 100, "created": 1, "currency": "eur",
            "charge": "ch_1", "status": "succeeded", "metadata": {}, **extra}


def charge(**extra):
    values = {"id": "ch_1", "object": "charge", "amount": 100, "amount_captured": 100,
              "amount_refunded": 0, "billing_details": {}, "captured": True, "created": 1,
              "currency": "eur", "disputed": False, "livemode": False, "metadata": {},
              "paid": True, "refunded": False, "status": "succeeded"}
    values.update(extra)
    return values


def test_schema_comes_from_the_sdk(checks):
    contract = checks.contract
    assert contract.object_classes["refund"] == ("_refund", "Refund")
    schema = contract.schema_for_object("refund")
    assert "livemode" not in schema.fields and "failure_reason" in schema.fields
    assert schema.fields["amount"].kind == "prim" and not schema.fields["amount"].nullable
    assert schema.fields["charge"].kind == "expandable" and schema.fields["charge"].nullable
    assert "connect" not in contract.schema_for_object("webhook_endpoint").fields
    assert "livemode" not in contract.schema_for_object("account").fields


def test_valid_objects_pass(checks):
    assert checks.check_object(refund()) == []
    assert checks.check_object(charge(outcome={"type": "authorized"})) == []
    deleted = {"id": "we_1", "object": "webhook_endpoint", "deleted": True}
    assert checks.check_object(deleted) == []  # a deleted object carries only these


def test_unknown_field_is_named(checks):
    assert checks.check_object(refund(livemode=False)) == [
        "refund.livemode: not a field of Refund"]
    assert checks.check_object(charge(outcome={"type": "authorized", "score": 1})) == [
        "charge.outcome.score: not a field of Charge.Outcome"]
    listed = {"object": "list", "data": [refund(livemode=True)], "has_more": False,
              "url": "/v1/refunds", "total_count": 1}
    assert sorted(checks.check_object(listed)) == [
        "list.data[0].livemode: not a field of Refund",
        "list.total_count: not a field of ListObject"]


def test_required_null_and_types(checks):
    values = charge(captured=None, amount="100")
    del values["paid"]
    assert sorted(checks.check_object(values)) == [
        "charge.amount: expected int, got str '100'",
        "charge.captured: null, but the field is not nullable",
        "charge.paid: missing (required field of Charge)"]
    assert checks.check_object(charge(disputed=0)) == [
        "charge.disputed: expected bool, got int 0"]
    assert checks.check_object(charge(amount=True)) == [
        "charge.amount: expected int, got bool True"]
    assert checks.check_object(charge(metadata={"a": 1})) == [
        "charge.metadata.a: expected str, got int 1"]


def test_closed_literals_and_open_enums(checks):
    n_types = len(checks.contract.schema("_event", "Event").fields["type"].args)
    assert n_types > 200 and "refund.failed" in checks.contract.schema(
        "_event", "Event").fields["type"].args
    dispute_status_open = charge(status="anything")  # Union[Literal[...], str]: open
    assert checks.check_object(dispute_status_open) == []
    event = {"id": "evt_1", "object": "event", "created": 1, "livemode": False,
             "pending_webhooks": 0, "type": "no.such_type",
             "data": {"object": refund()}}
    assert checks.check_event(event) == [
        f"event.type: 'no.such_type' is not one of the {n_types} values the SDK lists"]
    literal = {"id": "dp_1", "object": "dispute", "intended_submission_method": "fax"}
    assert ("dispute.intended_submission_method: 'fax' is not one of ['manual', "
            "'prefer_manual', 'prefer_smart_disputes', 'smart_disputes']"
            in checks.check_object(literal))


def test_expanded_and_event_objects(checks):
    expanded = charge(payment_intent={"id": "pi_1", "object": "payment_intent", "bogus": 1})
    problems = checks.check_object(expanded)
    assert "charge.payment_intent.bogus: not a field of PaymentIntent" in problems
    assert "charge.payment_intent.amount: missing (required field of PaymentIntent)" in problems
    event = {"id": "evt_1", "object": "event", "created": 1, "livemode": True,
             "pending_webhooks": 1, "type": "refund.updated", "account": "acct_1",
             "request": {"id": None, "idempotency_key": None},
             "data": {"object": refund(livemode=True),
                      "previous_attributes": {"status": "pending", "colour": "red"}}}
    assert sorted(checks.check_event(event)) == [
        "event.data.object.livemode: not a field of Refund",
        "event.data.previous_attributes.colour: not a field of Refund"]
    assert checks.check_object({"object": "thing", "id": "x"}) == [
        "thing.object: 'thing' is not an object of Stripe's API"]


def test_error_and_oauth_answers(checks):
    good = {"error": {"type": "invalid_request_error", "message": "No such refund",
                      "code": "resource_missing", "param": "id", "doc_url": "https://x"}}
    assert checks.check_answer(good, "/v1/refunds/re_x", 404) == []
    bad = {"error": {"message": "x", "hint": "y"}, "status": 400}
    assert sorted(checks.check_answer(bad, "/v1/refunds", 400)) == [
        "error_answer.error.hint: not a field of ErrorObject",
        "error_answer.error.type: missing (required field of ErrorObject)",
        "error_answer.status: not a field of the error envelope"]
    token = {"access_token": "sk_test_x", "livemode": False, "refresh_token": "rt_x",
             "scope": "read_write", "stripe_publishable_key": "pk_test_x",
             "stripe_user_id": "acct_1", "token_type": "bearer"}
    assert checks.check_answer(token, "/oauth/token") == []
    assert checks.check_answer({**token, "account": "acct_1"}, "/oauth/token") == [
        "oauth_token.account: not a field of OAuth.OAuthToken"]
    assert checks.check_answer({"stripe_user_id": "acct_1"}, "/oauth/deauthorize") == []
    assert checks.check_answer({"error": "invalid_grant", "error_description": "x",
                                "code": 1}, "/oauth/token", 400) == [
        "oauth_error.code: not a field of OAuthErrorObject"]


def test_recorder_and_its_controls(emu, client):
    client.v1.accounts.create({"type": "express"})
    assert [answer["label"] for answer in emu.recorded_answers] == ["POST /v1/accounts"]
    assert emu.contract_violations() == []
    # A recorded answer with an invented field is reported, named by its request.
    fake = {"label": "GET /v1/refunds/re_1", "path": "/v1/refunds/re_1", "status": 200,
            "body": refund(livemode=False)}
    assert emu.contract_violations([fake]) == [
        "GET /v1/refunds/re_1: refund.livemode: not a field of Refund"]
    state = http("GET", emu.base_url + "/_emulator/contract").json()
    assert state["recording"] is True and state["answers"] >= 1 and state["violations"] == []
    http("POST", emu.base_url + "/_emulator/contract/record", form={"record": "false"})
    try:
        count = len(emu.recorded_answers)
        client.v1.accounts.list()
        assert len(emu.recorded_answers) == count
    finally:
        emu.record_answers(True)
    client.v1.accounts.list()
    assert emu.recorded_answers[-1]["label"] == "GET /v1/accounts"
    assert http("POST", emu.base_url + "/_emulator/contract/clear").status == 200
    assert emu.recorded_answers == []


def test_confirmation_tokens_and_domains_are_known(checks):
    token = {"id": "ctoken_1", "object": "confirmation_token", "created": 1,
             "expires_at": 43201, "livemode": False, "use_stripe_sdk": True,
             "payment_method_preview": {"type": "card", "billing_details": {},
                                        "card": {"brand": "visa", "exp_month": 12,
                                                 "exp_year": 2030, "funding": "credit",
                                                 "last4": "4242"}}}
    assert checks.check_object(token) == []
    # Stripe's own example object has a ``payment_method``: the SDK's class has none.
    assert checks.check_object({**token, "payment_method": None}) == [
        "confirmation_token.payment_method: not a field of ConfirmationToken"]
    assert checks.check_object({**token, "use_stripe_sdk": None}) == [
        "confirmation_token.use_stripe_sdk: null, but the field is not nullable"]
    wallet = {"status": "active", "status_details": None}
    domain = {"id": "pmd_1", "object": "payment_method_domain", "created": 1,
              "domain_name": "pay.example.com", "enabled": True, "livemode": False,
              **{name: wallet for name in ("amazon_pay", "apple_pay", "google_pay", "klarna",
                                           "link", "paypal")}}
    assert checks.check_object(domain) == []
    assert checks.check_object({**domain, "apple_pay": {"status": "inactive"}}) == []
    del domain["paypal"]
    assert checks.check_object(domain) == [
        "payment_method_domain.paypal: missing (required field of PaymentMethodDomain)"]
