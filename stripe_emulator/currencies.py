"""Stripe's currency rules: supported codes, minor units, minimum and maximum charge amounts.

Sources (Stripe's documentation, https://docs.stripe.com/currencies):

* the presentment currencies Stripe supports;
* zero-decimal currencies, three-decimal ones (whose amounts end in 0) and ISK (two
  decimals in the API, charged in whole units);
* "Minimum and maximum charge amounts": the minimum per currency below; a currency not in
  that table must convert to at least the equivalent of 0.50 USD ("Amount must convert to at
  least 50 cents"), which the emulator checks only when told an exchange rate
  (``StripeEmulator.set_exchange_rates``); at most 8 digits (99999999 minor units).

Exchange rates: the emulator starts from ``DEFAULT_USD_RATES``, a fixed snapshot of
approximate mid-market values (USD per major unit, early 2025; Stripe uses the day's rate).
``set_exchange_rates`` changes them: they serve both the minimum above and the conversion of
payments to an account's settlement currency (``convert``).

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
# USD per major unit: an approximate snapshot (early 2025), not live rates.
DEFAULT_USD_RATES = {
    "usd": 1.0, "eur": 1.08, "gbp": 1.27, "jpy": 0.0067, "chf": 1.13, "cad": 0.73,
    "aud": 0.65, "nzd": 0.60, "sek": 0.095, "nok": 0.092, "dkk": 0.145, "pln": 0.25,
    "czk": 0.043, "huf": 0.0027, "ron": 0.217, "bgn": 0.5522, "isk": 0.0072, "kwd": 3.25,
    "bhd": 2.65, "jod": 1.41, "omr": 2.60, "tnd": 0.32, "aed": 0.2723, "sar": 0.2667,
    "inr": 0.012, "sgd": 0.74, "hkd": 0.128, "cny": 0.138, "mxn": 0.058, "brl": 0.20,
    "zar": 0.054, "thb": 0.029, "myr": 0.22, "krw": 0.00073, "try": 0.03, "ils": 0.27,
}
RATE_DIGITS = 8  # significant digits of an exchange_rate


class MissingRate(LookupError):
    """No exchange rate is known for a currency the emulator must convert."""


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


def exchange_rate(from_currency, to_currency, usd_rates):
    """Major units of ``to_currency`` per major unit of ``from_currency`` (a Decimal of
    ``RATE_DIGITS`` significant digits), as a balance transaction's ``exchange_rate``."""
    missing = [c for c in (from_currency, to_currency) if not (usd_rates or {}).get(c)]
    if missing:
        raise MissingRate(", ".join(missing))
    rate = Decimal(str(usd_rates[from_currency])) / Decimal(str(usd_rates[to_currency]))
    return Decimal(f"{rate:.{RATE_DIGITS}g}")


def convert(amount, from_currency, to_currency, usd_rates):
    """``amount`` minor units of ``from_currency`` in minor units of ``to_currency``.

    Returns ``(amount, rate)``: rounded half up to the minor unit of ``to_currency``, and
    the rate used (None when both currencies are the same). ``amount * rate`` in major
    units is the result in major units, as Stripe's ``exchange_rate`` documents.
    """
    if from_currency == to_currency:
        return int(amount), None
    rate = exchange_rate(from_currency, to_currency, usd_rates)
    value = Decimal(int(amount)).scaleb(-exponent(from_currency)) * rate
    converted = value.scaleb(exponent(to_currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(converted), rate
