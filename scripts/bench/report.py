"""The benchmark's printed table."""

import os


def _num(value, digits=0):
    if value is None:
        return '-'
    if isinstance(value, float) and digits:
        return f'{value:.{digits}f}'
    return f'{value:,.0f}' if isinstance(value, (int, float)) else str(value)


def _ratio(value, anchor):
    if value is None or not anchor:
        return '-'
    return f'{value / anchor:.2f}x'


def _table(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = ['  '.join(str(cell).rjust(width) if index else str(cell).ljust(width)
                       for index, (cell, width) in enumerate(zip(line, widths, strict=True)))
             for line in [headers, *rows]]
    lines.insert(1, '  '.join('-' * width for width in widths))
    return lines


def webhook_section(rows, repeat):
    out = [f'WEBHOOK - one payment_intent.succeeded; median of {repeat} after a warm-up; '
           'threaded server (workers=0)']
    floor = rows['floor']
    labels = [
        ('floor', 'floor: GET /web/health (no database)'),
        ('floor_db', 'floor: POST /payment/stripe/webhook, unhandled type'),
        ('ours_first', 'addon /stripe_connect/webhook, first delivery'),
        ('ours_again', 'addon /stripe_connect/webhook, redelivery'),
        ('odoo_first', 'payment_stripe /payment/stripe/webhook, first'),
        ('odoo_again', 'payment_stripe /payment/stripe/webhook, redelivery'),
        ('odoo_post', 'payment_stripe post-processing (payment, cron)'),
        ('odoo_total', 'payment_stripe first + post-processing'),
    ]
    table = []
    for key, label in labels:
        if key not in rows:
            continue
        row = rows[key]
        table.append([label, _num(row['queries']), _num(row['server_ms'], 1),
                      _num(row['wall_ms'], 1), _num(row.get('stripe_calls')),
                      _ratio(row['wall_ms'], floor['wall_ms'])])
    out += _table(['', 'queries', 'server ms', 'wall ms', 'Stripe calls', 'wall/floor'], table)
    if 'odoo_total' in rows:
        ours, odoo = rows['ours_first'], rows['odoo_total']
        out.append(
            f'addon first delivery / payment_stripe (webhook + post-processing): queries '
            f'{_ratio(ours["queries"], odoo["queries"])}, server time '
            f'{_ratio(ours["server_ms"], odoo["server_ms"])}, wall time '
            f'{_ratio(ours["wall_ms"], odoo["wall_ms"])}'
        )
        again, odoo_again = rows['ours_again'], rows['odoo_again']
        out.append(
            f'redelivery, addon / payment_stripe: queries '
            f'{_ratio(again["queries"], odoo_again["queries"])}, wall time '
            f'{_ratio(again["wall_ms"], odoo_again["wall_ms"])}'
        )
    out.append(f'addon outcomes of the first deliveries: {", ".join(rows["ours_outcomes"])}')
    return out


def _kb(value):
    return f'{value / 1024:,.1f}'


def paypage_section(rows, repeat):
    out = [f'PAY PAGE - same invoices, no session, the two pages in turn; first open: median of '
           f'{repeat} after a warm-up, again: median of {repeat * 3}']
    table = []
    for key, label, assets in (
        ('pay_first', 'addon /stripe/pay/<id>, first open', 'pay_assets'),
        ('pay_again', 'addon /stripe/pay/<id>, again', 'pay_assets'),
        ('portal_first', 'portal /my/invoices/<id>, first open', 'portal_assets'),
        ('portal_again', 'portal /my/invoices/<id>, again', 'portal_assets'),
    ):
        row, sizes = rows[key], rows[assets]
        table.append([label, _num(row['queries']), _num(row['server_ms'], 1),
                      _num(row['ttfb_ms'], 1), _kb(row['html_bytes']),
                      f'{_kb(sizes["js"])} ({_kb(sizes["js_gz"])})',
                      f'{_kb(sizes["css"])} ({_kb(sizes["css_gz"])})',
                      _num(sizes['files']), _num(row['stripe_calls'])])
    out += _table(['', 'queries', 'server ms', 'TTFB ms', 'HTML KB', 'JS KB (gz)',
                   'CSS KB (gz)', 'files', 'Stripe calls'], table)
    pay, portal = rows['pay_assets'], rows['portal_assets']
    out.append(
        f'addon / portal, opened again: queries '
        f'{_ratio(rows["pay_again"]["queries"], rows["portal_again"]["queries"])}, TTFB '
        f'{_ratio(rows["pay_again"]["ttfb_ms"], rows["portal_again"]["ttfb_ms"])}, JS+CSS '
        f'{_ratio(pay["js"] + pay["css"], portal["js"] + portal["css"])} '
        f'(gzip {_ratio(pay["js_gz"] + pay["css_gz"], portal["js_gz"] + portal["css_gz"])})'
    )
    for name, sizes in (('addon', pay), ('portal', portal)):
        if sizes['external']:
            out.append(f'{name} page also loads from elsewhere (not counted): '
                       + ', '.join(sizes['external']))
    first, again = rows['pay_first'], rows['pay_again']
    out.append(
        f'addon pay page, first open / opened again: queries '
        f'{_ratio(first["queries"], again["queries"])}, server time '
        f'{_ratio(first["server_ms"], again["server_ms"])}, TTFB '
        f'{_ratio(first["ttfb_ms"], again["ttfb_ms"])}, Stripe calls '
        f'{_num(first["stripe_calls"])} and {_num(again["stripe_calls"])}'
    )
    out.append(f'payment form on the pay page: {"yes" if rows["pay_has_form"] else "NO"}')
    return out


def sending_section(result):
    out = ["SENDING - Odoo's Send flow (batch wizard, synchronous: PDF + email), odoo shell"]
    table = []
    anchor = result['anchor']
    for label, row in [("Odoo's email (company not connected)", anchor)] + [
        (f'addon email with pay link, {row["invoices"]} invoices', row) for row in result['runs']
    ]:
        table.append([label, _num(row['invoices']), _num(row['queries']),
                      _num(row['queries_per_invoice'], 1), _num(row['ms_per_invoice'], 1),
                      _num(row['with_pay_link']), _num(row['with_pdf']),
                      _ratio(row['queries_per_invoice'], anchor['queries_per_invoice'])])
    out += _table(['', 'invoices', 'queries', 'queries/inv', 'ms/inv', 'pay links',
                   'PDFs', 'q/inv vs anchor'], table)
    runs = result['runs']
    if len(runs) > 1:
        out.append(
            f'queries per invoice at {runs[-1]["invoices"]} / at {runs[0]["invoices"]}: '
            f'{_ratio(runs[-1]["queries_per_invoice"], runs[0]["queries_per_invoice"])}'
        )
    paired = result['paired']
    out.append(
        f'time per invoice, addon / Odoo\'s email, the two in turn ({paired["invoices"]} '
        f'invoices each, batches of 20): '
        f'{_ratio(paired["addon_seconds"], paired["anchor_seconds"])} ('
        f'{1000 * paired["addon_seconds"] / paired["invoices"]:.0f} ms / '
        f'{1000 * paired["anchor_seconds"] / paired["invoices"]:.0f} ms)'
    )
    out.append(f'Stripe calls during all the sending: {result["stripe_calls"]}')
    if result.get('pdf_stand_in_runs'):
        out.append(
            f'PDF: Odoo rendered each invoice; the wkhtmltopdf program ran once '
            f'({result["pdf_seconds"]:.2f} s) and its PDF stood in for the other '
            f'{result["pdf_stand_in_runs"] - 1} runs (--real-pdf runs it for each)'
        )
    return out


def load_section(runs):
    out = ['LOAD - K distinct payment_intent.succeeded, each with its racing duplicate(s) (and the '
           "customer's return to the pay page where said), from "
           f'{runs[0][1]["clients"]} concurrent clients, after a warm-up of the workers; '
           'several servers: separate Odoo processes on one database, the requests of each '
           'PaymentIntent split between them']
    table = [[
        name, _num(run['servers']), _num(run['workers']), _num(run['duplicates']),
        'yes' if run['returns'] else 'no', _num(run['events']), _num(run['deliveries']),
        _num(run['events_per_s'], 1), _num(run['deliveries_per_s'], 1),
        _num(run['p50_ms']), _num(run['p95_ms']),
        ' '.join(f'{key}:{value}' for key, value in sorted(run['statuses'].items())),
        _num(run['retries']), _num(run['errors']),
        _num(run['payments']), _num(run['paid_invoices']), _num(run['event_records']),
        'yes' if run['exactly_k'] else 'NO',
    ] for name, run in runs]
    out += _table(['run', 'servers', 'workers', 'dup.', 'returns', 'K', 'requests', 'events/s',
                   'requests/s', 'p50 ms', 'p95 ms', 'HTTP statuses', 'retries', 'ERRORs',
                   'payments', 'paid inv.', 'event rows', 'exactly K'], table)
    by_name = dict(runs)
    nodup = [name for name in by_name if name.endswith('_nodup')]
    if nodup:
        base = by_name[nodup[0]]
        with_dup = by_name.get(nodup[0][:-len('_nodup')])
        if with_dup:
            out.append(f'events/s with racing duplicates / without ({base["workers"]} workers): '
                       f'{_ratio(with_dup["events_per_s"], base["events_per_s"])}')
    singles = [(name, run) for name, run in runs if name.startswith('load')
               and not name.endswith('_nodup')]
    if len(singles) > 1:
        out.append(f'events/s with {singles[-1][1]["workers"]} workers / with '
                   f'{singles[0][1]["workers"]}: '
                   f'{_ratio(singles[-1][1]["events_per_s"], singles[0][1]["events_per_s"])}')
    if 'servers1' in by_name and 'servers2' in by_name:
        one, two = by_name['servers1'], by_name['servers2']
        out.append(f'events/s with 2 servers / with 1 (same workers each, {os.cpu_count()} '
                   f'CPUs for all of them and PostgreSQL): '
                   f'{_ratio(two["events_per_s"], one["events_per_s"])}')
    return out


def sections(results, repeat, load_names):
    """The sections of the parts that ran, in order; a failed part says why."""
    out = []
    for name, build in (('webhook', lambda r: webhook_section(r, repeat)),
                        ('paypage', lambda r: paypage_section(r, repeat)),
                        ('sending', sending_section)):
        if name in results:
            row = results[name]
            out.append([f'{name.upper()} - FAILED: {row["error"]}'] if 'error' in row
                       else build(row))
    loads = [(name, results[name]) for name in load_names if name in results]
    failed = [f'{name}: {row["error"]}' for name, row in loads if 'error' in row]
    if loads and not failed:
        out.append(load_section(loads))
    elif failed:
        out.append([f'LOAD - FAILED: {failed[0]}'])
    return out


def _target(label, value, met):
    return [label, value, '-' if met is None else ('met' if met else 'NOT met')]


def targets_section(results, errors, skip):
    """Each target of issue 14 with its figure and whether it is met."""
    rows = []
    hook = results.get('webhook') or {}
    if 'odoo_total' in hook:
        ours, odoo = hook['ours_first'], hook['odoo_total']
        queries = ours['queries'] / odoo['queries']
        server = ours['server_ms'] / odoo['server_ms']
        rows.append(_target(
            'first delivery (payment + booking) / payment_stripe webhook + post-processing, '
            'queries <= 0.75x', f'{queries:.2f}x ({ours["queries"]} / {odoo["queries"]})',
            queries <= 0.75))
        rows.append(_target(
            'same, server time <= 0.75x',
            f'{server:.2f}x ({ours["server_ms"]:.0f} / {odoo["server_ms"]:.0f} ms)',
            server <= 0.75))
    if 'ours_again' in hook:
        again = hook['ours_again']['queries']
        rows.append(_target('redelivery <= 3 queries', f'{again}', again <= 3))
    nodup = [name for name in results if name.endswith('_nodup') and 'error' not in results[name]]
    if nodup and 'error' not in results.get(nodup[0][:-len('_nodup')], {'error': 1}):
        base, dup = results[nodup[0]], results[nodup[0][:-len('_nodup')]]
        ratio = dup['events_per_s'] / base['events_per_s']
        rows.append(_target(
            'racing duplicates: events/s with / without >= 0.90x, no retry',
            f'{ratio:.2f}x, {dup["retries"]} retries', ratio >= 0.90 and not dup['retries']))
    loads = [run for name, run in results.items()
             if (name.startswith('load') or name.startswith('servers')) and 'error' not in run]
    if loads:
        rows.append(_target('exactly one payment per PaymentIntent in every load run',
                            ', '.join('yes' if run['exactly_k'] else 'NO' for run in loads),
                            all(run['exactly_k'] for run in loads)))
    if 'servers2' in results and 'error' not in results['servers2'] \
            and 'error' not in results.get('servers1', {'error': 1}):
        one, two = results['servers1'], results['servers2']
        ratio = two['events_per_s'] / one['events_per_s']
        rows.append(_target(
            f'2 servers: exactly once; events/s 2 servers / 1 ({os.cpu_count()} CPUs)',
            f'{"yes" if two["exactly_k"] else "NO"}, {ratio:.2f}x', two['exactly_k']))
    rows.append(_target("no ERROR line in Odoo's logs during the run", f'{len(errors)} line(s)',
                        not errors))
    sending = results.get('sending') or {}
    if 'runs' in sending and len(sending['runs']) > 1:
        first, last = sending['runs'][0], sending['runs'][-1]
        ratio = last['queries_per_invoice'] / first['queries_per_invoice']
        rows.append(_target(
            f'sending flat: queries/invoice at {last["invoices"]} / at {first["invoices"]} '
            '<= 1, no Stripe call', f'{ratio:.2f}x, {sending["stripe_calls"]} calls',
            ratio <= 1.0 and not sending['stripe_calls']))
    out = ['TARGETS (issue 14)']
    out += _table(['target', 'figure', ''], rows)
    out += [f'  {line[:300]}' for line in errors[:5]]
    return out


def render(header, sections):
    lines = list(header)
    for section in sections:
        lines += ['', *section]
    return '\n'.join(lines)
