"""HTTP control routes, the command line, Stripe.js stand-in and form decoding."""

import json
import os
import subprocess
import sys
from pathlib import Path

from stripe_emulator.forms import decode_query
from stripe_emulator.tests.helpers import http

REPO_ROOT = Path(__file__).resolve().parents[2]


def control(emu, method, path, **kwargs):
    answer = http(method, emu.base_url + "/_emulator" + path, **kwargs)
    assert answer.status == 200, answer.body
    return answer.json()


def paid(client, on, method="pm_card_visa"):
    return client.v1.payment_intents.create({"amount": 900, "currency": "eur",
                                             "payment_method": method, "confirm": True}, on)


def test_settle_dispute_and_close_over_http(emu, client, on):
    debit = paid(client, on, "pm_bank_debit")
    settled = control(emu, "POST", f"/payment_intents/{debit.id}/settle",
                      form={"outcome": "failed"})
    assert settled["status"] == "requires_payment_method"
    charge_id = paid(client, on).latest_charge
    dispute = control(emu, "POST", f"/charges/{charge_id}/dispute",
                      form={"reason": "duplicate"})
    assert dispute["reason"] == "duplicate"
    closed = control(emu, "POST", f"/disputes/{dispute['id']}/close",
                     json_body={"status": "lost"})
    assert closed["status"] == "lost"
    missing = http("POST", emu.base_url + "/_emulator/charges/ch_nope/dispute")
    assert missing.status == 404


def test_account_and_delivery_controls_over_http(emu, client, on, receiver, endpoint):
    account = on["stripe_account"]
    emu.wait_for_deliveries(2)
    start = len(receiver.received)
    control(emu, "POST", "/deliveries/hold")
    updated = control(emu, "POST", f"/accounts/{account}",
                      json_body={"payouts_enabled": False})
    assert updated["payouts_enabled"] is False
    client.v1.payment_intents.create({"amount": 100, "currency": "eur"}, on)
    listing = control(emu, "GET", "/deliveries")
    types = [json.loads(p["body"])["type"] for p in listing["pending"]]
    assert types == ["account.updated", "payment_intent.created"]
    control(emu, "POST", "/deliveries/release", json_body={"order": "reverse"})
    assert control(emu, "POST", "/deliveries/wait", form={"timeout": "3"})["done"] is True
    assert [e["type"] for e in receiver.events()[start:]] == types[::-1]
    event_id = json.loads(listing["pending"][0]["body"])["id"]
    assert control(emu, "POST", f"/events/{event_id}/redeliver")["queued"] == 1
    emu.wait_for_deliveries(3)
    assert receiver.events()[-1]["id"] == event_id
    log = control(emu, "GET", "/requests")["data"]
    assert log[-1]["path"] == "/v1/payment_intents" and log[-1]["status"] == 200
    assert control(emu, "GET", f"/requests?id={log[-1]['request_id']}")["data"] == log[-1:]
    assert control(emu, "GET", f"/objects/{account}")["payouts_enabled"] is False


def test_misc_controls_and_reset_over_http(emu, client):
    control(emu, "POST", "/oauth/deny_next")
    assert emu.core.deny_next_authorization is True
    account = client.v1.accounts.create({})
    link = client.v1.account_links.create({"account": account.id, "type": "account_onboarding",
                                           "refresh_url": "http://r", "return_url": "http://b"})
    control(emu, "POST", "/account_links/expire")
    assert http("GET", link.url).headers["Location"] == "http://r"
    control(emu, "POST", "/down", form={"down": "true"})
    assert emu.core.down is True
    control(emu, "POST", "/down", form={"down": "false"})
    control(emu, "POST", "/reset")
    assert emu.get_object(account.id) is None
    assert http("GET", emu.base_url + "/_emulator/nope").status == 404


def test_stripe_js_is_served_with_cors(emu):
    answer = http("GET", emu.js_url)
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    script = answer.body.decode()
    assert f"const API_ORIGIN = '{emu.base_url}'" in script
    for needle in ("window.Stripe = Stripe", "confirmPayment", "retrievePaymentIntent",
                   "o_stripe_emulator_pm", "stripe_emulator_payment_method", "pm_card_visa",
                   "pm_card_chargeDeclined", "pm_card_authenticationRequired", "pm_bank_debit",
                   "Visa 4242 (succeeds)", "'if_required'", "redirect_status", "fetchUpdates",
                   "Stripe-Account", "client_secret"):
        assert needle in script, needle


def test_form_decoding():
    decoded = decode_query("metadata[a]=1&metadata[b]=&expand[0]=latest_charge&expand[1]=x"
                           "&enabled_events[]=a.b&enabled_events[]=c.d&n[0][k]=v&flag=true")
    assert decoded == {"metadata": {"a": "1", "b": ""}, "expand": ["latest_charge", "x"],
                       "enabled_events": ["a.b", "c.d"], "n": [{"k": "v"}], "flag": "true"}


def test_command_line_starts_and_prints(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen([sys.executable, "-m", "stripe_emulator", "--port", "0"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("Stripe emulator listening on http://127.0.0.1:")
        base_url = first.rsplit(" ", 1)[1].strip()
        assert "sk_test_emulator" in process.stdout.readline()
        assert http("GET", base_url + "/v3/").status == 200
    finally:
        process.terminate()
        process.wait(timeout=5)
