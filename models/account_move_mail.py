from odoo import models

from .. import const


class AccountMove(models.Model):
    """The pay link in the emails of an invoice, whatever their template."""

    _inherit = 'account.move'

    # === MAIL HOOKS === #

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=False):
        """Override of account to turn the customer's access button into a pay button.

        Odoo's notification layout (the one of the invoice Send flow and of messages posted to
        the customer) shows the button of the recipient's group above the body, whatever
        template wrote that body. While the invoice can be paid online, the groups Odoo gives
        the invoice's access token to (the customer and the partners added as recipients) get
        "Pay online" leading to the pay page instead of "View Invoice"; the pay page shows the
        invoice too. Internal users keep their link to the back office.
        """
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals,
        )
        if len(self) != 1:
            return groups
        pay_url = self.sudo().stripe_pay_url
        if not pay_url:
            return groups
        # Called in the recipients' language: the title is theirs.
        title = self.env._("Pay online")
        for group_name, _group_func, group_data in groups:
            if group_name in const.PAY_BUTTON_RECIPIENT_GROUPS:
                group_data['has_button_access'] = True
                group_data['button_access'] = {'url': pay_url, 'title': title}
        return groups
