"""Accounts, account links and the hosted onboarding page."""

import pytest
import stripe

from stripe_emulator.tests.helpers import http


def test_create_account_shape(client):
    account = client.v1.accounts.create({
        "type": "standard", "country": "be", "email": "a@example.com",
        "business_type": "company",
        "business_profile": {"name": "ACME", "url": "https://acme.test"},
        "company": {"name": "ACME SA", "tax_id": "BE0123"}, "metadata": {"odoo": "1"}})
    assert account.id.startswith("acct_") and len(account.id) == 21
    assert account.object == "account" and account.type == "standard"
    assert account.country == "BE" and account.default_currency == "eur"
    assert not account.charges_enabled and not account.payouts_enabled
    assert not account.details_submitted
    assert "livemode" not in account  # Stripe's Account has no livemode field
    assert "external_account" in account.requirements.currently_due
    assert "business_profile.url" not in account.requirements.currently_due
    assert account.requirements.past_due == [] and account.requirements.disabled_reason is None
    assert account.company.tax_id_provided is True and account.company.name == "ACME SA"
    assert account.settings.dashboard.display_name == "ACME"
    assert account.metadata.to_dict() == {"odoo": "1"}


def test_controller_param_sets_type(client):
    account = client.v1.accounts.create({"controller": {"stripe_dashboard": {"type": "express"},
                                                        "fees": {"payer": "application"}}})
    assert account.type == "express"
    assert account.controller.fees.payer == "application"


def test_retrieve_update_delete(client, emu, receiver, endpoint):
    account = client.v1.accounts.create({"type": "express"})
    assert client.v1.accounts.retrieve(account.id).id == account.id
    current = client.v1.accounts.retrieve_current(options={"stripe_account": account.id})
    assert current.id == account.id
    updated = client.v1.accounts.update(account.id, {"metadata": {"a": "b"},
                                                     "business_profile": {"url": "https://x.t"}})
    assert updated.metadata.to_dict() == {"a": "b"}
    assert "business_profile.url" not in updated.requirements.currently_due
    emu.wait_for_deliveries(2)
    event = receiver.events()[-1]
    assert event["type"] == "account.updated" and event["account"] == account.id
    assert event["data"]["previous_attributes"]["metadata"] == {}
    deleted = client.v1.accounts.delete(account.id)
    assert deleted.deleted is True and deleted.id == account.id
    with pytest.raises(stripe.PermissionError) as info:
        client.v1.accounts.retrieve(account.id)
    assert info.value.error.code == "account_invalid"


def test_unknown_parameter_and_type(client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.accounts.create({"colour": "blue"})
    assert info.value.param == "colour"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.create({"type": "weird"})


def test_unknown_stripe_account_is_403(client):
    with pytest.raises(stripe.PermissionError) as info:
        client.v1.payment_intents.list(options={"stripe_account": "acct_doesnotexist00"})
    assert info.value.http_status == 403
    assert "does not have access to account 'acct_doesnotexist00'" in info.value.user_message


def test_update_account_control_emits_event(client, emu, receiver, endpoint, account):
    emu.wait_for_deliveries(2)
    before = len(receiver.received)
    result = emu.update_account(account, charges_enabled=False,
                                requirements={"currently_due": ["individual.id_number"],
                                              "past_due": ["individual.id_number"]})
    assert result["charges_enabled"] is False
    assert result["requirements"]["disabled_reason"] == "requirements.past_due"
    assert client.v1.accounts.retrieve(account).requirements.past_due == ["individual.id_number"]
    emu.wait_for_deliveries(2)
    event = receiver.events()[before]
    assert event["type"] == "account.updated"
    assert event["data"]["previous_attributes"]["charges_enabled"] is True


def test_account_link_and_onboarding_page(client, emu):
    account = client.v1.accounts.create({"type": "express", "email": "o@example.com",
                                         "business_profile": {"name": "Prefilled Ltd"}})
    link = client.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "http://shop.test/refresh", "return_url": "http://shop.test/return"})
    assert link.object == "account_link" and link.expires_at == link.created + 300
    assert link.url.startswith(emu.base_url + "/connect/onboarding/")
    page = http("GET", link.url)
    html = page.body.decode()
    assert page.status == 200 and "Stripe onboarding (emulator)" in html
    assert "Prefilled Ltd" in html and "o@example.com" in html
    assert '<button type="submit" name="submit">Submit</button>' in html
    assert 'name="iban"' in html and 'name="vat"' in html
    done = http("POST", link.url, form={"business_name": "New Name", "country": "BE",
                                        "vat": "BE0999", "iban": "BE68539007547034"})
    assert done.status == 303 and done.headers["Location"] == "http://shop.test/return"
    account = client.v1.accounts.retrieve(account.id)
    assert account.details_submitted and account.charges_enabled and account.payouts_enabled
    assert account.requirements.currently_due == [] and account.business_profile.name == "New Name"
    assert account.external_accounts.data[0].last4 == "7034"
    again = http("GET", link.url)
    assert again.status == 303 and again.headers["Location"] == "http://shop.test/refresh"


def test_expired_link_redirects_to_refresh(client, emu):
    account = client.v1.accounts.create({"type": "express"})
    link = client.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "http://shop.test/refresh", "return_url": "http://shop.test/return"})
    emu.expire_account_links()
    for method in ("GET", "POST"):
        answer = http(method, link.url, form={} if method == "POST" else None)
        assert answer.status == 303 and answer.headers["Location"] == "http://shop.test/refresh"
    assert not client.v1.accounts.retrieve(account.id).details_submitted
    assert http("GET", emu.base_url + "/connect/onboarding/nope").status == 404


def test_account_link_validation(client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.account_links.create({"account": "acct_missing", "type": "account_onboarding",
                                        "refresh_url": "http://a", "return_url": "http://b"})
    assert info.value.code == "resource_missing" and info.value.param == "account"
    account = client.v1.accounts.create({})
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.account_links.create({"account": account.id, "type": "account_onboarding",
                                        "return_url": "http://b"})
    assert info.value.param == "refresh_url"
