"""The hosted voucher page (``hosted_voucher_url`` of a Multibanco or OXXO next action).

It shows what Stripe's page shows (amount, reference, expiry) and, as the emulator's own
test controls, two buttons that play the customer paying the voucher or the voucher
expiring (the same as ``StripeEmulator.pay_voucher`` / ``expire_voucher``).
"""

import datetime

from ..context import Context
from ..currencies import format_amount
from ..resources import vouchers
from ..resources.payment_intents import voucher_result
from ..wire import html_response
from .layout import esc, page

TITLE = "Payment voucher (emulator)"


def _date(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _voucher(intent, kind, details):
    rows = [("Amount", format_amount(intent["amount"], intent["currency"]))]
    if kind == "multibanco":
        rows += [("Entity", details["entity"]), ("Reference", details["reference"]),
                 ("Expires", _date(details["expires_at"]))]
    else:
        rows += [("OXXO number", details["number"]),
                 ("Expires", _date(details["expires_after"]))]
    table = "".join(f"<tr><th>{esc(label)}</th><td class=\"o_voucher_{esc(label.lower())}\">"
                    f"{esc(value)}</td></tr>" for label, value in rows)
    action = f"/vouchers/{esc(intent['id'])}"
    return (f"<p>{esc(kind.capitalize())} voucher for payment <code>{esc(intent['id'])}</code>."
            f"</p><table>{table}</table>"
            "<p class=\"note\">Test controls of the emulator:</p>"
            f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"outcome\" "
            "value=\"pay\"><button type=\"submit\" name=\"pay\">Simulate payment</button></form>"
            f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"outcome\" "
            "value=\"expire\"><button type=\"submit\" class=\"secondary\" name=\"expire\">"
            "Simulate expiry</button></form>")


def handle(core, request, intent_id):
    intent = core.store.find(intent_id)
    if intent is None or intent.get("object") != "payment_intent":
        return html_response(404, page(TITLE, "<p>No such voucher.</p>"))
    kind, details = vouchers.details_of(intent)
    if kind is None:
        return html_response(200, page(TITLE, "<p class=\"o_voucher_status\">This voucher is "
                                              f"no longer payable: the payment is "
                                              f"{esc(intent['status'])}.</p>"))
    if request.method == "POST":
        paid = request.params.get("outcome", "pay") == "pay"
        ctx = Context.system(core, account=intent["_account"], livemode=intent["livemode"])
        ctx.gate = request.gate
        voucher_result(ctx, intent, paid)
        return html_response(200, page(TITLE, "<p class=\"o_voucher_status\">The payment is "
                                              f"{esc(intent['status'])}.</p>"))
    return html_response(200, page(TITLE, _voucher(intent, kind, details)))
