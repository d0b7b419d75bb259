"""Pay page: the addon's /stripe/pay/<id> against Odoo's portal invoice page /my/invoices/<id>,
for the same invoices, as a customer with the link opens them (no session).

Per page: SQL queries and server time (from the log), time to first byte, and the bytes of the
scripts and style sheets it links (downloaded from the server; gzip size computed here).
Opening the pay page asks nothing of Stripe (the PaymentIntent is made when the customer
presses Pay), so its first opening costs what the next ones do: both are measured, with their
ratio.
"""

from .client import page_assets
from .measure import timed
from .stats import median, summarize


def _open(ctx, url):
    if not url.startswith(ctx.server.url + '/'):
        raise RuntimeError(f"{url} is not on the server under test ({ctx.server.url})")
    return timed(ctx, 'GET', url.removeprefix(ctx.server.url))


def _summary(samples):
    return {
        **summarize(samples),
        'ttfb_ms': median(s['ttfb_ms'] for s in samples),
        'html_bytes': median(s['bytes'] for s in samples),
    }


def run(ctx, rows, repeat, rounds=3):
    rows = rows[:repeat + 1]
    pay_urls = [row['pay_url'] for row in rows]
    portal_urls = [ctx.server.url + row['portal_path'] for row in rows]
    # The two pages in turn, so that the load of a shared machine weighs on both alike;
    # the first invoice warms both up and is left out.
    first = [(_open(ctx, pay), _open(ctx, portal)) for pay, portal in zip(
        pay_urls, portal_urls, strict=True)][1:]
    again = [(_open(ctx, pay), _open(ctx, portal)) for _round in range(rounds)
             for pay, portal in zip(pay_urls[1:], portal_urls[1:], strict=True)]
    samples = [sample for pair in first + again for sample in pair]
    for sample in samples:
        if sample['status'] != 200:
            raise RuntimeError(f"{sample['url']} answered {sample['status']}")
    pay_page, portal_page = again[0]
    return {
        'pay_first': _summary([pay for pay, _portal in first]),
        'pay_again': _summary([pay for pay, _portal in again]),
        'pay_assets': page_assets(pay_page['url'], pay_page['body']),
        'portal_first': _summary([portal for _pay, portal in first]),
        'portal_again': _summary([portal for _pay, portal in again]),
        'portal_assets': page_assets(portal_page['url'], portal_page['body']),
        'pay_has_form': b'o_stripe_pay_form' in pay_page['body']
        and b'data-amount-minor' in pay_page['body'],
    }
