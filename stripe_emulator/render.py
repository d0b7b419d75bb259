"""Turn stored objects into API answers: expansion and list pagination."""

from .errors import invalid_request
from .params import expand_paths, to_int
from .util import public


def render(store, obj, expand=()):
    """Public copy of ``obj`` with the given dotted ``expand`` paths replaced by objects."""
    out = public(obj)
    for path in expand:
        _expand(store, out, path.split("."))
    return out


def _included(store, node, name):
    """Fields Stripe leaves out unless expanded (``includable``), or None.

    A charge's ``refunds`` (left out since API version 2022-11-15): its first 10 refunds,
    newest first, in a list object.
    """
    if node.get("object") == "charge" and name == "refunds":
        refunds = [public(obj) for obj in reversed(list(store.objects.values()))
                   if obj.get("object") == "refund" and obj.get("charge") == node["id"]]
        return {"object": "list", "data": refunds[:10], "has_more": len(refunds) > 10,
                "url": f"/v1/charges/{node['id']}/refunds"}
    return None


def _expand(store, node, parts):
    if isinstance(node, list):
        for item in node:
            _expand(store, item, parts)
        return
    if not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    if head not in node:
        included = _included(store, node, head)
        if included is not None:
            node[head] = included
    value = node.get(head)
    if isinstance(value, str) and store.find(value) is not None:
        value = node[head] = public(store.find(value))
    if rest and value is not None:
        _expand(store, value, rest)


def render_for(ctx, obj):
    """Render ``obj`` honouring the request's ``expand`` parameter."""
    return render(ctx.store, obj, expand_paths(ctx.params))


def list_answer(ctx, items, url):
    """Stripe list object with ``limit`` / ``starting_after`` / ``ending_before`` paging."""
    params = ctx.params
    limit = to_int(params.get("limit", 10), "limit", minimum=1)
    if limit > 100:
        raise invalid_request("This value must be less than or equal to 100.", param="limit")
    ids = [item["id"] for item in items]
    if params.get("starting_after"):
        cursor = params["starting_after"]
        if cursor not in ids:
            raise invalid_request(f"No such object: '{cursor}'", param="starting_after",
                                  code="resource_missing")
        items = items[ids.index(cursor) + 1:]
        page = items[:limit]
    elif params.get("ending_before"):
        cursor = params["ending_before"]
        if cursor not in ids:
            raise invalid_request(f"No such object: '{cursor}'", param="ending_before",
                                  code="resource_missing")
        items = items[:ids.index(cursor)]
        page = items[-limit:]
    else:
        page = items[:limit]
    expand = [p[len("data."):] for p in expand_paths(params) if p.startswith("data.")]
    return {
        "object": "list",
        "data": [render(ctx.store, item, expand) for item in page],
        "has_more": len(items) > len(page),
        "url": url,
    }
