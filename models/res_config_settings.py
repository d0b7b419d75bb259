import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..utils.stripe_gateway import StripeGatewayError, stripe_email
from .stripe_platform import ENDPOINT_KEYS, MODE_KEYS, key_mode

_logger = logging.getLogger(__name__)

# Settings field -> platform setting key.
PLATFORM_FIELDS = {
    'stripe_secret_key': 'secret_key',
    'stripe_publishable_key': 'publishable_key',
    'stripe_client_id': 'client_id',
    'stripe_webhook_secret': 'webhook_secret',
    'stripe_mode': 'mode',
    'stripe_fee_percent': 'fee_percent',
    'stripe_fee_fixed': 'fee_fixed',
    'stripe_refund_application_fee': 'refund_application_fee',
    'stripe_api_base': 'api_base',
    'stripe_connect_base': 'connect_base',
    'stripe_js_url': 'js_url',
}


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    # --- Platform credentials (administrators only) --- #
    stripe_secret_key = fields.Char(string="Secret Key", groups='base.group_system')
    stripe_publishable_key = fields.Char(string="Publishable Key", groups='base.group_system')
    stripe_client_id = fields.Char(string="Connect Client ID", groups='base.group_system')
    stripe_webhook_secret = fields.Char(
        string="Webhook Signing Secret", groups='base.group_system',
    )
    stripe_mode = fields.Selection(
        string="Mode", selection=[('test', "Test"), ('live', "Live")],
        groups='base.group_system',
        help="Must agree with the secret key, which decides: sk_live_ keys take real payments, "
             "sk_test_ keys test ones.",
    )
    stripe_fee_percent = fields.Float(
        string="Platform Fee (%)", groups='base.group_system',
        help="Share of each payment the platform keeps as an application fee.",
    )
    stripe_fee_fixed = fields.Float(
        string="Platform Fee (fixed)", groups='base.group_system',
        help="Fixed amount, in the company's currency, the platform keeps on each payment.",
    )
    stripe_refund_application_fee = fields.Boolean(
        string="Refunds Give the Platform Fee Back", groups='base.group_system',
        help="Whether a refund made in Odoo also gives back the platform's application fee on "
             "the payment, in proportion to the amount refunded (Stripe's "
             "refund_application_fee). Refunds made in Stripe's dashboard keep it.",
    )
    stripe_api_base = fields.Char(
        string="Stripe API Address", groups='base.group_system',
        help="Where the Stripe API is, for a test stand-in (such as the project's emulator); "
             "empty for Stripe itself. Ignored with a live key, unless the server "
             "configuration file sets it.",
    )
    stripe_connect_base = fields.Char(
        string="Stripe Connect Address", groups='base.group_system',
        help="Where Stripe's OAuth pages are, for a test stand-in; empty for Stripe itself.",
    )
    stripe_js_url = fields.Char(
        string="Stripe.js Address", groups='base.group_system',
        help="Where the pay page loads Stripe.js from, for a test stand-in; empty for Stripe's.",
    )
    stripe_live_key = fields.Boolean(
        compute='_compute_stripe_live_key', groups='base.group_system',
        help="Technical: whether the secret key is a live one.",
    )
    stripe_mode_problem = fields.Char(
        compute='_compute_stripe_mode_problem', groups='base.group_system',
        help="Why the saved keys and mode cannot be used together, if they cannot.",
    )
    stripe_webhook_endpoint_id = fields.Char(
        string="Webhook Endpoint", groups='base.group_system', readonly=True,
    )
    stripe_settings_from_file = fields.Char(
        string="Set in the Configuration File", groups='base.group_system', readonly=True,
        help="These settings come from the server configuration file and win over this form.",
    )
    stripe_file_fields = fields.Char(
        groups='base.group_system', readonly=True,
        help="Technical: the fields of this form the configuration file sets, space-separated.",
    )

    # --- Walkthrough --- #
    stripe_platform_configured = fields.Boolean(compute='_compute_stripe_platform_configured')
    stripe_oauth_available = fields.Boolean(compute='_compute_stripe_platform_configured')
    stripe_company_mode_mismatch = fields.Boolean(
        compute='_compute_stripe_company_mode_mismatch',
    )

    # --- The company's connected account --- #
    stripe_account_id = fields.Char(related='company_id.stripe_account_id')
    stripe_connect_method = fields.Selection(related='company_id.stripe_connect_method')
    stripe_connect_state = fields.Selection(related='company_id.stripe_connect_state')
    stripe_charges_enabled = fields.Boolean(related='company_id.stripe_charges_enabled')
    stripe_payouts_enabled = fields.Boolean(related='company_id.stripe_payouts_enabled')
    stripe_details_submitted = fields.Boolean(related='company_id.stripe_details_submitted')
    stripe_requirements_due = fields.Text(related='company_id.stripe_requirements_due')
    stripe_requirements_past_due = fields.Text(
        related='company_id.stripe_requirements_past_due',
    )
    stripe_account_checked_at = fields.Datetime(related='company_id.stripe_account_checked_at')
    stripe_allow_partial_payments = fields.Boolean(
        related='company_id.stripe_allow_partial_payments', readonly=False,
    )
    stripe_partial_payment_minimum = fields.Monetary(
        related='company_id.stripe_partial_payment_minimum', readonly=False,
        currency_field='currency_id',
    )
    stripe_fee_account_id = fields.Many2one(
        related='company_id.stripe_fee_account_id', readonly=False,
    )
    stripe_journal_id = fields.Many2one(related='company_id.stripe_journal_id')

    # === COMPUTE METHODS === #

    def _compute_stripe_platform_configured(self):
        platform = self.env['stripe.platform'].sudo()
        configured = platform._is_configured()
        oauth = configured and bool(platform._get_setting('client_id'))
        for settings in self:
            settings.stripe_platform_configured = configured
            settings.stripe_oauth_available = oauth

    @api.depends('stripe_secret_key')
    def _compute_stripe_live_key(self):
        for settings in self:
            settings.stripe_live_key = key_mode(settings.stripe_secret_key) == 'live'

    def _compute_stripe_mode_problem(self):
        problem = self.env['stripe.platform']._mode_problem() or False
        for settings in self:
            settings.stripe_mode_problem = problem

    @api.depends('company_id')
    def _compute_stripe_company_mode_mismatch(self):
        for settings in self:
            settings.stripe_company_mode_mismatch = settings.company_id._stripe_mode_mismatch()

    # === CRUD METHODS === #

    @api.model
    def get_values(self):
        """Override of base to read the platform settings, the configuration file winning."""
        values = super().get_values()
        if not self.env.user.has_group('base.group_system'):
            return values
        platform = self.env['stripe.platform']
        file_keys = platform._get_file_keys()
        for field_name, key in PLATFORM_FIELDS.items():
            if key in ENDPOINT_KEYS and key not in file_keys:
                # What Settings holds, even when a live key makes the platform ignore it.
                values[field_name] = platform._get_stored_setting(key)
            else:
                values[field_name] = platform._get_setting(key)
        values['stripe_fee_percent'], values['stripe_fee_fixed'] = platform._get_fee_settings()
        values['stripe_refund_application_fee'] = platform._refund_application_fee()
        mode = (platform._get_setting('mode') or '').strip().lower()
        values['stripe_mode'] = mode if mode in ('test', 'live') \
            else key_mode(platform._get_setting('secret_key')) or 'test'
        values['stripe_webhook_endpoint_id'] = platform._get_setting('webhook_endpoint_id')
        from_file = [name for name, key in PLATFORM_FIELDS.items() if key in file_keys]
        values['stripe_file_fields'] = ' '.join(from_file) or False
        values['stripe_settings_from_file'] = ', '.join(
            self._fields[name]._description_string(self.env) for name in from_file
        ) or False
        return values

    def set_values(self):
        """Override of base to store the platform settings not set in the configuration file."""
        super().set_values()
        if not self.env.user.has_group('base.group_system'):
            return
        platform = self.env['stripe.platform']
        file_keys = platform._get_file_keys()
        values = {}
        for field_name, key in PLATFORM_FIELDS.items():
            value = self[field_name]
            if self._fields[field_name].type == 'float':
                value = str(value) if value else False
            elif isinstance(value, str):
                value = value.strip()
            values[key] = value
        # The mode is the key's: refuse, before anything is stored, keys or a mode typed here
        # that would contradict it (a contradiction of the file's own stays shown, and does not
        # keep the other settings from being saved).
        effective = {
            key: platform._get_setting(key) if key in file_keys else values[key]
            for key in MODE_KEYS
        }
        typed = any(
            values[key] != platform._get_stored_setting(key)
            for key in MODE_KEYS if key not in file_keys
        )
        if typed and (problem := platform._mode_problem(effective)):
            raise UserError(problem)
        live = key_mode(effective['secret_key']) == 'live'
        for key, value in values.items():
            # With a live key, Stripe's addresses are Stripe's own, or the file's.
            if key in file_keys or (live and key in ENDPOINT_KEYS):
                continue
            platform._set_setting(key, value)

    # === ACTION METHODS === #

    def _stripe_check_rights(self, group='account.group_account_manager'):
        """Refuse Stripe actions to users outside ``group`` or outside the settings' company."""
        self.company_id._stripe_check_access(group)

    def _stripe_redirect(self, url):
        return {'type': 'ir.actions.act_url', 'url': url, 'target': 'self'}

    def action_stripe_connect(self):
        """Create the company's Stripe account and send the user to Stripe's onboarding."""
        self.ensure_one()
        self._stripe_check_rights()
        return self._stripe_redirect(self.company_id._stripe_onboarding_url())

    def action_stripe_resume_onboarding(self):
        """Send the user back to Stripe's onboarding of the company's account, with a new link."""
        self.ensure_one()
        self._stripe_check_rights()
        if not self.company_id.stripe_account_id:
            raise UserError(self.env._("This company is not connected to Stripe."))
        return self._stripe_redirect(self.company_id._stripe_onboarding_url())

    def action_stripe_connect_oauth(self):
        """Send the user to Stripe to connect an account that already exists."""
        self.ensure_one()
        self._stripe_check_rights()
        company = self.company_id
        company._stripe_check_connectable()
        platform = self.env['stripe.platform']
        if not platform._get_setting('client_id'):
            raise UserError(self.env._(
                "Connecting an existing Stripe account needs the platform's Connect client ID: "
                "an administrator must enter it in Settings (or in the server configuration "
                "file)."
            ))
        redirect_uri = f'{company.get_base_url()}/stripe_connect/oauth/callback'
        platform._check_public_url(redirect_uri)
        gateway = platform._get_gateway()
        state = self.env['stripe.oauth.state']._issue(company)
        url = gateway.oauth_authorize_url(state, redirect_uri, email=stripe_email(company.email))
        return self._stripe_redirect(url)

    def action_stripe_refresh(self):
        """Ask Stripe for the account's current status."""
        self.ensure_one()
        self._stripe_check_rights()
        self.company_id._stripe_refresh_account()
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_stripe_disconnect(self):
        """Ask for confirmation before disconnecting the company."""
        self.ensure_one()
        self._stripe_check_rights()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Disconnect from Stripe"),
            'res_model': 'stripe.disconnect.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_company_id': self.company_id.id},
        }

    def action_stripe_compare_balance(self):
        """Show Stripe's balance of the company's account beside its Stripe journals'."""
        self.ensure_one()
        return self.company_id.action_stripe_compare_balance()

    def action_stripe_create_webhook(self):
        """Register this database's Connect webhook endpoint on Stripe and keep its secret.

        An endpoint this database registered before is deleted from Stripe once the new one is
        stored, so that Stripe does not send each event twice.
        """
        self.ensure_one()
        self._stripe_check_rights('base.group_system')
        platform = self.env['stripe.platform']
        if 'webhook_secret' in platform._get_file_keys():
            raise UserError(self.env._(
                "The webhook signing secret is set in the server configuration file, so a new "
                "endpoint's secret could not be used. Create the endpoint on Stripe and put its "
                "secret in the configuration file instead."
            ))
        url = f'{self.company_id.get_base_url()}/stripe_connect/webhook'
        platform._check_public_url(url)
        gateway = platform._get_gateway()
        previous_id = platform._get_setting('webhook_endpoint_id')
        endpoint = gateway.create_webhook_endpoint(url, const.HANDLED_WEBHOOK_EVENTS)
        platform._set_setting('webhook_endpoint_id', endpoint['id'])
        platform._set_setting('webhook_secret', endpoint['secret'])
        if previous_id and previous_id != endpoint['id']:
            try:
                gateway.delete_webhook_endpoint(previous_id)
            except StripeGatewayError as error:
                # Gone already, or Stripe keeps it a while longer: the new endpoint works
                # either way, and the old one's events now fail their signature check.
                _logger.info("Could not delete webhook endpoint %s: %s", previous_id, error)
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Webhook endpoint created"),
                'message': self.env._("Stripe will send its events to %(url)s.", url=url),
                'type': 'success',
                'next': {'type': 'ir.actions.client', 'tag': 'reload'},
            },
        }
