import json
import os
import tempfile

import requests

from odoo.fields import Command
from odoo.tests import HttpCase
from odoo.tools import config

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..stripe_emulator import StripeEmulator

SECRET_KEY = 'sk_test_emulator'
PUBLISHABLE_KEY = 'pk_test_emulator'
CLIENT_ID = 'ca_emulator'
LIVE_SECRET_KEY = 'sk_live_emulator'
LIVE_PUBLISHABLE_KEY = 'pk_live_emulator'
LIVE_CLIENT_ID = 'ca_live_emulator'
# This database's public address in live mode, as a TLS proxy in front of Odoo serves it; the
# emulator sends what Stripe would send there to the test server instead.
PUBLIC_BASE_URL = 'https://odoo.example.com'


class StripeConnectCommon(AccountTestInvoicingCommon):
    """A company of a fresh database, the platform configured on a Stripe emulator of its own,
    and helpers to connect the company, invoice a customer and talk to the webhook.

    In test mode by default, the platform's settings in Settings; with :class:`StripeLiveMode`
    mixed in, in live mode with its settings in the server configuration file.
    """

    #: Whether the platform takes live payments (see :class:`StripeLiveMode`).
    stripe_live = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = StripeEmulator(
            secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY, client_id=CLIENT_ID,
            live_secret_key=LIVE_SECRET_KEY, live_publishable_key=LIVE_PUBLISHABLE_KEY,
            live_client_id=LIVE_CLIENT_ID, record_answers=True,
        ).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.platform = cls.env['stripe.platform']
        cls.secret_key = LIVE_SECRET_KEY if cls.stripe_live else SECRET_KEY
        cls.publishable_key = LIVE_PUBLISHABLE_KEY if cls.stripe_live else PUBLISHABLE_KEY
        if cls.stripe_live:
            cls._configure_live_platform()
        else:
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

    @classmethod
    def _configure_live_platform(cls):
        """Put the platform in live mode as a production server is: the live keys and
        Stripe's addresses (the emulator's) in the server configuration file, and this
        database's public address an https:// one."""
        cls._use_config_file({
            'secret_key': LIVE_SECRET_KEY,
            'publishable_key': LIVE_PUBLISHABLE_KEY,
            'client_id': LIVE_CLIENT_ID,
            'mode': 'live',
            'api_base': cls.emulator.base_url,
            'connect_base': cls.emulator.base_url,
            'js_url': cls.emulator.js_url,
        })
        params = cls.env['ir.config_parameter'].sudo()
        params.set_param('web.base.url', PUBLIC_BASE_URL)
        params.set_param('web.base.url.freeze', True)
        assert cls.platform._is_live() and not cls.platform._mode_problem()

    @classmethod
    def _use_config_file(cls, section, cleanup=None):
        """Write a server configuration file with this ``[account_stripe_connect]`` section
        and make it Odoo's configuration file (a runtime option, as ``-c`` sets it).

        :param dict section: The section's keys and values.
        :param cleanup: What registers the undoing: the class's cleanups by default, a
            test's ``addCleanup`` for one test.
        """
        cleanup = cleanup or cls.addClassCleanup
        handle, path = tempfile.mkstemp(suffix='.conf', prefix='asc-test-')
        with os.fdopen(handle, 'w') as file:
            file.write('[options]\n[account_stripe_connect]\n')
            file.writelines(f'{key} = {value}\n' for key, value in section.items())
        cleanup(os.unlink, path)
        runtime = config.options.maps[0]  # Odoo's runtime options, above the file's own.
        missing = object()
        previous = runtime.get('config', missing)
        runtime['config'] = path

        def restore():
            if previous is missing:
                runtime.pop('config', None)
            else:
                runtime['config'] = previous
        cleanup(restore)

    def setUp(self):
        super().setUp()
        self.emulator.reset()
        self.addCleanup(self._check_stripe_shapes)

    def _check_stripe_shapes(self):
        """Fail the test when the emulator answered anything Stripe's API does not have (the
        SDK's typed classes are the reference): the addon was tested against Stripe's shapes."""
        violations = self.emulator.contract_violations()
        self.emulator.clear_recorded_answers()
        self.assertFalse(violations, "\n".join(violations))

    # === HELPERS === #

    def _connect_company(self, company=None):
        """Connect a company through the emulator's onboarding, as a person would."""
        company = company or self.company
        url = company._stripe_start_onboarding(
            refresh_url='https://localhost/refresh', return_url='https://localhost/return',
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
        if cls.stripe_live:
            # The TLS proxy's part: what Stripe sends to the public address reaches this server.
            cls.emulator.map_public_url(PUBLIC_BASE_URL, cls.base_url())
        cls.webhook_url = f'{cls.env.company.get_base_url()}/stripe_connect/webhook'
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


class StripeLiveMode:
    """Mixed in before a test class of this module, runs all its tests with the platform in
    live mode: the emulator's live keys and addresses in the server configuration file (the
    only place a live platform takes Stripe's addresses from), this database's address an
    https:// one that the emulator maps to the test server, as a TLS proxy would."""

    stripe_live = True
    # Odoo runs only the tests a class defines itself, unless told to run the inherited ones.
    allow_inherited_tests_method = True
