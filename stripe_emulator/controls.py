"""HTTP control routes (``/_emulator/...``): thin wrappers over the Python controls.

They let a demo or benchmark drive an emulator running in another process.
"""

import json
import re

from .params import to_bool
from .wire import json_response


def _order(params):
    order = params.get("order")
    if isinstance(order, str) and order not in ("", "reverse"):
        return [part.strip() for part in order.split(",") if part.strip()]
    return order or None


def _fields(params):
    fields = params.get("fields", params)
    if isinstance(fields, str):
        fields = json.loads(fields)
    return fields


def _required(params, name):
    if not params.get(name):
        raise ValueError(f"'{name}' is required")
    return params[name]


def _pending(emu, params):
    pending = [dict(d, body=d["body"].decode("utf-8")) for d in emu.pending_deliveries()]
    return {"pending": pending, "deliveries": emu.deliveries}


def _map(emu, params):
    if not params.get("public"):
        raise ValueError("'public' (the public base URL) is required")
    emu.map_public_url(params["public"], params.get("local") or None)
    return {"public_urls": emu.public_urls}


def _requests(emu, params):
    status = params.get("status")
    log = emu.api_calls(method=params.get("method"), path=params.get("path"),
                        path_prefix=params.get("path_prefix"),
                        key_kind=params.get("key_kind"), account=params.get("account"),
                        status=int(status) if status else None)
    if params.get("id"):
        log = [entry for entry in log if entry["request_id"] == params["id"]]
    return {"data": log}


def _object(emu, params, object_id):
    obj = emu.get_object(object_id)
    if obj is None:
        raise KeyError(object_id)
    return obj


ROUTES = [
    ("POST", r"/_emulator/reset", lambda emu, p: emu.reset()),
    ("POST", r"/_emulator/deliveries/hold", lambda emu, p: emu.hold_deliveries()),
    ("POST", r"/_emulator/deliveries/release",
     lambda emu, p: emu.release_deliveries(_order(p))),
    ("POST", r"/_emulator/deliveries/wait",
     lambda emu, p: {"done": emu.wait_for_deliveries(float(p.get("timeout", 10)))}),
    ("GET", r"/_emulator/deliveries", _pending),
    ("POST", r"/_emulator/events/([^/]+)/redeliver",
     lambda emu, p, event_id: {"queued": emu.redeliver(event_id)}),
    ("POST", r"/_emulator/payment_intents/([^/]+)/settle",
     lambda emu, p, pi: emu.settle_payment_intent(
         pi, succeed=p.get("outcome", "succeeded") in ("succeeded", "success", "succeed"))),
    ("POST", r"/_emulator/payment_intents/([^/]+)/voucher/pay",
     lambda emu, p, pi: emu.pay_voucher(pi)),
    ("POST", r"/_emulator/payment_intents/([^/]+)/voucher/expire",
     lambda emu, p, pi: emu.expire_voucher(pi)),
    ("POST", r"/_emulator/confirmation_tokens/expire",
     lambda emu, p: {"expired": emu.expire_confirmation_tokens(p.get("id") or None)}),
    ("POST", r"/_emulator/payment_method_domains/([^/]+)/status",
     lambda emu, p, domain: emu.set_payment_method_domain_status(
         domain, p.get("wallet", ""), p.get("status", "inactive"),
         p.get("error_message") or None)),
    ("POST", r"/_emulator/refunds/([^/]+)/settle",
     lambda emu, p, refund: emu.settle_refund(refund)),
    ("POST", r"/_emulator/refunds/([^/]+)/fail",
     lambda emu, p, refund: emu.fail_refund(refund, p.get("reason") or "unknown")),
    ("POST", r"/_emulator/charges/([^/]+)/dispute",
     lambda emu, p, charge: emu.create_dispute(charge, p.get("reason", "fraudulent"),
                                               to_bool(p.get("inquiry", False), "inquiry"))),
    ("POST", r"/_emulator/disputes/([^/]+)/review",
     lambda emu, p, dispute: emu.review_dispute(dispute)),
    ("POST", r"/_emulator/disputes/([^/]+)/appeal",
     lambda emu, p, dispute: emu.appeal_dispute(dispute)),
    ("POST", r"/_emulator/disputes/([^/]+)/close",
     lambda emu, p, dispute: emu.close_dispute(dispute, p.get("status", "won"))),
    ("GET", r"/_emulator/clock", lambda emu, p: {"now": emu.now()}),
    ("POST", r"/_emulator/clock",
     lambda emu, p: {"now": emu.set_time(int(p.get("timestamp", "")),
                                         to_bool(p.get("frozen", False), "frozen"))}),
    ("POST", r"/_emulator/clock/advance",
     lambda emu, p: {"now": emu.advance_time(int(p.get("seconds", 0)),
                                             int(p.get("days", 0)))}),
    ("POST", r"/_emulator/balance/release",
     lambda emu, p: emu.make_funds_available(p.get("account") or None)),
    ("GET", r"/_emulator/balance",
     lambda emu, p: emu.balance(p.get("account") or None,
                                to_bool(p.get("livemode", False), "livemode"))),
    ("POST", r"/_emulator/accounts/([^/]+)/payouts",
     lambda emu, p, account: {"data": emu.run_payouts(account, p.get("currency") or None)}),
    ("POST", r"/_emulator/accounts/([^/]+)/bank_accounts",
     lambda emu, p, account: emu.add_bank_account(account, _required(p, "currency"),
                                                  p.get("country") or None)),
    ("POST", r"/_emulator/payouts/([^/]+)/advance",
     lambda emu, p, payout: emu.advance_payout(payout, p.get("status", "paid"))),
    ("POST", r"/_emulator/payouts/([^/]+)/fail",
     lambda emu, p, payout: emu.fail_payout(payout, p.get("code") or "account_closed")),
    ("POST", r"/_emulator/payouts/([^/]+)/cancel",
     lambda emu, p, payout: emu.cancel_payout(payout)),
    ("POST", r"/_emulator/accounts/([^/]+)",
     lambda emu, p, account: emu.update_account(account, **_fields(p))),
    ("POST", r"/_emulator/account_links/expire", lambda emu, p: emu.expire_account_links()),
    ("POST", r"/_emulator/idempotency/expire",
     lambda emu, p: {"expired": emu.expire_idempotency_keys()}),
    ("POST", r"/_emulator/oauth/deny_next", lambda emu, p: emu.deny_next_authorization()),
    ("POST", r"/_emulator/down",
     lambda emu, p: emu.set_down(to_bool(p.get("down", True), "down"))),
    ("POST", r"/_emulator/public_urls", _map),
    ("GET", r"/_emulator/public_urls", lambda emu, p: {"public_urls": emu.public_urls}),
    ("POST", r"/_emulator/exchange_rates",
     lambda emu, p: {"rates": emu.set_exchange_rates(_fields(p).get("rates"))}),
    ("POST", r"/_emulator/contract/record",
     lambda emu, p: emu.record_answers(to_bool(p.get("record", True), "record"))),
    ("POST", r"/_emulator/contract/clear", lambda emu, p: emu.clear_recorded_answers()),
    ("GET", r"/_emulator/contract",
     lambda emu, p: {"recording": emu.core.recording, "answers": len(emu.core.answers),
                     "violations": emu.contract_violations()}),
    ("GET", r"/_emulator/requests", _requests),
    ("GET", r"/_emulator/objects/([^/]+)", _object),
]
_COMPILED = [(m, re.compile(f"^{pattern}$"), fn) for m, pattern, fn in ROUTES]


def handle(emulator, request):
    for method, pattern, function in _COMPILED:
        match = pattern.match(request.path)
        if match and method == request.method:
            try:
                result = function(emulator, request.params, *match.groups())
            except KeyError as error:
                return json_response(404, {"error": f"not found: {error}"})
            except (ValueError, TypeError) as error:
                return json_response(400, {"error": str(error)})
            return json_response(200, {"ok": True} if result is None else result)
    return json_response(404, {"error": f"unknown control {request.method} {request.path}"})
