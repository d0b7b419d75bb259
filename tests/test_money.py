from decimal import ROUND_CEILING, ROUND_FLOOR

from odoo.tests import BaseCase, tagged

from ..utils import money


@tagged('post_install', '-at_install')
class TestMinorUnits(BaseCase):
    """Amounts go to Stripe in minor units by Stripe's own currency rules."""

    def test_two_decimal_currency(self):
        self.assertEqual(money.to_minor_units(10.0, 'EUR'), 1000)
        self.assertEqual(money.to_minor_units(0.1 + 0.2, 'eur'), 30)
        self.assertEqual(money.to_minor_units(1234.565, 'USD'), 123457)
        self.assertEqual(money.from_minor_units(123457, 'USD'), 1234.57)

    def test_zero_decimal_currency(self):
        self.assertEqual(money.to_minor_units(500, 'JPY'), 500)
        self.assertEqual(money.to_minor_units(499.6, 'JPY'), 500)
        self.assertEqual(money.from_minor_units(500, 'jpy'), 500.0)
        self.assertEqual(money.minor_unit_exponent('KRW'), 0)

    def test_three_decimal_currency_rounds_to_tens(self):
        self.assertEqual(money.minor_unit_exponent('KWD'), 3)
        self.assertEqual(money.to_minor_units(5.124, 'KWD'), 5120)
        self.assertEqual(money.to_minor_units(5.125, 'KWD'), 5130)
        self.assertEqual(money.to_minor_units(12.5, 'KWD'), 12500)
        self.assertEqual(money.from_minor_units(12340, 'KWD'), 12.34)

    def test_amount_due_is_rounded_up_to_what_stripe_can_charge(self):
        self.assertEqual(money.to_minor_units(12.344, 'KWD', rounding=ROUND_CEILING), 12350)
        self.assertEqual(money.to_minor_units(0.004, 'KWD', rounding=ROUND_CEILING), 10)
        self.assertEqual(money.to_minor_units(100.5, 'MGA', rounding=ROUND_CEILING), 101)
        self.assertEqual(money.to_minor_units(10.0, 'EUR', rounding=ROUND_CEILING), 1000)
        self.assertEqual(money.to_minor_units(1.239, 'KWD', rounding=ROUND_FLOOR), 1230)

    def test_isk_is_charged_in_whole_kronur(self):
        self.assertEqual(money.to_minor_units(1500, 'ISK'), 150000)
        self.assertEqual(money.to_minor_units(1500.4, 'ISK'), 150000)
        self.assertEqual(money.from_minor_units(150000, 'ISK'), 1500.0)

    def test_supported_currencies(self):
        self.assertTrue(money.is_supported_currency('EUR'))
        self.assertTrue(money.is_supported_currency('kwd'))
        self.assertFalse(money.is_supported_currency('XXX'))
        self.assertFalse(money.is_supported_currency(False))
