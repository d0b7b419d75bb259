"""odoo shell: invoices through Odoo's Send flow (the batch wizard, synchronously: the PDF,
the email from the default template, the chatter), counting the SQL queries of this process.

Each measurement runs in a transaction rolled back afterwards (no email leaves, the database
stays as it was). The anchor is the same flow while the company is not connected to Stripe:
Odoo's own invoice email, no pay link. Queries per invoice come from one batch of each size;
the time ratio from small batches of the two flows in turn (``pairs``), which a shared
machine's changing load weighs on alike.

PDFs: one invoice per wkhtmltopdf run (Odoo's ``account.pdf_generation_batch`` = 0), since a
wkhtmltopdf without patched Qt cannot print several documents in one run. Unless
``real_pdf`` is set, the wkhtmltopdf program itself is stood in for by the PDF it printed for
the first invoice: Odoo still renders every invoice's HTML (with the pay link's QR code), but
the ~1 s per invoice of the external program, the same with and without the addon and
making no query, is left out. ``pdf_seconds`` is what that first real run took.
"""

import json
import os
import time

import odoo.sql_db

env = globals()['env']  # given by odoo shell
params = json.loads(os.environ['BENCH_PARAMS'])
company = env.company
env['ir.config_parameter'].sudo().set_param('account.pdf_generation_batch', '0')
env.cr.commit()
pdf = {'runs': 0}
if not params['real_pdf']:
    Report = type(env['ir.actions.report'])
    print_for_real = Report._run_wkhtmltopdf

    def stand_in(self, bodies, *args, **kwargs):
        """The PDF wkhtmltopdf printed first, for every later invoice."""
        pdf['runs'] += 1
        if 'content' not in pdf:
            start = time.perf_counter()
            pdf['content'] = print_for_real(self, bodies, *args, **kwargs)
            pdf['seconds'] = time.perf_counter() - start
        return pdf['content']

    Report._run_wkhtmltopdf = stand_in


def make_invoices(count):
    moves = env['account.move'].create([{
        'move_type': 'out_invoice',
        'partner_id': params['customer_id'],
        'invoice_line_ids': [(0, 0, {
            'product_id': params['product_id'], 'quantity': 1,
            'price_unit': params['amount'], 'tax_ids': [(5, 0, 0)],
        })],
    } for _index in range(count)])
    moves.action_post()
    env.cr.commit()
    return moves


def send(moves, connected):
    """Send the invoices; return the queries, seconds and what the emails carried."""
    if not connected:
        company.stripe_charges_enabled = False
    env.flush_all()
    queries = odoo.sql_db.sql_counter
    start = time.perf_counter()
    wizard = env['account.move.send.batch.wizard'].create({'move_ids': [(6, 0, moves.ids)]})
    wizard.action_send_and_print(force_synchronous=True)
    env.flush_all()
    seconds = time.perf_counter() - start
    queries = odoo.sql_db.sql_counter - queries
    messages = env['mail.message'].search([
        ('model', '=', 'account.move'), ('res_id', 'in', moves.ids),
        ('message_type', '=', 'comment'),
    ])
    # The pay link is a button of Odoo's notification layout, in the emails, not in the
    # message's body.
    mails = env['mail.mail'].with_context(active_test=False).search([
        ('mail_message_id', 'in', messages.ids),
    ])
    figures = {
        'invoices': len(moves),
        'queries': queries,
        'seconds': seconds,
        'sent': len(moves.filtered('is_move_sent')),
        'with_pay_link': len(mails.filtered(lambda m: '/stripe/pay/' in (m.body_html or ''))
                             .mail_message_id),
        'with_pdf': len(messages.filtered('attachment_ids')),
    }
    env.cr.rollback()
    env.invalidate_all()
    return figures


result = {'warmup': []}
for connected in (False, True):  # compile templates and reports before measuring anything
    result['warmup'].append(send(make_invoices(params['warmup']), connected))
result['anchor'] = send(make_invoices(params['anchor']), connected=False)
result['runs'] = [send(make_invoices(count), connected=True) for count in params['counts']]
# Time on a shared machine: the two flows in turn, small batches, order swapped each round.
paired = {'anchor': [], 'addon': []}
for index in range(params['pairs']):
    order = (False, True) if index % 2 == 0 else (True, False)
    for connected in order:
        figures = send(make_invoices(params['pair_size']), connected)
        paired['addon' if connected else 'anchor'].append(figures['seconds'])
result['paired'] = {
    'invoices': params['pairs'] * params['pair_size'],
    'anchor_seconds': sum(paired['anchor']),
    'addon_seconds': sum(paired['addon']),
}
result['pdf_seconds'] = pdf.get('seconds')
result['pdf_stand_in_runs'] = pdf['runs']
print('BENCH_RESULT', json.dumps(result))
