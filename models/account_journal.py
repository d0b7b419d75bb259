from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = 'account.journal'

    is_stripe_journal = fields.Boolean(
        string="Stripe Balance", readonly=True, copy=False,
        help="Technical: a journal whose statement lines are the balance transactions of the "
             "company's Stripe account in the journal's currency.",
    )
