"""Webhook endpoints: ``/v1/webhook_endpoints``."""

import re
from urllib.parse import urlsplit

from ..contract import event_types
from ..errors import invalid_request, live_url_not_https
from ..params import check_allowed, merge_metadata, require, to_bool, to_list
from ..render import list_answer, render_for
from ..util import new_id, now, random_token

PARAMS = {"url", "enabled_events", "connect", "api_version", "description", "metadata"}
UPDATE_PARAMS = {"url", "enabled_events", "disabled", "description", "metadata"}
_EVENT_TYPE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _url(ctx, value):
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid_request(f"Invalid URL: {value}", param="url", code="url_invalid")
    if ctx.livemode and parts.scheme != "https":
        raise live_url_not_https(value)
    return str(value)


def _events(value):
    events = [str(e) for e in to_list(value, "enabled_events")]
    if not events:
        raise invalid_request("Missing required param: enabled_events.",
                              param="enabled_events", code="parameter_missing")
    known = event_types()  # from the SDK when it is installed
    for i, event in enumerate(events):
        if event == "*":
            continue
        if not _EVENT_TYPE.match(event) or (known is not None and event not in known):
            choices = ", ".join(["*", *sorted(known or ())])
            raise invalid_request(f"Invalid enabled_events[{i}]: must be one of {choices}",
                                  param=f"enabled_events[{i}]")
    return events


def create(ctx):
    params = ctx.params
    check_allowed(params, PARAMS)
    endpoint = {
        "id": new_id("we"), "object": "webhook_endpoint",
        "api_version": params.get("api_version") or None, "application": None,
        "_connect": to_bool(params.get("connect", False), "connect"), "created": now(),
        "description": params.get("description") or None,
        "enabled_events": _events(params.get("enabled_events")), "livemode": ctx.livemode,
        "metadata": merge_metadata({}, params.get("metadata")), "status": "enabled",
        "url": _url(ctx, require(params, "url")), "_secret": f"whsec_{random_token(32)}",
    }
    ctx.store.add(endpoint, ctx.account)
    answer = render_for(ctx, endpoint)
    answer["secret"] = endpoint["_secret"]  # only ever shown in the create answer
    return answer


def retrieve(ctx, endpoint_id):
    return render_for(ctx, ctx.store.get(ctx, "webhook_endpoint", endpoint_id,
                                         label="webhook endpoint"))


def update(ctx, endpoint_id):
    params = ctx.params
    check_allowed(params, UPDATE_PARAMS)
    endpoint = ctx.store.get(ctx, "webhook_endpoint", endpoint_id, label="webhook endpoint")
    if "url" in params:
        endpoint["url"] = _url(ctx, params["url"])
    if "enabled_events" in params:
        endpoint["enabled_events"] = _events(params["enabled_events"])
    if "disabled" in params:
        disabled = to_bool(params["disabled"], "disabled")
        endpoint["status"] = "disabled" if disabled else "enabled"
    if "description" in params:
        endpoint["description"] = params["description"] or None
    if "metadata" in params:
        endpoint["metadata"] = merge_metadata(endpoint["metadata"], params["metadata"])
    return render_for(ctx, endpoint)


def delete(ctx, endpoint_id):
    endpoint = ctx.store.get(ctx, "webhook_endpoint", endpoint_id, label="webhook endpoint")
    del ctx.store.objects[endpoint["id"]]
    return {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}


def list_endpoints(ctx):
    return list_answer(ctx, ctx.store.list(ctx, "webhook_endpoint"), "/v1/webhook_endpoints")


ROUTES = [
    ("POST", r"/v1/webhook_endpoints", create, False),
    ("GET", r"/v1/webhook_endpoints", list_endpoints, False),
    ("GET", r"/v1/webhook_endpoints/([^/]+)", retrieve, False),
    ("POST", r"/v1/webhook_endpoints/([^/]+)", update, False),
    ("DELETE", r"/v1/webhook_endpoints/([^/]+)", delete, False),
]
