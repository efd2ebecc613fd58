"""A process-wide bound on how many callers do something at once (fetch a page, run an extraction child).

A threading.Semaphore has its size fixed when it is made; here each caller names the limit, so
a changed setting applies to the next call without a restart.
"""

from __future__ import annotations

import threading


class Slots:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._held = 0

    def acquire(self, limit: int, *, timeout: float) -> bool:
        """Take a slot once fewer than `limit` (at least 1) are held; False if none came free in `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._held < max(limit, 1), timeout=max(timeout, 0)):
                return False
            self._held += 1
            return True

    def release(self) -> None:
        with self._changed:
            self._held -= 1
            self._changed.notify_all()  # waiters may name different limits
