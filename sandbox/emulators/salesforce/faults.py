"""Faults a test arms while the server runs; each fires a bounded number of times."""

from __future__ import annotations

import threading
from dataclasses import dataclass

# invalid_session: one 401 INVALID_SESSION_ID; request_limit: 403 REQUEST_LIMIT_EXCEEDED;
# unavailable: 503; slow: answer after `delay` seconds; lock_row: UNABLE_TO_LOCK_ROW for one
# record of a write (match = record id). `retry_after` (request_limit, unavailable) adds a
# Retry-After header: the emulator's own choice for tests, Salesforce documents none.
KINDS = frozenset({"invalid_session", "request_limit", "lock_row", "unavailable", "slow"})


@dataclass
class Fault:
    kind: str
    times: int
    match: str | None  # substring of "METHOD /path?query" (of the record id for lock_row); None = any
    delay: float
    retry_after: int | None = None


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Fault] = []

    def add(
        self,
        kind: str,
        times: int = 1,
        match: str | None = None,
        *,
        delay: float = 1.0,
        retry_after: int | None = None,
    ) -> None:
        """Arm a fault. There is no "forever": an always-401 drives simple-salesforce's
        SFType into unbounded re-login recursion, which no real org does."""
        if kind not in KINDS:
            raise ValueError(f"Unknown fault {kind!r}; choose from {sorted(KINDS)}")
        if times < 1:
            raise ValueError("A fault fires at least once")
        with self._lock:
            self._armed.append(Fault(kind, times, match, delay, retry_after))

    def take(self, kind: str, subject: str) -> Fault | None:
        """Use up one firing of the first armed fault of `kind` that matches `subject`."""
        with self._lock:
            for fault in self._armed:
                if fault.kind == kind and (fault.match is None or fault.match in subject):
                    fault.times -= 1
                    if fault.times == 0:
                        self._armed.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._armed)

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
