from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import SECRET_KEY, StripeConnectHttpCommon

SECRET_FIELDS = ('stripe_secret_key', 'stripe_webhook_secret', 'stripe_client_id')
ACTIONS = (
    'action_stripe_connect',
    'action_stripe_resume_onboarding',
    'action_stripe_connect_oauth',
    'action_stripe_refresh',
    'action_stripe_disconnect',
    'action_stripe_create_webhook',
)


@tagged('post_install', '-at_install')
class TestStripeConnectAccess(StripeConnectHttpCommon):
    """Only administrators read the platform's secrets and run the platform's actions; portal
    users run none of the Stripe actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, login='stripe_accountant', password='stripe_accountant',
            groups='account.group_account_manager,account.group_account_user',
            company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
        )
        cls.billing = new_test_user(
            cls.env, login='stripe_billing', password='stripe_billing',
            groups='account.group_account_invoice',
            company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
        )
        cls.portal = new_test_user(
            cls.env, login='stripe_portal', password='stripe_portal', groups='base.group_portal',
            company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.admin_settings = self.env['res.config.settings'].create({})
        self.calls_before = len(self.emulator.request_log)

    def _assert_stripe_untouched(self):
        self.assertEqual(len(self.emulator.request_log), self.calls_before)
        self.assertFalse(self.company.stripe_account_id)

    def test_administrator_reads_the_secrets(self):
        self.assertTrue(self.env.user.has_group('base.group_system'))
        self.assertEqual(self.admin_settings.stripe_secret_key, SECRET_KEY)

    def test_accountant_without_admin_rights(self):
        self.assertFalse(self.accountant.has_group('base.group_system'))
        settings_as_accountant = self.admin_settings.with_user(self.accountant)
        Settings = self.env['res.config.settings'].with_user(self.accountant)
        # The secrets are out of reach: not described, not given, not readable.
        described = Settings.fields_get()
        for field_name in SECRET_FIELDS:
            self.assertNotIn(field_name, described)
        values = Settings.get_values()
        self.assertFalse(set(SECRET_FIELDS) & set(values))
        self.assertNotIn(SECRET_KEY, str(values))
        for field_name in SECRET_FIELDS:
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                settings_as_accountant.read([field_name])
        with self.assertRaises(AccessError):
            self.env['ir.config_parameter'].with_user(self.accountant).get_param(
                'account_stripe_connect.secret_key',
            )
        # Settings are for administrators, and so is the webhook endpoint.
        with self.assertRaises(AccessError):
            Settings.create({})
        with self.assertRaises(AccessError):
            settings_as_accountant.action_stripe_create_webhook()
        self._assert_stripe_untouched()
        self.assertFalse(self.platform._get_setting('webhook_endpoint_id'))

    def test_billing_user_cannot_disconnect(self):
        self._connect_company()
        Wizard = self.env['stripe.disconnect.wizard'].with_user(self.billing)
        with self.assertRaises(AccessError):
            Wizard.create({'company_id': self.company.id})
        wizard = self.env['stripe.disconnect.wizard'].create({'company_id': self.company.id})
        with self.assertRaises(AccessError):
            wizard.with_user(self.billing).action_confirm()
        self.assertTrue(self.company.stripe_account_id)

    def test_portal_user(self):
        settings_as_portal = self.admin_settings.with_user(self.portal)
        with self.assertRaises(AccessError):
            self.env['res.config.settings'].with_user(self.portal).create({})
        for field_name in SECRET_FIELDS:
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                settings_as_portal.read([field_name])
        for action in ACTIONS:
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(settings_as_portal, action)()
        with self.assertRaises(AccessError):
            self.env['stripe.disconnect.wizard'].with_user(self.portal).create({
                'company_id': self.company.id,
            })
        with self.assertRaises(AccessError):
            self.env['stripe.oauth.state'].with_user(self.portal).search([])
        self._assert_stripe_untouched()

    def test_routes_refuse_non_managers(self):
        state = self.env['stripe.oauth.state']._issue(self.company)
        for login in ('stripe_portal', 'stripe_billing'):
            self.authenticate(login, login)
            for url in (
                f'/stripe_connect/onboarding/return?company_id={self.company.id}',
                f'/stripe_connect/onboarding/refresh?company_id={self.company.id}',
                f'/stripe_connect/oauth/callback?state={state}&code=ac_anything',
            ):
                with self.subTest(login=login, url=url):
                    response = self.url_open(url, allow_redirects=False)
                    self.assertEqual(response.status_code, 403)
        self.assertFalse(self.env['stripe.oauth.state'].sudo().search([]).used_at)
        self._assert_stripe_untouched()

    def test_rpc_as_portal_user(self):
        """The buttons are public methods: over RPC they are refused as well."""
        self.authenticate('stripe_portal', 'stripe_portal')
        with self.assertRaisesRegex(JsonRpcException, 'AccessError'):
            self.make_jsonrpc_request('/web/dataset/call_kw', {
                'model': 'res.config.settings',
                'method': 'action_stripe_create_webhook',
                'args': [[self.admin_settings.id]],
                'kwargs': {},
            })
        self._assert_stripe_untouched()

    def test_accountant_of_another_company(self):
        other = self.env['res.company'].create({'name': "Elsewhere"})
        stranger = new_test_user(
            self.env, login='stripe_stranger',
            groups='base.group_system,account.group_account_manager',
            company_id=self.company.id, company_ids=[(6, 0, self.company.ids)],
        )
        settings = self.env['res.config.settings'].with_user(stranger).new({
            'company_id': other.id,
        })
        with self.assertRaisesRegex(AccessError, "this company"):
            settings.action_stripe_connect()
        self.assertFalse(other.stripe_account_id)
        self.assertEqual(len(self.emulator.request_log), self.calls_before)
