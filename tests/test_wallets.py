from urllib.parse import parse_qs, urlparse

import requests

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import StripeConnectHttpCommon, StripeLiveMode

DOMAINS = '/v1/payment_method_domains'


@tagged('post_install', '-at_install')
class TestStripeWallets(StripeConnectHttpCommon):
    """The pay page's domain registered on the connected account for wallets (Apple Pay,
    Google Pay, Link...), by the job, when a company connects and when the database's public
    address changes; what Settings says about it. (An HTTP case: the job runs in the test's
    transaction.)"""

    def setUp(self):
        super().setUp()
        self.cron = self.env.ref('account_stripe_connect.ir_cron_stripe_wallet_domains')
        self._set_public_url('https://pay.example.com')

    # === HELPERS === #

    def _set_public_url(self, url):
        self.env['ir.config_parameter'].sudo().set_param('web.base.url', url)

    def _triggered(self):
        """Run the commit-time hooks as a commit does; return whether the job was triggered
        (and forget the triggers, for the next question)."""
        self.env.flush_all()
        self.env.cr.flush()
        triggers = self.env['ir.cron.trigger'].sudo().search([('cron_id', '=', self.cron.id)])
        found = bool(triggers)
        triggers.unlink()
        return found

    def _run_job(self):
        self.env.flush_all()
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _domain_calls(self, method=None):
        return self.emulator.api_calls(method, path_prefix=DOMAINS, key_kind='secret')

    def _stripe_domains(self, account_id=None):
        """The payment method domains of the company's account on the emulator."""
        gateway = self.platform._get_gateway()
        listing = gateway.list_payment_method_domains(account_id or self.company.stripe_account_id)
        return listing['data']

    def _connect_oauth(self):
        state = self.env['stripe.oauth.state']._issue(self.company)
        url = self.platform._get_gateway().oauth_authorize_url(state, 'https://localhost/cb')
        callback = requests.get(url, allow_redirects=False, timeout=10).headers['Location']
        code = parse_qs(urlparse(callback).query)['code'][0]
        self.env['stripe.oauth.state']._consume(state)._stripe_connect_oauth(code)

    def _settings(self):
        return self.env['res.config.settings'].create({})

    # === WHEN A COMPANY CONNECTS === #

    def test_connect_registers_the_domain_by_the_job(self):
        settings = self._settings()
        self.assertEqual(settings.stripe_wallet_readiness, 'not_connected')

        self._connect_company()

        self.assertTrue(self._triggered(), "connecting triggers the job")
        self.assertFalse(self._domain_calls(), "connecting never waits for the registration")
        self.assertEqual(self.company.stripe_wallet_readiness, 'pending')
        self.assertIn("not registered on the Stripe account yet",
                      self.company.stripe_wallet_message)

        self._run_job()

        account_id = self.company.stripe_account_id
        creation, = self._domain_calls('POST')
        self.assertEqual(creation['path'], DOMAINS)
        self.assertEqual(creation['account'], account_id, "on the connected account itself")
        self.assertEqual(creation['params']['domain_name'], 'pay.example.com')
        self.assertEqual(creation['livemode'], self.stripe_live)
        self.assertTrue(creation['idempotency_key'])
        domain, = self._stripe_domains()
        self.assertEqual(domain['domain_name'], 'pay.example.com')
        self.assertIs(domain['livemode'], self.stripe_live)
        self.assertEqual(self.company.stripe_wallet_domain_id, domain['id'])
        self.assertEqual(self.company.stripe_wallet_domain, 'pay.example.com')
        self.assertEqual(self.company.stripe_wallet_status, 'registered')
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')
        self.assertEqual(
            self.company.stripe_wallet_message,
            "Wallets are ready on pay.example.com: Apple Pay, Google Pay, Link, PayPal, "
            "Amazon Pay, Klarna.",
        )
        settings = self._settings()
        self.assertEqual(settings.stripe_wallet_readiness, 'ready')
        self.assertEqual(settings.stripe_wallet_domain_id, domain['id'])
        # Nothing more to do: the hourly run asks Stripe nothing.
        calls = len(self.emulator.request_log)
        self._run_job()
        self.assertEqual(len(self.emulator.request_log), calls)

    def test_oauth_connection_registers_the_domain(self):
        self._connect_oauth()
        self.assertTrue(self._triggered())
        self._run_job()
        domain, = self._stripe_domains()
        self.assertEqual(domain['domain_name'], 'pay.example.com')
        self.assertEqual(self.company.stripe_wallet_account_id, self.company.stripe_account_id)
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')

    def test_each_connected_account_gets_its_own_registration(self):
        self._connect_company()
        other = self.setup_other_company(name="Company Two")['company']
        self._connect_company(other)
        self._run_job()
        for company in (self.company, other):
            domain, = self._stripe_domains(company.stripe_account_id)
            self.assertEqual(domain['domain_name'], 'pay.example.com')
            self.assertEqual(company.stripe_wallet_domain_id, domain['id'])
        self.assertNotEqual(self.company.stripe_wallet_domain_id, other.stripe_wallet_domain_id)

    def test_disconnect_forgets_the_registration(self):
        self._connect_company()
        self._run_job()
        self.company._stripe_disconnect(deauthorize=False)
        self.assertFalse(self.company.stripe_wallet_domain_id)
        self.assertFalse(self.company.stripe_wallet_status)
        self.assertEqual(self.company.stripe_wallet_readiness, 'not_connected')

    def test_settings_show_readiness_and_register_again(self):
        arch = self.env['res.config.settings'].get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('stripe_wallets_setting', arch)
        self.assertIn('action_stripe_register_wallet_domain', arch)
        self._connect_company()
        settings = self._settings()
        self.assertEqual(settings.stripe_wallet_readiness, 'pending')

        action = settings.action_stripe_register_wallet_domain()

        self.assertEqual(action['params']['type'], 'success')
        self.assertEqual(action['params']['next']['tag'], 'reload')
        self.assertEqual(self._settings().stripe_wallet_readiness, 'ready')
        self.assertEqual(len(self._stripe_domains()), 1)
        clerk = self.env['res.users'].create({
            'name': "Clerk", 'login': 'wallet_clerk',
            'group_ids': [(4, self.env.ref('account.group_account_invoice').id)],
        })
        with self.assertRaises(AccessError):
            self.company.with_user(clerk).action_stripe_register_wallet_domain()

    # === WHEN THE PUBLIC ADDRESS CHANGES === #

    def test_public_url_change_registers_the_new_domain(self):
        self._connect_company()
        self._run_job()
        first_id = self.company.stripe_wallet_domain_id
        self._triggered()

        # What Odoo does when an administrator logs in through another address.
        self._set_public_url('https://invoices.example.org')

        self.assertTrue(self._triggered(), "the change triggers the job")
        self.assertEqual(self.company.stripe_wallet_readiness, 'pending')
        self.assertEqual(len(self._domain_calls('POST')), 1, "nothing asked of Stripe inline")
        self._run_job()
        self.assertEqual(self.company.stripe_wallet_domain, 'invoices.example.org')
        self.assertNotEqual(self.company.stripe_wallet_domain_id, first_id)
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')
        self.assertEqual(
            sorted(domain['domain_name'] for domain in self._stripe_domains()),
            ['invoices.example.org', 'pay.example.com'],
        )

    def test_unchanged_or_port_only_change_triggers_nothing(self):
        self._connect_company()
        self._run_job()
        self._triggered()
        self._set_public_url('https://pay.example.com')
        self._set_public_url('https://pay.example.com:443/')
        self.assertFalse(self._triggered(), "the same host: nothing to register")

    def test_admin_login_rewriting_the_public_url_triggers_the_job(self):
        """Odoo rewrites web.base.url when an administrator logs in (unless frozen): the
        login asks Stripe nothing, the job registers the new domain."""
        self._connect_company()
        self._run_job()
        self._triggered()
        self.env['ir.config_parameter'].sudo().set_param('web.base.url.freeze', False)
        admin = self.env['res.users'].create({
            'name': "Admin", 'login': 'wallet_admin', 'password': 'wallet_admin_pw',
            'group_ids': [(4, self.env.ref('base.group_system').id)],
        })
        calls = len(self.emulator.request_log)

        self.env['res.users'].authenticate(
            {'type': 'password', 'login': 'wallet_admin', 'password': 'wallet_admin_pw'},
            {'interactive': False, 'base_location': 'https://erp.example.net'},
        )

        self.assertEqual(admin.company_id.get_base_url(), 'https://erp.example.net')
        self.assertTrue(self._triggered())
        self.assertEqual(len(self.emulator.request_log), calls, "the login asked Stripe nothing")
        self._run_job()
        self.assertEqual(self.company.stripe_wallet_domain, 'erp.example.net')
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')

    # === ADDRESSES WALLETS CANNOT WORK ON === #

    def test_refused_addresses_say_why_and_ask_stripe_nothing(self):
        self._connect_company()
        self._run_job()
        self._triggered()
        cases = {
            'http://localhost:8069': ('local', "never on localhost or an IP address"),
            'https://shop.localhost': ('local', "never on localhost or an IP address"),
            'http://127.0.0.1:8069': ('local', "never on localhost or an IP address"),
            'https://192.168.1.20': ('local', "never on localhost or an IP address"),
            'https://[::1]:8443': ('local', "never on localhost or an IP address"),
            'https://intranet': ('local', "never on localhost or an IP address"),
            'http://pay.example.com': ('http', "need an https:// address"),
            'http://shop.example.com:8069': ('http', "need an https:// address"),
        }
        calls = len(self.emulator.request_log)
        for url, (readiness, words) in cases.items():
            with self.subTest(url=url):
                self._set_public_url(url)
                self.assertFalse(self._triggered(), "nothing to register")
                self._run_job()
                self.assertEqual(self.company.stripe_wallet_readiness, readiness)
                self.assertIn(words, self.company.stripe_wallet_message)
                self.assertIn(url.rstrip('/'), self.company.stripe_wallet_message)
                action = self.company.action_stripe_register_wallet_domain()
                self.assertEqual(action['params']['type'], 'warning')
                self.assertIn(words, action['params']['message'])
        self.assertEqual(len(self.emulator.request_log), calls, "Stripe was asked nothing")
        # What was registered before stays on record for when the address is public again.
        self.assertEqual(self.company.stripe_wallet_domain, 'pay.example.com')

    # === ONCE, WHATEVER HAPPENS === #

    def test_registered_before_is_taken_not_duplicated(self):
        """A registration Odoo never heard of (an answer lost, or made in the dashboard) is
        found and taken; pressing Register again never makes a second one."""
        self._connect_company()
        self._triggered()
        gateway = self.platform._get_gateway()
        made = gateway.create_payment_method_domain(
            self.company.stripe_account_id, 'pay.example.com')
        self._run_job()
        self.assertEqual(self.company.stripe_wallet_domain_id, made['id'])
        self.assertEqual(len(self._domain_calls('POST')), 1, "only the one made by hand")

        action = self._settings().action_stripe_register_wallet_domain()
        self.assertEqual(action['params']['type'], 'success')
        self.assertIn("Wallets are ready on pay.example.com", action['params']['message'])
        self.assertEqual(len(self._stripe_domains()), 1)
        self.assertEqual(len(self._domain_calls('POST')), 1)

    def test_disabled_domain_is_enabled_again(self):
        self._connect_company()
        self._run_job()
        gateway = self.platform._get_gateway()
        account_id = self.company.stripe_account_id
        gateway._client.v1.payment_method_domains.update(
            self.company.stripe_wallet_domain_id, {'enabled': False},
            {'stripe_account': account_id})
        self.company.action_stripe_register_wallet_domain()
        domain, = self._stripe_domains()
        self.assertTrue(domain['enabled'])
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')

    def test_inactive_wallet_is_validated_again_and_explained(self):
        self._connect_company()
        self._run_job()
        domain_id = self.company.stripe_wallet_domain_id
        self.emulator.set_payment_method_domain_status(domain_id, 'apple_pay', 'inactive')

        self.company.action_stripe_register_wallet_domain()

        validations = [call for call in self._domain_calls('POST')
                       if call['path'] == f'{DOMAINS}/{domain_id}/validate']
        self.assertEqual(len(validations), 1)
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')
        self.assertNotIn("Apple Pay", self.company.stripe_wallet_active)
        self.assertIn("Google Pay", self.company.stripe_wallet_active)
        self.assertIn("Apple Pay: We were unable to verify", self.company.stripe_wallet_error)
        for wallet in ('apple_pay', 'google_pay', 'link', 'paypal', 'amazon_pay', 'klarna'):
            self.emulator.set_payment_method_domain_status(domain_id, wallet, 'inactive')
        self.company.action_stripe_register_wallet_domain()
        self.assertEqual(self.company.stripe_wallet_readiness, 'inactive')
        self.assertIn("Stripe has no wallet active", self.company.stripe_wallet_message)

    # === STRIPE'S ERRORS === #

    def test_stripe_unreachable_leaves_a_clear_status_and_is_retried(self):
        self._connect_company()
        self._triggered()
        self.emulator.set_down(True)
        self.addCleanup(self.emulator.set_down, False)

        self._run_job()

        self.assertEqual(self.company.stripe_wallet_status, 'failed')
        self.assertEqual(self.company.stripe_wallet_readiness, 'failed')
        self.assertIn("could not be reached", self.company.stripe_wallet_message)
        self.assertTrue(self.company.stripe_account_id, "the connection is untouched")

        self.emulator.set_down(False)
        self._run_job()  # The hourly run tries again.
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')
        self.assertEqual(len(self._stripe_domains()), 1)

    def test_domain_refused_by_stripe_shows_its_message(self):
        self._connect_company()
        self._run_job()
        first_id = self.company.stripe_wallet_domain_id
        # A name Odoo cannot tell from a good one, which Stripe refuses.
        self._set_public_url('https://pay_shop.example.com')
        self._run_job()

        self.assertEqual(self.company.stripe_wallet_status, 'refused')
        self.assertEqual(self.company.stripe_wallet_readiness, 'refused')
        self.assertIn("Stripe did not register the domain pay_shop.example.com",
                      self.company.stripe_wallet_message)
        self.assertIn("not a valid public domain name", self.company.stripe_wallet_message)
        # Refused is an answer: the hourly run does not ask again, the button does.
        calls = len(self._domain_calls())
        self._run_job()
        self.assertEqual(len(self._domain_calls()), calls)
        # Nothing registered before is lost: back on the earlier address, it is taken again.
        self._set_public_url('https://pay.example.com')
        self._run_job()
        self.assertEqual(self.company.stripe_wallet_domain_id, first_id)
        self.assertEqual(len(self._stripe_domains()), 1)
        self.assertEqual(self.company.stripe_wallet_readiness, 'ready')


@tagged('post_install', '-at_install')
class TestStripeWalletsLive(StripeLiveMode, TestStripeWallets):
    """The same with the platform in live mode: the domain is registered in live mode."""
