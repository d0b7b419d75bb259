"""Sending: invoices through Odoo's Send flow in an ``odoo shell`` process (see
shell/send.py), with the Stripe calls counted on the emulator around it."""


def run(ctx, counts, anchor, *, real_pdf=False, warmup=3, pairs=6, pair_size=20):
    calls = len(ctx.emulator.request_log)
    result = ctx.env.shell(ctx.database, 'send.py', {
        'customer_id': ctx.setup['customer_id'],
        'product_id': ctx.setup['product_id'],
        'amount': 100.0,
        'warmup': warmup,
        'anchor': anchor,
        'counts': counts,
        'real_pdf': real_pdf,
        'pairs': pairs,
        'pair_size': pair_size,
    }, ctx.logfile('send'), timeout=3600)
    result['stripe_calls'] = len(ctx.emulator.request_log) - calls
    for figures in [result['anchor'], *result['runs']]:
        figures['queries_per_invoice'] = figures['queries'] / figures['invoices']
        figures['ms_per_invoice'] = 1000 * figures['seconds'] / figures['invoices']
    return result
