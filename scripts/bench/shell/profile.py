"""odoo shell: where the queries of the webhook's first delivery go.

Each event is received as the webhook receives it (the public user, sudo): the first warms
the caches up, is committed (as in the webhook part, the company's first payment makes its
Stripe journal) and left out; the second is measured and rolled back. Every SQL query is
attributed to the innermost function of the addon on the stack and the Odoo function it
called from there, so a table says which step of the addon costs what; with ``dump``, each
query of the measured delivery is written to that file with its stack.
"""

import collections
import json
import os
import traceback

from odoo import sql_db

env = globals()['env']  # given by odoo shell
params = json.loads(os.environ['BENCH_PARAMS'])
params_dump = params.get('dump')  # a file for each query of the measured delivery, with its stack
ADDON = os.sep + 'account_stripe_connect' + os.sep


# The steps of a first delivery, by the addon's function that runs them (outermost first).
STEPS = {
    '_stripe_register_received': "the payment: created, posted, reconciled with the invoice, "
                                 "chatter note",
    '_stripe_book_charge': "the books: balance transaction, statement line, matched with the "
                           "payment",
}


def step_of(stack):
    for frame in stack:
        if ADDON in frame.filename and frame.name in STEPS:
            return STEPS[frame.name]
    return "the event: claim, checks, the PaymentIntent's record, commit"


def where(stack):
    """(addon function, Odoo function it called) of the innermost addon frame."""
    for index in range(len(stack) - 1, -1, -1):
        frame = stack[index]
        if ADDON in frame.filename and os.sep + 'scripts' + os.sep not in frame.filename:
            callee = stack[index + 1] if index + 1 < len(stack) else None
            inner = f'{os.path.basename(callee.filename)}:{callee.name}' if callee else '-'
            return f'{os.path.basename(frame.filename)}:{frame.name}', inner
    return '(outside the addon)', '-'


def receive(event, keep):
    counts = collections.Counter()
    steps = collections.Counter()
    original = sql_db.Cursor.execute
    dump = []

    def traced(self, query, params=None, log_exceptions=True):
        stack = traceback.extract_stack()[:-1]
        counts[where(stack)] += 1
        steps[step_of(stack)] += 1
        if params_dump:
            frames = [f'{os.path.basename(frame.filename)}:{frame.name}' for frame in stack
                      if os.sep + 'odoo' in frame.filename][-8:]
            dump.append(f"{' > '.join(frames)}\n    {str(query)[:300]}")
        return original(self, query, params, log_exceptions)

    public = env(user=env.ref('base.public_user').id, su=False)
    sql_db.Cursor.execute = traced
    try:
        outcome = public['stripe.webhook.event'].sudo()._stripe_receive(event)
        env.cr.flush()
    finally:
        sql_db.Cursor.execute = original
    if params_dump and not keep:
        with open(params_dump, 'w', encoding='utf-8') as handle:
            handle.write('\n'.join(dump))
    if keep:
        env.cr.commit()
    else:
        env.cr.rollback()
    env.invalidate_all()
    return outcome, counts, steps


result = []
for index, body in enumerate(params['events']):
    result.append(receive(json.loads(body), keep=index < len(params['events']) - 1))
outcome, counts, steps = result[-1]
by_function = collections.Counter()
for (function, _inner), count in counts.items():
    by_function[function] += count
print('BENCH_RESULT ' + json.dumps({
    'outcome': outcome,
    'total': sum(counts.values()),
    'by_step': steps.most_common(),
    'by_function': by_function.most_common(),
    'by_call': [[f'{function} -> {inner}', count] for (function, inner), count
                in counts.most_common(40)],
}))
