"""Conversions between Odoo amounts and Stripe's minor units, by Stripe's currency rules."""

from decimal import ROUND_HALF_UP, Decimal

from .. import const


def minor_unit_exponent(currency_code):
    """Return how many decimals Stripe's minor unit of a currency has.

    :param str currency_code: The ISO 4217 code, in any case.
    :return: 0, 2 or 3.
    :rtype: int
    """
    code = currency_code.upper()
    if code in const.ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in const.THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def minor_unit_step(currency_code):
    """Return the multiple every charged amount must be of, in minor units.

    Three-decimal currencies must end with a 0 and ISK is charged in whole krónur.
    """
    code = currency_code.upper()
    if code in const.THREE_DECIMAL_CURRENCIES:
        return 10
    if code in const.WHOLE_UNIT_TWO_DECIMAL_CURRENCIES:
        return 100
    return 1


def to_minor_units(amount, currency_code, rounding=ROUND_HALF_UP):
    """Convert a major-unit amount into the integer Stripe expects.

    The result is rounded to the currency's step (see :func:`minor_unit_step`), half up by
    default.

    :param amount: The amount in major units (float, Decimal or int).
    :param str currency_code: The ISO 4217 code.
    :param str rounding: A :mod:`decimal` rounding mode: ``ROUND_CEILING`` so that an amount
                         due is always covered, ``ROUND_FLOOR`` for what must not exceed it.
    :return: The amount in minor units.
    :rtype: int
    """
    exponent = minor_unit_exponent(currency_code)
    step = minor_unit_step(currency_code)
    minor = Decimal(str(amount)).scaleb(exponent)
    steps = (minor / step).quantize(Decimal(1), rounding=rounding)
    return int(steps) * step


def from_minor_units(minor_amount, currency_code):
    """Convert Stripe's integer amount back into major units.

    :param int minor_amount: The amount as Stripe gives it.
    :param str currency_code: The ISO 4217 code.
    :return: The amount in major units.
    :rtype: float
    """
    exponent = minor_unit_exponent(currency_code)
    return float(Decimal(int(minor_amount)).scaleb(-exponent))


def is_supported_currency(currency_code):
    """Return whether Stripe accepts payments in this currency."""
    return bool(currency_code) and currency_code.upper() in const.SUPPORTED_CURRENCIES


def charge_limits(currency_code):
    """Return the smallest and the largest amount Stripe charges at once in a currency.

    The smallest is Stripe's published minimum when its table lists the currency, else one
    step of the currency (Stripe may still find it too small once converted). Both are
    multiples of the currency's step (see :func:`minor_unit_step`).

    :param str currency_code: The ISO 4217 code.
    :return: (minimum, maximum) in minor units, and whether the minimum is Stripe's own.
    :rtype: tuple(int, int, bool)
    """
    code = currency_code.upper()
    step = minor_unit_step(code)
    published = const.MINIMUM_CHARGE_MINOR.get(code)
    minimum = -(-(published or step) // step) * step  # Rounded up to a whole step.
    maximum = const.MAXIMUM_CHARGE_MINOR // step * step
    return minimum, maximum, published is not None
