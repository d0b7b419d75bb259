"""The 3-D Secure page a PaymentIntent's next action points to.

Two ways in, as Stripe has them:

* ``redirect_to_url``: the whole page goes there; when done it 303s to the ``return_url``
  with ``payment_intent``, ``payment_intent_client_secret`` and ``redirect_status``;
* ``use_stripe_sdk`` (``stripe_js`` URL, with ``source``): Stripe.js shows it in a frame of
  its own (``handleNextAction``); when done the page tells its parent window with
  ``postMessage({type: 'stripe-emulator:3ds', payment_intent, redirect_status})`` and
  Stripe.js resolves with the PaymentIntent. No redirect.
"""

import json

from ..context import Context
from ..currencies import format_amount
from ..resources.payment_intents import authentication_result
from ..wire import html_response, redirect, with_query
from .layout import esc, page

TITLE = "3-D Secure authentication (emulator)"


def _notify_parent(intent, redirect_status):
    message = json.dumps({"type": "stripe-emulator:3ds", "payment_intent": intent["id"],
                          "redirect_status": redirect_status})
    return html_response(200, page(TITLE, (
        f"<p class=\"o_stripe_emulator_3ds_done\">Authentication {esc(redirect_status)}.</p>"
        f"<script>window.parent && window.parent !== window && "
        f"window.parent.postMessage({message}, '*');</script>")))


def _back(core, intent, redirect_status, sdk):
    if sdk:
        return _notify_parent(intent, redirect_status)
    return_url = core.local_url(intent.get("_return_url"))
    if not return_url:
        return html_response(200, page(TITLE, f"<p>Authentication {esc(redirect_status)}. "
                                              "You can close this page.</p>"))
    return redirect(with_query(return_url, payment_intent=intent["id"],
                               payment_intent_client_secret=intent["client_secret"],
                               redirect_status=redirect_status))


def _form(intent, sdk):
    amount = format_amount(intent["amount"], intent["currency"])
    action = f"/authenticate/{esc(intent['id'])}"
    mode = "<input type=\"hidden\" name=\"sdk\" value=\"1\">" if sdk else ""
    return (f"<p>Payment <code>{esc(intent['id'])}</code> of {esc(amount)} needs "
            "authentication.</p>"
            f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"outcome\" "
            f"value=\"complete\">{mode}<button type=\"submit\" name=\"complete\">Complete "
            "authentication</button></form>"
            f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"outcome\" "
            f"value=\"fail\">{mode}<button type=\"submit\" class=\"secondary\" name=\"fail\">"
            "Fail authentication</button></form>")


def handle(core, request, intent_id):
    intent = core.store.find(intent_id)
    if intent is None or intent.get("object") != "payment_intent":
        return html_response(404, page(TITLE, "<p>No such payment.</p>"))
    params = request.params
    sdk = bool(params.get("source") or params.get("sdk"))
    waiting = intent["status"] == "requires_action" \
        and (intent.get("next_action") or {}).get("type") in ("redirect_to_url", "use_stripe_sdk")
    if request.method == "GET":
        if waiting:
            return html_response(200, page(TITLE, _form(intent, sdk)))
        return html_response(200, page(TITLE, f"<p>Nothing to authenticate: the payment is "
                                              f"{esc(intent['status'])}.</p>"))
    if not waiting:
        return _back(core, intent, "succeeded" if intent["status"] == "succeeded" else "failed",
                     sdk)
    completed = params.get("outcome", "complete") == "complete"
    ctx = Context.system(core, account=intent["_account"], livemode=intent["livemode"])
    ctx.gate = request.gate
    authentication_result(ctx, intent, completed)
    return _back(core, intent, "succeeded" if completed else "failed", sdk)
