"""The emulator's clock: real time, moved forward or set by the controls.

Every ``created``, ``available_on``, ``arrival_date`` and evidence deadline reads
:func:`now`. ``set_time`` and ``advance_time`` move it (see ``StripeEmulator``); ``reset()``
puts it back on real time. Webhook signatures keep real time (``delivery.py``): the
receiver checks their timestamp against its own clock.

One clock per process: every emulator started in the process shares it.
"""

import threading
import time


class Clock:
    """Real time plus an offset, or a frozen instant."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offset = 0
        self._frozen = None

    def now(self):
        """Current emulated Unix time in whole seconds."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return int(time.time()) + self._offset

    def set(self, timestamp, frozen=False):
        """Make :meth:`now` answer ``timestamp``; it then runs on (or stays, if frozen)."""
        timestamp = int(timestamp)
        with self._lock:
            self._offset = timestamp - int(time.time())
            self._frozen = timestamp if frozen else None
        return timestamp

    def advance(self, seconds):
        """Move the clock forward by ``seconds`` (a frozen clock stays frozen)."""
        seconds = int(seconds)
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            if self._frozen is not None:
                self._frozen += seconds
        return self.now()

    def reset(self):
        """Back to real time."""
        with self._lock:
            self._offset = 0
            self._frozen = None

    @property
    def frozen(self):
        return self._frozen is not None


CLOCK = Clock()


def now():
    return CLOCK.now()


DAY = 86400


def start_of_day(timestamp):
    """Midnight UTC of the day of ``timestamp``."""
    return int(timestamp) - int(timestamp) % DAY
