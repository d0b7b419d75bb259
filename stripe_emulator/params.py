"""Validation and conversion of decoded request parameters."""

import re

from .errors import invalid_request, missing_param, unknown_param

_CURRENCY = re.compile(r"^[a-z]{3}$")


def check_allowed(params, allowed):
    """Reject parameters the endpoint does not know, as Stripe does."""
    for name in params:
        if name not in allowed and name != "expand":
            raise unknown_param(name)


def require(params, name):
    value = params.get(name)
    if value in (None, ""):
        raise missing_param(name)
    return value


def to_int(value, name, minimum=None):
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise invalid_request(f"Invalid integer: {value}", param=name,
                              code="parameter_invalid_integer") from None
    if minimum is not None and number < minimum:
        raise invalid_request(f"This value must be greater than or equal to {minimum}.",
                              param=name, code="parameter_invalid_integer")
    return number


def to_bool(value, name):
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0", ""):
        return False
    raise invalid_request(f"Invalid boolean: {value}", param=name)


def to_list(value, name):
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    raise invalid_request(f"Invalid array: {name}", param=name)


def to_dict(value, name):
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise invalid_request(f"Invalid object: {name}", param=name)
    return value


def to_currency(value):
    currency = str(value or "").lower()
    if not _CURRENCY.match(currency):
        raise invalid_request(f"Invalid currency: {value}. Stripe currently supports these "
                              "currencies: three-letter ISO codes.", param="currency",
                              code="parameter_invalid_string")
    return currency


def merge_metadata(current, update):
    """Stripe metadata semantics: ``''`` unsets everything, a ``''`` value unsets a key."""
    if update in (None,):
        return dict(current)
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid_request("Invalid object", param="metadata")
    merged = dict(current)
    for key, value in update.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[str(key)] = str(value)
    return merged


def expand_paths(params):
    return [str(p) for p in to_list(params.get("expand"), "expand")]
