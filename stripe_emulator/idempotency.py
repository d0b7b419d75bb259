"""Idempotency-Key handling: replay the first answer, refuse a different request."""

import threading

from .errors import idempotency_mismatch


class IdempotencyCache:
    """First answers of POST requests, keyed by (API key, Stripe-Account, Idempotency-Key)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def clear(self):
        with self._lock:
            self._entries.clear()

    def lookup(self, scope, method, path, params):
        """Return the saved answer for a repeated request, or None for a new key.

        Raises the ``idempotency_error`` answer when the key was used for another request.
        """
        with self._lock:
            entry = self._entries.get(scope)
        if entry is None:
            return None
        if entry["request"] != (method, path, params):
            raise idempotency_mismatch(scope[-1])
        return entry["response"]

    def save(self, scope, method, path, params, response):
        with self._lock:
            self._entries[scope] = {"request": (method, path, params), "response": response}
