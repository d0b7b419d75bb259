"""Idempotency-Key handling: replay the first answer, refuse a different request, expire.

Stripe keeps a key's first answer for 24 hours; after that, the same key makes a new request.
"""

import threading
import time

from .errors import idempotency_mismatch

LIFETIME = 24 * 3600  # seconds a key is remembered


class IdempotencyCache:
    """First answers of POST requests, keyed by (API key, Stripe-Account, Idempotency-Key)."""

    def __init__(self, clock=time.time):
        self._lock = threading.Lock()
        self._entries = {}
        self._clock = clock

    def clear(self):
        with self._lock:
            self._entries.clear()

    def expire(self):
        """Forget every key now, as 24 hours would; returns how many were forgotten."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def lookup(self, scope, method, path, params):
        """Return the saved answer for a repeated request, or None for a new key.

        Raises the ``idempotency_error`` answer when the key was used for another request.
        """
        with self._lock:
            entry = self._entries.get(scope)
            if entry is not None and self._clock() - entry["saved"] > LIFETIME:
                del self._entries[scope]
                entry = None
        if entry is None:
            return None
        if entry["request"] != (method, path, params):
            raise idempotency_mismatch(scope[-1])
        return entry["response"]

    def save(self, scope, method, path, params, response):
        with self._lock:
            self._entries[scope] = {"request": (method, path, params), "response": response,
                                    "saved": self._clock()}
