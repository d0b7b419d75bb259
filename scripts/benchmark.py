"""Benchmark the addon on real Odoo 19 with the Stripe emulator, beside Odoo's own anchors.

One run, one database (reset first), one machine; the ratios matter more than the times:

- webhook: queries and time of one payment_intent.succeeded (first delivery, redelivery)
  against a no-op route (the floor) and Odoo's own payment_stripe webhook;
- pay page: queries, time to first byte, JS and CSS bytes against Odoo's portal invoice page;
- sending: invoices through Odoo's Send flow, queries per invoice and Stripe calls;
- load: K events plus racing duplicates with 2 then 4 workers: events/s, p50/p95, exactly K
  payments afterwards.

Usage: python3 scripts/benchmark.py [--quick] [--database asc_bench] [--output FILE]
Odoo is found as by the other scripts (scripts/odoo_env.sh): `odoo` on PATH, ~/.odoorc.
"""

import argparse
import os
import platform
import signal
import subprocess
import sys
import time
import traceback
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import load, paypage, prepare, profile, report, sending, webhook  # noqa: E402
from bench.env import OdooEnv, free_port  # noqa: E402
from bench.server import OdooServer  # noqa: E402

from stripe_emulator import StripeEmulator  # noqa: E402

SIZES = {
    'full': {'repeat': 5, 'send': [100, 1000], 'anchor': 100, 'pairs': 6, 'load': 200},
    'quick': {'repeat': 3, 'send': [20, 100], 'anchor': 20, 'pairs': 2, 'load': 20},
}


def load_plan(workers, duplicates):
    """The load runs: ``(name, workers, servers, duplicates, pay page returns)``.

    The first worker count without and with the racing duplicates (what they cost), the
    others with them; then one server against two on the same database, with the events, their
    duplicates and the customers' returns to the pay page split between the servers.
    """
    first = workers[0]
    # The first: without and with duplicates in alternating batches (two results, 2K events).
    runs = [(f'load{first}_pair', first, 1, duplicates, False)] if duplicates else []
    runs += [(f'load{count}', count, 1, duplicates, False) for count in workers
             if not duplicates or count != first]
    runs += [('servers1', first, 1, duplicates, True), ('servers2', first, 2, duplicates, True)]
    return runs


def step(message):
    print(f'[{time.strftime("%H:%M:%S")}] {message}', flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help="small sizes: sending 20 and 100 invoices, K=20 events")
    parser.add_argument('--database', default='asc_bench', help="reset by the run")
    parser.add_argument('--output', help="also write the table to this file")
    parser.add_argument('--workers', default='2,4', help="worker counts of the load test")
    parser.add_argument('--duplicates', type=int, default=1,
                        help="racing copies of each event in the load test (default 1)")
    parser.add_argument('--real-pdf', action='store_true',
                        help="run wkhtmltopdf for every invoice sent (about 1 s each)")
    parser.add_argument('--profile', action='store_true',
                        help="also print where the queries of the webhook's first delivery go")
    parser.add_argument('--skip', default='',
                        help="comma-separated parts to leave out: webhook,paypage,sending,load")
    return parser.parse_args()


def code_version():
    """The addon's commit, and whether the working tree differs from it."""
    def git(*args):
        done = subprocess.run(['git', '-C', ROOT, *args], capture_output=True, text=True,
                              check=False)
        return done.stdout.strip() if done.returncode == 0 else ''
    commit = git('rev-parse', '--short', 'HEAD')
    if not commit:
        return 'not a git checkout'
    # The addon's own files only: the benchmark and the documents do not change the figures.
    changed = git('status', '--porcelain', '--', '.', ':(exclude)scripts', ':(exclude)docs',
                  ':(exclude)*.md', ':(exclude).ci')
    return f'commit {commit}' + (' + local changes' if changed else '')


def attempt(results, name, function, *args, **kwargs):
    """Run one part; a part that fails is reported as such and the others still run."""
    try:
        results[name] = function(*args, **kwargs)
    except Exception as error:
        traceback.print_exc()
        results[name] = {'error': f'{type(error).__name__}: {error}'.splitlines()[0][:300]}


def stop_on_sigterm(_signum, _frame):
    raise SystemExit(143)  # runs the clean-up: Odoo and the emulator are stopped


def main():
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    args = parse_args()
    size = SIZES['quick' if args.quick else 'full']
    skip = set(filter(None, args.skip.split(',')))
    workers = [int(count) for count in args.workers.split(',') if count]
    env = OdooEnv.discover()
    log_dir = f'/tmp/{args.database}-logs'
    os.makedirs(log_dir, exist_ok=True)
    ctx = SimpleNamespace(env=env, database=args.database, server=None, errors=[],
                          logfile=lambda name: os.path.join(log_dir, f'{name}.log'))
    with_odoo = env.has_module('payment_stripe') and env.has_module('account_payment')
    modules = ['account_stripe_connect'] + (['account_payment', 'payment_stripe']
                                            if with_odoo else [])
    started = time.monotonic()
    load_before = os.getloadavg()
    emulator = StripeEmulator().start()
    emulator.hold_deliveries()  # the benchmark delivers the events itself
    ctx.emulator = emulator
    port = free_port()
    results = {}
    try:
        step(f"installing {', '.join(modules)} in a new database {args.database} "
             f"(logs in {log_dir})")
        env.install(args.database, modules, ctx.logfile('install'))
        step("configuring the platform on the emulator")
        ctx.setup = prepare.configure(ctx, f'http://127.0.0.1:{port}')
        ctx.server = OdooServer(env, args.database, port, ctx.logfile('server')).start()
        step(f"Odoo on {ctx.server.url}; connecting the company through Stripe's onboarding")
        prepare.connect_company(ctx)
        repeat, k = size['repeat'], size['load']
        load_runs = [] if 'load' in skip else load_plan(workers, args.duplicates)
        step("creating invoices and PaymentIntents")
        ctx.data = prepare.make_data(ctx, {
            'webhook': repeat + 1, 'paypage': repeat + 1,
            'load': sum(k * (2 if name.endswith('_pair') else 1) + 2 * count * servers
                        for name, count, servers, _copies, _returns in load_runs),
            'odoo': repeat + 1 if with_odoo else 0,
            'profile': 2 if args.profile else 0,
        })
        webhook_events = prepare.pay_intents(ctx, ctx.data['webhook'])
        load_events = prepare.pay_intents(ctx, ctx.data['load'])
        profile_events = prepare.pay_intents(ctx, ctx.data.get('profile') or [])
        if args.profile:
            step("profile of the webhook's first delivery")
            attempt(results, 'profile', profile.run, ctx, profile_events)
        if 'webhook' not in skip:
            step("webhook")
            attempt(results, 'webhook', webhook.run, ctx, ctx.data, webhook_events, repeat)
        if 'paypage' not in skip:
            step("pay page")
            attempt(results, 'paypage', paypage.run, ctx, ctx.data['paypage'], repeat)
        if 'sending' not in skip:
            step(f"sending {' and '.join(map(str, size['send']))} invoices "
                 f"(and {size['anchor']} as the anchor)")
            attempt(results, 'sending', sending.run, ctx, size['send'], size['anchor'],
                    real_pdf=args.real_pdf, pairs=size['pairs'])
        ctx.server.stop()
        ctx.errors += ctx.server.error_lines()
        ctx.server = None
        start = 0
        for name, count, servers, copies, returns in load_runs:
            step(f"load {name}: {servers} server(s) of {count} workers, {copies} duplicate(s)"
                 + (", pay page returns" if returns else ""))
            warm, start = load_events[start:start + 2 * count * servers], \
                start + 2 * count * servers
            size = 2 * k if name.endswith('_pair') else k
            rows, events = ctx.data['load'][start:start + size], load_events[start:start + size]
            start += size
            running = []
            try:
                for index in range(servers):
                    suffix = f'-{index + 1}' if servers > 1 else ''
                    running.append(OdooServer(
                        env, args.database, port if not index else free_port(),
                        ctx.logfile(f'{name}{suffix}'), workers=count,
                    ).start())
                if name.endswith('_pair'):
                    attempt(results, name, load.run_paired, ctx, rows, events, count,
                            warmup=warm, duplicates=copies, servers=running)
                    if 'error' not in results[name]:
                        base = name[:-len('_pair')]
                        results[f'{base}_nodup'], results[base] = results.pop(name)
                else:
                    attempt(results, name, load.run, ctx, rows, events, count, warmup=warm,
                            duplicates=copies, servers=running, returns=returns)
            finally:
                for server in running:
                    server.stop()
                    ctx.errors += server.error_lines()
    finally:
        if ctx.server:
            ctx.server.stop()
            ctx.errors += ctx.server.error_lines()
        emulator.stop()
        env.cleanup()
    minutes = (time.monotonic() - started) / 60
    header = [
        f'account_stripe_connect benchmark - {"quick" if args.quick else "full"} run, '
        f'{time.strftime("%Y-%m-%d %H:%M")}, {os.cpu_count()} CPUs, '
        f'Python {platform.python_version()}, database {args.database}, {minutes:.1f} min',
        f'addon: {code_version()}',
        'machine load average (1, 5, 15 min) at the start: '
        + ', '.join(f'{value:.1f}' for value in load_before) + '; at the end: '
        + ', '.join(f'{value:.1f}' for value in os.getloadavg())
        + ' (other processes share the CPUs: times move, query counts do not)',
        "payment_stripe + account_payment installed for the comparison" if with_odoo
        else "payment_stripe is not in the addons path: no comparison with it",
    ]
    load_names = []
    for name, *_rest in load_runs:
        base = name[:-len('_pair')] if name.endswith('_pair') else None
        load_names += [f'{base}_nodup', base, name] if base else [name]
    sections = report.sections(results, repeat, load_names)
    if 'profile' in results and 'error' not in results['profile']:
        sections.insert(1, profile.section(results['profile']))
    sections.append(report.targets_section(results, ctx.errors, skip))
    text = report.render(header, sections)
    print('\n' + text)
    if args.output:
        with open(args.output, 'w', encoding='utf-8') as handle:
            handle.write(text + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
