from . import stripe_disconnect_wizard, stripe_refund_wizard
