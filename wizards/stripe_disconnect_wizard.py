from odoo import fields, models


class StripeDisconnectWizard(models.TransientModel):
    _name = 'stripe.disconnect.wizard'
    _description = "Disconnect from Stripe"

    company_id = fields.Many2one('res.company', required=True, readonly=True)
    stripe_account_id = fields.Char(related='company_id.stripe_account_id')
    open_invoice_count = fields.Integer(compute='_compute_open_invoice_count')

    def _compute_open_invoice_count(self):
        for wizard in self:
            wizard.open_invoice_count = self.env['account.move'].search_count([
                ('company_id', '=', wizard.company_id.id),
                ('move_type', '=', 'out_invoice'),
                ('state', '=', 'posted'),
                ('payment_state', 'in', ('not_paid', 'partial')),
            ])

    def action_confirm(self):
        """Disconnect the company: its customers can no longer pay online."""
        self.ensure_one()
        self.env['res.config.settings']._stripe_check_rights()
        self.company_id._stripe_disconnect()
        return {'type': 'ir.actions.client', 'tag': 'reload'}
