import os
import unittest
import uuid
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter

from odoo.tests import TransactionCase, tagged

from ..utils.stripe_gateway import StripeCardError, StripeGateway

LIVE_KEY_VARIABLE = 'STRIPE_TEST_SECRET_KEY'
STRIPE_HOSTS = {'api.stripe.com', 'connect.stripe.com'}


@tagged('post_install', '-at_install', 'stripe_live')
class TestRealStripeTestMode(TransactionCase):
    """The gateway's flows against Stripe's real test mode, opt in.

    Set STRIPE_TEST_SECRET_KEY (a platform's ``sk_test_...`` key with Connect enabled) in the
    environment of the Odoo that runs the tests; the machine needs to reach api.stripe.com.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key = os.environ.get(LIVE_KEY_VARIABLE)
        if not key:
            raise unittest.SkipTest(
                f"{LIVE_KEY_VARIABLE} is not set: the real Stripe test-mode suite is opt in"
            )
        if not key.startswith('sk_test_'):
            raise unittest.SkipTest(f"{LIVE_KEY_VARIABLE} must be a test-mode key (sk_test_...)")
        cls.gateway = StripeGateway(
            cls.env, key, client_id=os.environ.get('STRIPE_TEST_CLIENT_ID'),
        )
        cls.account = cls.gateway.create_account({
            'country': 'US',
            'email': f'odoo-test-{uuid.uuid4().hex[:8]}@example.com',
            'controller': {
                'stripe_dashboard': {'type': 'full'},
                'fees': {'payer': 'account'},
                'losses': {'payments': 'stripe'},
                'requirement_collection': 'stripe',
            },
            'metadata': {'odoo_test': 'account_stripe_connect'},
        })

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Let this opt-in class, and it alone, reach Stripe through Odoo's test harness."""
        if urlsplit(r.url).hostname in STRIPE_HOSTS:
            return HTTPAdapter().send(r, **kw)
        return super()._request_handler(s, r, **kw)

    def test_account_link_for_onboarding(self):
        link = self.gateway.create_account_link(
            self.account['id'], 'https://example.com/refresh', 'https://example.com/return',
        )
        self.assertTrue(link['url'].startswith('https://'))
        self.assertEqual(self.gateway.retrieve_account(self.account['id'])['id'],
                         self.account['id'])

    def test_payment_intent_on_the_connected_account(self):
        intent = self.gateway.create_payment_intent(self.account['id'], {
            'amount': 1099,
            'currency': 'usd',
            'automatic_payment_methods': {'enabled': True},
            'metadata': {'odoo_database': self.env.cr.dbname},
        })
        self.assertEqual(intent['status'], 'requires_payment_method')
        self.assertTrue(intent['client_secret'].startswith(intent['id']))
        updated = self.gateway.update_payment_intent(
            self.account['id'], intent['id'], {'amount': 1299},
        )
        self.assertEqual(updated['amount'], 1299)
        canceled = self.gateway.cancel_payment_intent(self.account['id'], intent['id'])
        self.assertEqual(canceled['status'], 'canceled')

    def test_declined_card_message(self):
        with self.assertRaises(StripeCardError):
            self.gateway.create_payment_intent(self.account['id'], {
                'amount': 1099, 'currency': 'usd', 'confirm': True,
                'payment_method': 'pm_card_chargeDeclined',
                'automatic_payment_methods': {'enabled': True, 'allow_redirects': 'never'},
            })

    def test_webhook_endpoint_round_trip(self):
        endpoint = self.gateway.create_webhook_endpoint(
            'https://example.com/stripe_connect/webhook', ['payment_intent.succeeded'],
        )
        try:
            self.assertTrue(endpoint['secret'].startswith('whsec_'))
        finally:
            self.gateway.delete_webhook_endpoint(endpoint['id'])
