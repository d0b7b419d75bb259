"""Load: K distinct ``payment_intent.succeeded`` events, each followed at once by racing
copies (one by default; without and with them in alternating batches, to see what they
cost) and, optionally, the customer's return to the pay page (which asks
Stripe about the PaymentIntent and registers it too, racing the webhook), from concurrent
clients to one or several Odoo servers running prefork workers on the same database.

With several servers, the requests of one PaymentIntent are split between them: the event to
one server, its duplicate and the pay page's return to the next ones, as a load balancer
would. Each worker first gets a warm-up delivery or two (other events, not counted): fresh
workers pay for their caches once. Then the database must hold exactly one payment per
event: K payments, K paid invoices, K event records. ``retries`` counts the requests Odoo ran
again after a serialization failure (its log's "tries left" lines), ``errors`` the ERROR
lines of the servers' logs during the run.
"""

import queue
import threading
import time

from .client import build_opener, fetch
from .stats import percentile

PATH = '/stripe_connect/webhook'
NO_REDIRECT = build_opener(follow=False)


def _jobs(servers, rows, event_ids, duplicates, returns):
    """The requests of each PaymentIntent, next to each other: ``(kind, server, row, event)``."""
    jobs = []
    for index, (row, event_id) in enumerate(zip(rows, event_ids, strict=True)):
        for copy in range(1 + duplicates):
            jobs.append(('webhook', servers[(index + copy) % len(servers)], row, event_id))
        if returns:
            jobs.append(('return', servers[(index + 1) % len(servers)], row, event_id))
    return jobs


def _request(ctx, kind, server, row, event_id):
    if kind == 'webhook':
        body, headers = ctx.emulator.signed_request(event_id)
        return fetch(server.url + PATH, body, headers, timeout=60).status
    url = (f"{server.url}/stripe/pay/{row['invoice_id']}?access_token={row['access_token']}"
           f"&payment_intent={row['intent']}")
    return fetch(url, opener=NO_REDIRECT, timeout=60).status


def _deliver_all(ctx, jobs, clients, timeout):
    """Send the jobs from ``clients`` threads, in order; return the samples
    (kind, status, latency) and the wall time of the whole."""
    pending = queue.Queue()
    for job in jobs:
        pending.put(job)
    samples, lock = [], threading.Lock()
    deadline = time.monotonic() + timeout

    def client():
        while time.monotonic() < deadline:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            try:
                status = _request(ctx, *job)
            except OSError as error:
                status = type(error).__name__
            latency = 1000 * (time.perf_counter() - start)
            with lock:
                samples.append({'kind': job[0], 'status': status, 'ms': latency})

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
    (payments, registered, paid, recorded, most), = ctx.env.psql(ctx.database, f"""
        WITH ours AS (
          SELECT substring(memo from ' - (pi_[A-Za-z0-9]+)$') AS intent FROM account_payment
           WHERE substring(memo from ' - (pi_[A-Za-z0-9]+)$') = ANY('{intents}'::text[]))
        SELECT
          (SELECT count(*) FROM ours),
          (SELECT count(*) FROM stripe_payment_intent
            WHERE stripe_id = ANY('{intents}'::text[]) AND payment_id IS NOT NULL),
          (SELECT count(*) FROM account_move
            WHERE id = ANY('{invoices}'::int[]) AND payment_state IN ('paid', 'in_payment')),
          (SELECT count(*) FROM stripe_webhook_event
            WHERE stripe_event_id = ANY('{events}'::text[])),
          (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM ours GROUP BY intent) c)
    """)
    return {'payments': int(payments), 'registered_intents': int(registered),
            'paid_invoices': int(paid), 'event_records': int(recorded),
            'max_payments_per_intent': int(most)}


def _summarize(ctx, *, rows, event_ids, workers, servers, jobs, samples, seconds, retries,
               errors, duplicates, returns, clients):
    latencies = [s['ms'] for s in samples if s['kind'] == 'webhook']
    statuses = {}
    for sample in samples:
        key = f"{'return ' if sample['kind'] == 'return' else ''}{sample['status']}"
        statuses[key] = statuses.get(key, 0) + 1
    check = _check(ctx, rows, event_ids)
    k = len(event_ids)
    return {
        'workers': workers,
        'servers': len(servers),
        'events': k,
        'returns': returns,
        'deliveries': len(samples),
        'expected_deliveries': jobs,
        'clients': clients,
        'seconds': seconds,
        'events_per_s': k / seconds if seconds else None,
        'deliveries_per_s': len(samples) / seconds if seconds else None,
        'p50_ms': percentile(latencies, 0.50),
        'p95_ms': percentile(latencies, 0.95),
        'statuses': statuses,
        'retries': retries,
        'errors': errors,
        'duplicates': duplicates,
        **check,
        'exactly_k': all(check[key] == k for key in ('payments', 'registered_intents',
                                                      'paid_invoices', 'event_records'))
        and check['max_payments_per_intent'] == 1,
    }


def _log_counts(servers):
    """(retries, error lines) the servers logged since the last read."""
    retries = errors = 0
    for server in servers:
        lines = server.log.lines()
        retries += sum('tries left' in line for line in lines)
        errors += sum(' ERROR ' in line or ' CRITICAL ' in line for line in lines)
    return retries, errors


def _warm_up(ctx, servers, warmup, workers, timeout):
    warm_jobs = [('webhook', servers[index % len(servers)], None, event_id)
                 for index, event_id in enumerate(warmup)]
    _deliver_all(ctx, warm_jobs, workers * len(servers), timeout)
    for server in servers:
        server.log.skip()


def run(ctx, rows, event_ids, workers, *, warmup=(), duplicates=1, clients=8, timeout=600,
        servers=None, returns=False):
    """Deliver ``event_ids`` (the invoices and intents of ``rows``) after ``warmup`` events
    (events only, one per request), to ``servers`` (default: the benchmark's server)."""
    servers = servers or [ctx.server]
    _warm_up(ctx, servers, warmup, workers, timeout)
    jobs = _jobs(servers, rows, event_ids, duplicates, returns)
    samples, seconds = _deliver_all(ctx, jobs, clients, timeout)
    retries, errors = _log_counts(servers)
    return _summarize(ctx, rows=rows, event_ids=event_ids, workers=workers, servers=servers,
                      jobs=len(jobs), samples=samples, seconds=seconds, retries=retries,
                      errors=errors, duplicates=duplicates, returns=returns, clients=clients)


def run_paired(ctx, rows, event_ids, workers, *, warmup=(), duplicates=1, clients=8,
               timeout=600, servers=None, batch=20):
    """The same load without and with racing duplicates, in alternating batches of ``batch``
    events on the same server (the order swapped each round), so that a machine whose load
    changes during the run weighs on both alike. ``rows`` and ``event_ids`` hold both halves.

    :return: ``(without, with)``, each as :func:`run` returns it.
    """
    servers = servers or [ctx.server]
    _warm_up(ctx, servers, warmup, workers, timeout)
    half = len(event_ids) // 2
    modes = {0: {'rows': rows[:half], 'events': event_ids[:half]},
             duplicates: {'rows': rows[half:], 'events': event_ids[half:]}}
    totals = {copies: {'samples': [], 'seconds': 0.0, 'jobs': 0, 'retries': 0, 'errors': 0}
              for copies in modes}
    for start in range(0, half, batch):
        order = (0, duplicates) if (start // batch) % 2 == 0 else (duplicates, 0)
        for copies in order:
            part = modes[copies]
            jobs = _jobs(servers, part['rows'][start:start + batch],
                         part['events'][start:start + batch], copies, False)
            samples, seconds = _deliver_all(ctx, jobs, clients, timeout)
            retries, errors = _log_counts(servers)
            total = totals[copies]
            total['samples'] += samples
            total['seconds'] += seconds
            total['jobs'] += len(jobs)
            total['retries'] += retries
            total['errors'] += errors
    return tuple(
        _summarize(ctx, rows=modes[copies]['rows'], event_ids=modes[copies]['events'],
                   workers=workers, servers=servers, jobs=totals[copies]['jobs'],
                   samples=totals[copies]['samples'], seconds=totals[copies]['seconds'],
                   retries=totals[copies]['retries'], errors=totals[copies]['errors'],
                   duplicates=copies, returns=False, clients=clients)
        for copies in (0, duplicates)
    )
