"""Validation and conversion of decoded request parameters."""

import re

from .currencies import SUPPORTED
from .errors import invalid_request, missing_param, unknown_param

# One address, as Stripe takes it: no name part, no list, no spaces.
EMAIL = re.compile(r"^[^@\s,;<>()\[\]\\\"]+@[^@\s,;<>()\[\]\\\"]+\.[^@\s,;<>()\[\]\\\".]+$")
# Stripe's metadata limits: https://docs.stripe.com/api/metadata
METADATA_KEYS, METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 50, 40, 500



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
    """A currency Stripe supports, as its lower-case code."""
    currency = str(value or "").lower()
    if currency not in SUPPORTED:
        raise invalid_request(f"Invalid currency: {value}. Stripe currently supports these "
                              f"currencies: {', '.join(sorted(SUPPORTED))}", param="currency",
                              code="parameter_invalid_string")
    return currency


def merge_metadata(current, update):
    """Stripe metadata semantics: ``''`` unsets everything, a ``''`` value unsets a key.

    Refuses what Stripe refuses: more than 50 keys, keys over 40 characters, values over
    500 characters.
    """
    if update in (None,):
        return dict(current)
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid_request("Invalid object", param="metadata")
    merged = dict(current)
    for raw_key, raw_value in update.items():
        key = str(raw_key)
        if len(key) > METADATA_KEY_LENGTH:
            raise invalid_request(
                f"Metadata keys can have up to {METADATA_KEY_LENGTH} characters, but you passed "
                f"in a key that is {len(key)} characters. Invalid key: {key}",
                param=f"metadata[{key}]")
        if raw_value in ("", None):
            merged.pop(key, None)
            continue
        value = str(raw_value)
        if len(value) > METADATA_VALUE_LENGTH:
            raise invalid_request(
                f"Metadata values can have up to {METADATA_VALUE_LENGTH} characters, but you "
                f"passed in a value that is {len(value)} characters. Invalid value: {value}",
                param=f"metadata[{key}]")
        merged[key] = value
    if len(merged) > METADATA_KEYS:
        raise invalid_request(f"Metadata can have up to {METADATA_KEYS} keys, but you passed in "
                              f"{len(merged)} keys.", param="metadata")
    return merged


def to_email(value, name):
    """One valid email address, or Stripe's ``email_invalid``; ``''`` unsets (None)."""
    if value in (None, ""):
        return None
    email = str(value)
    if not EMAIL.match(email):
        raise invalid_request(f"Invalid email address: {email}", param=name,
                              code="email_invalid")
    return email


def to_text(value, name, maximum=5000):
    """A string parameter within Stripe's length for it; ``''`` unsets (None)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise invalid_request(f"Invalid string: {value!r}", param=name)
    if len(value) > maximum:
        raise invalid_request(f"Invalid string: {value[:maximum]}...; must be at most "
                              f"{maximum} characters", param=name)
    return value


def expand_paths(params):
    return [str(p) for p in to_list(params.get("expand"), "expand")]


RANGE_KEYS = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}


def to_range(value, name):
    """A list filter on a timestamp (``created``, ``arrival_date``): an exact integer or
    ``{gt, gte, lt, lte}``; returns a predicate on an integer, or None without a filter."""
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        exact = to_int(value, name)
        return lambda stamp: stamp == exact
    bounds = []
    for key, bound in value.items():
        if key not in RANGE_KEYS:
            raise unknown_param(f"{name}[{key}]")
        bounds.append((RANGE_KEYS[key], to_int(bound, f"{name}[{key}]")))
    return lambda stamp: all(compare(int(stamp), limit) for compare, limit in bounds)
