"""Companies connected before 19.0.1.1.0 took their mode from the Account object, which has no
mode (so it read test): they were connected with the platform's key of then, which is the
platform's key of now."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env['res.company'].search([('stripe_account_id', '!=', False)])
    companies.write({'stripe_livemode': env['stripe.platform']._is_live()})
