"""Stored responses and their lifecycle.

A response's fate (its ``Outcome``) is decided when it is created; what a client
sees is that fate revealed over time. Background responses pass through phases
(``queued`` until t1, ``in_progress`` until t2) and show their outcome after the
last one. Status is therefore computed from the clock on every read, and the
store announces each background response's terminal moment exactly once (for
webhooks), whether a read or the advancer thread notices it first.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, not_found
from .model import Turn
from .usage import Prompt

TERMINAL = frozenset({"completed", "failed", "cancelled", "incomplete"})
FOREVER = math.inf


@dataclass
class Outcome:
    status: str  # completed | failed | incomplete
    output: list[dict[str, Any]]
    usage: dict[str, Any] | None
    error: dict[str, Any] | None = None
    incomplete_details: dict[str, Any] | None = None


@dataclass
class StoredResponse:
    id: str
    request: dict[str, Any]
    created_at: float
    background: bool
    outcome: Outcome
    prompt: Prompt
    phases: list[tuple[str, float]] = field(default_factory=list)  # (status, until)
    loop: bool = False  # the model is stuck calling tools; later turns inherit it
    cancelled_at: float | None = None
    announced: bool = False

    def status(self, now: float) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        for status, until in self.phases:
            if now < until:
                return status
        return self.outcome.status

    def finished_at(self) -> float:
        """When the outcome shows (FOREVER for a stuck response)."""
        if self.cancelled_at is not None:
            return self.cancelled_at
        return self.phases[-1][1] if self.phases else self.created_at

    def visible_output(self, now: float) -> list[dict[str, Any]]:
        return self.outcome.output if self.status(now) in ("completed", "incomplete") else []

    def metadata(self) -> dict[str, Any]:
        return dict(self.request.get("metadata") or {})


Announce = Callable[[StoredResponse, str, float], None]


class ResponseStore:
    def __init__(self, announce: Announce) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, StoredResponse] = {}
        self._announce = announce

    def add(self, record: StoredResponse) -> None:
        with self._lock:
            self._records[record.id] = record

    def get(self, response_id: str, now: float) -> StoredResponse | None:
        with self._lock:
            record = self._records.get(response_id)
            if record is not None:
                self._settle(record, now)
            return record

    def require(self, response_id: str, now: float) -> StoredResponse:
        record = self.get(response_id, now)
        if record is None:
            raise not_found(f"Response with id '{response_id}' not found.")
        return record

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._records)

    def delete(self, response_id: str) -> None:
        with self._lock:
            if self._records.pop(response_id, None) is None:
                raise not_found(f"Response with id '{response_id}' not found.")

    def chain(self, previous_id: str, now: float) -> list[Turn]:
        """Earlier turns, oldest first, ending with ``previous_id``'s response."""
        turns: list[Turn] = []
        with self._lock:
            record = self._records.get(previous_id)
            while record is not None:
                turns.insert(0, Turn(request=record.request, output=record.visible_output(now)))
                record = self._records.get(record.request.get("previous_response_id") or "")
        return turns

    def cancel(self, response_id: str, now: float) -> StoredResponse:
        with self._lock:
            record = self.require(response_id, now)
            if not record.background:
                raise bad_request("Cannot cancel a synchronous response.")
            status = record.status(now)
            if status == "cancelled":
                return record
            if status in TERMINAL:
                raise bad_request(f"Cannot cancel a response that is already {status}.")
            record.cancelled_at = now
            self._settle(record, now)
            return record

    def settle(self, now: float) -> None:
        """Announce every background response that has become terminal by ``now``."""
        with self._lock:
            for record in list(self._records.values()):
                self._settle(record, now)

    def _settle(self, record: StoredResponse, now: float) -> None:
        if record.background and not record.announced:
            status = record.status(now)
            if status in TERMINAL:
                record.announced = True
                self._announce(record, status, record.finished_at())
