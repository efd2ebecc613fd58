"""One retry policy for everything that tries again: model turns, polls and write-backs.

Exponential backoff with a cap, an optional attempt limit, and the other side's
Retry-After winning when it gave one (it knows its own state better than we do).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    cap_seconds: float = 300.0
    max_attempts: int | None = None
    factor: float = 2.0  # growth per attempt; polling uses a gentler one (it overshoots less)

    def delay(self, attempt: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait before try number `attempt` + 1 (`attempt` counts from 1)."""
        if retry_after is not None:
            return max(retry_after, 0.0)
        return min(self.base_seconds * self.factor ** max(attempt - 1, 0), self.cap_seconds)

    def exhausted(self, attempts: int) -> bool:
        """True once `attempts` tries have been made and no more are allowed."""
        return self.max_attempts is not None and attempts >= self.max_attempts
