"""A headless Chromium driven over the DevTools protocol, for the Stripe.js stand-in's tests.

No Selenium: Chromium's own ``--remote-debugging-port`` and a websocket (the
``websocket-client`` package Odoo's test browser also uses). Host names can be mapped to
127.0.0.1 (``--host-resolver-rules``), so a page runs on a domain such as
``shop.example.com``, as a registered payment method domain would.
"""

import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-extensions", "--disable-default-apps", "--remote-debugging-port=0"]


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser") \
        or shutil.which("google-chrome")


class Browser:
    """One Chromium process with one page; ``evaluate`` runs JavaScript in it."""

    def __init__(self, hosts=()):
        import websocket  # noqa: PLC0415 - optional: the tests skip without it

        self.profile = tempfile.mkdtemp(prefix="stripe-emulator-chromium-")
        rules = ",".join(f"MAP {host} 127.0.0.1" for host in hosts)
        command = [chromium_path(), *FLAGS, f"--user-data-dir={self.profile}"]
        if rules:
            command.append(f"--host-resolver-rules={rules}")
        self.process = subprocess.Popen([*command, "about:blank"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                    timeout=5).read())
        page = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=20)
        self.ids = itertools.count(1)
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, **params):
        """Send a DevTools command and return its result (events are skipped)."""
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && !!window.Stripe")

    def evaluate(self, expression, context_id=None):
        """The value of a JavaScript expression (promises awaited); JS errors raise."""
        params = {"expression": expression, "awaitPromise": True, "returnByValue": True}
        if context_id is not None:
            params["contextId"] = context_id
        result = self.call("Runtime.evaluate", **params)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = (details.get("exception") or {}).get("description") or details.get("text")
            raise JavaScriptError(text)
        return result["result"].get("value")

    def wait_for(self, expression, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"!!({expression})"):
                return
            time.sleep(0.05)
        raise TimeoutError(f"still false after {timeout}s: {expression}")

    def frame_context(self, url_part, ready=None, timeout=10):
        """An execution context in the (cross-origin) frame whose URL contains ``url_part``,
        once the CSS selector ``ready`` matches in it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tree = self.call("Page.getFrameTree")["frameTree"]
            frames = [child["frame"] for child in tree.get("childFrames", [])
                      if url_part in child["frame"]["url"]]
            if frames:
                world = self.call("Page.createIsolatedWorld", frameId=frames[0]["id"],
                                  worldName="stripe-emulator-test")
                context = world["executionContextId"]
                if not ready or self.evaluate(f"!!document.querySelector({json.dumps(ready)})",
                                              context):
                    return context
            time.sleep(0.05)
        raise TimeoutError(f"no frame {url_part} ready after {timeout}s")

    def close(self):
        if getattr(self, "socket", None):
            self.socket.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class JavaScriptError(Exception):
    pass


class PageServer:
    """Serves one HTML page that loads the stand-in from the emulator (a shop's pay page)."""

    def __init__(self, js_url):
        body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
                f"<script src='{js_url}'></script></head>"
                "<body><div id='payment-element'></div></body></html>").encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
               daemon=True).start()

    def url(self, host="127.0.0.1"):
        return f"http://{host}:{self.port}/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
