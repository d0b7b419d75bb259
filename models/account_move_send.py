from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = 'account.move.send'

    @api.model
    def _get_default_mail_template_id(self, move):
        """Override of account to send the invoices of a connected company with their pay link.

        Only Odoo's standard invoice template is replaced: a template another module or the
        partner's settings chose stays.
        """
        template = super()._get_default_mail_template_id(move)
        standard = self.env.ref('account.email_template_edi_invoice', raise_if_not_found=False)
        if (
            template == standard
            and move.move_type == 'out_invoice'
            and move.company_id.sudo()._stripe_can_take_payments()
        ):
            return self.env.ref(
                'account_stripe_connect.email_template_invoice_pay_online',
                raise_if_not_found=False,
            ) or template
        return template
