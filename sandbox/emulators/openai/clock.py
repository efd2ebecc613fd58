"""The emulator's notion of time.

Background responses move queued → in_progress → terminal as time passes. Tests
need to control that precisely, so every time-dependent decision in the emulator
reads this clock instead of ``time.time()``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Wall-clock time plus an offset that ``advance()`` moves forward.

    ``Clock()`` follows real time. ``Clock(manual=True)`` stands still and only
    moves when ``advance(seconds)`` is called. It starts at the real time of
    construction so timestamps in bodies and webhook events still look plausible.
    """

    def __init__(self, manual: bool = False, start: float | None = None) -> None:
        self.manual = manual
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at = (time.time() if start is None else start) if manual else None
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.time()
            return base + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            listeners = list(self._listeners)
        # Wake whoever watches the clock (the emulator's advancer thread) so a
        # transition caused by advance() is acted on at once, not at the next tick.
        for listener in listeners:
            listener()

    def subscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
