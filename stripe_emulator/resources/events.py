"""Event retrieval: ``GET /v1/events`` and ``GET /v1/events/<id>``."""

from ..params import to_list
from ..render import list_answer, render_for


def _matches(event_type, patterns):
    for pattern in patterns:
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
        if pattern == event_type:
            return True
    return not patterns


def list_events(ctx):
    patterns = to_list(ctx.params.get("type"), "type") + to_list(ctx.params.get("types"),
                                                                   "types")
    items = ctx.store.list(ctx, "event", lambda e: _matches(e["type"], patterns))
    return list_answer(ctx, items, "/v1/events")


def retrieve(ctx, event_id):
    return render_for(ctx, ctx.store.get(ctx, "event", event_id))


ROUTES = [
    ("GET", r"/v1/events", list_events, False),
    ("GET", r"/v1/events/([^/]+)", retrieve, False),
]
