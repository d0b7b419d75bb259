"""The emulator's shared state: configuration, objects, deliveries, logs and switches."""

import threading

from . import clock
from .context import KeyInfo
from .currencies import DEFAULT_USD_RATES
from .delivery import Dispatcher
from .idempotency import IdempotencyCache
from .store import Store


class Core:
    """State shared by the HTTP handlers and the Python controls.

    Every change to ``store`` happens under ``lock`` (one request at a time).
    """

    def __init__(self, secret_key, publishable_key, client_id, *, live_secret_key=None,
                 live_publishable_key=None, live_client_id=None, delivery_timeout=10.0,
                 record_answers=False):
        self.client_id = client_id
        self.live_client_id = live_client_id
        self.platform_name = "Stripe Emulator Platform"
        self.keys = {secret_key: KeyInfo("secret", False),
                     publishable_key: KeyInfo("publishable", False)}
        if live_secret_key:
            self.keys[live_secret_key] = KeyInfo("secret", True)
        if live_publishable_key:
            self.keys[live_publishable_key] = KeyInfo("publishable", True)
        self.secret_keys = {k for k, info in self.keys.items() if info.kind == "secret"}
        self.base_url = ""
        self.lock = threading.RLock()
        self.store = Store()
        self.idempotency = IdempotencyCache(clock=clock.now)
        self.dispatcher = Dispatcher(delivery_timeout, on_delivered=self._delivered)
        self.request_log = []
        self.down = False
        self.deny_next_authorization = False
        self.public_urls = {}  # public base -> local base; configuration, kept by reset()
        # currency -> USD value of one major unit; configuration, kept by reset()
        self.usd_rates = dict(DEFAULT_USD_RATES)
        self.recording = record_answers
        self.answers = []  # kept across reset(): a whole test run is checked at its end

    def local_url(self, url):
        """Where the emulator really sends a request or a browser for ``url``.

        A URL under a mapped public base (see ``StripeEmulator.map_public_url``) goes to
        the local base it is mapped to; any other URL is left as it is.
        """
        if not url:
            return url
        for public in sorted(self.public_urls, key=len, reverse=True):
            if url == public or (url.startswith(public) and url[len(public)] in "/?#"):
                return self.public_urls[public] + url[len(public):]
        return url

    def record(self, label, body, path="", status=200):
        """Keep one rendered answer or event payload for the contract check."""
        if self.recording:
            self.answers.append({"label": label, "path": path, "status": status,
                                 "body": body})

    def reset(self):
        with self.lock:
            self.store = Store()
            self.idempotency.clear()
            self.dispatcher.clear()
            self.request_log.clear()
            self.down = False
            self.deny_next_authorization = False
            clock.CLOCK.reset()

    def key_info(self, api_key):
        """What ``api_key`` grants, or None when the emulator does not know it."""
        return self.keys.get(api_key) or self.store.extra_keys.get(api_key)

    def _delivered(self, delivery, status):
        """A 2xx answer settles one of the event's ``pending_webhooks``."""
        if isinstance(status, int) and 200 <= status < 300:
            with self.lock:
                event = self.store.find(delivery.event_id)
                if event and event["pending_webhooks"] > 0:
                    event["pending_webhooks"] -= 1
