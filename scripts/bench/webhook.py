"""Webhook: one ``payment_intent.succeeded`` (first delivery, then the same again) at the
addon's /stripe_connect/webhook, beside a no-op route (the floor) and Odoo's own
payment_stripe at /payment/stripe/webhook, on one threaded server.

Each figure is the median of ``repeat`` requests after one warm-up request of the same kind
(a fresh server pays for its caches once). Queries and server time come from the server's log.
"""

import hashlib
import hmac
import json
import time

from .measure import timed
from .stats import summarize


def _measure(function, items):
    """Run ``function`` on each item; the first one warms up and is left out."""
    return [function(item) for item in items][1:]


def odoo_event(row, index):
    """The ``payment_intent.succeeded`` Stripe would send payment_stripe for a transaction."""
    return {
        'id': f'evt_bench_odoo_{index}', 'object': 'event', 'type': 'payment_intent.succeeded',
        'livemode': False, 'created': int(time.time()), 'api_version': '2019-05-16',
        'data': {'object': {
            'id': f'pi_bench_odoo_{index}', 'object': 'payment_intent',
            'amount': row['amount_minor'], 'amount_received': row['amount_minor'],
            'currency': row['currency'], 'status': 'succeeded', 'description': row['reference'],
            'payment_method': f'pm_bench_odoo_{index}', 'customer': None,
        }},
    }


def sign(secret, body):
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f'{timestamp}.'.encode() + body, hashlib.sha256)
    return {'Content-Type': 'application/json',
            'Stripe-Signature': f't={timestamp},v1={digest.hexdigest()}'}


def run(ctx, data, events, repeat):
    """Return the webhook rows: floor(s), the addon's first and repeated deliveries, and
    payment_stripe's when installed."""
    emulator = ctx.emulator
    rows = {}
    rows['floor'] = summarize(_measure(
        lambda _i: timed(ctx, 'GET', '/web/health'), range(repeat + 1)))

    def post(event_id):
        body, headers = emulator.signed_request(event_id)
        return timed(ctx, 'POST', '/stripe_connect/webhook', data=body,
                     headers=headers)

    def deliver(event_id):
        return post(event_id), post(event_id)

    pairs = _measure(deliver, events[:repeat + 1])
    rows['ours_first'] = summarize([first for first, _again in pairs])
    rows['ours_again'] = summarize([again for _first, again in pairs])
    rows['ours_outcomes'] = sorted({json.loads(p[0]['body']).get('outcome', '?') for p in pairs})
    if data.get('odoo'):
        rows.update(_run_odoo(ctx, data, repeat))
    return rows


def _run_odoo(ctx, data, repeat):
    secret = ctx.odoo_webhook_secret
    path = '/payment/stripe/webhook'
    rows = {}
    noop = json.dumps({'id': 'evt_bench_noop', 'type': 'bench.noop',
                       'data': {'object': {}}}).encode()
    rows['floor_db'] = summarize(_measure(
        lambda _i: timed(ctx, 'POST', path, data=noop,
                         headers={'Content-Type': 'application/json'}), range(repeat + 1)))

    def cron():
        payload = json.dumps({
            'jsonrpc': '2.0', 'method': 'call', 'params': {
                'model': 'ir.cron', 'method': 'method_direct_trigger',
                'args': [[ctx.setup['odoo_cron_id']]], 'kwargs': {}},
        }).encode()
        return timed(ctx, 'POST', '/web/dataset/call_kw', data=payload,
                     headers={'Content-Type': 'application/json'}, opener=ctx.admin.opener)

    empty = _measure(lambda _i: cron(), range(repeat + 1))

    def deliver(item):
        index, row = item
        body = json.dumps(odoo_event(row, index)).encode()
        first = timed(ctx, 'POST', path, data=body, headers=sign(secret, body))
        again = timed(ctx, 'POST', path, data=body, headers=sign(secret, body))
        return first, again, cron()

    triples = _measure(deliver, list(enumerate(data['odoo'][:repeat + 1])))
    rows['odoo_first'] = summarize([t[0] for t in triples])
    rows['odoo_again'] = summarize([t[1] for t in triples])
    empty_queries = summarize(empty)
    post = summarize([t[2] for t in triples])
    # What the post-processing of one transaction costs: the cron run minus an empty one.
    rows['odoo_post'] = {
        **post,
        'queries': post['queries'] - empty_queries['queries'],
        'server_ms': post['server_ms'] - empty_queries['server_ms'],
        'wall_ms': post['wall_ms'] - empty_queries['wall_ms'],
    }
    rows['odoo_total'] = {
        key: rows['odoo_first'][key] + rows['odoo_post'][key]
        for key in ('queries', 'server_ms', 'wall_ms', 'stripe_calls')
    }
    return rows
