"""Stripe's test cards by country (docs.stripe.com/testing#international-cards), and the
card whose funds skip the pending balance (4000000000000077, ``pm_card_bypassPending``).

The card's country decides Stripe's fee (domestic, EEA/UK or international: see
``pricing.py``); ``pm_card_visa`` and ``pm_card_mastercard`` are US cards, as in Stripe's test
mode. Each entry is a test payment method as ``resources/payment_methods.py`` reads them.
"""

# country -> (test card number, brand)
_BY_COUNTRY = {
    "us": ("4242424242424242", "visa"), "ca": ("4000001240000000", "visa"),
    "mx": ("4000004840008001", "visa"), "br": ("4000000760000002", "visa"),
    "at": ("4000000400000008", "visa"), "be": ("4000000560000004", "visa"),
    "bg": ("4000001000000000", "visa"), "hr": ("4000001910000009", "visa"),
    "cy": ("4000001960000008", "visa"), "cz": ("4000002030000002", "visa"),
    "dk": ("4000002080000001", "visa"), "ee": ("4000002330000009", "visa"),
    "fi": ("4000002460000001", "visa"), "fr": ("4000002500000003", "visa"),
    "de": ("4000002760000016", "visa"), "gr": ("4000003000000030", "visa"),
    "hu": ("4000003480000005", "visa"), "ie": ("4000003720000005", "visa"),
    "it": ("4000003800000008", "visa"), "lv": ("4000004280000005", "visa"),
    "li": ("4000004380000004", "visa"), "lt": ("4000004400000000", "visa"),
    "lu": ("4000004420000006", "visa"), "mt": ("4000004700000007", "visa"),
    "nl": ("4000005280000002", "visa"), "no": ("4000005780000007", "visa"),
    "pl": ("4000006160000005", "visa"), "pt": ("4000006200000007", "visa"),
    "ro": ("4000006420000001", "visa"), "si": ("4000007050000006", "visa"),
    "sk": ("4000007030000001", "visa"), "es": ("4000007240000007", "visa"),
    "se": ("4000007520000008", "visa"), "ch": ("4000007560000009", "visa"),
    "gb": ("4000008260000000", "visa"), "au": ("4000000360000006", "visa"),
    "hk": ("4000003440000004", "visa"), "in": ("4000003560000008", "visa"),
    "jp": ("4000003920000003", "visa"), "my": ("4000004580000002", "visa"),
    "nz": ("4000005540000008", "visa"), "sg": ("4000007020000003", "visa"),
    "th": ("4000007640000003", "visa"),
}

COUNTRY_CARDS = {
    f"pm_card_{code}": {"type": "card", "brand": brand, "last4": number[-4:],
                        "country": code.upper(), "behaviour": "succeed"}
    for code, (number, brand) in _BY_COUNTRY.items()
}
COUNTRY_CARDS["pm_card_bypassPending"] = {
    "type": "card", "brand": "visa", "last4": "0077", "country": "US", "behaviour": "succeed",
    "bypass_pending": True}
