"""Stripe's standard (pay-as-you-go) prices: the fees the emulator takes from each payment.

One table, by the country of the account that is paid (direct charges: the connected
account pays Stripe's fees). Sources, as read in 2025:

* EEA accounts: Stripe's "Pricing updates for businesses based in the European Economic
  Area (EEA)" (support.stripe.com, in force since 10 April 2023): standard EEA cards 1.5% +
  €0.25, UK cards 2.5% + €0.25, international cards 3.25% + €0.25, dispute fee €20 (was
  €15), and the fixed €0.25 in the local currencies of EEA countries outside the euro;
  currency conversion +2% (stripe.com/pricing for EEA accounts). SEPA Direct Debit €0.35.
* UK accounts: stripe.com/gb/pricing: standard UK cards 1.5% + 20p, EEA cards 2.5% + 20p,
  international cards 3.25% + 20p, currency conversion +2%, dispute fee £20.
* US accounts: stripe.com/pricing: 2.9% + 30¢, international cards +1.5%, currency
  conversion +1%, dispute fee $15; ACH Direct Debit 0.8% capped at $5.
* Japanese accounts: stripe.com/jp/pricing: 3.6% for cards, no fixed fee, currency
  conversion +2%, dispute fee ¥1,500.
* Any other country: priced as a US account with its fixed fee and dispute fee converted
  to the settlement currency. This is the emulator's approximation, not Stripe's table.

What is left out: premium cards (every test card is a standard one), in-person payments,
Radar, Connect's own fees (Standard accounts on direct charges pay none), the "dispute
countered fee". Stripe stopped returning the dispute fee of a dispute that is won (US,
2025; its older FAQ said it was returned): ``dispute_fee_returned`` says which the emulator
plays, per region.

Percentages apply to the amount in the settlement currency; the percentage part is rounded
half up to the minor unit, then the fixed fee is added.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# The European Economic Area: the EU, Iceland, Liechtenstein and Norway.
EEA = frozenset("""
AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO
""".split())


@dataclass(frozen=True)
class Pricing:
    """The standard prices of one region. Amounts are minor units of ``currency``."""

    region: str
    currency: str
    fixed: int  # per card payment
    domestic: Decimal  # percent, cards issued in the region
    international: Decimal  # percent, cards issued elsewhere
    conversion: Decimal  # percent added when the payment is converted
    dispute_fee: int
    dispute_fee_returned: bool
    neighbours: frozenset = frozenset()  # countries whose cards cost ``neighbour``
    neighbour: Decimal = None
    local_fixed: dict = field(default_factory=dict)  # the fixed fee in other currencies
    bank_debits: dict = field(default_factory=dict)  # type -> (percent, fixed, cap or None)
    delay_days: int = 2  # payout schedule: days before a payment's funds are available


PRICES = {
    "eea": Pricing(
        "eea", "eur", fixed=25, domestic=Decimal("1.5"), international=Decimal("3.25"),
        conversion=Decimal("2"), dispute_fee=2000, dispute_fee_returned=False,
        neighbours=frozenset({"GB"}), neighbour=Decimal("2.5"),
        local_fixed={"bgn": 50, "czk": 650, "dkk": 180, "huf": 8500, "chf": 30, "pln": 100,
                     "ron": 100, "sek": 180},
        bank_debits={"sepa_debit": (Decimal("0"), 35, None)}, delay_days=3),
    "gb": Pricing(
        "gb", "gbp", fixed=20, domestic=Decimal("1.5"), international=Decimal("3.25"),
        conversion=Decimal("2"), dispute_fee=2000, dispute_fee_returned=False,
        neighbours=EEA, neighbour=Decimal("2.5"), delay_days=3),
    "us": Pricing(
        "us", "usd", fixed=30, domestic=Decimal("2.9"), international=Decimal("4.4"),
        conversion=Decimal("1"), dispute_fee=1500, dispute_fee_returned=False,
        bank_debits={"us_bank_account": (Decimal("0.8"), 0, 500)}, delay_days=2),
    "jp": Pricing(
        "jp", "jpy", fixed=0, domestic=Decimal("3.6"), international=Decimal("3.6"),
        conversion=Decimal("2"), dispute_fee=1500, dispute_fee_returned=False, delay_days=4),
}
# The country of the platform itself (charges made without a connected account).
PLATFORM_COUNTRY = "US"


def for_country(country):
    """The Pricing of an account of ``country`` (two letters)."""
    country = (country or PLATFORM_COUNTRY).upper()
    if country in EEA:
        return PRICES["eea"]
    return PRICES.get(country.lower(), PRICES["us"])


def in_region(pricing, account_country, card_country):
    """Whether a card of ``card_country`` is domestic for an account of ``account_country``."""
    card_country = (card_country or "").upper()
    if pricing.region == "eea":
        return card_country in EEA
    return card_country == (account_country or PLATFORM_COUNTRY).upper()


def percent_of(amount, percent):
    """``percent`` % of ``amount`` minor units, rounded half up."""
    return int((Decimal(amount) * Decimal(percent) / 100).quantize(Decimal(1),
                                                                    rounding=ROUND_HALF_UP))


def fixed_fee(pricing, amount, currency, convert):
    """``amount`` (minor units of ``pricing.currency``) in ``currency``, converted with
    ``convert(amount, from_currency, to_currency)``."""
    if not amount or currency == pricing.currency:
        return amount
    return convert(amount, pricing.currency, currency)


def card_fixed_fee(pricing, currency, convert):
    """The fixed fee of a card payment settled in ``currency``: Stripe's local figure where
    it publishes one (``local_fixed``), else the region's converted."""
    local = pricing.local_fixed.get(currency)
    return local if local is not None else fixed_fee(pricing, pricing.fixed, currency, convert)


def processing_fee(account_country, details, amount, currency, *, converted, convert):
    """Stripe's fee on a payment of ``amount`` (settlement currency ``currency``).

    :param str account_country: The country of the account paid.
    :param dict details: The charge's ``payment_method_details``.
    :param bool converted: Whether the payment was converted to the settlement currency.
    :param convert: ``convert(amount, from_currency, to_currency)`` for fixed fees.
    """
    pricing = for_country(account_country)
    kind = (details or {}).get("type")
    debit = pricing.bank_debits.get(kind)
    if debit is not None:
        percent, fixed, cap = debit
        fee = percent_of(amount, percent) + fixed_fee(pricing, fixed, currency, convert)
        if cap is not None:
            fee = min(fee, fixed_fee(pricing, cap, currency, convert))
    else:
        card_country = ((details or {}).get("card") or {}).get("country")
        if in_region(pricing, account_country, card_country):
            percent = pricing.domestic
        elif pricing.neighbour is not None and (card_country or "").upper() in pricing.neighbours:
            percent = pricing.neighbour
        else:
            percent = pricing.international
        if converted:
            percent += pricing.conversion
        fee = percent_of(amount, percent) + card_fixed_fee(pricing, currency, convert)
    return fee


def dispute_fee(account_country, currency, convert):
    """The dispute fee in ``currency`` and whether a won dispute returns it."""
    pricing = for_country(account_country)
    return (fixed_fee(pricing, pricing.dispute_fee, currency, convert),
            pricing.dispute_fee_returned)


def delay_days(country):
    """Days before a payment's funds become available, by the account's country."""
    return for_country(country).delay_days
