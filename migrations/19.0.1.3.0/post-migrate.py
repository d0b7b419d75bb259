"""Open the books of companies connected before 19.0.1.3.0.

Their Stripe journal becomes the main one of its company (``is_stripe_journal``), its
outbound payment method gets a Stripe outstanding payments account (refunds and disputes
lost had none: with Odoo's accounting app a payment without one posts no entry), the Stripe
fees account is chosen, and the hourly job books the account's balance transactions from
now on: those of before are in the books as they were (gross payments), not booked twice.
"""

import logging
import time

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    now = int(time.time())
    for company in env['res.company'].search([('stripe_journal_id', '!=', False)]):
        journal = company.stripe_journal_id
        journal.is_stripe_journal = True
        outbound = journal.outbound_payment_method_line_ids[:1]
        if outbound and not outbound.payment_account_id:
            outbound.payment_account_id = company._stripe_outstanding_account('outbound')
        company._stripe_ensure_fee_account()
        if company.stripe_account_id and not company.stripe_balance_cursor:
            company.stripe_balance_cursor = now
        _logger.info("Stripe books of company %s opened from %s.", company.id, now)
