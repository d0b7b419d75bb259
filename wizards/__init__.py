from . import stripe_disconnect_wizard
