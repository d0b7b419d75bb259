"""Top-level routing of every HTTP request to the API, the pages, Stripe.js or controls."""

import re

from . import api, controls, stripejs
from .pages import authenticate, onboarding, voucher
from .pages.layout import page
from .resources import oauth
from .wire import CORS_HEADERS, Response, html_response, json_response

_ONBOARDING = re.compile(r"^/connect/onboarding/([^/]+)$")
_AUTHENTICATE = re.compile(r"^/authenticate/([^/]+)$")
_VOUCHER = re.compile(r"^/vouchers/([^/]+)$")


def is_api_path(path):
    """Paths that stop answering while the emulator is 'down'."""
    return path.startswith(("/v1/", "/oauth/"))


def dispatch(emulator, request):
    core = emulator.core
    path = request.path
    if request.method == "OPTIONS":
        return Response(204, b"", dict(CORS_HEADERS))
    if path.startswith("/v1/") or path in api.OAUTH_ROUTES:
        return api.handle(core, request)
    if path in ("/oauth/authorize", "/express/oauth/authorize"):
        with core.lock:
            return oauth.authorize(core, request, express=path.startswith("/express"))
    if path in ("/v3", "/v3/"):
        return stripejs.response(request, core.base_url)
    if path.startswith("/_stripejs/"):
        return stripejs.handle(core, request)
    if path.startswith("/_emulator/"):
        return controls.handle(emulator, request)
    for pattern, module in ((_ONBOARDING, onboarding), (_AUTHENTICATE, authenticate),
                            (_VOUCHER, voucher)):
        match = pattern.match(path)
        if match and request.method in ("GET", "POST"):
            with core.lock:
                return module.handle(core, request, match.group(1))
    if path == "/":
        return html_response(200, page("Stripe emulator", "<p>API at <code>/v1</code>, "
                                                          "Stripe.js at <code>/v3/</code>.</p>"))
    return json_response(404, {"error": {"type": "invalid_request_error",
                                         "message": f"Unrecognized request URL "
                                                    f"({request.method}: {path})."}})
