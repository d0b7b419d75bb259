from odoo import api, models

BASE_URL_KEY = 'web.base.url'


class IrConfigParameter(models.Model):
    _inherit = 'ir.config_parameter'

    @api.model_create_multi
    def create(self, vals_list):
        """Override of base to register the pay page's new domain on the connected Stripe
        accounts when the database's public address is set."""
        params = super().create(vals_list)
        if any(param.key == BASE_URL_KEY for param in params):
            self._stripe_base_url_changed()
        return params

    def write(self, vals):
        """Override of base to register the pay page's new domain on the connected Stripe
        accounts when the database's public address changes (Odoo rewrites it when an
        administrator logs in, unless ``web.base.url.freeze``)."""
        changed = BASE_URL_KEY in self.mapped('key') and 'value' in vals \
            and any(param.value != vals['value'] for param in self if param.key == BASE_URL_KEY)
        result = super().write(vals)
        if changed:
            self._stripe_base_url_changed()
        return result

    @api.model
    def _stripe_base_url_changed(self):
        """Leave the registration to the job, at commit: a login or a settings write never
        waits for Stripe, and a Stripe that is down never blocks them."""
        companies = self.env['res.company'].sudo().search([('stripe_account_id', '!=', False)])
        if any(company._stripe_wallet_needs_registration() for company in companies):
            companies._stripe_wallets_later()
