"""The HTTP server: a ThreadingHTTPServer whose handler turns sockets into ``Request``s."""

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .app import dispatch, is_api_path
from .wire import Request, json_response

_logger = logging.getLogger(__name__)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, emulator):
        super().__init__(address, Handler)
        self.emulator = emulator


class Handler(BaseHTTPRequestHandler):
    server_version = "StripeEmulator/1.0"
    protocol_version = "HTTP/1.0"  # one request per connection: simple and stop()-safe

    def log_message(self, format, *args):
        _logger.debug("%s " + format, self.client_address[0], *args)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_OPTIONS(self):
        self._handle()

    def _handle(self):
        url = urlsplit(self.path)
        emulator = self.server.emulator
        if emulator.core.down and is_api_path(url.path):
            self.close_connection = True  # drop it unanswered: the SDK sees a network error
            return
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command, path=url.path, query=url.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            client_ip=self.client_address[0])
        try:
            try:
                response = dispatch(emulator, request)
            except Exception:
                _logger.exception("stripe emulator failed on %s %s", self.command, self.path)
                response = json_response(500, {"error": {"type": "api_error",
                                                         "message": "Emulator error."}})
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()
        finally:
            request.gate.set()
