"""What a run has spent of a metered service (e.g. PitchBook credits), so a tool can keep it under a limit.

The engine starts it from the usage its finished tool calls recorded. A turn's calls run side by
side in threads and share one, so two lookups started together cannot both take the last credits:
a call sets aside the most it could spend before it spends anything, and gives back what it did
not use when it ends.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping


class RunUsage:
    def __init__(self, spent: Mapping[str, int] | None = None):
        self._lock = threading.Lock()
        self._in_use: Counter[str] = Counter(spent or {})  # spent, plus set aside by calls still running

    def reserve(self, unit: str, most: int, *, limit: int) -> bool:
        """Set `most` units aside if the run stays within `limit` with them; else False, nothing set aside."""
        with self._lock:
            if self._in_use[unit] + most > limit:
                return False
            self._in_use[unit] += most
            return True

    def settle(self, unit: str, *, reserved: int, spent: int) -> None:
        """A call that set `reserved` aside ended having spent `spent`."""
        with self._lock:
            self._in_use[unit] += spent - reserved

    def in_use(self, unit: str) -> int:
        with self._lock:
            return self._in_use[unit]
