import json

import requests

from odoo.fields import Command
from odoo.tests import HttpCase

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..stripe_emulator import StripeEmulator

SECRET_KEY = 'sk_test_emulator'
PUBLISHABLE_KEY = 'pk_test_emulator'
CLIENT_ID = 'ca_emulator'


class StripeConnectCommon(AccountTestInvoicingCommon):
    """A company of a fresh database, the platform configured on a Stripe emulator of its own,
    and helpers to connect the company, invoice a customer and talk to the webhook."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = StripeEmulator(
            secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY, client_id=CLIENT_ID,
        ).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.platform = cls.env['stripe.platform']
        cls._configure_platform()
        cls.company = cls.env.company
        cls.company.write({
            'email': 'billing@company-one.example.com',
            'website': 'https://company-one.example.com',
            'vat': 'BE0477472701',
        })
        cls.customer = cls.env['res.partner'].create({
            'name': "Fabulous Customer",
            'email': 'customer@example.com',
        })
        cls.product = cls.env['product.product'].create({
            'name': "Service",
            'lst_price': 100.0,
            'taxes_id': [Command.clear()],
        })

    @classmethod
    def _configure_platform(cls, **overrides):
        settings = {
            'secret_key': SECRET_KEY,
            'publishable_key': PUBLISHABLE_KEY,
            'client_id': CLIENT_ID,
            'mode': 'test',
            'api_base': cls.emulator.base_url,
            'connect_base': cls.emulator.base_url,
            'js_url': cls.emulator.js_url,
            **overrides,
        }
        for key, value in settings.items():
            cls.platform._set_setting(key, value)

    def setUp(self):
        super().setUp()
        self.emulator.reset()

    # === HELPERS === #

    def _connect_company(self, company=None):
        """Connect a company through the emulator's onboarding, as a person would."""
        company = company or self.company
        url = company._stripe_start_onboarding(
            refresh_url='http://localhost/refresh', return_url='http://localhost/return',
        )
        response = requests.post(url, data={'submit': '1'}, allow_redirects=False, timeout=10)
        self.assertIn(response.status_code, (302, 303))
        company._stripe_refresh_account()
        self.assertTrue(company.stripe_charges_enabled)
        return company

    def _make_invoice(self, amount=100.0, currency=None, post=True, partner=None, company=None):
        company = company or self.company
        invoice = self.env['account.move'].with_company(company).create({
            'move_type': 'out_invoice',
            'partner_id': (partner or self.customer).id,
            'currency_id': (currency or company.currency_id).id,
            'invoice_date': '2026-11-01',
            'invoice_line_ids': [Command.create({
                'product_id': self.product.id,
                'price_unit': amount,
                'quantity': 1,
                'tax_ids': [Command.clear()],
            })],
        })
        if post:
            invoice.action_post()
        return invoice

    def _pay_intent(self, intent, payment_method='pm_card_visa'):
        """Confirm a PaymentIntent on the emulator as the customer's browser would."""
        gateway = self.platform._get_gateway()
        return gateway._client.v1.payment_intents.confirm(
            intent.stripe_id, {'payment_method': payment_method,
                               'return_url': 'https://customer.example.com/done'},
            {'stripe_account': intent.stripe_account_id},
        ).to_dict()


class StripeConnectHttpCommon(StripeConnectCommon, HttpCase):
    """The same, with Odoo's HTTP server: the webhook, the pay page and tours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.webhook_url = f'{cls.base_url()}/stripe_connect/webhook'
        endpoint = cls.platform._get_gateway().create_webhook_endpoint(
            cls.webhook_url, ['*'],
        )
        cls.webhook_secret = endpoint['secret']
        cls.platform._set_setting('webhook_secret', cls.webhook_secret)

    def setUp(self):
        super().setUp()
        # Re-register the endpoint wiped by the reset, keeping the same secret in Odoo.
        endpoint = self.platform._get_gateway().create_webhook_endpoint(self.webhook_url, ['*'])
        self.webhook_secret = endpoint['secret']
        self.platform._set_setting('webhook_secret', self.webhook_secret)
        self.emulator.hold_deliveries()

    def _post_event(self, event_id, **kwargs):
        """Deliver an event of the emulator to Odoo's webhook, signed as Stripe signs it."""
        body, headers = self.emulator.signed_request(event_id, **kwargs)
        return self.url_open('/stripe_connect/webhook', data=body, headers=headers)

    def _post_raw(self, body, headers):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        return self.url_open('/stripe_connect/webhook', data=body, headers=headers)

    def _deliver_pending(self, event_type=None):
        """POST the held deliveries (of one type) to Odoo; return the responses."""
        responses = []
        for delivery in self.emulator.pending_deliveries():
            event = json.loads(delivery['body'])
            if event_type and event['type'] != event_type:
                continue
            responses.append(self._post_event(event['id']))
        return responses
