"""Load: K distinct ``payment_intent.succeeded`` events, each followed at once by racing
copies (one by default), from concurrent clients to Odoo running prefork workers.

Each worker first gets a warm-up delivery or two (other events, not counted): fresh workers
pay for their caches once. Then the database must hold exactly one payment per event:
K payments, K paid invoices, K event records. ``retries`` counts the requests Odoo ran again
after a serialization failure (its log's "tries left" lines).
"""

import queue
import threading
import time

from .client import fetch
from .stats import percentile

PATH = '/stripe_connect/webhook'


def _deliver_all(ctx, event_ids, duplicates, clients, timeout):
    """POST each event ``1 + duplicates`` times, copies next to each other, from ``clients``
    threads; return the samples (status, latency) and the wall time of the whole."""
    jobs = queue.Queue()
    for event_id in event_ids:
        for _copy in range(1 + duplicates):
            jobs.put(event_id)
    samples, lock = [], threading.Lock()
    deadline = time.monotonic() + timeout

    def client():
        while time.monotonic() < deadline:
            try:
                event_id = jobs.get_nowait()
            except queue.Empty:
                return
            body, headers = ctx.emulator.signed_request(event_id)
            start = time.perf_counter()
            try:
                status = fetch(ctx.server.url + PATH, body, headers, timeout=60).status
            except OSError as error:
                status = type(error).__name__
            latency = 1000 * (time.perf_counter() - start)
            with lock:
                samples.append({'status': status, 'ms': latency})

    threads = [threading.Thread(target=client, daemon=True) for _index in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic()))
    return samples, time.perf_counter() - start


def _check(ctx, rows, event_ids):
    intents = '{' + ','.join(row['intent'] for row in rows) + '}'
    invoices = '{' + ','.join(str(row['invoice_id']) for row in rows) + '}'
    events = '{' + ','.join(event_ids) + '}'
    (payments, registered, paid, recorded), = ctx.env.psql(ctx.database, f"""
        SELECT
          (SELECT count(*) FROM account_payment
            WHERE substring(memo from ' - (pi_[A-Za-z0-9]+)$') = ANY('{intents}'::text[])),
          (SELECT count(*) FROM stripe_payment_intent
            WHERE stripe_id = ANY('{intents}'::text[]) AND payment_id IS NOT NULL),
          (SELECT count(*) FROM account_move
            WHERE id = ANY('{invoices}'::int[]) AND payment_state IN ('paid', 'in_payment')),
          (SELECT count(*) FROM stripe_webhook_event
            WHERE stripe_event_id = ANY('{events}'::text[]))
    """)
    return {'payments': int(payments), 'registered_intents': int(registered),
            'paid_invoices': int(paid), 'event_records': int(recorded)}


def run(ctx, rows, event_ids, workers, *, warmup=(), duplicates=1, clients=8, timeout=600):
    """Deliver ``event_ids`` (the invoices and intents of ``rows``) after ``warmup`` events."""
    _deliver_all(ctx, warmup, 0, workers, timeout)
    ctx.server.log.skip()
    samples, seconds = _deliver_all(ctx, event_ids, duplicates, clients, timeout)
    retries = ctx.server.log.count('tries left')
    latencies = [s['ms'] for s in samples]
    statuses = {}
    for sample in samples:
        statuses[str(sample['status'])] = statuses.get(str(sample['status']), 0) + 1
    check = _check(ctx, rows, event_ids)
    k = len(event_ids)
    return {
        'workers': workers,
        'events': k,
        'deliveries': len(samples),
        'expected_deliveries': k * (1 + duplicates),
        'clients': clients,
        'seconds': seconds,
        'events_per_s': k / seconds if seconds else None,
        'deliveries_per_s': len(samples) / seconds if seconds else None,
        'p50_ms': percentile(latencies, 0.50),
        'p95_ms': percentile(latencies, 0.95),
        'statuses': statuses,
        'retries': retries,
        'duplicates': duplicates,
        **check,
        'exactly_k': all(check[key] == k for key in check),
    }
