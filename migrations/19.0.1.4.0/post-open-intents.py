"""Cancel the open PaymentIntents of the browser-confirmed pay flow.

Until 19.0.1.3.0 the pay page's GET created a PaymentIntent and gave its client secret to the
customer's browser, which confirmed it with Stripe without asking Odoo: a tab of then, still
open, could charge an invoice paid, cancelled or changed since. The open ones (waiting for a
payment method, or declined) are marked, never reused by the pay flow, and cancelled on Stripe
by the cancel job this triggers.

It runs at 19.0.1.4.0 so that databases that reached 19.0.1.3.0 before it existed get it too;
there it also marks open PaymentIntents of the new flow, whose secret no browser holds:
cancelling one costs a new PaymentIntent at the next press of Pay, never a charge.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    marked = env['stripe.payment.intent']._stripe_mark_secrets_in_browser()
    _logger.info("%s open PaymentIntents of the browser-confirmed flow to cancel on Stripe.",
                 len(marked))
