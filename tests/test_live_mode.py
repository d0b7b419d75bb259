from datetime import date
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from lxml import html

from odoo.tests import tagged

from ..controllers.onboarding import SETTINGS_URL
from ..utils.stripe_gateway import StripeGateway
from .common import (
    LIVE_CLIENT_ID,
    PUBLIC_BASE_URL,
    SECRET_KEY,
    StripeConnectHttpCommon,
    StripeLiveMode,
)
from .refund_common import StripeRefundCommon


class LiveDeliveries:
    """Stripe's own webhook deliveries to the test server, through the public address."""

    def _let_stripe_deliver(self):
        """Send the emulator's held deliveries and wait for them: requests that do not come
        from the test's own browser, so let the test server take them."""
        self.env.flush_all()  # What this test wrote, for the server's requests to see.
        with self.allow_requests(all_requests=True):
            self.emulator.release_deliveries()
            self.assertTrue(self.emulator.wait_for_deliveries(timeout=30))
        self.env.invalidate_all()


@tagged('post_install', '-at_install')
class TestLiveConnect(LiveDeliveries, StripeLiveMode, StripeConnectHttpCommon):
    """Connecting in live mode: Stripe's addresses from the configuration file, this
    database's https:// address given to Stripe, the mode of the connection from the key."""

    def setUp(self):
        super().setUp()
        self.authenticate(self.env.user.login, self.env.user.login)

    def _settings(self):
        return self.env['res.config.settings'].create({})

    def _requests(self, method, path):
        return [r for r in self.emulator.request_log if r['method'] == method and r['path'] == path]

    def _follow(self, url):
        """Open, on the test server, an address Stripe sent the browser to."""
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        self.assertEqual(urlparse(response.headers['Location']).path, SETTINGS_URL)

    def test_settings_show_the_live_platform_from_the_file(self):
        settings = self._settings()
        self.assertEqual(settings.stripe_mode, 'live')
        self.assertTrue(settings.stripe_live_key)
        self.assertFalse(settings.stripe_mode_problem)
        self.assertTrue(settings.stripe_platform_configured)
        self.assertTrue({'stripe_secret_key', 'stripe_mode', 'stripe_api_base', 'stripe_js_url'}
                        <= set(settings.stripe_file_fields.split()))

    def test_connect_through_onboarding(self):
        action = self._settings().action_stripe_connect()

        link = self._requests('POST', '/v1/account_links')[0]['params']
        self.assertTrue(link['return_url'].startswith(f'{PUBLIC_BASE_URL}/stripe_connect/'))
        self.assertTrue(link['refresh_url'].startswith(f'{PUBLIC_BASE_URL}/stripe_connect/'))
        self.assertTrue(self.company.stripe_livemode, "the key's mode, not the Account's")
        account = self.emulator.get_object(self.company.stripe_account_id)
        self.assertNotIn('livemode', account, "Stripe's Account has no mode")
        # Stripe sends the browser back to the public address, which reaches this server.
        response = requests.post(action['url'], data={'submit': '1'}, allow_redirects=False,
                                 timeout=10)
        self._follow(response.headers['Location'])
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_state, 'ready')
        self.assertTrue(self.company._stripe_can_take_payments())

    def test_connect_an_existing_account_through_oauth(self):
        action = self._settings().action_stripe_connect_oauth()

        query = parse_qs(urlparse(action['url']).query)
        self.assertEqual(query['client_id'], [LIVE_CLIENT_ID])
        callback = f'{PUBLIC_BASE_URL}/stripe_connect/oauth/callback'
        self.assertEqual(query['redirect_uri'], [callback])
        response = requests.get(action['url'], allow_redirects=False, timeout=10)
        self._follow(response.headers['Location'])
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_method, 'oauth')
        self.assertTrue(self.company.stripe_livemode)
        self.assertEqual(self.company.stripe_connect_state, 'ready')

    def test_webhook_endpoint_on_the_public_address_receives_stripes_events(self):
        action = self._settings().action_stripe_create_webhook()
        self.assertEqual(action['params']['type'], 'success')
        endpoint = self.emulator.get_object(self.platform._get_setting('webhook_endpoint_id'))
        self.assertEqual(endpoint['url'], f'{PUBLIC_BASE_URL}/stripe_connect/webhook')
        self.assertTrue(endpoint['livemode'])
        # Stripe itself delivers an event there: it reaches this server and is verified.
        self._connect_company()
        self.emulator.update_account(self.company.stripe_account_id, payouts_enabled=False)
        self._let_stripe_deliver()
        delivered = [d for d in self.emulator.deliveries if d['endpoint_id'] == endpoint['id']]
        self.assertTrue(delivered)
        self.assertEqual({d['status'] for d in delivered}, {200})
        self.env.invalidate_all()
        self.assertFalse(self.company.stripe_payouts_enabled)


@tagged('post_install', '-at_install')
class TestLivePayments(LiveDeliveries, StripeLiveMode, StripeRefundCommon):
    """Paying and refunding in live mode: one PaymentIntent however many tabs, payments and
    refunds from both sides booked."""

    def _pay_page(self, invoice):
        query = urlencode({'access_token': invoice._portal_ensure_token()})
        response = self.url_open(f'/stripe/pay/{invoice.id}?{query}')
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.text

    def _creations(self):
        return [r for r in self.emulator.request_log
                if r['method'] == 'POST' and r['path'] == '/v1/payment_intents']

    def test_two_tabs_pay_once(self):
        """A laptop and a phone open the link: no PaymentIntent until Pay; paid on the
        laptop, the phone's press is refused."""
        invoice = self._make_invoice(100.0)
        laptop = self._pay_page(invoice)
        phone = self._pay_page(invoice)
        self.assertFalse(invoice.stripe_payment_intent_ids)
        self.assertEqual(self._creations(), [])
        self.assertIn('data-amount-due="100.00"', phone)

        answers = [self._press(invoice, page) for page in (laptop, phone)]

        self.assertIn('redirect', answers[0])
        self.assertIn("This invoice is paid", answers[1]['error'])
        self.env.invalidate_all()
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1)
        self.assertEqual(len(self._creations()), 1)
        self.assertTrue(intent.livemode)
        self.assertTrue(self.emulator.get_object(intent.stripe_id)['livemode'])
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertIn("This invoice is paid", self._pay_page(invoice))

    def _press(self, invoice, page):
        """Press Pay on a page: Stripe.js's ConfirmationToken (live publishable key), then the
        page's request to the server."""
        form = html.fromstring(page).xpath("//form[contains(@class, 'o_stripe_pay_form')]")[0]
        token = requests.post(f'{self.emulator.base_url}/v1/confirmation_tokens', data={
            'payment_method_data[type]': 'card',
            'payment_method_data[card][number]': '4242424242424242',
            'payment_method_data[card][exp_month]': '12',
            'payment_method_data[card][exp_year]': str(date.today().year + 3),
            'payment_method_data[card][cvc]': '123',
        }, headers={
            'Authorization': f"Bearer {form.get('data-publishable-key')}",
            'Stripe-Account': form.get('data-stripe-account'),
        }, timeout=10).json()['id']
        return self.make_jsonrpc_request(form.get('data-confirm-url'), {
            'access_token': form.get('data-access-token'), 'amount': '',
            'amount_due': form.get('data-amount-due'),
            'stripe_account': form.get('data-stripe-account'), 'confirmation_token': token,
        })

    def test_payment_event_delivered_by_stripe_to_the_public_address(self):
        invoice = self._make_invoice(100.0)
        intent = self._paid_intent(invoice)
        self._let_stripe_deliver()
        deliveries = self.emulator.deliveries
        self.assertTrue(deliveries)
        self.assertTrue(all(d['url'].startswith(PUBLIC_BASE_URL) for d in deliveries))
        self.assertEqual({d['status'] for d in deliveries}, {200})
        self.env.invalidate_all()
        self.assertEqual(invoice.payment_state, 'paid')
        self.assertEqual(intent.state, 'succeeded')

    def test_test_mode_events_of_connected_accounts_are_ignored(self):
        """Stripe sends a live Connect endpoint the test-mode events of the connected
        accounts too (a business trying its own test mode): acknowledged, nothing done."""
        invoice = self._make_invoice(100.0)
        test_mode = StripeGateway(self.env, SECRET_KEY, api_base=self.emulator.base_url)
        account = self.company.stripe_account_id
        intent = test_mode.create_payment_intent(account, {
            'amount': 10000, 'currency': 'usd', 'metadata': {
                'odoo_database': self.env.cr.dbname, 'odoo_invoice_id': str(invoice.id),
            },
        })
        test_mode._client.v1.payment_intents.confirm(
            intent['id'], {'payment_method': 'pm_card_visa'}, {'stripe_account': account},
        )
        self._let_stripe_deliver()
        test_events = self._recorded_events().filtered(lambda event: not event.livemode)
        self.assertIn('payment_intent.succeeded', test_events.mapped('event_type'))
        self.assertEqual(set(test_events.mapped('state')), {'ignored'})
        self.assertEqual({d['status'] for d in self.emulator.deliveries}, {200})
        self.assertFalse(self._inbound())
        self.assertEqual(invoice.payment_state, 'not_paid')

    def test_refunds_made_in_odoo_and_on_stripe_are_both_booked(self):
        invoice, intent = self._paid_invoice(100.0)
        self._refund_wizard(intent.action_stripe_refund(), 30.0).action_refund()
        on_stripe = self._refund_on_stripe(intent, 2000)
        self.assertNotIn('livemode', on_stripe, "Stripe's Refund has no mode")
        created, refunded = self._refund_events(on_stripe['id'], self._charge_of(intent))
        for event in (created, refunded):
            self.assertEqual(self._post_event(event['id']).json()['outcome'], 'processed')

        refunds = self._refunds()
        self.assertEqual(
            sorted((r.origin, r.amount, r.state) for r in refunds),
            [('odoo', 30.0, 'succeeded'), ('stripe', 20.0, 'succeeded')],
        )
        self.assertEqual(len(self._outbound()), 2)
        self.assertAlmostEqual(invoice.amount_residual, 50.0)
        self.assertEqual(intent.amount_refundable, 50.0)
