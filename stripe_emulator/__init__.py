"""A local Stripe emulator for tests and demos (see README.md).

Usage::

    from stripe_emulator import StripeEmulator
    with StripeEmulator() as emu:
        client = stripe.StripeClient(emu.secret_key,
                                     base_addresses={"api": emu.base_url,
                                                     "connect": emu.base_url})
"""

from .emulator import StripeEmulator

__all__ = ["StripeEmulator"]
