"""HTTP request/answer values passed between the server and the route handlers."""

import json
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .forms import decode_body, decode_query

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": ("Authorization, Content-Type, Stripe-Account, "
                                     "Stripe-Version, Idempotency-Key"),
    "Access-Control-Expose-Headers": "Request-Id, Stripe-Version, Idempotent-Replayed",
    "Access-Control-Max-Age": "300",
}


@dataclass
class Request:
    """A received HTTP request; ``gate`` is set once its answer has been written."""

    method: str
    path: str
    query: str = ""
    headers: dict = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    gate: threading.Event = field(default_factory=threading.Event)

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    @property
    def params(self):
        """Query parameters merged with the (form or JSON) body."""
        params = decode_query(self.query)
        params.update(decode_body(self.body, self.header("content-type")))
        return params


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def json_response(status, payload, headers=None):
    body = json.dumps(payload, indent=2).encode("utf-8")
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def html_response(status, text):
    return Response(status, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def redirect(url, status=303):
    return Response(status, b"", {"Location": url})


def with_query(url, **values):
    """``url`` with ``values`` added to its query string."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in values.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))
