"""In-memory object store with Stripe-Account / livemode scoping."""

from .errors import resource_missing
from .util import mode_of


class Store:
    """All emulated Stripe objects by id, plus a few side tables.

    Objects are plain dicts in their API shape; keys starting with ``_`` are internal and
    never rendered (``_account`` is the connected account owning the object, None for the
    platform; ``_livemode`` the mode of the key that made it, kept for every object since
    some of Stripe's objects, such as Account and Refund, have no ``livemode`` field).
    """

    def __init__(self):
        self.objects = {}
        self.oauth_codes = {}      # code -> {scope, livemode, type, prefill, used}
        self.account_links = {}    # token -> {account, refresh_url, return_url, ...}
        self.extra_keys = {}       # OAuth access tokens and publishable keys -> KeyInfo
        self.refresh_tokens = {}   # OAuth refresh token -> account id
        self.pending_bts = set()   # ids of balance transactions still pending
        self.wallet_tokens = {}    # tok_ of a wallet (Stripe.js stand-in) -> {wallet, ...}

    def add(self, obj, account=None, livemode=None):
        obj["_account"] = account
        if livemode is not None:
            obj["_livemode"] = bool(livemode)
        obj.setdefault("_livemode", bool(obj.get("livemode", False)))
        self.objects[obj["id"]] = obj
        return obj

    def find(self, object_id):
        return self.objects.get(object_id) if isinstance(object_id, str) else None

    @staticmethod
    def visible(ctx, obj):
        return obj.get("_account") == ctx.account and mode_of(obj) == ctx.livemode

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
