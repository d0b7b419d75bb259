from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """Settings > Invoicing > Stripe: whether customers may pay with a wallet, and why not."""

    _inherit = 'res.config.settings'

    stripe_wallet_readiness = fields.Selection(related='company_id.stripe_wallet_readiness')
    stripe_wallet_message = fields.Text(related='company_id.stripe_wallet_message')
    stripe_wallet_domain = fields.Char(related='company_id.stripe_wallet_domain')
    stripe_wallet_domain_id = fields.Char(related='company_id.stripe_wallet_domain_id')
    stripe_wallet_checked_at = fields.Datetime(related='company_id.stripe_wallet_checked_at')

    # === ACTION METHODS === #

    def action_stripe_register_wallet_domain(self):
        """Register the pay page's domain on the company's Stripe account again."""
        self.ensure_one()
        self._stripe_check_rights()
        return self.company_id.action_stripe_register_wallet_domain()
