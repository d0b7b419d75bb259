from unittest.mock import patch
from urllib.parse import quote, urlsplit

import requests

from odoo.tests import common, tagged

from .common import StripeConnectHttpCommon, StripeLiveMode

PAY_HOST = 'pay.example.com'


class PayHostBrowser(common.ChromeBrowser):
    """Odoo's test Chromium, which also reaches this test server under ``pay.example.com``:
    that name resolves to the server's address, the browser goes there (Odoo's browser answers
    every other host itself, with a 404) and carries the test's cookie there too."""

    def _spawn_chrome(self, cmd):
        rule = f'--host-resolver-rules=MAP {PAY_HOST} {common.HOST}'
        return super()._spawn_chrome([cmd[0], rule, *cmd[1:]])

    def _handle_request_paused(self, **params):
        if urlsplit(params['request']['url']).hostname == PAY_HOST:
            # Let it through as a request to this server is (it is one).
            params = {**params, 'request': {**params['request'], 'url': f'http://{common.HOST}'}}
        return super()._handle_request_paused(**params)

    def set_cookie(self, name, value, path, domain):
        result = super().set_cookie(name, value, path, domain)
        if domain == common.HOST:
            super().set_cookie(name, value, path, PAY_HOST)
        return result


@tagged('post_install', '-at_install')
class TestStripePayWalletTour(StripeConnectHttpCommon):
    """In Chromium, on the business's own domain name: the pay page's domain registered on the
    connected account, Stripe.js offers Google Pay there, the customer pays with it and the
    invoice is paid, registered by the same path as a card payment."""

    #: The database's public address: a TLS proxy serves it in production (wallets need
    #: https); here the browser reaches this server under the same name, without the proxy.
    public_url = f'https://{PAY_HOST}'

    def setUp(self):
        super().setUp()
        self.env['ir.config_parameter'].sudo().set_param('web.base.url', self.public_url)
        if self.stripe_live:
            # The TLS proxy's part for what Stripe sends to the public address.
            self.emulator.map_public_url(self.public_url, self.base_url())

    def _open_pay_page_on_pay_host(self, invoice, tour):
        parts = urlsplit(invoice.stripe_pay_url)
        self.assertEqual(parts.hostname, PAY_HOST, "the pay link names the public address")
        origin = f'http://{PAY_HOST}:{self.http_port()}'
        with patch.object(common, 'ChromeBrowser', PayHostBrowser):
            self.start_tour(
                f'{origin}/my/invoices/{invoice.id}?access_token={invoice.access_token}'
                f'#pay_link={quote(f"{parts.path}?{parts.query}", safe="")}',
                tour, timeout=120,
            )
        self.env.invalidate_all()

    def _wallets_offered(self):
        """What Stripe.js (the stand-in) offers a page on pay.example.com of the account."""
        answer = requests.get(
            f'{self.emulator.base_url}/_stripejs/wallets', params={'hostname': PAY_HOST},
            headers={'Authorization': f'Bearer {self.publishable_key}',
                     'Stripe-Account': self.company.stripe_account_id}, timeout=10,
        ).json()
        return {wallet for wallet in ('apple_pay', 'google_pay') if answer.get(wallet)}

    def test_pay_with_google_pay(self):
        self._connect_company()
        self.assertFalse(self._wallets_offered(), "no wallet before the domain is registered")
        self.env.ref('account_stripe_connect.ir_cron_stripe_wallet_domains') \
            .method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')
        domain = self.emulator.get_object(self.company.stripe_wallet_domain_id)
        self.assertEqual(domain['domain_name'], PAY_HOST)
        self.assertEqual(self._wallets_offered(), {'apple_pay', 'google_pay'})
        invoice = self._make_invoice(180.0)
        invoice._portal_ensure_token()
        calls_before = len(self.emulator.request_log)

        self._open_pay_page_on_pay_host(invoice, 'account_stripe_connect_pay_wallet_tour')

        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1)
        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(intent.payment_id.amount, 180.0)
        self.assertEqual(self.env['account.payment'].search_count(
            [('invoice_ids', 'in', invoice.ids)]), 1)
        stripe_intent = self.emulator.get_object(intent.stripe_id)
        self.assertEqual(stripe_intent['amount_received'], 18000)
        method = self.emulator.get_object(stripe_intent['payment_method'])
        self.assertEqual(method['card']['wallet']['type'], 'google_pay')
        calls = self.emulator.request_log[calls_before:]
        tokens = [call for call in calls if call['path'] == '/v1/confirmation_tokens']
        self.assertEqual(len(tokens), 1)
        self.assertEqual(tokens[0]['account'], self.company.stripe_account_id)
        self.assertIn('token', tokens[0]['params']['payment_method_data']['card'])
        confirmation, = [call for call in calls if call['key_kind'] == 'secret'
                         and call['path'] == f'/v1/payment_intents/{intent.stripe_id}/confirm']
        self.assertEqual(confirmation['status'], 200)
        self.assertEqual(confirmation['livemode'], self.stripe_live)
        self.assertEqual(intent.payment_method_label, "Visa •••• 4242 (Google Pay)")


@tagged('post_install', '-at_install')
class TestStripePayWalletTourLive(StripeLiveMode, TestStripePayWalletTour):
    """The same with the platform in live mode: the domain registered in live mode."""
