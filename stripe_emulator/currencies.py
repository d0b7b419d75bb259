"""Stripe's currency rules: supported codes, minor units, minimum and maximum charge amounts.

Sources (Stripe's documentation, https://docs.stripe.com/currencies):

* the presentment currencies Stripe supports;
* zero-decimal currencies, three-decimal ones (whose amounts end in 0) and ISK (two
  decimals in the API, charged in whole units);
* "Minimum and maximum charge amounts": the minimum per currency below; a currency not in
  that table must convert to at least the equivalent of 0.50 USD ("Amount must convert to at
  least 50 cents"), which the emulator checks only when told an exchange rate
  (``StripeEmulator.set_exchange_rates``); at most 8 digits (99999999 minor units).

The addon keeps its own copy of this table in its ``const.py``; both must stay equal.
"""

from decimal import ROUND_HALF_UP, Decimal

from .errors import invalid_request

SUPPORTED = frozenset("""
aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn
bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd
gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak
lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd
omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std
szl thb tjs tnd top try ttd twd tzs uah ugx usd uyu uzs vnd vuv wst xaf xcd xof xpf yer zar
zmw
""".split())
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())
WHOLE_UNITS = frozenset({"isk"})  # two decimals in the API, whole units only

# Minimum charge amount per currency, in minor units (Stripe's table).
MINIMUM_CHARGE = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}
USD_MINIMUM = MINIMUM_CHARGE["usd"]
MAXIMUM_AMOUNT = 99_999_999  # "The amount value supports up to eight digits"
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹"}


def exponent(currency):
    """Decimals of the currency's minor unit in the API: 0, 2 or 3."""
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def step(currency):
    """The multiple every charge amount must be of, in minor units."""
    if currency in THREE_DECIMAL:
        return 10
    return 100 if currency in WHOLE_UNITS else 1


def major(amount, currency):
    """The amount in major units, as text with the currency's decimals (``'12.50'``)."""
    digits = exponent(currency)
    return f"{amount / 10 ** digits:,.{digits}f}" if digits else f"{amount:,}"


def format_amount(amount, currency):
    """``12.50 EUR``: the form of Stripe's refund error messages."""
    return f"{major(amount, currency).replace(',', '')} {currency.upper()}"


def _symbolic(amount, currency):
    """``€0.50``, or ``2.00`` for currencies without a symbol here."""
    return SYMBOLS.get(currency, "") + major(amount, currency)


def check_charge_amount(amount, currency, usd_rates=None):
    """Raise Stripe's error for an amount it would not charge in ``currency``.

    :param int amount: In minor units.
    :param str currency: A supported, lower-case code.
    :param dict usd_rates: Value in USD of one major unit, per currency, when known.
    """
    if amount > MAXIMUM_AMOUNT:
        raise invalid_request(
            f"Amount must be no more than {_symbolic(MAXIMUM_AMOUNT, currency)} {currency}",
            param="amount", code="amount_too_large")
    minimum = MINIMUM_CHARGE.get(currency)
    if minimum is not None and amount < minimum:
        raise invalid_request(
            f"Amount must be at least {_symbolic(minimum, currency)} {currency}",
            param="amount", code="amount_too_small")
    rate = (usd_rates or {}).get(currency)
    if minimum is None and rate:
        in_usd = int((Decimal(amount).scaleb(-exponent(currency)) * Decimal(str(rate))
                      * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if in_usd < USD_MINIMUM:
            raise invalid_request(
                f"Amount must convert to at least 50 cents. {_symbolic(amount, currency)} "
                f"{currency} converts to approximately ${in_usd / 100:.2f}.",
                param="amount", code="amount_too_small")
    if amount % step(currency):
        raise invalid_request(
            f"Invalid amount: amounts in {currency} must be a multiple of {step(currency)} "
            f"(the smallest unit Stripe charges in {currency.upper()}).",
            param="amount", code="invalid_charge_amount")
