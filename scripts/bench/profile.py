"""Profile: where the queries of the webhook's first delivery go (``--profile``).

Runs ``shell/profile.py`` in ``odoo shell`` on two of the held ``payment_intent.succeeded``
events of its own (the first warms up and is committed, the second is measured and rolled
back) and prints the queries per function of the addon, and per call it makes into Odoo.
"""



def run(ctx, event_ids):
    bodies = []
    for event_id in event_ids[:2]:
        body, _headers = ctx.emulator.signed_request(event_id)
        bodies.append(body.decode() if isinstance(body, bytes) else body)
    return ctx.env.shell(ctx.database, 'profile.py', {
        'events': bodies, 'dump': ctx.logfile('profile-queries'),
    }, ctx.logfile('profile'))


def section(result):
    out = [f"PROFILE - queries of one first delivery (odoo shell, the second of two): "
           f"{result['total']}, outcome {result['outcome']}",
           'per step:']
    out += [f'  {count:5d}  {name}' for name, count in result['by_step']]
    out.append('per function of the addon (innermost on the stack):')
    out += [f'  {count:5d}  {name}' for name, count in result['by_function']]
    out.append('per call from the addon into Odoo:')
    out += [f'  {count:5d}  {name}' for name, count in result['by_call']]
    return out

