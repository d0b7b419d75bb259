"""Per-request context handed to every resource handler."""

import threading
from dataclasses import dataclass, field

DEFAULT_API_VERSION = "2026-10-28.endive"


@dataclass
class KeyInfo:
    """What an API key grants: its kind, its mode and (for OAuth keys) its account."""

    kind: str  # 'secret' or 'publishable'
    livemode: bool
    account: str = None


@dataclass
class Context:
    """Everything a handler needs to know about the call that triggered it.

    ``gate`` is set once the HTTP answer has been written; webhook deliveries of the
    events emitted during the call wait for it, so they never overtake the answer.
    """

    core: object
    params: dict = field(default_factory=dict)
    api_key: str = None
    key: KeyInfo = None
    account: str = None
    api_version: str = DEFAULT_API_VERSION
    request_id: str = None
    idempotency_key: str = None
    livemode: bool = False
    gate: threading.Event = None

    @property
    def store(self):
        return self.core.store

    @property
    def base_url(self):
        return self.core.base_url

    @classmethod
    def system(cls, core, account=None, livemode=False):
        """Context for changes made through the emulator controls (no API request)."""
        gate = threading.Event()
        gate.set()
        return cls(core=core, account=account, livemode=livemode, gate=gate)
