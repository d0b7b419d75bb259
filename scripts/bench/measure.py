"""One measured request to the Odoo under test: what the client saw, what the server's access
log says it cost, and how many Stripe calls it made (the emulator's request log)."""

from .client import fetch


def timed(ctx, method, path, *, data=None, headers=None, opener=None):
    """Send ``method path`` (a path of the server, query string allowed) and measure it.

    :return: ``status``, ``queries``, ``server_ms`` (from the log), ``wall_ms``, ``ttfb_ms``,
        ``stripe_calls``, ``bytes`` and ``body`` of the answer.
    """
    calls = len(ctx.emulator.request_log)
    answer = fetch(ctx.server.url + path, data=data, headers=headers, method=method,
                   opener=opener)
    logged = ctx.server.log.next_access(method, path.split('?', 1)[0])
    return {
        **logged,
        'wall_ms': answer.total_ms,
        'ttfb_ms': answer.ttfb_ms,
        'stripe_calls': len(ctx.emulator.request_log) - calls,
        'bytes': len(answer.body),
        'body': answer.body,
        'url': ctx.server.url + path,
    }
