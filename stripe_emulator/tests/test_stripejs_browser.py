"""The Stripe.js stand-in in headless Chromium: the deferred flow with confirmation tokens,
handleNextAction (3-D Secure frame, voucher instructions), wallets on a registered domain,
the locale, and the client-secret flow the addon used before."""

import json

import pytest

from stripe_emulator.tests.browser import Browser, JavaScriptError, PageServer, chromium_path

pytest.importorskip("websocket")
pytestmark = pytest.mark.skipif(not chromium_path(), reason="Chromium is not installed")

SHOP = "shop.example.com"
RETURN = "https://shop.example.com/pay/return"


@pytest.fixture(scope="module")
def chromium():
    chromium = Browser(hosts=[SHOP])
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def pages(server):
    page = PageServer(server.js_url)
    yield page
    page.close()


@pytest.fixture
def browser(chromium, pages):
    """The browser, with ``browser.shop_url(host)``: a shop's page loading the stand-in."""
    chromium.shop_url = pages.url
    return chromium


def mount(browser, account, elements="{mode: 'payment', amount: 2500, currency: 'eur'}",
          stripe_options=""):
    """Start Stripe.js on the page and mount a Payment Element; returns when it is ready."""
    options = f"{{stripeAccount: {json.dumps(account)}{stripe_options}}}"
    browser.evaluate(f"""(() => {{
        window.events = [];
        window.stripe = Stripe('pk_test_emulator', {options});
        window.elements = stripe.elements({elements});
        window.element = elements.create('payment', {{layout: 'tabs'}});
        ['ready', 'change', 'loaderror'].forEach((name) => element.on(name, (event) =>
            events.push(Object.assign({{event: name}}, JSON.parse(JSON.stringify(event))))));
        element.mount('#payment-element');
    }})()""")
    browser.wait_for("events.some((e) => e.event === 'ready' || e.event === 'loaderror')")


def choose(browser, value):
    browser.evaluate(f"""(() => {{
        const select = document.querySelector('select.o_stripe_emulator_pm');
        select.value = {json.dumps(value)};
        select.dispatchEvent(new Event('change'));
    }})()""")


def options(browser):
    return browser.evaluate(
        "[...document.querySelectorAll('select.o_stripe_emulator_pm option')]"
        ".map((o) => o.value)")


def confirmation_token(browser, return_url=None):
    params = json.dumps({"return_url": return_url} if return_url else {})
    return browser.evaluate(f"""(async () => {{
        const submitted = await elements.submit();
        if (submitted.error) {{ return {{submitError: submitted.error}}; }}
        return await stripe.createConfirmationToken({{elements, params: {params}}});
    }})()""")


def server_pays(client, on, token_id, **params):
    """What the addon's server does when the customer presses Pay."""
    return client.v1.payment_intents.create({
        "amount": 2500, "currency": "eur", "automatic_payment_methods": {"enabled": True},
        "confirm": True, "confirmation_token": token_id, "return_url": RETURN, **params}, on)


def test_deferred_card_payment(browser, client, on, emu, account):
    browser.open(browser.shop_url())
    mount(browser, account)
    root = browser.evaluate(
        "Object.assign({}, document.querySelector('.o_stripe_emulator_element').dataset)")
    assert root["mode"] == "payment" and root["locale"] == "en" and root["wallets"] == ""
    assert options(browser) == ["pm_card_visa", "pm_card_chargeDeclined",
                                "pm_card_authenticationRequired", "pm_bank_debit", "multibanco"]
    assert browser.evaluate("events.find((e) => e.event === 'change').value.type") == "card"
    before = len(emu.api_calls(key_kind="secret"))
    result = confirmation_token(browser, RETURN)
    token = result["confirmationToken"]
    assert token["id"].startswith("ctoken_") and token["return_url"] == RETURN
    assert token["payment_method_preview"]["card"]["last4"] == "4242"
    logged = emu.api_calls(path="/v1/confirmation_tokens")[-1]
    assert logged["key_kind"] == "publishable" and logged["account"] == account
    assert len(emu.api_calls(key_kind="secret")) == before  # Stripe.js used no secret key
    assert server_pays(client, on, token["id"], return_url=None).status == "succeeded"


def test_amount_and_currency_updates_change_the_methods(browser, account):
    browser.open(browser.shop_url())
    mount(browser, account)
    browser.evaluate("elements.update({amount: 50000, currency: 'mxn'})")
    assert "multibanco" not in options(browser) and "pm_bank_debit" not in options(browser)
    with pytest.raises(JavaScriptError, match="IntegrationError"):
        browser.evaluate("elements.update({currency: 'EURO'})")
    with pytest.raises(JavaScriptError, match="amount"):
        browser.evaluate("stripe.elements({mode: 'payment', currency: 'eur'})")


def test_incomplete_form_and_submit_first(browser, account):
    browser.open(browser.shop_url())
    mount(browser, account)
    choose(browser, "multibanco")
    assert browser.evaluate("events.at(-1).value.type") == "multibanco"
    browser.evaluate("document.querySelector('.o_stripe_emulator_email').value = ''")
    result = confirmation_token(browser)
    assert result["submitError"] == {"type": "validation_error", "code": "incomplete_email",
                                     "message": "Your email address is incomplete."}
    with pytest.raises(JavaScriptError, match=r"elements.submit\(\) must be called before"):
        browser.evaluate("stripe.createConfirmationToken({elements})")


def test_three_d_secure_in_a_frame(browser, client, on, account):
    browser.open(browser.shop_url())
    mount(browser, account)
    choose(browser, "pm_card_authenticationRequired")
    token = confirmation_token(browser, RETURN)["confirmationToken"]
    intent = server_pays(client, on, token["id"])
    assert intent.next_action.type == "use_stripe_sdk"
    browser.evaluate(f"window.nextAction = stripe.handleNextAction("
                     f"{{clientSecret: {json.dumps(intent.client_secret)}}}); 1")
    browser.wait_for("document.querySelector('.o_stripe_emulator_3ds iframe')")
    frame = browser.frame_context("/authenticate/", ready="button[name=complete]")
    browser.evaluate("document.querySelector('button[name=complete]').click()", frame)
    result = browser.evaluate("window.nextAction")
    assert result["paymentIntent"]["status"] == "succeeded"
    assert browser.evaluate("location.href") == browser.shop_url()  # no redirect
    assert not browser.evaluate("document.querySelector('.o_stripe_emulator_modal')")
    assert client.v1.payment_intents.retrieve(intent.id, options=on).status == "succeeded"


def test_voucher_instructions(browser, client, on, emu, account):
    browser.open(browser.shop_url())
    mount(browser, account, stripe_options=", locale: 'fr'")
    choose(browser, "multibanco")
    token = confirmation_token(browser, RETURN)["confirmationToken"]
    assert token["payment_method_preview"]["type"] == "multibanco"
    intent = server_pays(client, on, token["id"])
    details = intent.next_action.multibanco_display_details
    browser.evaluate(f"window.nextAction = stripe.handleNextAction("
                     f"{{clientSecret: {json.dumps(intent.client_secret)}}}); 1")
    browser.wait_for("document.querySelector('.o_stripe_emulator_voucher')")
    shown = browser.evaluate("""(() => {
        const modal = document.querySelector('.o_stripe_emulator_voucher');
        return {type: modal.dataset.type, title: modal.querySelector('h2').textContent,
                reference: modal.querySelector('.o_stripe_emulator_voucher_reference').textContent,
                entity: modal.querySelector('.o_stripe_emulator_voucher_entity').textContent,
                link: modal.querySelector('a.o_stripe_emulator_voucher_link').href};
    })()""")
    assert shown == {"type": "multibanco", "title": "Instructions de paiement",
                     "reference": details.reference, "entity": details.entity,
                     "link": details.hosted_voucher_url}
    browser.evaluate("document.querySelector('.o_stripe_emulator_voucher_close').click()")
    result = browser.evaluate("window.nextAction")
    assert result["paymentIntent"]["status"] == "requires_action"
    assert emu.pay_voucher(intent.id)["status"] == "succeeded"


def test_locale(browser, account):
    browser.open(browser.shop_url())
    mount(browser, account, stripe_options=", locale: 'fr-BE'")
    label = browser.evaluate("""(() => {
        const root = document.querySelector('.o_stripe_emulator_element');
        return [root.dataset.locale, root.querySelector('.o_stripe_emulator_pm_label')
            .textContent, root.querySelector('legend').textContent];
    })()""")
    assert label == ["fr", "Moyen de paiement", "Moyen de paiement (émulateur Stripe)"]
    browser.open(browser.shop_url())
    mount(browser, account, elements="{mode: 'payment', amount: 900, currency: 'eur', "
                                     "locale: 'en'}", stripe_options=", locale: 'fr'")
    assert browser.evaluate(
        "document.querySelector('.o_stripe_emulator_element').dataset.locale") == "en"


def test_wallets_only_on_a_registered_domain(browser, client, on, account):
    client.v1.payment_method_domains.create({"domain_name": SHOP}, on)
    browser.open(browser.shop_url())  # 127.0.0.1: not a registered domain
    mount(browser, account)
    assert "google_pay" not in options(browser)
    browser.open(browser.shop_url(SHOP))
    mount(browser, None)  # the platform has no domain registered
    assert "google_pay" not in options(browser)
    browser.open(browser.shop_url(SHOP))
    mount(browser, account)
    assert browser.evaluate("location.hostname") == SHOP
    assert options(browser)[-2:] == ["google_pay", "apple_pay"]
    assert browser.evaluate(
        "document.querySelector('.o_stripe_emulator_element').dataset.wallets") == \
        "google_pay apple_pay"
    choose(browser, "google_pay")
    assert browser.evaluate("events.at(-1).value.type") == "google_pay"
    token = confirmation_token(browser, RETURN)["confirmationToken"]
    assert token["payment_method_preview"]["card"]["wallet"]["type"] == "google_pay"
    intent = server_pays(client, on, token["id"], expand=["latest_charge"])
    assert intent.latest_charge.payment_method_details.card.wallet.type == "google_pay"


def test_load_error_for_an_unknown_account(browser):
    browser.open(browser.shop_url())
    mount(browser, "acct_unknown")
    event = browser.evaluate("events.find((e) => e.event === 'loaderror')")
    assert event["error"]["code"] == "account_invalid"
    assert not browser.evaluate("events.some((e) => e.event === 'ready')")


def test_client_secret_flow_still_works(browser, client, on, account):
    intent = client.v1.payment_intents.create({
        "amount": 900, "currency": "eur", "automatic_payment_methods": {"enabled": True}}, on)
    browser.open(browser.shop_url())
    mount(browser, account, elements=f"{{clientSecret: {json.dumps(intent.client_secret)}}}")
    assert options(browser) == ["pm_card_visa", "pm_card_chargeDeclined",
                                "pm_card_authenticationRequired", "pm_bank_debit"]
    result = browser.evaluate(f"""stripe.confirmPayment({{elements, redirect: 'if_required',
        confirmParams: {{return_url: {json.dumps(RETURN)}}}}})""")
    assert result["paymentIntent"]["status"] == "succeeded"
