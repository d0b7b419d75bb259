"""In-memory object store with Stripe-Account / livemode scoping."""

from .errors import resource_missing


class Store:
    """All emulated Stripe objects by id, plus a few side tables.

    Objects are plain dicts in their API shape; keys starting with ``_`` are internal
    (``_account`` is the connected account owning the object, None for the platform).
    """

    def __init__(self):
        self.objects = {}
        self.oauth_codes = {}      # code -> {scope, livemode, account_type, prefill, used}
        self.account_links = {}    # token -> {account, refresh_url, return_url, ...}
        self.extra_keys = {}       # OAuth access tokens and publishable keys -> KeyInfo
        self.refresh_tokens = {}   # OAuth refresh token -> account id

    def add(self, obj, account=None):
        obj["_account"] = account
        self.objects[obj["id"]] = obj
        return obj

    def find(self, object_id):
        return self.objects.get(object_id) if isinstance(object_id, str) else None

    @staticmethod
    def visible(ctx, obj):
        return obj.get("_account") == ctx.account and obj.get("livemode") == ctx.livemode

    def get(self, ctx, object_name, object_id, *, label=None, param="id", status=404):
        """Fetch an object visible from ``ctx`` or raise Stripe's ``resource_missing``."""
        obj = self.find(object_id)
        if obj is None or obj.get("object") != object_name or not self.visible(ctx, obj):
            raise resource_missing(label or object_name, object_id, param=param, status=status)
        return obj

    def list(self, ctx, object_name, predicate=None):
        """Objects of a kind visible from ``ctx``, newest first."""
        return [
            obj for obj in reversed(list(self.objects.values()))
            if obj.get("object") == object_name and self.visible(ctx, obj)
            and (predicate is None or predicate(obj))
        ]
