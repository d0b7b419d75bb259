"""Exactly once under fire: the same signed Stripe event delivered many times at once to Odoo
running with several workers ends with exactly one ``account.payment``; many presses of Pay
at once for the same invoice end with exactly one charge.

What it does:

1. starts the project's Stripe emulator in this process (webhook deliveries held);
2. creates a fresh database with the addon (or uses ``--database``), configures the platform
   on the emulator, connects the company through the emulator's onboarding and prepares, in
   each round, three invoices whose PaymentIntents the customer paid:

   * ``duplicates``: ``payment_intent.succeeded`` fired ``--parallel`` times at once;
   * ``pay_page``: the same, mixed with as many returns to the pay page (which syncs the
     PaymentIntent at once, racing the webhook);
   * ``out_of_order``: a bank debit; ``succeeded`` and the older ``processing`` fired
     ``--parallel`` times each, shuffled;
   * ``presses``: an unpaid invoice whose pay page is pressed ``--presses`` times at once
     (50 by default), each press with its own ConfirmationToken made as Stripe.js makes it;

3. starts Odoo with ``--workers`` workers and fires the requests from threads released
   together;
4. checks that every answer is 200, or 409 for a delivery that met another delivery of the
   same event in progress (``busy``: it waits for nothing, Stripe delivers it again later),
   each event was processed once (the other deliveries answered ``duplicate`` or ``busy``),
   each event is recorded once, each invoice has exactly one payment
   and is paid; for the presses, that one press paid and every other one was told why not,
   that Stripe was asked to create one PaymentIntent and to confirm it once, and that it
   charged once; it reads Odoo's log for the serialization failures Odoo retried, for
   requests given up and for errors, and counts the workers that served the webhook and the
   presses.

Run it with any Python 3 where the ``odoo`` command (or ``python -m odoo``) works::

    python3 scripts/webhook_concurrency.py --workers 4 --parallel 16 --rounds 3

It exits 0 when everything holds, 1 otherwise; its last line is ``PASS ...`` or ``FAIL ...``.
A fresh database is dropped at the end unless ``--keep-database``. A given database gets the
platform settings overwritten: use a scratch one.
"""

import argparse
import configparser
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from emulated_odoo import ROOT, StripeEmulator, platform_settings, wait_for

ADDON = 'account_stripe_connect'
MARK = 'ASC_JSON '

SETUP_SCRIPT = '''
import json
import requests
from odoo.fields import Command

params = json.loads({params!r})
platform = env['stripe.platform']
for key, value in params['settings'].items():
    platform._set_setting(key, value)
env['ir.config_parameter'].set_param('web.base.url', params['base_url'])
env['ir.config_parameter'].set_param('web.base.url.freeze', True)
company = env.company
if not env['account.journal'].search([('company_id', '=', company.id), ('type', '=', 'sale')]):
    template = env['account.chart.template']._guess_chart_template(company.country_id)
    env['account.chart.template'].try_loading(template, company=company, install_demo=False)
company.write({{'email': 'billing@concurrency.example.com'}})
if not company.stripe_account_id:
    url = company._stripe_start_onboarding('http://localhost/refresh', 'http://localhost/return')
    requests.post(url, data={{'submit': '1'}}, allow_redirects=False, timeout=10)
company._stripe_refresh_account()
assert company.stripe_charges_enabled, "the company could not be connected"
endpoint = platform._get_gateway().create_webhook_endpoint(params['webhook_url'], ['*'])
platform._set_setting('webhook_secret', endpoint['secret'])
customer = env['res.partner'].create({{'name': 'Concurrent Customer', 'email': 'c@example.com'}})
client = platform._get_gateway()._client
result = []
for round_no in range(params['rounds']):
    for scenario, method in params['scenarios'].items():
        invoice = env['account.move'].create({{
            'move_type': 'out_invoice',
            'partner_id': customer.id,
            'invoice_line_ids': [Command.create({{
                'name': f'{{scenario}} {{round_no}}', 'quantity': 1, 'price_unit': 100.0,
                'tax_ids': [Command.clear()],
            }})],
        }})
        invoice.action_post()
        intent = invoice._stripe_prepare_intent()
        client.v1.payment_intents.confirm(
            intent.stripe_id,
            {{'payment_method': method, 'return_url': 'https://example.com/return'}},
            {{'stripe_account': intent.stripe_account_id}},
        )
        result.append({{
            'round': round_no, 'scenario': scenario, 'invoice_id': invoice.id,
            'intent': intent.stripe_id, 'access_token': invoice._portal_ensure_token(),
        }})
presses = []
for round_no in range(params['press_rounds']):
    invoice = env['account.move'].create({{
        'move_type': 'out_invoice',
        'partner_id': customer.id,
        'invoice_line_ids': [Command.create({{
            'name': f'presses {{round_no}}', 'quantity': 1, 'price_unit': 100.0,
            'tax_ids': [Command.clear()],
        }})],
    }})
    invoice.action_post()
    presses.append({{
        'round': round_no, 'scenario': 'presses', 'invoice_id': invoice.id,
        'access_token': invoice._portal_ensure_token(),
        'amount_due': invoice._stripe_due_key(), 'account': company.stripe_account_id,
    }})
env.cr.commit()
print({mark!r} + json.dumps({{'cases': result, 'presses': presses}}))
'''

PRESS_CHECK_SCRIPT = '''
import json
result = []
for item in json.loads({cases!r}):
    invoice = env['account.move'].browse(item['invoice_id'])
    intents = invoice.stripe_payment_intent_ids
    result.append({{
        'invoice_id': invoice.id,
        'payments': len(env['account.payment'].search([('invoice_ids', 'in', invoice.ids)])),
        'payment_state': invoice.payment_state,
        'intents': [[intent.stripe_id, intent.state] for intent in intents],
        'marker': bool(invoice.stripe_confirming_since),
    }})
print({mark!r} + json.dumps(result))
'''

CHECK_SCRIPT = '''
import json
result = []
for item in json.loads({cases!r}):
    invoice = env['account.move'].browse(item['invoice_id'])
    intent = invoice.stripe_payment_intent_ids
    events = env['stripe.webhook.event'].search([('stripe_object_id', '=', item['intent'])])
    result.append({{
        'invoice_id': invoice.id,
        'payments': len(env['account.payment'].search([('invoice_ids', 'in', invoice.ids)])),
        'payment_state': invoice.payment_state,
        'stripe_status': invoice.stripe_status,
        'intent_state': intent.state,
        'intent_has_payment': bool(intent.payment_id),
        'events': [[e.stripe_event_id, e.event_type, e.state, e.attempts] for e in events],
    }})
print({mark!r} + json.dumps(result))
'''

SCENARIOS = {
    'duplicates': 'pm_card_visa',
    'pay_page': 'pm_card_visa',
    'out_of_order': 'pm_bank_debit',
}


# === ODOO === #

def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def find_odoo(args):
    """Return the odoo command, its configuration file and an addons path with this addon."""
    if args.odoo:
        command = args.odoo.split()
    elif shutil.which('odoo'):
        command = [shutil.which('odoo')]
    else:
        command = [sys.executable, '-m', 'odoo']
    config_file = args.config or os.environ.get('ODOO_RC') or os.path.expanduser('~/.odoorc')
    parser = configparser.RawConfigParser()
    parser.read(config_file)
    link_dir = tempfile.mkdtemp(prefix='asc-addons.')
    os.symlink(ROOT, os.path.join(link_dir, ADDON))
    addons = [p for p in [parser.get('options', 'addons_path', fallback=''), link_dir] if p]
    if parser.has_section(ADDON):
        print(f"warning: {config_file} has an [{ADDON}] section, which wins over the "
              "settings this script makes", flush=True)
    db_env = dict(os.environ)
    for option, variable in (('db_host', 'PGHOST'), ('db_port', 'PGPORT'),
                             ('db_user', 'PGUSER'), ('db_password', 'PGPASSWORD')):
        value = parser.get('options', option, fallback='')
        if value and value.lower() not in ('false', 'none'):
            db_env[variable] = value
    return command, config_file, ','.join(addons), link_dir, db_env


def odoo_shell(odoo, options, script):
    """Run a script in ``odoo shell`` and return the JSON it printed after the marker."""
    process = subprocess.run(
        [*odoo, 'shell', *options, '--no-http', '--log-level=warn'],
        input=textwrap.dedent(script), text=True, capture_output=True, check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    sys.stderr.write(process.stdout[-4000:] + process.stderr[-4000:])
    raise RuntimeError("the Odoo shell script failed")


# === FIRING === #

def http_call(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode(errors='replace')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors='replace')
    except OSError as error:
        return 'error', str(error)


def fire(calls):
    """Run the calls from one thread each, released together; return their answers."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        answers[index] = http_call(*call)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def event_of(emulator, event_type, intent_id):
    for delivery in emulator.pending_deliveries():
        event = json.loads(delivery['body'])
        if event['type'] == event_type and event['data']['object']['id'] == intent_id:
            return event['id']
    raise LookupError(f"no {event_type} event for {intent_id}")


def webhook_call(emulator, base_url, event_id):
    body, headers = emulator.signed_request(event_id)
    return ('POST', f'{base_url}/stripe_connect/webhook', body, headers)


def confirmation_token(emulator, account):
    """Make a ConfirmationToken of Stripe's test Visa as Stripe.js makes it: with the
    publishable key, on the connected account."""
    body = urllib.parse.urlencode({
        'payment_method_data[type]': 'card',
        'payment_method_data[card][number]': '4242424242424242',
        'payment_method_data[card][exp_month]': '12',
        'payment_method_data[card][exp_year]': str(time.gmtime().tm_year + 3),
        'payment_method_data[card][cvc]': '123',
    }).encode()
    status, answer = http_call('POST', f'{emulator.base_url}/v1/confirmation_tokens', body, {
        'Authorization': f'Bearer {emulator.publishable_key}', 'Stripe-Account': account,
        'Content-Type': 'application/x-www-form-urlencoded',
    })
    if status != 200:
        raise RuntimeError(f"no ConfirmationToken: {status} {answer}")
    return json.loads(answer)['id']


def press_call(base_url, case, token):
    """The pay page's request when the customer presses Pay."""
    body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': {
        'access_token': case['access_token'], 'amount': '', 'amount_due': case['amount_due'],
        'stripe_account': case['account'], 'confirmation_token': token,
    }}).encode()
    return ('POST', f"{base_url}/stripe/pay/{case['invoice_id']}/confirm", body,
            {'Content-Type': 'application/json'})


def check_presses(emulator, case, answers, check):
    """What 50 presses at once must end with: one paid, the others told why not; Stripe
    asked to create one PaymentIntent, confirm it once, and one charge."""
    label = f"round {case['round']} presses (invoice {case['invoice_id']})"
    failures = []
    results = []
    for status, body in answers:
        if status != 200:
            failures.append(f"{label}: answer {status}: {body[:300]}")
            continue
        answer = json.loads(body)
        if 'result' not in answer:
            failures.append(f"{label}: JSON-RPC error: {json.dumps(answer)[:300]}")
            continue
        results.append(answer['result'])
    paid = [result for result in results if 'redirect' in result]
    reasons = Counter(
        result.get('error', '')[:60] for result in results if 'redirect' not in result
    )
    pis = [pi for pi, _state in check['intents']]
    creations = [call for call in emulator.api_calls('POST', '/v1/payment_intents',
                                                     key_kind='secret')
                 if call['params'].get('metadata', {}).get('odoo_invoice_id')
                 == str(case['invoice_id'])]
    confirmations = [call for call in emulator.api_calls('POST', key_kind='secret')
                     for pi in pis if call['path'] == f'/v1/payment_intents/{pi}/confirm']
    charges = [emulator.get_object(emulator.get_object(pi)['latest_charge'])
               for pi in pis if emulator.get_object(pi)['latest_charge']]
    succeeded = [charge for charge in charges if charge['status'] == 'succeeded']
    print(f"{label}: {len(answers)} presses, {len(paid)} paid, refusals {dict(reasons)}; "
          f"Stripe: {len(creations)} PaymentIntent(s) created, {len(confirmations)} "
          f"confirmation(s), {len(succeeded)} charge(s); {check['payments']} payment(s), "
          f"invoice {check['payment_state']}", flush=True)
    if len(paid) != 1:
        failures.append(f"{label}: {len(paid)} presses paid instead of 1")
    if len(paid) + sum(reasons.values()) != len(answers) or '' in reasons:
        failures.append(f"{label}: presses neither paid nor told why: {dict(reasons)}")
    if len(creations) != 1 or len(pis) != 1:
        failures.append(f"{label}: {len(creations)} PaymentIntents created on Stripe, "
                        f"{len(pis)} in Odoo, instead of 1")
    if len(confirmations) != 1:
        failures.append(f"{label}: confirmed {len(confirmations)} times instead of once")
    if len(succeeded) != 1 or len(charges) != 1:
        failures.append(f"{label}: {len(succeeded)} charge(s) instead of 1")
    if check['payments'] != 1 or check['payment_state'] != 'paid' or check['marker']:
        failures.append(f"{label}: not paid once: {check}")
    return failures


# === MAIN === #

def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('--workers', type=int, default=4, help="Odoo HTTP workers (4)")
    parser.add_argument('--parallel', type=int, default=12,
                        help="deliveries of one event fired at once (12)")
    parser.add_argument('--rounds', type=int, default=2, help="rounds of the scenarios (2)")
    parser.add_argument('--presses', type=int, default=50,
                        help="presses of Pay fired at once for one invoice, per round (50; "
                             "0 leaves the scenario out)")
    parser.add_argument('--database', help="use this database instead of a fresh one")
    parser.add_argument('--keep-database', action='store_true')
    parser.add_argument('--odoo', help="the odoo command (default: odoo on PATH)")
    parser.add_argument('--config', help="Odoo's configuration file ($ODOO_RC, ~/.odoorc)")
    parser.add_argument('--logfile', help="where Odoo's log goes (default: a temp file)")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be 2 or more: the point is several workers")

    odoo, config_file, addons_path, link_dir, db_env = find_odoo(args)
    fresh = not args.database
    database = args.database or f'asc_concurrency_{os.getpid()}'
    port, gevent_port = free_port(), free_port()
    base_url = f'http://127.0.0.1:{port}'
    logfile = args.logfile or os.path.join(
        tempfile.gettempdir(), f'asc-concurrency.{os.getpid()}.log',
    )
    options = ['-c', config_file, '-d', database, f'--addons-path={addons_path}']

    emulator = StripeEmulator().start()
    emulator.hold_deliveries()
    server = server_output = None
    failures = []
    try:
        print(f"Database {database} ({'fresh' if fresh else 'given'}); Odoo log {logfile}",
              flush=True)
        install = subprocess.run(
            [*odoo, 'server', *options, '-i', ADDON, '--stop-after-init', '--no-http',
             '--log-level=warn', '--max-cron-threads=0'],
            capture_output=True, text=True, env=db_env, check=False,
        )
        if install.returncode:
            sys.stderr.write(install.stdout[-4000:] + install.stderr[-4000:])
            raise RuntimeError("installing the addon failed")
        settings = platform_settings(emulator)
        params = {
            'settings': settings, 'base_url': base_url, 'rounds': args.rounds,
            'webhook_url': f'{base_url}/stripe_connect/webhook', 'scenarios': SCENARIOS,
            'press_rounds': args.rounds if args.presses else 0,
        }
        prepared = odoo_shell(odoo, options, SETUP_SCRIPT.format(
            params=json.dumps(params), mark=MARK,
        ))
        cases, press_cases = prepared['cases'], prepared['presses']
        for case in cases:
            if case['scenario'] == 'out_of_order':
                emulator.settle_payment_intent(case['intent'])

        # What the server prints outside its log (e.g. its websocket process failing to start
        # where gevent is incomplete) goes beside the log.
        server_output = open(logfile + '.out', 'w', encoding='utf-8')
        server = subprocess.Popen(
            [*odoo, 'server', *options, f'--workers={args.workers}', '--max-cron-threads=0',
             '--http-interface=127.0.0.1', f'--http-port={port}',
             f'--gevent-port={gevent_port}', f'--db-filter=^{re.escape(database)}$',
             f'--logfile={logfile}', '--log-level=info'],
            env=db_env, stdout=server_output, stderr=subprocess.STDOUT,
        )
        if not wait_for(f'{base_url}/web/health', timeout=180):
            raise RuntimeError("Odoo did not start (see its log)")

        started = time.monotonic()
        answers_by_case = []
        for case in cases:
            intent = case['intent']
            succeeded = event_of(emulator, 'payment_intent.succeeded', intent)
            calls = [webhook_call(emulator, base_url, succeeded) for _ in range(args.parallel)]
            event_ids = [succeeded]
            if case['scenario'] == 'pay_page':
                page = (f"{base_url}/stripe/pay/{case['invoice_id']}?access_token="
                        f"{case['access_token']}&payment_intent={intent}")
                calls += [('GET', page) for _ in range(args.parallel)]
            elif case['scenario'] == 'out_of_order':
                processing = event_of(emulator, 'payment_intent.processing', intent)
                calls += [webhook_call(emulator, base_url, processing)
                          for _ in range(args.parallel)]
                event_ids.append(processing)
            random.shuffle(calls)
            answers = fire(calls)
            answers_by_case.append((case, calls, answers, event_ids))
        press_answers = []
        for case in press_cases:
            calls = [press_call(base_url, case, confirmation_token(emulator, case['account']))
                     for _ in range(args.presses)]
            press_answers.append(fire(calls))
        elapsed = time.monotonic() - started

        checks = odoo_shell(odoo, options, CHECK_SCRIPT.format(
            cases=json.dumps(cases), mark=MARK,
        ))
        total_calls = sum(len(answers) for answers in press_answers)
        if press_cases:
            press_checks = odoo_shell(odoo, options, PRESS_CHECK_SCRIPT.format(
                cases=json.dumps(press_cases), mark=MARK,
            ))
            for case, answers, check in zip(press_cases, press_answers, press_checks,
                                            strict=True):
                failures += check_presses(emulator, case, answers, check)
        busy_answers = 0
        for (case, calls, answers, event_ids), check in zip(answers_by_case, checks,
                                                             strict=True):
            label = f"round {case['round']} {case['scenario']} (invoice {case['invoice_id']})"
            total_calls += len(calls)
            statuses = Counter(status for status, _body in answers)
            outcomes = Counter()
            wrong = Counter()
            for (method, *_rest), (status, body) in zip(calls, answers, strict=True):
                if method == 'POST' and status in (200, 409):
                    outcome = json.loads(body).get('outcome')
                    outcomes[outcome] += 1
                    # 409 only for a delivery racing another of the same event, at once.
                    if (status == 409) != (outcome == 'busy'):
                        wrong[f'{status} {outcome}'] += 1
                elif status != 200:
                    wrong[f'{method} {status}'] += 1
            busy_answers += outcomes['busy']
            print(f"{label}: answers {dict(statuses)}, webhook outcomes {dict(outcomes)}, "
                  f"{check['payments']} payment(s), invoice {check['payment_state']}",
                  flush=True)
            if wrong:
                failures.append(f"{label}: unexpected answers: {dict(wrong)}")
            if check['payments'] != 1:
                failures.append(f"{label}: {check['payments']} payments instead of 1")
            if check['payment_state'] != 'paid' or check['intent_state'] != 'succeeded' \
                    or not check['intent_has_payment']:
                failures.append(f"{label}: not paid: {check}")
            recorded = Counter(event[0] for event in check['events'])
            for event_id in event_ids:
                if recorded[event_id] != 1:
                    failures.append(f"{label}: {event_id} recorded {recorded[event_id]} times")
            if outcomes['processed'] != len(event_ids):
                failures.append(f"{label}: {outcomes['processed']} deliveries processed, "
                                f"expected {len(event_ids)} (one per event)")

        server.terminate()
        server.wait(timeout=60)
        server = None
        with open(logfile, encoding='utf-8', errors='replace') as handle:
            log = handle.read()
        retries = len(re.findall(r'SERIALIZATION_FAILURE, \d+ tries left', log))
        given_up = len(re.findall(r'maximum number of tries reached', log))
        errors = [line for line in log.splitlines() if re.search(r' (ERROR|CRITICAL) ', line)]
        webhook_pids = {
            match.group(1) for match in re.finditer(
                r'^\S+ \S+ (\d+) INFO \S+ werkzeug: .*"POST /stripe_connect/webhook', log, re.M,
            )
        }
        press_pids = {
            match.group(1) for match in re.finditer(
                r'^\S+ \S+ (\d+) INFO \S+ werkzeug: .*"POST /stripe/pay/\d+/confirm', log, re.M,
            )
        }
        print(f"Odoo retried {retries} serialization failure(s), gave up {given_up} time(s); "
              f"{len(webhook_pids)} worker(s) served the webhook, {len(press_pids)} the presses; "
              f"{len(errors)} error line(s)", flush=True)
        if press_cases and len(press_pids) < 2:
            failures.append("fewer than 2 workers served the presses: no real concurrency")
        if given_up:
            failures.append(f"Odoo gave up on {given_up} request(s) after retries")
        if errors:
            failures.append("errors in Odoo's log: " + ' | '.join(errors[:5]))
        if len(webhook_pids) < 2:
            failures.append("fewer than 2 workers served the webhook: no real concurrency")
        print(f"{busy_answers} racing deliveries answered 409 at once (another delivery of "
              "the same event in progress: Stripe delivers it again later)", flush=True)
        if not retries and not busy_answers:
            failures.append("no delivery met another one in progress: the deliveries did not "
                            "overlap (try more --parallel)")
        summary = (f"{len(cases) + len(press_cases)} invoices, {total_calls} requests in "
                   f"{elapsed:.1f}s, {args.workers} workers")
    except Exception as error:  # reported as a failure of the run
        failures.append(f"{type(error).__name__}: {error}")
        summary = "run aborted"
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        if server_output:
            server_output.close()
        emulator.stop()
        if fresh and not args.keep_database:
            subprocess.run(['dropdb', '--if-exists', database], env=db_env, check=False,
                           capture_output=True)
        shutil.rmtree(link_dir, ignore_errors=True)

    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"{'FAIL' if failures else 'PASS'} webhook concurrency: {summary}; "
          "exactly one account.payment per invoice"
          + (f", one charge for {args.presses} presses of Pay at once" if args.presses else "")
          + ("" if not failures else " NOT shown"))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
