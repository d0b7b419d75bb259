from odoo import fields, models


class StripeDisconnectWizard(models.TransientModel):
    """The confirmation asked before a company stops taking payments with Stripe."""

    _name = 'stripe.disconnect.wizard'
    _description = "Disconnect from Stripe"

    company_id = fields.Many2one('res.company', required=True, readonly=True)
    company_name = fields.Char(related='company_id.name')
    stripe_account_id = fields.Char(related='company_id.stripe_account_id')
    stripe_connect_method = fields.Selection(related='company_id.stripe_connect_method')
    open_invoice_count = fields.Integer(compute='_compute_open_invoice_count')

    # === COMPUTE METHODS === #

    def _compute_open_invoice_count(self):
        for wizard in self:
            wizard.open_invoice_count = self.env['account.move'].search_count([
                ('company_id', '=', wizard.company_id.id),
                ('move_type', '=', 'out_invoice'),
                ('state', '=', 'posted'),
                ('payment_state', 'in', ('not_paid', 'partial')),
            ])

    # === ACTION METHODS === #

    def action_confirm(self):
        """Disconnect the company: its customers can no longer pay online."""
        self.ensure_one()
        self.company_id._stripe_check_access()
        failure = self.company_id._stripe_disconnect()
        reload = {'type': 'ir.actions.client', 'tag': 'reload'}
        if not failure:
            return reload
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Disconnected, but Stripe was not told"),
                'message': self.env._(
                    "Customers can no longer pay online. Stripe could not revoke this "
                    "database's access to the account (%(reason)s): revoke it from the Stripe "
                    "Dashboard.", reason=failure,
                ),
                'type': 'warning',
                'sticky': True,
                'next': reload,
            },
        }
