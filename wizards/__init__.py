from . import stripe_balance_compare, stripe_disconnect_wizard, stripe_refund_wizard
