"""Counting the PitchBook credits one tool call spends.

PitchBook does not put a call's cost on its response (no header or field is documented), so
the client charges each successful request at the price in endpoints.CREDITS, against a
meter the caller passes in. The caller owns the meter, so concurrent callers sharing one
client never mix their counts.
"""

from __future__ import annotations

import threading
from collections import Counter


class CreditMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_endpoint: Counter[str] = Counter()

    def add(self, endpoint: str, credits: int) -> None:
        with self._lock:
            self._by_endpoint[endpoint] += credits

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._by_endpoint.values())

    @property
    def by_endpoint(self) -> dict[str, int]:
        with self._lock:
            return dict(self._by_endpoint)
