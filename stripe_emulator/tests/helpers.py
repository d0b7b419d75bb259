"""Helpers for the emulator tests: SDK clients, raw HTTP calls, a webhook receiver."""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

API_VERSION = "2026-10-28.endive"


def make_client(emu, key=None, retries=2):
    return stripe.StripeClient(
        key or emu.secret_key, stripe_version=API_VERSION, client_id=emu.client_id,
        base_addresses={"api": emu.base_url, "connect": emu.base_url},
        max_network_retries=retries)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def http(method, url, form=None, json_body=None, headers=None):
    """Plain HTTP call that does not follow redirects; returns an ``Answer``."""
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _OPENER.open(request, timeout=5) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


class Receiver:
    """Webhook receiver on 127.0.0.1: stores every POST, answers ``status``."""

    def __init__(self):
        self.received = []
        self.status = 200
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._cond:
                    receiver.received.append({"path": self.path, "body": body,
                                              "headers": dict(self.headers)})
                    receiver._cond.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()

    def wait_for(self, count, timeout=5):
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count and time.monotonic() < deadline:
                self._cond.wait(0.05)
            return list(self.received)

    def events(self):
        return [json.loads(r["body"]) for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def bracketed(params, prefix=""):
    """Stripe's form encoding of nested params: ``[("a[b]", "1"), ...]``."""
    pairs = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            pairs += bracketed(value, name)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                pairs += bracketed({str(index): item}, name)
        elif value is not None:
            pairs.append((name, "true" if value is True else "false" if value is False
                          else str(value)))
    return pairs


def stripe_js(emu, method, path, params=None, *, account=None, key=None):
    """A call as Stripe.js makes it: publishable key, form body, ``Stripe-Account``."""
    headers = {"Authorization": f"Bearer {key or emu.publishable_key}"}
    if account:
        headers["Stripe-Account"] = account
    pairs = bracketed(params or {})
    if method == "GET":
        query = urllib.parse.urlencode(pairs)
        return http("GET", f"{emu.base_url}{path}" + (f"?{query}" if query else ""),
                    headers=headers)
    return http(method, emu.base_url + path, form=pairs, headers=headers)
