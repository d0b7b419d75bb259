import logging
from urllib.parse import parse_qs, urlparse

import requests

from odoo.tests import tagged

from .. import const
from ..utils.stripe_gateway import (
    StripeAccountAccessError,
    StripeCardError,
    StripeConfigurationError,
    StripeGateway,
    StripeGatewayError,
    StripeUnavailableError,
    mask_secret,
)
from .common import SECRET_KEY, StripeConnectCommon


@tagged('post_install', '-at_install')
class TestStripeGateway(StripeConnectCommon):
    """The one door to Stripe: version, accounts, idempotency and errors people can act on."""

    def _gateway(self, key=SECRET_KEY):
        return StripeGateway(
            self.env, key, client_id='ca_emulator',
            api_base=self.emulator.base_url, connect_base=self.emulator.base_url,
        )

    def test_calls_carry_the_pinned_version_and_the_connected_account(self):
        gateway = self._gateway()
        account = gateway.create_account({'country': 'BE', 'email': 'a@example.com'})
        intent = gateway.create_payment_intent(account['id'], {
            'amount': 1234, 'currency': 'eur', 'metadata': {'odoo_invoice_id': '1'},
        })
        self.assertEqual(intent['amount'], 1234)
        retrieved = gateway.retrieve_payment_intent(account['id'], intent['id'])
        self.assertEqual(retrieved['id'], intent['id'])
        creates = [
            r for r in self.emulator.request_log
            if r['method'] == 'POST' and r['path'] == '/v1/payment_intents'
        ]
        self.assertEqual(len(creates), 1)
        self.assertEqual(creates[0]['account'], account['id'])
        self.assertTrue(creates[0]['idempotency_key'], "every create carries an idempotency key")
        self.assertTrue(all(
            r.get('stripe_version', const.STRIPE_API_VERSION) == const.STRIPE_API_VERSION
            for r in self.emulator.request_log
        ))

    def test_other_accounts_objects_are_out_of_reach(self):
        gateway = self._gateway()
        first = gateway.create_account({'country': 'BE'})
        second = gateway.create_account({'country': 'BE'})
        intent = gateway.create_payment_intent(first['id'], {'amount': 500, 'currency': 'eur'})
        with self.assertRaises(StripeGatewayError) as caught:
            gateway.retrieve_payment_intent(second['id'], intent['id'])
        self.assertEqual(caught.exception.code, 'resource_missing')

    def test_same_idempotency_key_gives_the_same_object(self):
        gateway = self._gateway()
        account = gateway.create_account({'country': 'BE'})
        params = {'amount': 700, 'currency': 'eur'}
        first = gateway.create_payment_intent(account['id'], params, idempotency_key='k-1')
        again = gateway.create_payment_intent(account['id'], params, idempotency_key='k-1')
        self.assertEqual(first['id'], again['id'])
        with self.assertRaises(StripeGatewayError):
            gateway.create_payment_intent(
                account['id'], {'amount': 800, 'currency': 'eur'}, idempotency_key='k-1',
            )

    def test_refused_key_tells_the_administrator_what_to_fix(self):
        gateway = self._gateway('sk_test_not_a_real_key')
        with self.assertRaises(StripeConfigurationError) as caught:
            gateway.retrieve_account('acct_whatever')
        self.assertIn("secret key", str(caught.exception))
        self.assertNotIn('sk_test_not_a_real_key', str(caught.exception))

    def test_missing_key_is_a_configuration_error(self):
        with self.assertRaises(StripeConfigurationError):
            StripeGateway(self.env, False)

    def test_declined_card_keeps_stripes_customer_message(self):
        gateway = self._gateway()
        account = gateway.create_account({'country': 'BE'})
        with self.assertRaises(StripeCardError) as caught:
            gateway.create_payment_intent(account['id'], {
                'amount': 900, 'currency': 'eur', 'confirm': True,
                'payment_method': 'pm_card_chargeDeclined',
            })
        self.assertEqual(str(caught.exception), "Your card was declined.")
        self.assertEqual(caught.exception.code, 'card_declined')

    def test_revoked_account_is_a_clear_access_error(self):
        gateway = self._gateway()
        token = self._oauth_connect(gateway)
        gateway.oauth_deauthorize(token['stripe_user_id'])
        with self.assertRaises(StripeAccountAccessError) as caught:
            gateway.retrieve_account(token['stripe_user_id'])
        self.assertIn("Connect the company to Stripe again", str(caught.exception))

    def _oauth_connect(self, gateway):
        url = gateway.oauth_authorize_url('state-1', 'http://localhost/callback')
        response = requests.get(url, allow_redirects=False, timeout=10)
        code = parse_qs(urlparse(response.headers['Location']).query)['code'][0]
        return gateway.oauth_token(code)

    def test_stripe_down_is_reported_as_unavailable(self):
        gateway = self._gateway()
        self.emulator.set_down(True)
        try:
            with self.assertRaises(StripeUnavailableError) as caught:
                gateway.retrieve_account('acct_whatever')
        finally:
            self.emulator.set_down(False)
        self.assertIn("could not be reached", str(caught.exception))

    def test_secrets_are_masked_in_logs(self):
        self.assertEqual(mask_secret('sk_test_abcdefgh1234'), 'sk_test_****1234')
        self.assertEqual(mask_secret('whsec_abcdefgh9876'), 'whsec_****9876')
        gateway = self._gateway('sk_test_not_a_real_key')
        with self.assertLogs('odoo.addons.account_stripe_connect', level=logging.DEBUG) as logs, \
                self.assertRaises(StripeConfigurationError):
            gateway.retrieve_account('acct_whatever')
        self.assertFalse(any('sk_test_not_a_real_key' in line for line in logs.output))
