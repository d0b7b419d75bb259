import json
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from lxml import etree
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .. import const
from ..controllers.onboarding import SETTINGS_URL
from ..models.res_config_settings import PLATFORM_FIELDS
from ..utils.stripe_gateway import (
    StripeAccountAccessError,
    StripeConfigurationError,
    StripeUnavailableError,
)
from .common import PUBLISHABLE_KEY, SECRET_KEY, StripeConnectHttpCommon


@tagged('post_install', '-at_install')
class TestStripeConnect(StripeConnectHttpCommon):
    """Settings > Payment Processing > Stripe, as an administrator, against the emulator:
    onboarding, OAuth, account health, disconnection and the errors on the way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref('base.be')

    def setUp(self):
        super().setUp()
        self.authenticate(self.env.user.login, self.env.user.login)

    # === HELPERS === #

    def _settings(self):
        return self.env['res.config.settings'].create({})

    def _requests(self, method, path=None):
        return [
            entry for entry in self.emulator.request_log
            if entry['method'] == method and (path is None or entry['path'] == path)
        ]

    def _submit_onboarding(self, url, **form):
        """Fill in and submit the emulator's hosted onboarding page; return where it sends."""
        page = requests.get(url, timeout=10)
        self.assertEqual(page.status_code, 200)
        response = requests.post(url, data={'submit': '1', **form}, allow_redirects=False,
                                 timeout=10)
        self.assertIn(response.status_code, (302, 303))
        return response.headers['Location']

    def _authorize(self, url):
        """Go through the emulator's OAuth authorize page; return Stripe's redirect."""
        response = requests.get(url, allow_redirects=False, timeout=10)
        self.assertIn(response.status_code, (302, 303))
        return response.headers['Location']

    def _open(self, url):
        return self.url_open(url, allow_redirects=False)

    def _assert_redirects_to_settings(self, response):
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        self.assertEqual(urlparse(response.headers['Location']).path, SETTINGS_URL)

    def _connect_oauth(self):
        action = self._settings().action_stripe_connect_oauth()
        callback = self._authorize(action['url'])
        self._assert_redirects_to_settings(self._open(callback))
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_method, 'oauth')
        return self.company.stripe_account_id

    def _pay_page(self, invoice):
        query = urlencode({'access_token': invoice._portal_ensure_token()})
        return self.url_open(f'/stripe/pay/{invoice.id}?{query}')

    def _company_snapshot(self):
        self.company.invalidate_recordset()
        return self.company.read([
            'stripe_account_id', 'stripe_connect_method', 'stripe_charges_enabled',
            'stripe_details_submitted', 'stripe_requirements_due', 'stripe_account_generation',
            'stripe_journal_id',
        ])[0]

    # === NEW ACCOUNT THROUGH ONBOARDING === #

    def test_connect_new_account_through_onboarding(self):
        self.assertEqual(self.company.stripe_connect_state, 'not_connected')
        settings = self._settings()
        self.assertTrue(settings.stripe_platform_configured)

        action = settings.action_stripe_connect()

        self.assertEqual(action['type'], 'ir.actions.act_url')
        self.assertTrue(action['url'].startswith(f'{self.emulator.base_url}/connect/onboarding/'))
        account_id = self.company.stripe_account_id
        self.assertTrue(account_id.startswith('acct_'))
        self.assertEqual(self.company.stripe_connect_method, 'onboarding')
        self.assertEqual(self.company.stripe_connect_state, 'onboarding')
        self.assertIn("Bank account for payouts", self.company.stripe_requirements_due)
        self.assertTrue(self.company.stripe_journal_id, "the company gets its Stripe journal")
        # Stripe's onboarding is prefilled from the company.
        account = self.emulator.get_object(account_id)
        self.assertEqual(account['country'], 'BE')
        self.assertEqual(account['email'], 'billing@company-one.example.com')
        self.assertEqual(account['business_profile']['name'], self.company.name)
        self.assertEqual(account['business_profile']['url'], 'https://company-one.example.com')
        self.assertTrue(account['company']['vat_id_provided'], "the VAT number is sent")
        self.assertEqual(account['metadata']['odoo_company_id'], str(self.company.id))
        link_params = self._requests('POST', '/v1/account_links')[0]['params']
        base = f'{self.base_url()}/stripe_connect/onboarding'
        self.assertEqual(link_params['type'], 'account_onboarding')
        self.assertEqual(link_params['return_url'], f'{base}/return?company_id={self.company.id}')
        self.assertEqual(
            link_params['refresh_url'], f'{base}/refresh?company_id={self.company.id}',
        )

        back = self._submit_onboarding(action['url'], vat='BE0477472701')
        self.assertEqual(back, link_params['return_url'])
        self._assert_redirects_to_settings(self._open(back))

        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_account_id, account_id)
        self.assertEqual(self.company.stripe_connect_state, 'ready')
        self.assertTrue(self.company.stripe_charges_enabled)
        self.assertTrue(self.company.stripe_payouts_enabled)
        self.assertTrue(self.company.stripe_details_submitted)
        self.assertFalse(self.company.stripe_requirements_due)
        self.assertTrue(self.company.stripe_account_checked_at)
        self.assertTrue(self.company._stripe_can_take_payments())
        invoice = self._make_invoice()
        self.assertIsNone(invoice._stripe_payment_refusal())
        self.assertTrue(invoice.stripe_pay_url)

    def test_resume_onboarding(self):
        first = self._settings().action_stripe_connect()
        account_id = self.company.stripe_account_id
        settings = self._settings()
        self.assertEqual(settings.stripe_connect_state, 'onboarding')

        resumed = settings.action_stripe_resume_onboarding()

        self.assertNotEqual(resumed['url'], first['url'], "a fresh link every time")
        self.assertEqual(self.company.stripe_account_id, account_id)
        self.assertEqual(len(self._requests('POST', '/v1/accounts')), 1, "one account only")
        self._assert_redirects_to_settings(self._open(self._submit_onboarding(resumed['url'])))
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_state, 'ready')

    def test_refresh_route_makes_a_new_link(self):
        first = self._settings().action_stripe_connect()
        self.emulator.expire_account_links()
        # Stripe sends an expired link to the refresh route...
        expired = requests.get(first['url'], allow_redirects=False, timeout=10)
        self.assertIn(expired.status_code, (302, 303))
        refresh_url = expired.headers['Location']
        self.assertIn('/stripe_connect/onboarding/refresh', refresh_url)

        # ... which sends the user back to a fresh onboarding link of the same account.
        response = self._open(refresh_url)

        self.assertIn(response.status_code, (302, 303))
        fresh = response.headers['Location']
        self.assertTrue(fresh.startswith(f'{self.emulator.base_url}/connect/onboarding/'))
        self.assertNotEqual(fresh, first['url'])
        self.assertEqual(len(self._requests('POST', '/v1/accounts')), 1)
        self._assert_redirects_to_settings(self._open(self._submit_onboarding(fresh)))
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_state, 'ready')

    def test_connect_run_again_gets_the_same_account_or_a_new_one_after_an_edit(self):
        """A lost answer: the same request again finds Stripe's account; after the company's
        details were edited it is another request, never refused as a replay."""
        with self.env.cr.savepoint() as savepoint:
            self._settings().action_stripe_connect()
            first = self.company.stripe_account_id
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(self.company.stripe_account_id)
        self._settings().action_stripe_connect()
        self.assertEqual(self.company.stripe_account_id, first, "Stripe's answer replayed")

        self.company._stripe_disconnect(deauthorize=False)
        with self.env.cr.savepoint() as savepoint:
            self._settings().action_stripe_connect()
            second = self.company.stripe_account_id
            savepoint.rollback()
        self.env.invalidate_all()
        self.company.email = 'accounts@company-one.example.com'
        self._settings().action_stripe_connect()
        self.assertNotIn(self.company.stripe_account_id, (first, second))
        account = self.emulator.get_object(self.company.stripe_account_id)
        self.assertEqual(account['email'], 'accounts@company-one.example.com')

    def test_return_and_refresh_routes_refuse_other_companies(self):
        other = self.env['res.company'].create({'name': "Not Mine"})
        self.env.user.company_ids -= other
        for route in ('return', 'refresh'):
            response = self._open(f'/stripe_connect/onboarding/{route}?company_id={other.id}')
            self.assertEqual(response.status_code, 404)
            response = self._open(f'/stripe_connect/onboarding/{route}?company_id=abc')
            self.assertEqual(response.status_code, 404)

    def test_one_stripe_account_serves_one_company(self):
        self._connect_company()
        other = self.env['res.company'].create({'name': "Other Company"})
        with self.assertRaises(IntegrityError), mute_logger('odoo.sql_db'), \
                self.env.cr.savepoint():
            other.sudo().write({'stripe_account_id': self.company.stripe_account_id})
            other.flush_recordset()

    # === EXISTING ACCOUNT THROUGH OAUTH === #

    def test_connect_existing_account_through_oauth(self):
        settings = self._settings()
        self.assertTrue(settings.stripe_oauth_available)

        action = settings.action_stripe_connect_oauth()

        authorize = urlparse(action['url'])
        self.assertEqual(f'{authorize.scheme}://{authorize.netloc}', self.emulator.base_url)
        self.assertEqual(authorize.path, '/oauth/authorize')
        query = parse_qs(authorize.query)
        self.assertEqual(query['client_id'], ['ca_emulator'])
        self.assertEqual(query['scope'], ['read_write'])
        self.assertEqual(
            query['redirect_uri'], [f'{self.base_url()}/stripe_connect/oauth/callback'],
        )
        self.assertEqual(query['stripe_user[email]'], ['billing@company-one.example.com'])
        state = query['state'][0]
        callback = self._authorize(action['url'])
        self.assertEqual(parse_qs(urlparse(callback).query)['state'], [state])

        self._assert_redirects_to_settings(self._open(callback))

        self.company.invalidate_recordset()
        account_id = self.company.stripe_account_id
        self.assertTrue(account_id.startswith('acct_'))
        self.assertEqual(self.company.stripe_connect_method, 'oauth')
        self.assertEqual(self.company.stripe_connect_state, 'ready')
        self.assertTrue(self.company.stripe_journal_id)
        token_calls = self._requests('POST', '/oauth/token')
        self.assertEqual(len(token_calls), 1)
        self.assertEqual(token_calls[0]['status'], 200)

        # The state was spent: the same answer a second time changes nothing.
        replay = self._open(callback)
        self.assertEqual(replay.status_code, 400)
        self.assertIn("already used", replay.text)
        self.assertEqual(len(self._requests('POST', '/oauth/token')), 1)
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_account_id, account_id)

    def test_oauth_through_the_models(self):
        state = self.env['stripe.oauth.state']._issue(self.company)
        gateway = self.platform._get_gateway()
        callback = self._authorize(gateway.oauth_authorize_url(state, 'http://localhost/cb'))
        code = parse_qs(urlparse(callback).query)['code'][0]

        company = self.env['stripe.oauth.state']._consume(state)
        company._stripe_connect_oauth(code)

        self.assertEqual(company, self.company)
        self.assertEqual(company.stripe_connect_state, 'ready')
        with self.assertRaisesRegex(UserError, "already used"):
            self.env['stripe.oauth.state']._consume(state)
        with self.assertRaisesRegex(UserError, "already connected"):
            self._settings().action_stripe_connect_oauth()

    def test_oauth_access_denied_changes_nothing(self):
        before = self._company_snapshot()
        action = self._settings().action_stripe_connect_oauth()
        self.emulator.deny_next_authorization()
        callback = self._authorize(action['url'])
        self.assertEqual(parse_qs(urlparse(callback).query)['error'], ['access_denied'])

        response = self._open(callback)

        self.assertEqual(response.status_code, 400)
        self.assertIn("The Stripe account was not connected", response.text)
        self.assertIn("The user denied your request", response.text)
        self.assertEqual(self._company_snapshot(), before)
        self.assertFalse(self._requests('POST', '/oauth/token'))
        state = parse_qs(urlparse(callback).query)['state'][0]
        nonce = state.partition('.')[0]
        self.assertTrue(
            self.env['stripe.oauth.state'].sudo().search([('nonce', '=', nonce)]).used_at,
            "the state was spent on the refusal",
        )

    def test_oauth_state_tampered_expired_or_of_another_user(self):
        before = self._company_snapshot()
        States = self.env['stripe.oauth.state']

        def callback_with(state):
            action = self._settings().action_stripe_connect_oauth()
            code = parse_qs(urlparse(self._authorize(action['url'])).query)['code'][0]
            return f'/stripe_connect/oauth/callback?{urlencode({"state": state, "code": code})}'

        def assert_refused(url):
            response = self._open(url)
            self.assertEqual(response.status_code, 400)
            self.assertIn("invalid, expired or was already used", response.text)
            self.assertEqual(self._company_snapshot(), before)
            self.assertFalse(self._requests('POST', '/oauth/token'))

        # Tampered signature.
        nonce, _dot, signature = States._issue(self.company).partition('.')
        assert_refused(callback_with(f'{nonce}.{signature[::-1]}'))
        # No signature, no state at all.
        assert_refused(callback_with(States._issue(self.company).partition('.')[0]))
        assert_refused(callback_with(''))
        # Expired.
        state = States._issue(self.company)
        States.sudo().search([('nonce', '=', state.partition('.')[0])]).expires_at = (
            fields.Datetime.now() - timedelta(minutes=1)
        )
        assert_refused(callback_with(state))
        # Bound to the company it was issued for: moved to another one, the signature fails.
        state = States._issue(self.company)
        other = self.env['res.company'].create({'name': "Other Company"})
        self.env.user.company_ids += other
        States.sudo().search([('nonce', '=', state.partition('.')[0])]).company_id = other
        self.env.flush_all()
        assert_refused(callback_with(state))
        # Bound to the user: another administrator cannot use it.
        state = States._issue(self.company)
        url = callback_with(state)
        colleague = self.env['res.users'].create({
            'name': "Other Admin", 'login': 'other_admin', 'password': 'other_admin_pw',
            'group_ids': [(6, 0, self.env.user.group_ids.ids)],
            'company_id': self.company.id, 'company_ids': [(6, 0, self.company.ids)],
        })
        self.authenticate(colleague.login, 'other_admin_pw')
        assert_refused(url)

    # === ACCOUNT HEALTH === #

    def test_refresh_button(self):
        self._connect_company()
        account_id = self.company.stripe_account_id
        self.emulator.update_account(
            account_id, charges_enabled=False,
            requirements={'currently_due': ['external_account', 'company.phone'],
                          'past_due': ['tos_acceptance.date', 'tos_acceptance.ip']},
        )
        self.assertEqual(self.company.stripe_connect_state, 'ready', "not known before refresh")

        action = self._settings().action_stripe_refresh()

        self.assertEqual(action['tag'], 'reload')
        self.assertFalse(self.company.stripe_charges_enabled)
        self.assertEqual(self.company.stripe_connect_state, 'restricted')
        self.assertEqual(
            self.company.stripe_requirements_due, "Bank account for payouts\nCompany phone",
        )
        self.assertEqual(
            self.company.stripe_requirements_past_due, "Acceptance of Stripe's terms",
        )
        invoice = self._make_invoice()
        self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
        self.assertFalse(invoice.stripe_pay_url)

    def test_account_updated_event(self):
        self._connect_company()
        account_id = self.company.stripe_account_id
        invoice = self._make_invoice()
        self.emulator.update_account(account_id, charges_enabled=False, requirements={
            'currently_due': ['external_account'],
        })

        responses = self._deliver_pending('account.updated')

        self.assertTrue(responses)
        self.assertTrue(all(response.status_code == 200 for response in responses))
        self.company.invalidate_recordset()
        self.assertFalse(self.company.stripe_charges_enabled)
        self.assertEqual(self.company.stripe_requirements_due, "Bank account for payouts")
        self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
        page = self._pay_page(invoice)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Online payment is not available", page.text)
        event = self.env['stripe.webhook.event'].search([
            ('event_type', '=', 'account.updated'), ('stripe_account_id', '=', account_id),
        ], limit=1)
        self.assertEqual(event.state, 'processed')
        self.assertEqual(event.company_id, self.company)

        self.emulator.update_account(account_id, charges_enabled=True, requirements={
            'currently_due': [],
        })
        self._deliver_pending('account.updated')
        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_state, 'ready')
        self.assertIsNone(invoice._stripe_payment_refusal())

    def test_account_updated_events_out_of_order(self):
        """An older account.updated arriving last does not undo the newer status."""
        self._connect_company()
        account_id = self.company.stripe_account_id
        self.emulator.update_account(account_id, charges_enabled=False)
        self.emulator.update_account(account_id, charges_enabled=True)
        updates = [
            json.loads(delivery['body']) for delivery in self.emulator.pending_deliveries()
            if json.loads(delivery['body'])['type'] == 'account.updated'
        ]
        older, newer = updates[-2:]  # The onboarding's own update comes first.
        self.assertFalse(older['data']['object']['charges_enabled'])

        for event in (newer, older):
            self.assertEqual(self._post_event(event['id']).status_code, 200)

        self.company.invalidate_recordset()
        self.assertTrue(self.company.stripe_charges_enabled)
        self.assertEqual(self.company.stripe_connect_state, 'ready')

    # === DISCONNECT === #

    def _disconnect_with_wizard(self):
        action = self._settings().action_stripe_disconnect()
        self.assertEqual(action['res_model'], 'stripe.disconnect.wizard')
        wizard = self.env['stripe.disconnect.wizard'].with_context(**action['context']).create({})
        self.assertEqual(wizard.company_id, self.company)
        return wizard, wizard.action_confirm()

    def test_disconnect_by_button(self):
        self._connect_company()
        generation = self.company.stripe_account_generation
        invoices = self._make_invoice() | self._make_invoice(amount=40.0)
        self.assertTrue(all(invoice.stripe_pay_url for invoice in invoices))

        wizard, result = self._disconnect_with_wizard()

        self.assertEqual(result['tag'], 'reload')
        self.assertEqual(wizard.open_invoice_count, 2)
        self.assertFalse(self.company.stripe_account_id)
        self.assertFalse(self.company.stripe_connect_method)
        self.assertFalse(self.company.stripe_charges_enabled)
        self.assertEqual(self.company.stripe_connect_state, 'not_connected')
        self.assertEqual(self.company.stripe_account_generation, generation + 1)
        self.assertFalse(self._requests('POST', '/oauth/deauthorize'),
                         "an account made through onboarding is not deauthorized")
        for invoice in invoices:
            self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
            self.assertFalse(invoice.stripe_pay_url)
            page = self._pay_page(invoice)
            self.assertEqual(page.status_code, 200)
            self.assertIn("Online payment is not available", page.text)
        # Connecting again makes a new account rather than finding the old one.
        self._settings().action_stripe_connect()
        self.assertEqual(len(self._requests('POST', '/v1/accounts')), 2)

    def test_disconnect_oauth_account_deauthorizes(self):
        account_id = self._connect_oauth()

        _wizard, result = self._disconnect_with_wizard()

        self.assertEqual(result['tag'], 'reload')
        self.assertFalse(self.company.stripe_account_id)
        deauthorize = self._requests('POST', '/oauth/deauthorize')
        self.assertEqual(len(deauthorize), 1)
        self.assertEqual(deauthorize[0]['params']['stripe_user_id'], account_id)
        with self.assertRaises(StripeAccountAccessError):
            self.platform._get_gateway().retrieve_account(account_id)
        # Stripe's own event about it finds nothing left to do, and is recorded.
        responses = self._deliver_pending('account.application.deauthorized')
        self.assertEqual([r.status_code for r in responses], [200])
        event = self.env['stripe.webhook.event'].search([
            ('event_type', '=', 'account.application.deauthorized'),
        ])
        self.assertEqual(event.stripe_account_id, account_id)
        self.assertEqual(event.state, 'ignored')

    def test_disconnect_when_stripe_cannot_be_told(self):
        self._connect_oauth()
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)

        _wizard, result = self._disconnect_with_wizard()

        self.assertFalse(self.company.stripe_account_id, "payments stop locally all the same")
        self.assertEqual(result['tag'], 'display_notification')
        self.assertEqual(result['params']['type'], 'warning')
        self.assertIn("could not be reached", result['params']['message'])

    def test_deauthorized_event_disconnects(self):
        account_id = self._connect_oauth()
        invoice = self._make_invoice()
        self.assertTrue(invoice.stripe_pay_url)
        # The business revokes the platform's access from its Stripe Dashboard.
        self.platform._get_gateway().oauth_deauthorize(account_id)

        responses = self._deliver_pending('account.application.deauthorized')

        self.assertEqual([r.status_code for r in responses], [200])
        self.company.invalidate_recordset()
        self.assertFalse(self.company.stripe_account_id)
        self.assertEqual(self.company.stripe_connect_state, 'not_connected')
        self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
        self.assertIn("Online payment is not available", self._pay_page(invoice).text)
        event = self.env['stripe.webhook.event'].search([
            ('event_type', '=', 'account.application.deauthorized'),
        ])
        self.assertEqual(event.state, 'processed')
        self.assertEqual(event.company_id, self.company)
        # Events of the disconnected account are still recorded.
        self.emulator.update_account(account_id, payouts_enabled=False)
        self._deliver_pending('account.updated')
        late = self.env['stripe.webhook.event'].search([
            ('event_type', '=', 'account.updated'), ('stripe_account_id', '=', account_id),
        ], limit=1)
        self.assertEqual(late.state, 'ignored')

    # === WEBHOOK ENDPOINT === #

    def test_create_webhook_endpoint(self):
        settings = self._settings()
        with self.assertLogs('odoo.addons.account_stripe_connect', level='DEBUG') as logs:
            action = settings.action_stripe_create_webhook()

        self.assertEqual(action['params']['type'], 'success')
        endpoint_id = self.platform._get_setting('webhook_endpoint_id')
        endpoint = self.emulator.get_object(endpoint_id)
        self.assertEqual(endpoint['url'], f'{self.base_url()}/stripe_connect/webhook')
        # A Connect endpoint (WebhookEndpoint objects do not say so; the request does).
        created = self._requests('POST', '/v1/webhook_endpoints')[-1]['params']
        self.assertEqual(str(created['connect']).lower(), 'true')
        self.assertEqual(endpoint['enabled_events'], const.HANDLED_WEBHOOK_EVENTS)
        secret = self.platform._get_setting('webhook_secret')
        self.assertTrue(secret.startswith('whsec_'))
        self.assertNotEqual(secret, self.webhook_secret)
        self.assertFalse(any(secret in line or SECRET_KEY in line for line in logs.output))
        self.assertEqual(self._settings().stripe_webhook_endpoint_id, endpoint_id)
        # Events signed for the new endpoint are accepted.
        self._connect_company()
        self.emulator.update_account(self.company.stripe_account_id, payouts_enabled=False)
        event_id = self.emulator.pending_deliveries()[-1]['event_id']
        response = self._post_event(event_id, endpoint_id=endpoint_id)
        self.assertEqual(response.status_code, 200)

        # A second endpoint replaces the first on Stripe.
        self._settings().action_stripe_create_webhook()
        self.assertNotEqual(self.platform._get_setting('webhook_endpoint_id'), endpoint_id)
        self.assertIsNone(self.emulator.get_object(endpoint_id))

    # === PLATFORM SETTINGS AND THE CONFIGURATION FILE === #

    def test_settings_store_the_platform_credentials(self):
        settings = self._settings()
        self.assertEqual(settings.stripe_secret_key, SECRET_KEY)
        self.assertEqual(settings.stripe_mode, 'test')
        self.assertFalse(settings.stripe_settings_from_file)
        settings.write({
            'stripe_publishable_key': ' pk_test_other ',
            'stripe_fee_percent': 1.5,
            'stripe_fee_fixed': 0.25,
        })
        settings.execute()
        self.assertEqual(self.platform._get_setting('publishable_key'), 'pk_test_other')
        self.assertEqual(self.platform._get_fee_settings(), (1.5, 0.25))
        self.assertEqual(self._settings().stripe_fee_percent, 1.5)

    def test_configuration_file_wins(self):
        endpoints_before = len(self._requests('POST', '/v1/webhook_endpoints'))
        self._use_config_file({
            'secret_key': 'sk_test_from_file',
            'webhook_secret': 'whsec_from_file',
            'fee_percent': '2',
        }, cleanup=self.addCleanup)
        settings = self._settings()
        self.assertEqual(settings.stripe_secret_key, 'sk_test_from_file')
        self.assertEqual(settings.stripe_fee_percent, 2.0)
        self.assertEqual(settings.stripe_publishable_key, PUBLISHABLE_KEY)
        self.assertEqual(
            set(settings.stripe_file_fields.split()),
            {'stripe_secret_key', 'stripe_webhook_secret', 'stripe_fee_percent'},
        )
        self.assertIn("Secret Key", settings.stripe_settings_from_file)
        # The form shows them read-only.
        arch = etree.fromstring(self.env['res.config.settings'].get_view()['arch'])
        for field_name in PLATFORM_FIELDS:
            node = arch.xpath(f"//field[@name='{field_name}']")[0]
            self.assertIn(f"'{field_name}' in", node.get('readonly', ''))
        settings.write({
            'stripe_secret_key': 'sk_test_typed', 'stripe_publishable_key': 'pk_test_typed',
        })
        settings.execute()
        self.assertEqual(self.platform._get_setting('secret_key'), 'sk_test_from_file')
        self.assertEqual(self.platform._get_setting('publishable_key'), 'pk_test_typed')
        params = self.env['ir.config_parameter'].sudo()
        self.assertEqual(params.get_param('account_stripe_connect.secret_key'), SECRET_KEY)
        # Stripe refuses the file's key: the file's key is the one used.
        with self.assertRaises(StripeConfigurationError):
            self._settings().action_stripe_connect()
        with self.assertRaisesRegex(UserError, "configuration file"):
            self._settings().action_stripe_create_webhook()
        self.assertEqual(len(self._requests('POST', '/v1/webhook_endpoints')), endpoints_before)

    # === ERRORS CHANGE NOTHING === #

    def test_platform_keys_missing(self):
        before = self._company_snapshot()
        calls_before = len(self.emulator.request_log)
        self.platform._set_setting('secret_key', False)
        settings = self._settings()
        self.assertFalse(settings.stripe_platform_configured)
        for action in ('action_stripe_connect', 'action_stripe_connect_oauth',
                       'action_stripe_create_webhook'):
            with self.subTest(action=action), \
                    self.assertRaisesRegex(StripeConfigurationError, "not configured"):
                getattr(settings, action)()
        self.assertEqual(self._company_snapshot(), before)
        self.assertEqual(len(self.emulator.request_log), calls_before, "Stripe was not called")

    def test_client_id_missing(self):
        self.platform._set_setting('client_id', False)
        settings = self._settings()
        self.assertFalse(settings.stripe_oauth_available)
        with self.assertRaisesRegex(UserError, "Connect client ID"):
            settings.action_stripe_connect_oauth()
        self.assertFalse(self.env['stripe.oauth.state'].sudo().search([]))

    def test_platform_keys_refused(self):
        before = self._company_snapshot()
        self.platform._set_setting('secret_key', 'sk_test_refused')
        with self.assertRaisesRegex(StripeConfigurationError, "refused the platform's secret"):
            self._settings().action_stripe_connect()
        self.assertEqual(self._company_snapshot(), before)

    def test_stripe_unreachable(self):
        before = self._company_snapshot()
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)
        with self.assertRaisesRegex(StripeUnavailableError, "could not be reached"):
            self._settings().action_stripe_connect()
        self.assertEqual(self._company_snapshot(), before)

    def test_stripe_unreachable_on_return_refresh_and_oauth(self):
        self._connect_company()
        settings_before = self._company_snapshot()
        checked_at = self.company.stripe_account_checked_at
        self.emulator.update_account(self.company.stripe_account_id, charges_enabled=False)
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)

        with self.assertRaises(StripeUnavailableError):
            self._settings().action_stripe_refresh()
        response = self._open(f'/stripe_connect/onboarding/return?company_id={self.company.id}')
        self.assertEqual(response.status_code, 400)
        self.assertIn("could not be reached", response.text)
        self.assertEqual(self._company_snapshot(), settings_before)
        self.assertEqual(self.company.stripe_account_checked_at, checked_at)

    def test_stripe_unreachable_during_oauth_token(self):
        before = self._company_snapshot()
        action = self._settings().action_stripe_connect_oauth()
        callback = self._authorize(action['url'])
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)

        response = self._open(callback)

        self.assertEqual(response.status_code, 400)
        self.assertIn("could not be reached", response.text)
        self.assertEqual(self._company_snapshot(), before)

