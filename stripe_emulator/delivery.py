"""Webhook deliveries: Stripe's signature scheme and a background delivery worker."""

import hashlib
import hmac
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(secret, body, timestamp=None):
    """``Stripe-Signature`` value for ``body``: ``t=<unix>,v1=<hmac-sha256 hex>``."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.{body.decode('utf-8')}".encode()
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_headers(secret, body, timestamp=None):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Stripe-Signature": signature_header(secret, body, timestamp),
    }


@dataclass
class Delivery:
    """One event to send to one endpoint. ``gate`` opens once the causing call answered."""

    event_id: str
    endpoint_id: str
    url: str  # the endpoint's URL, as registered
    body: bytes
    secret: str
    gate: threading.Event
    target: str = None  # where it is really sent (a mapped public URL's local address)

    def as_dict(self):
        return {"event_id": self.event_id, "endpoint_id": self.endpoint_id, "url": self.url,
                "target": self.target or self.url, "body": self.body,
                "headers": webhook_headers(self.secret, self.body)}


class Dispatcher:
    """Sends deliveries one at a time, in order, on a daemon thread.

    While held, new deliveries wait in a separate list until released in any order.
    Failures are recorded, never retried automatically.
    """

    def __init__(self, timeout=10.0, on_delivered=None):
        self.timeout = timeout
        self.on_delivered = on_delivered  # callback(delivery, status)
        self.records = []
        self._cond = threading.Condition()
        self._queue = deque()
        self._held = []
        self._holding = False
        self._busy = False
        self._stopping = False
        self._attempts = Counter()
        self._thread = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- lifecycle ---------------------------------------------------------------------
    def start(self):
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="stripe-emulator-webhooks",
                                        daemon=True)
        self._thread.start()

    def stop(self):
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=self.timeout + 1)

    def clear(self):
        with self._cond:
            self._queue.clear()
            self._held.clear()
            self._holding = False
            self.records.clear()
            self._attempts.clear()
            self._cond.notify_all()

    # -- queueing ----------------------------------------------------------------------
    def submit(self, delivery):
        with self._cond:
            (self._held if self._holding else self._queue).append(delivery)
            self._cond.notify_all()

    def hold(self):
        with self._cond:
            self._holding = True

    def release(self, order=None):
        """Stop holding and queue the held deliveries: FIFO, ``'reverse'`` or by event ids."""
        with self._cond:
            held, self._held = self._held, []
            self._holding = False
            if order == "reverse":
                held.reverse()
            elif order:
                rank = {event_id: i for i, event_id in enumerate(order)}
                held.sort(key=lambda d: rank.get(d.event_id, len(rank)))
            self._queue.extend(held)
            self._cond.notify_all()

    def history(self):
        """Copies of the delivery records, oldest first."""
        with self._cond:
            return [dict(record) for record in self.records]

    def pending(self):
        """Queued and held deliveries, queued first."""
        with self._cond:
            return [d.as_dict() for d in list(self._queue) + self._held]

    def wait(self, timeout=10):
        """Block until nothing is queued or being sent (held ones don't count)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    # -- worker ------------------------------------------------------------------------
    def _next(self):
        with self._cond:
            while not self._stopping:
                if self._queue and self._queue[0].gate.wait(0):
                    self._busy = True
                    return self._queue.popleft()
                self._cond.wait(0.02 if self._queue else 0.5)
        return None

    def _run(self):
        while True:
            delivery = self._next()
            if delivery is None:
                return
            try:
                status = self._send(delivery)
                with self._cond:
                    key = (delivery.event_id, delivery.endpoint_id)
                    self._attempts[key] += 1
                    self.records.append({
                        "event_id": delivery.event_id, "endpoint_id": delivery.endpoint_id,
                        "url": delivery.url, "target": delivery.target or delivery.url,
                        "status": status, "attempts": self._attempts[key],
                    })
                if self.on_delivered:
                    self.on_delivered(delivery, status)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _send(self, delivery):
        request = urllib.request.Request(
            delivery.target or delivery.url, data=delivery.body, method="POST",
            headers=webhook_headers(delivery.secret, delivery.body))
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except Exception:  # any network failure is recorded, never raised
            return "error"
