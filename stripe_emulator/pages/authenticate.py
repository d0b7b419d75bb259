"""The 3-D Secure page a ``redirect_to_url`` next action points to."""

from ..context import Context
from ..currencies import format_amount
from ..resources.payment_intents import authentication_result
from ..wire import html_response, redirect, with_query
from .layout import esc, page

TITLE = "3-D Secure authentication (emulator)"


def _back(core, intent, redirect_status):
    return_url = core.local_url(intent.get("_return_url"))
    if not return_url:
        return html_response(200, page(TITLE, f"<p>Authentication {esc(redirect_status)}. "
                                              "You can close this page.</p>"))
    return redirect(with_query(return_url, payment_intent=intent["id"],
                               payment_intent_client_secret=intent["client_secret"],
                               redirect_status=redirect_status))


def _form(intent):
    amount = format_amount(intent["amount"], intent["currency"])
    action = f"/authenticate/{esc(intent['id'])}"
    return (f"<p>Payment <code>{esc(intent['id'])}</code> of {esc(amount)} needs "
            "authentication.</p>"
            f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"outcome\" "
            "value=\"complete\"><button type=\"submit\" name=\"complete\">Complete "
            "authentication</button></form>"
            f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"outcome\" "
            "value=\"fail\"><button type=\"submit\" class=\"secondary\" name=\"fail\">Fail "
            "authentication</button></form>")


def handle(core, request, intent_id):
    intent = core.store.find(intent_id)
    if intent is None or intent.get("object") != "payment_intent":
        return html_response(404, page(TITLE, "<p>No such payment.</p>"))
    waiting = intent["status"] == "requires_action"
    if request.method == "GET":
        if waiting:
            return html_response(200, page(TITLE, _form(intent)))
        return html_response(200, page(TITLE, f"<p>Nothing to authenticate: the payment is "
                                              f"{esc(intent['status'])}.</p>"))
    if not waiting:
        return _back(core, intent, "succeeded" if intent["status"] == "succeeded" else "failed")
    completed = request.params.get("outcome", "complete") == "complete"
    ctx = Context.system(core, account=intent["_account"], livemode=intent["livemode"])
    ctx.gate = request.gate
    authentication_result(ctx, intent, completed)
    return _back(core, intent, "succeeded" if completed else "failed")
