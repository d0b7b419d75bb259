"""Small helpers shared by the emulator modules: ids, clock, copies and diffs."""

import copy
import secrets
import string

from . import clock

_ALPHABET = string.ascii_letters + string.digits


def random_token(length=24):
    """Return a random alphanumeric string, like the tail of Stripe ids."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix, length=24):
    """Return a Stripe-looking id such as ``pi_3Nx...``."""
    return f"{prefix}_{random_token(length)}"


def now():
    """Current emulated Unix time in whole seconds (Stripe's ``created`` format)."""
    return clock.now()


def public(value):
    """Deep copy of a stored object without internal ``_``-prefixed keys."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [public(v) for v in value]
    return value


def mode_of(obj):
    """Whether a stored object belongs to live mode (its internal ``_livemode``)."""
    return bool(obj.get("_livemode", obj.get("livemode", False)))


def deep_merge(target, changes):
    """Merge ``changes`` into ``target`` in place; nested dicts merge, the rest replaces."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def diff(before, after):
    """Top-level ``previous_attributes`` between two public snapshots."""
    keys = set(before) | set(after)
    return {k: before.get(k) for k in sorted(keys) if before.get(k) != after.get(k)}


def mask_key(key):
    """Mask an API key the way Stripe does in error messages: ``sk_test_****abcd``."""
    key = key or ""
    parts = key.split("_")
    prefix = "_".join(parts[:2]) + "_" if len(parts) > 2 else ""
    return f"{prefix}****{key[-4:]}"

