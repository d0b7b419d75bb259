"""Small statistics for the measurements."""

import statistics


def median(values):
    values = list(values)
    return statistics.median(values) if values else None


def percentile(values, fraction):
    """Nearest-rank percentile (0 < fraction <= 1)."""
    values = sorted(values)
    if not values:
        return None
    rank = max(1, -(-len(values) * fraction // 1))
    return values[int(rank) - 1]


def summarize(samples):
    """Median queries, server and client milliseconds of timed requests."""
    return {
        'queries': median(s['queries'] for s in samples),
        'queries_max': max((s['queries'] for s in samples), default=None),
        'server_ms': median(s['server_ms'] for s in samples),
        'wall_ms': median(s['wall_ms'] for s in samples),
        'stripe_calls': median(s.get('stripe_calls', 0) for s in samples),
        'statuses': sorted({s['status'] for s in samples}),
        'n': len(samples),
    }
