from odoo import api, fields, models
from odoo.exceptions import AccessError

from .. import const
from .stripe_platform import config_file_values

# Settings field -> platform setting key.
PLATFORM_FIELDS = {
    'stripe_secret_key': 'secret_key',
    'stripe_publishable_key': 'publishable_key',
    'stripe_client_id': 'client_id',
    'stripe_webhook_secret': 'webhook_secret',
    'stripe_mode': 'mode',
    'stripe_fee_percent': 'fee_percent',
    'stripe_fee_fixed': 'fee_fixed',
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
        selection=[('test', "Test"), ('live', "Live")],
        groups='base.group_system',
    )
    stripe_fee_percent = fields.Float(
        string="Platform Fee (%)", groups='base.group_system',
        help="Share of each payment the platform keeps as an application fee.",
    )
    stripe_fee_fixed = fields.Float(
        string="Platform Fee (fixed)", groups='base.group_system',
        help="Fixed amount, in the company's currency, the platform keeps on each payment.",
    )
    stripe_settings_from_file = fields.Char(
        string="Set in the Configuration File", groups='base.group_system', readonly=True,
        help="These settings come from the server configuration file and win over this form.",
    )

    # --- Walkthrough --- #
    stripe_platform_configured = fields.Boolean(compute='_compute_stripe_platform_configured')

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

    # === COMPUTE METHODS === #

    def _compute_stripe_platform_configured(self):
        configured = self.env['stripe.platform'].sudo()._is_configured()
        for settings in self:
            settings.stripe_platform_configured = configured

    # === CRUD METHODS === #

    @api.model
    def get_values(self):
        """Override of base to read the platform settings, the configuration file winning."""
        values = super().get_values()
        if not self.env.user.has_group('base.group_system'):
            return values
        platform = self.env['stripe.platform']
        params = self.env['ir.config_parameter'].sudo()
        file_values = config_file_values()
        for field_name, key in PLATFORM_FIELDS.items():
            value = file_values.get(key) or params.get_param(f'account_stripe_connect.{key}')
            if self._fields[field_name].type == 'float':
                value = float(value or 0.0)
            values[field_name] = value or False
        values['stripe_mode'] = values['stripe_mode'] or ('live' if platform._is_live() else 'test')
        values['stripe_settings_from_file'] = ', '.join(
            field_name for field_name, key in PLATFORM_FIELDS.items() if key in file_values
        ) or False
        return values

    def set_values(self):
        """Override of base to store the platform settings not set in the configuration file."""
        super().set_values()
        if not self.env.user.has_group('base.group_system'):
            return
        platform = self.env['stripe.platform']
        file_values = config_file_values()
        for field_name, key in PLATFORM_FIELDS.items():
            if key in file_values:
                continue
            value = self[field_name]
            if self._fields[field_name].type == 'float':
                value = str(value) if value else False
            platform._set_setting(key, value)

    # === ACTION METHODS === #

    def _stripe_check_rights(self, group='account.group_account_manager'):
        if not self.env.user.has_group(group):
            raise AccessError(self.env._("You are not allowed to manage the Stripe connection."))

    def _stripe_redirect(self, url):
        return {'type': 'ir.actions.act_url', 'url': url, 'target': 'self'}

    def action_stripe_connect(self):
        """Create the company's Stripe account and send the user to Stripe's onboarding."""
        self._stripe_check_rights()
        company = self.company_id
        base = company.get_base_url()
        url = company._stripe_start_onboarding(
            refresh_url=f'{base}/stripe_connect/onboarding/refresh?company_id={company.id}',
            return_url=f'{base}/stripe_connect/onboarding/return?company_id={company.id}',
        )
        return self._stripe_redirect(url)

    action_stripe_resume_onboarding = action_stripe_connect

    def action_stripe_connect_oauth(self):
        """Send the user to Stripe to connect an account that already exists."""
        self._stripe_check_rights()
        company = self.company_id
        state = self.env['stripe.oauth.state']._issue(company)
        url = self.env['stripe.platform']._get_gateway().oauth_authorize_url(
            state, f'{company.get_base_url()}/stripe_connect/oauth/callback', email=company.email,
        )
        return self._stripe_redirect(url)

    def action_stripe_refresh(self):
        """Ask Stripe for the account's current status."""
        self._stripe_check_rights()
        self.company_id._stripe_refresh_account()
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_stripe_disconnect(self):
        """Ask for confirmation before disconnecting the company."""
        self._stripe_check_rights()
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Disconnect from Stripe"),
            'res_model': 'stripe.disconnect.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_company_id': self.company_id.id},
        }

    def action_stripe_create_webhook(self):
        """Register this database's Connect webhook endpoint on Stripe and keep its secret."""
        self._stripe_check_rights('base.group_system')
        platform = self.env['stripe.platform']
        url = f'{self.company_id.get_base_url()}/stripe_connect/webhook'
        endpoint = platform._get_gateway().create_webhook_endpoint(
            url, const.HANDLED_WEBHOOK_EVENTS,
        )
        platform._set_setting('webhook_endpoint_id', endpoint['id'])
        platform._set_setting('webhook_secret', endpoint['secret'])
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
