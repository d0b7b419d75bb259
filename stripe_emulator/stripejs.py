"""Serves the Stripe.js stand-in (``static/stripe.js``) at ``/v3/``."""

from pathlib import Path

from .wire import Response

SOURCE = Path(__file__).with_name("static") / "stripe.js"
PLACEHOLDER = "__STRIPE_EMULATOR_ORIGIN__"


def response(request, base_url):
    """The script, told to call the emulator at the origin the browser used to load it."""
    host = request.header("host")
    origin = f"http://{host}" if host else base_url
    script = SOURCE.read_text(encoding="utf-8").replace(PLACEHOLDER, origin)
    return Response(200, script.encode("utf-8"), {
        "Content-Type": "application/javascript; charset=utf-8",
        "Access-Control-Allow-Origin": "*",
        "Cache-Control": "no-cache",
    })
