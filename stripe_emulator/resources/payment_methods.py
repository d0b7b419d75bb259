"""Test payment methods (``pm_card_visa`` ...), the PaymentMethod objects made of them, and
``payment_method_data`` as Stripe.js and the ConfirmationToken test helper send it."""

import datetime

from ..cards import COUNTRY_CARDS
from ..errors import ApiError, invalid_request, missing_param, resource_missing
from ..params import to_dict, to_email, to_int, to_text
from ..render import render_for
from ..util import new_id, now

# behaviour: what confirming a PaymentIntent with the method does.
TEST_METHODS = {
    "pm_card_visa": {"type": "card", "brand": "visa", "last4": "4242",
                     "behaviour": "succeed"},
    "pm_card_mastercard": {"type": "card", "brand": "mastercard", "last4": "4444",
                           "behaviour": "succeed"},
    "pm_card_chargeDeclined": {"type": "card", "brand": "visa", "last4": "0002",
                               "behaviour": "decline", "decline_code": "generic_decline",
                               "message": "Your card was declined."},
    "pm_card_chargeDeclinedInsufficientFunds": {
        "type": "card", "brand": "visa", "last4": "9995", "behaviour": "decline",
        "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."},
    "pm_card_authenticationRequired": {"type": "card", "brand": "visa", "last4": "3184",
                                       "behaviour": "authenticate"},
    # Stand-in for SEPA / ACH debits: stays 'processing' until settled by a control.
    "pm_bank_debit": {"type": "sepa_debit", "last4": "3000", "bank_code": "37040044",
                      "country": "DE", "behaviour": "processing"},
}
TEST_METHODS.update(COUNTRY_CARDS)  # pm_card_us, pm_card_de ..., pm_card_bypassPending
# Stripe's test card numbers (https://docs.stripe.com/testing), as Stripe.js sends them.
CARD_NUMBERS = {
    "4242424242424242": "pm_card_visa",
    "5555555555554444": "pm_card_mastercard",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
    "4000002760003184": "pm_card_authenticationRequired",
}
# Stripe's test IBANs that stay processing before they succeed (settled by a control).
IBANS = {
    "DE89370400440532013000": {"last4": "3000", "bank_code": "37040044", "country": "DE"},
    "AT611904300234573201": {"last4": "3201", "bank_code": "19043", "country": "AT"},
}
# Vouchers: the customer pays later, outside the page (see ``vouchers.py``).
VOUCHERS = {"multibanco": {"type": "multibanco", "behaviour": "voucher"},
            "oxxo": {"type": "oxxo", "behaviour": "voucher"}}
# What ``payment_method_data[type]`` the emulator builds, and the billing details each
# needs (Stripe asks a name and an email for SEPA debits and OXXO, an email for Multibanco).
SUPPORTED_TYPES = ("card", "sepa_debit", "multibanco", "oxxo")
REQUIRED_BILLING = {"sepa_debit": ("name", "email"), "oxxo": ("name", "email"),
                    "multibanco": ("email",)}
WALLETS = ("apple_pay", "google_pay")
RAW_CARD_REFUSED = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest "
    "you use test tokens that map to the test card you are using, see "
    "https://stripe.com/docs/testing. To enable testing raw card data APIs, see "
    "https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis.")
EMPTY_ADDRESS = {"city": None, "country": None, "line1": None, "line2": None,
                 "postal_code": None, "state": None}


# -- details -----------------------------------------------------------------------------
def details(spec):
    """The type-specific hash of a PaymentMethod (``card``, ``sepa_debit`` ...)."""
    if spec["type"] == "card":
        card = {"brand": spec["brand"], "last4": spec["last4"], "exp_month": 12,
                "exp_year": datetime.date.today().year + 3, "country": spec.get("country", "US"),
                "funding": "credit"}
        if spec.get("wallet"):
            card["wallet"] = {"type": spec["wallet"], spec["wallet"]: {},
                              "dynamic_last4": spec["last4"]}
        return card
    if spec["type"] == "sepa_debit":
        return {"bank_code": spec["bank_code"], "country": spec["country"],
                "last4": spec["last4"]}
    return {}


def billing_details(values=None):
    """Stripe's ``billing_details`` hash, every key present, null when not given."""
    values = values or {}
    address = dict(EMPTY_ADDRESS, **(values.get("address") or {}))
    return {"address": address, "email": values.get("email"), "name": values.get("name"),
            "phone": values.get("phone")}


def preview(spec, billing=None):
    """A ConfirmationToken's ``payment_method_preview`` for a method spec."""
    return {"billing_details": billing_details(billing), "type": spec["type"],
            spec["type"]: details(spec)}


# -- creation ----------------------------------------------------------------------------
def create(ctx, spec, billing=None, token=None):
    """Store a new PaymentMethod made of ``spec`` (with ``_spec`` kept for its outcome)."""
    method = {
        "id": new_id("pm"), "object": "payment_method", "type": spec["type"],
        spec["type"]: details(spec), "billing_details": billing_details(billing),
        "created": now(), "customer": None, "livemode": ctx.livemode, "metadata": {},
        "_spec": dict(spec, token=token),
    }
    return ctx.store.add(method, ctx.account)


def find(ctx, method_id, param="payment_method"):
    """A test token's spec, or an existing ``pm_...`` visible from ``ctx`` (not both)."""
    spec = TEST_METHODS.get(method_id)
    if spec is not None:
        return spec, None
    existing = ctx.store.find(method_id)
    if existing and existing.get("object") == "payment_method" \
            and ctx.store.visible(ctx, existing):
        return existing["_spec"], existing
    raise resource_missing("PaymentMethod", method_id, param=param, status=400)


def resolve(ctx, method_id):
    """The PaymentMethod object for a test token or an existing ``pm_...`` id.

    A test token makes a new PaymentMethod each time, as Stripe does.
    """
    spec, existing = find(ctx, method_id)
    return existing or create(ctx, spec, token=method_id)


# -- payment_method_data -----------------------------------------------------------------
def from_data(ctx, data, param="payment_method_data", wallet_tokens=None):
    """``(spec, billing)`` for a ``payment_method_data`` hash, checked as Stripe checks it.

    Raw card numbers are taken from publishable keys only (Stripe.js); secret keys get
    Stripe's refusal. ``wallet_tokens`` resolves ``card[token]`` (a wallet's card token).
    """
    data = to_dict(data, param)
    kind = data.get("type")
    if not kind:
        raise missing_param(f"{param}[type]")
    if kind not in SUPPORTED_TYPES:
        raise invalid_request(f"Invalid {param}[type]: the emulator supports "
                              f"{', '.join(SUPPORTED_TYPES)}.", param=f"{param}[type]")
    billing = _billing(data.get("billing_details"), f"{param}[billing_details]")
    for name in REQUIRED_BILLING.get(kind, ()):
        if not billing.get(name):
            raise missing_param(f"{param}[billing_details][{name}]")
    if kind == "card":
        spec = _card(ctx, to_dict(data.get("card"), f"{param}[card]"), f"{param}[card]",
                     wallet_tokens)
    elif kind == "sepa_debit":
        spec = _sepa(to_dict(data.get("sepa_debit"), f"{param}[sepa_debit]"),
                     f"{param}[sepa_debit]")
    else:
        spec = dict(VOUCHERS[kind])
    return spec, billing


def _billing(value, param):
    value = to_dict(value, param)
    unknown = set(value) - {"address", "email", "name", "phone", "tax_id"}
    if unknown:
        raise invalid_request(f"Received unknown parameter: {param}[{sorted(unknown)[0]}]",
                              param=f"{param}[{sorted(unknown)[0]}]", code="parameter_unknown")
    billing = {}
    if value.get("email"):
        billing["email"] = to_email(value["email"], f"{param}[email]")
    for name in ("name", "phone"):
        if value.get(name):
            billing[name] = to_text(value[name], f"{param}[{name}]")
    if value.get("address"):
        address = to_dict(value["address"], f"{param}[address]")
        billing["address"] = {key: address.get(key) or None for key in EMPTY_ADDRESS}
    return billing


def _card(ctx, card, param, wallet_tokens):
    if card.get("token"):
        token = (wallet_tokens or {}).get(card["token"])
        if token is None or token.get("used") or token["account"] != ctx.account \
                or token["livemode"] != ctx.livemode:
            raise resource_missing("token", card["token"], param=f"{param}[token]",
                                   status=400)
        token["used"] = True
        return dict(TEST_METHODS["pm_card_visa"], wallet=token["wallet"])
    if not card.get("number"):
        raise missing_param(f"{param}[number]")
    if ctx.key is None or ctx.key.kind != "publishable":
        raise invalid_request(RAW_CARD_REFUSED, param=f"{param}[number]")
    number = str(card["number"]).replace(" ", "")
    if number not in CARD_NUMBERS:
        raise ApiError(402, "Your card number is incorrect.", type="card_error",
                       code="incorrect_number", param=f"{param}[number]")
    month = to_int(card.get("exp_month") or 0, f"{param}[exp_month]")
    year = to_int(card.get("exp_year") or 0, f"{param}[exp_year]")
    year = year + 2000 if year < 100 else year
    today = datetime.date.today()
    if not 1 <= month <= 12:
        raise ApiError(402, "Your card's expiration month is invalid.", type="card_error",
                       code="invalid_expiry_month", param=f"{param}[exp_month]")
    if (year, month) < (today.year, today.month):
        raise ApiError(402, "Your card's expiration year is invalid.", type="card_error",
                       code="invalid_expiry_year", param=f"{param}[exp_year]")
    cvc = str(card.get("cvc") or "")
    if cvc and not (cvc.isdigit() and len(cvc) in (3, 4)):
        raise ApiError(402, "Your card's security code is invalid.", type="card_error",
                       code="invalid_cvc", param=f"{param}[cvc]")
    return dict(TEST_METHODS[CARD_NUMBERS[number]], source=CARD_NUMBERS[number])


def _sepa(sepa, param):
    iban = str(sepa.get("iban") or "").replace(" ", "").upper()
    if not iban:
        raise missing_param(f"{param}[iban]")
    if iban not in IBANS:
        raise invalid_request("The IBAN you provided is invalid.",
                              code="invalid_bank_account_iban", param=f"{param}[iban]")
    return dict(TEST_METHODS["pm_bank_debit"], **IBANS[iban])


# -- routes ------------------------------------------------------------------------------
def retrieve(ctx, method_id):
    return render_for(ctx, ctx.store.get(ctx, "payment_method", method_id, label="PaymentMethod"))


ROUTES = [("GET", r"/v1/payment_methods/([^/]+)", retrieve, False)]
