from lxml import etree

from odoo.exceptions import UserError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import tagged

from .. import const
from ..utils.stripe_gateway import StripeConfigurationError
from .common import (
    LIVE_PUBLISHABLE_KEY,
    LIVE_SECRET_KEY,
    PUBLISHABLE_KEY,
    SECRET_KEY,
    StripeConnectCommon,
)


@tagged('post_install', '-at_install')
class TestPlatformMode(StripeConnectCommon):
    """Live or test comes from the secret key; what contradicts it is refused with where to
    correct it; a live platform takes Stripe's addresses from the configuration file only."""

    def _settings(self):
        return self.env['res.config.settings'].create({})

    def _stripe_calls(self):
        return len(self.emulator.request_log)

    def _live_file(self, **section):
        """Give the platform settings in a server configuration file, for this test."""
        self._use_config_file(section, cleanup=self.addCleanup)

    # === THE KEY DECIDES === #

    def test_mode_comes_from_the_key(self):
        for key, live in (('sk_live_abc', True), ('rk_live_abc', True), ('sk_test_abc', False),
                          ('rk_test_abc', False)):
            with self.subTest(key=key):
                self.platform._set_setting('secret_key', key)
                self.platform._set_setting('mode', False)
                self.assertEqual(self.platform._is_live(), live)
        # A mode setting alone never makes a test key live: it is refused instead.
        self.platform._set_setting('secret_key', SECRET_KEY)
        self.platform._set_setting('mode', 'live')
        self.assertFalse(self.platform._is_live())
        self.assertIn("the secret key is a test key", self.platform._mode_problem())
        self.assertFalse(self.platform._is_configured())
        calls = self._stripe_calls()
        with self.assertRaisesRegex(StripeConfigurationError, "Set the mode to test"):
            self.platform._get_gateway()
        self.assertEqual(self._stripe_calls(), calls, "Stripe was not called")

    def test_settings_refuse_a_mode_the_key_contradicts(self):
        params = self.env['ir.config_parameter'].sudo()
        for values, message in (
            ({'stripe_secret_key': LIVE_SECRET_KEY, 'stripe_mode': 'test',
              'stripe_publishable_key': LIVE_PUBLISHABLE_KEY},
             r"The mode is test \(in Settings\) but the secret key is a live"),
            ({'stripe_mode': 'live'},
             r"The mode is live \(in Settings\) but the secret key is a test"),
            ({'stripe_publishable_key': LIVE_PUBLISHABLE_KEY}, "not a test publishable key"),
            ({'stripe_secret_key': 'pk_test_wrong_field'}, "not a Stripe secret key"),
        ):
            with self.subTest(values=values):
                settings = self._settings()
                settings.write(values)
                with self.assertRaisesRegex(UserError, message):
                    settings.execute()
                self.assertEqual(params.get_param('account_stripe_connect.secret_key'), SECRET_KEY,
                                 "nothing is stored")
                self.assertEqual(params.get_param('account_stripe_connect.mode'), 'test')
        # The form shows the saved mode, and a live key with the live mode is taken.
        settings = self._settings()
        self.assertEqual(settings.stripe_mode, 'test')
        self.assertFalse(settings.stripe_live_key)
        settings.write({'stripe_secret_key': LIVE_SECRET_KEY, 'stripe_mode': 'live',
                        'stripe_publishable_key': LIVE_PUBLISHABLE_KEY})
        self.assertTrue(settings.stripe_live_key)
        settings.execute()
        self.assertTrue(self.platform._is_live())
        self.assertFalse(self._settings().stripe_mode_problem)

    def test_configuration_file_contradicting_its_key_says_so(self):
        self._live_file(secret_key=LIVE_SECRET_KEY, publishable_key=LIVE_PUBLISHABLE_KEY,
                        mode='test')
        problem = self.platform._mode_problem()
        self.assertIn("the secret key is a live key", problem)
        self.assertIn("[account_stripe_connect] section of the server configuration file", problem)
        self.assertIn(self._settings().stripe_mode_problem, problem)
        self.assertFalse(self.platform._is_configured())
        with self.assertRaisesRegex(StripeConfigurationError, "server configuration file"):
            self.platform._get_gateway()
        # The other settings can still be saved; the problem stays shown until the file is
        # corrected.
        settings = self._settings()
        settings.stripe_fee_percent = 1.0
        settings.execute()
        self.assertEqual(self.platform._get_setting('fee_percent'), '1.0')
        self.assertIn("the secret key is a live key", self._settings().stripe_mode_problem)

    def test_settings_refuse_a_mode_contradicting_the_files_key(self):
        self._live_file(secret_key=LIVE_SECRET_KEY, publishable_key=LIVE_PUBLISHABLE_KEY)
        self.platform._set_setting('mode', False)
        self.assertFalse(self.platform._mode_problem(), "the file's key, no mode: live")
        settings = self._settings()
        self.assertEqual(settings.stripe_mode, 'live')
        settings.execute()
        self.assertEqual(self.platform._get_setting('mode'), 'live')
        settings = self._settings()
        settings.stripe_mode = 'test'
        with self.assertRaisesRegex(UserError, "The mode is test .in Settings. but the secret "
                                               "key is a live key .in the .account_stripe"):
            settings.execute()
        self.assertEqual(self.platform._get_setting('mode'), 'live')

    # === STRIPE'S ADDRESSES === #

    def test_live_key_takes_stripes_addresses_from_the_file_only(self):
        self.assertEqual(self.platform._get_setting('api_base'), self.emulator.base_url)
        self.assertEqual(self.platform._get_js_url(), self.emulator.js_url)
        # Live keys in Settings: the addresses Settings holds are ignored.
        self.platform._set_setting('secret_key', LIVE_SECRET_KEY)
        self.platform._set_setting('publishable_key', LIVE_PUBLISHABLE_KEY)
        self.platform._set_setting('mode', 'live')
        for key in ('api_base', 'connect_base', 'js_url'):
            self.assertFalse(self.platform._get_setting(key), key)
        self.assertEqual(self.platform._get_js_url(), const.STRIPE_JS_URL)
        gateway = self.platform._get_gateway()
        self.assertEqual(gateway._client._requestor.base_addresses['api'], const.STRIPE_API_BASE)
        # The form shows them read-only, with the reason, and saving keeps them unused.
        settings = self._settings()
        self.assertTrue(settings.stripe_live_key)
        self.assertEqual(settings.stripe_api_base, self.emulator.base_url, "what Settings holds")
        settings.stripe_api_base = 'http://elsewhere.example.com'
        settings.execute()
        self.assertEqual(
            self.env['ir.config_parameter'].sudo().get_param('account_stripe_connect.api_base'),
            self.emulator.base_url, "not stored with a live key",
        )
        arch = etree.fromstring(self.env['res.config.settings'].get_view()['arch'])
        for name in ('stripe_api_base', 'stripe_connect_base', 'stripe_js_url'):
            node = arch.xpath(f"//field[@name='{name}']")[0]
            self.assertIn('stripe_live_key', node.get('readonly'))
        self.assertTrue(arch.xpath("//*[hasclass('o_stripe_endpoints_live')]"))
        # The server configuration file may point a live platform elsewhere (the live tests).
        self._live_file(secret_key=LIVE_SECRET_KEY, publishable_key=LIVE_PUBLISHABLE_KEY,
                        api_base=self.emulator.base_url, js_url=self.emulator.js_url)
        self.assertEqual(self.platform._get_setting('api_base'), self.emulator.base_url)
        self.assertEqual(self.platform._get_js_url(), self.emulator.js_url)
        self.assertFalse(self.platform._get_setting('connect_base'))

    def test_stripe_js_is_the_release_of_the_pinned_api_version(self):
        release = const.STRIPE_API_VERSION.rpartition('.')[2]
        self.assertEqual(release, 'endive')
        self.assertEqual(const.STRIPE_JS_URL, f'https://js.stripe.com/{release}/stripe.js')
        self.platform._set_setting('js_url', False)
        self.assertEqual(self.platform._get_js_url(), const.STRIPE_JS_URL)

    # === HTTPS IN LIVE MODE === #

    def test_live_mode_needs_https_addresses_before_calling_stripe(self):
        self._live_file(secret_key=LIVE_SECRET_KEY, publishable_key=LIVE_PUBLISHABLE_KEY,
                        client_id='ca_live_emulator', api_base=self.emulator.base_url,
                        connect_base=self.emulator.base_url)
        self.env['ir.config_parameter'].sudo().set_param('web.base.url', 'http://odoo.example.com')
        settings = self._settings()
        calls = self._stripe_calls()
        for action in ('action_stripe_connect', 'action_stripe_connect_oauth',
                       'action_stripe_create_webhook'):
            with self.subTest(action=action), self.assertRaises(StripeConfigurationError) as caught:
                getattr(settings, action)()
            message = str(caught.exception)
            for needle in ('http://odoo.example.com', 'https://', 'web.base.url', 'proxy_mode'):
                self.assertIn(needle, message)
        self.assertEqual(self._stripe_calls(), calls, "Stripe was not called")
        self.assertFalse(self.company.stripe_account_id)
        # In test mode, Stripe takes http:// addresses.
        self._live_file(secret_key=SECRET_KEY, publishable_key=PUBLISHABLE_KEY,
                        api_base=self.emulator.base_url)
        self.platform._check_public_url('http://odoo.example.com/stripe_connect/webhook')

    # === THE COMPANY'S CONNECTION === #

    def test_company_keeps_the_mode_it_was_connected_in(self):
        self._connect_company()
        self.assertFalse(self.company.stripe_livemode)
        self.assertTrue(self.company._stripe_can_take_payments())
        invoice = self._make_invoice(100.0)
        self.assertTrue(invoice.stripe_pay_url)
        # The platform's keys become live ones: this test-mode connection takes no payment.
        self._live_file(secret_key=LIVE_SECRET_KEY, publishable_key=LIVE_PUBLISHABLE_KEY,
                        mode='live', api_base=self.emulator.base_url)
        self.assertTrue(self.company._stripe_mode_mismatch())
        self.assertFalse(self.company._stripe_can_take_payments())
        self.assertTrue(self._settings().stripe_company_mode_mismatch)
        invoice.invalidate_recordset()
        self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
        # Refreshing the account from Stripe does not change the mode it was connected in.
        self.company._stripe_refresh_account()
        self.assertFalse(self.company.stripe_livemode)

    def test_vat_number_goes_where_stripe_keeps_vat_numbers(self):
        self.company._stripe_start_onboarding('https://localhost/r', 'https://localhost/r')
        create = next(r for r in self.emulator.request_log if r['path'] == '/v1/accounts')
        self.assertEqual(create['params']['company'].get('vat_id'), 'BE0477472701')
        self.assertNotIn('tax_id', create['params']['company'])
        account = self.emulator.get_object(self.company.stripe_account_id)
        self.assertTrue(account['company']['vat_id_provided'])
        self.assertFalse(account['company']['tax_id_provided'])


@tagged('post_install', '-at_install')
class TestNeutralizedCopy(StripeConnectCommon):
    """A neutralized copy of a database (staging, duplicate) is in test mode without the
    production's secrets, and refuses a live key: it never charges a real card nor touches
    production's webhook endpoint or connections."""

    def _production_settings(self):
        for key, value in (
            ('secret_key', LIVE_SECRET_KEY), ('publishable_key', LIVE_PUBLISHABLE_KEY),
            ('mode', 'live'), ('webhook_secret', 'whsec_production'),
            ('webhook_endpoint_id', 'we_production'), ('client_id', 'ca_live'),
        ):
            self.platform._set_setting(key, value)

    def test_neutralization_clears_live_secrets_and_refuses_live_keys(self):
        self._production_settings()
        self.assertTrue(self.platform._is_live())

        self.env.flush_all()
        neutralize_database(self.env.cr)  # Odoo's own neutralization, with this module's part.
        self.env.registry.clear_cache('stable')  # System parameters, changed in SQL.
        self.env.invalidate_all()

        params = self.env['ir.config_parameter'].sudo()
        self.assertTrue(params.get_param('database.is_neutralized'))
        self.assertTrue(self.platform._is_neutralized())
        self.assertEqual(self.platform._get_setting('mode'), 'test')
        for key in ('secret_key', 'webhook_secret', 'webhook_endpoint_id', 'publishable_key'):
            self.assertFalse(self.platform._get_setting(key), key)
        self.assertEqual(self.platform._get_setting('client_id'), 'ca_live', "not a secret")
        self.assertFalse(self.platform._is_live())
        self.assertFalse(self.platform._is_configured())

        # A live key is refused there, from Settings and from the configuration file.
        settings = self.env['res.config.settings'].create({})
        settings.write({'stripe_secret_key': LIVE_SECRET_KEY, 'stripe_mode': 'live',
                        'stripe_publishable_key': LIVE_PUBLISHABLE_KEY})
        with self.assertRaisesRegex(UserError, "neutralized copy"):
            settings.execute()
        self._use_config_file({'secret_key': LIVE_SECRET_KEY,
                               'publishable_key': LIVE_PUBLISHABLE_KEY}, cleanup=self.addCleanup)
        self.assertIn("neutralized copy", self.platform._mode_problem())
        self.assertIn("server configuration file", self.platform._mode_problem())
        with self.assertRaisesRegex(StripeConfigurationError, "neutralized copy"):
            self.platform._get_gateway()

    def test_neutralized_copy_leaves_productions_webhook_and_connections(self):
        self._connect_company()
        self.company.stripe_connect_method = 'oauth'  # As if connected through OAuth.
        self._production_settings()
        self.company.stripe_livemode = True  # Connected in production, live.
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.registry.clear_cache('stable')
        self.env.invalidate_all()
        self.platform._set_setting('secret_key', SECRET_KEY)  # The staging's own test keys.
        self.platform._set_setting('publishable_key', PUBLISHABLE_KEY)
        self.assertFalse(self.company._stripe_can_take_payments(), "a live connection")

        calls = len(self.emulator.request_log)
        self.env['res.config.settings'].create({}).action_stripe_create_webhook()
        self.company._stripe_disconnect()
        paths = [r['path'] for r in self.emulator.request_log[calls:]]
        self.assertEqual(paths, ['/v1/webhook_endpoints'], "no delete, no deauthorization")
        self.assertFalse(self.company.stripe_account_id, "disconnected here only")
