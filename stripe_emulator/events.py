"""Event creation and routing to webhook endpoints."""

import json
from contextlib import contextmanager

from .delivery import Delivery
from .util import diff, mode_of, new_id, now, public


def owner_of(obj):
    """Connected account an object belongs to (an account belongs to itself)."""
    if obj.get("object") == "account":
        return obj["id"]
    return obj.get("_account")


def emit(ctx, event_type, obj, *, previous_attributes=None, account=None, livemode=None):
    """Record an event about ``obj`` and queue its webhook deliveries.

    ``account`` defaults to the object's owner; events about connected accounts carry
    it in their ``account`` field and are visible with that Stripe-Account.
    """
    store = ctx.store
    account = owner_of(obj) if account is None else account
    if livemode is None:
        livemode = mode_of(obj) if "_livemode" in obj or "livemode" in obj else ctx.livemode
    data = {"object": public(obj)}
    if previous_attributes:
        data["previous_attributes"] = previous_attributes
    event = {"id": new_id("evt"), "object": "event"}
    if account:
        event["account"] = account
    event.update({
        "api_version": ctx.api_version,
        "created": now(),
        "data": data,
        "livemode": livemode,
        "pending_webhooks": 0,
        "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
        "type": event_type,
    })
    store.add(event, account=account)
    ctx.core.record(f"event {event_type}", public(event))
    endpoints = matching_endpoints(store, event)
    event["pending_webhooks"] = len(endpoints)
    for endpoint in endpoints:
        queue_delivery(ctx.core, event, endpoint, ctx.gate)
    return event


def matching_endpoints(store, event):
    """Enabled endpoints that subscribe to ``event``.

    Platform endpoints with ``connect=true`` get connected-account events, the others get
    platform events; an endpoint created with a Stripe-Account gets that account's events.
    A live endpoint gets live events, and a live Connect endpoint also the test events of
    connected accounts (Stripe: "both live and test webhooks are sent to your production
    webhook URLs"); a test endpoint gets test events only.
    """
    account = event.get("account")
    result = []
    for endpoint in store.objects.values():
        if endpoint.get("object") != "webhook_endpoint" or endpoint["status"] != "enabled":
            continue
        owner = endpoint.get("_account")
        if endpoint["livemode"] != event["livemode"]:
            live_connect = (endpoint["livemode"] and endpoint.get("_connect") and not owner
                            and account)
            if not live_connect:
                continue
        if owner:
            routed = owner == account
        else:
            routed = bool(account) == bool(endpoint.get("_connect"))
        enabled = endpoint["enabled_events"]
        if routed and ("*" in enabled or event["type"] in enabled):
            result.append(endpoint)
    return result


def event_body(event):
    """JSON body of a webhook, pretty printed like Stripe's."""
    return json.dumps(public(event), indent=2).encode("utf-8")


def queue_delivery(core, event, endpoint, gate):
    core.dispatcher.submit(Delivery(
        event_id=event["id"], endpoint_id=endpoint["id"], url=endpoint["url"],
        body=event_body(event), secret=endpoint["_secret"], gate=gate,
        target=core.local_url(endpoint["url"])))


@contextmanager
def tracking(ctx, obj, event_type):
    """Emit ``event_type`` with ``previous_attributes`` if the block changed ``obj``."""
    before = public(obj)
    yield obj
    previous = diff(before, public(obj))
    if previous:
        emit(ctx, event_type, obj, previous_attributes=previous)
