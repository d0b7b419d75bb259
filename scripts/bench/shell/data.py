"""odoo shell: posted invoices for each measurement; a PaymentIntent (made by the addon, on the
emulator) for those whose payment the benchmark delivers; Odoo's own transactions for the
comparison with payment_stripe."""

import json
import os

env = globals()['env']  # given by odoo shell
params = json.loads(os.environ['BENCH_PARAMS'])


def make_invoices(count):
    if not count:
        return env['account.move']
    moves = env['account.move'].create([{
        'move_type': 'out_invoice',
        'partner_id': params['customer_id'],
        'invoice_line_ids': [(0, 0, {
            'product_id': params['product_id'], 'quantity': 1,
            'price_unit': params['amount'], 'tax_ids': [(5, 0, 0)],
        })],
    } for _index in range(count)])
    moves.action_post()
    return moves


result = {}
for name in ('webhook', 'load', 'profile'):
    rows = []
    for move in make_invoices(params['counts'].get(name, 0)):
        intent = move._stripe_prepare_intent()
        rows.append({'invoice_id': move.id, 'intent': intent.stripe_id,
                     'account': intent.stripe_account_id,
                     'access_token': move._portal_ensure_token()})
        env.cr.commit()  # the PaymentIntent exists on the emulator: keep its record too
    result[name] = rows

result['paypage'] = [{
    'invoice_id': move.id,
    'pay_url': move.stripe_pay_url,
    'portal_path': move.get_portal_url(),
} for move in make_invoices(params['counts'].get('paypage', 0))]

odoo_rows = []
if params.get('odoo_provider_id'):
    provider = env['payment.provider'].browse(params['odoo_provider_id'])
    for move in make_invoices(params['counts'].get('odoo', 0)):
        tx = env['payment.transaction'].create({
            'provider_id': provider.id,
            'payment_method_id': params['card_method_id'],
            'amount': move.amount_residual,
            'currency_id': move.currency_id.id,
            'partner_id': move.partner_id.id,
            'operation': 'online_direct',
            'invoice_ids': [(6, 0, move.ids)],
        })
        odoo_rows.append({
            'invoice_id': move.id, 'reference': tx.reference,
            'amount_minor': round(move.amount_residual * 10 ** move.currency_id.decimal_places),
            'currency': move.currency_id.name.lower(),
        })
result['odoo'] = odoo_rows
env.cr.commit()
print('BENCH_RESULT', json.dumps(result))
