"""Fault injection: make the next matching request(s) fail the way OpenAI can.

Three families, one per ``add()`` call:

* ``status=...``  an HTTP error reply (429, 5xx, 4xx) with the real error body;
* ``delay=...``   the request is carried out but the reply is held back, so a
  client with a shorter timeout cannot know whether it worked;
* ``outcome=...`` (create only) the response is accepted and then ends badly
  in-band: failed, incomplete, stuck, slow, refusal, invalid JSON, a bogus tool
  call, many calls in one turn (``call_tools``, a model fanning out), a model that loops on tool calls, or one that follows instructions planted
  in its input or tool outputs (``follow_injections``; add it with ``times=None``
  to keep it for every turn of a run).

``match`` picks requests by their metadata; ``contains`` (create only) by their input's text,
so one pitch's requests can be made to fail whatever run carries them.

Tests add faults from their own thread while the server runs, so everything
here is guarded by a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OPS = ("create", "retrieve", "cancel")
_HTTP_OPTIONS = frozenset({"retry_after", "retry_after_ms", "code", "type", "message"})
_OUTCOME_OPTIONS: dict[str, frozenset[str]] = {
    "failed": frozenset({"error_code", "message"}),
    "incomplete": frozenset({"reason"}),
    "stuck": frozenset(),
    "slow": frozenset({"seconds"}),
    "refusal": frozenset(),
    "invalid_json": frozenset(),
    "call_tool": frozenset({"name", "arguments"}),
    "call_tools": frozenset({"calls"}),
    "loop": frozenset(),
    "follow_injections": frozenset(),
}
_REQUIRED_OPTIONS = {"slow": ("seconds",), "call_tool": ("name", "arguments"), "call_tools": ("calls",)}
INCOMPLETE_REASONS = ("max_output_tokens", "content_filter", "max_messages", "steered")


@dataclass
class Fault:
    op: str
    remaining: int | None  # None: applies to every matching request
    match: dict[str, str] | None
    contains: str | None = None
    tier: str | None = None  # create only: requests asking this service_tier (e.g. "flex")
    status: int | None = None
    delay: float | None = None
    outcome: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, op: str, metadata: Mapping[str, Any] | None, text: str = "", tier: str | None = None) -> bool:
        if op != self.op or self.remaining == 0:
            return False
        if self.tier is not None and tier != self.tier:
            return False
        if self.contains is not None and self.contains not in text:
            return False
        if not self.match:
            return True
        metadata = metadata or {}
        return all(metadata.get(key) == value for key, value in self.match.items())


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self, op: str, *, times: int | None = 1, match: Mapping[str, str] | None = None,
        contains: str | None = None, tier: str | None = None, **kind: Any
    ) -> Fault:
        """Queue a fault for the next ``times`` requests of ``op`` whose metadata matches.

        ``match`` is compared with the create request's ``metadata`` (create) or the
        stored response's ``metadata`` (retrieve, cancel); ``contains`` with the create
        request's input text; ``tier`` with the create request's ``service_tier`` (flex out of
        capacity: ``add("create", tier="flex", status=429, code="resource_unavailable", times=None)``).
        Faults apply first-added first.
        """
        if op not in OPS:
            raise ValueError(f"op must be one of {OPS}, got {op!r}")
        if contains is not None and op != "create":
            raise ValueError("contains= only applies to op='create'")
        if tier is not None and op != "create":
            raise ValueError("tier= only applies to op='create'")
        if times is not None and times < 1:
            raise ValueError("times must be a positive integer or None (always)")
        fault = Fault(op=op, remaining=times, match=dict(match) if match else None, contains=contains,
                      tier=tier)
        families = [key for key in ("status", "delay", "outcome") if key in kind]
        if len(families) != 1:
            raise TypeError("give exactly one of status=, delay= or outcome=")
        family = families[0]
        value = kind.pop(family)
        if family == "status":
            if not isinstance(value, int) or not 400 <= value <= 599:
                raise ValueError(f"status must be an HTTP error code, got {value!r}")
            allowed = _HTTP_OPTIONS
            fault.status = value
        elif family == "delay":
            allowed = frozenset()
            fault.delay = float(value)
        else:
            if value not in _OUTCOME_OPTIONS:
                raise ValueError(f"outcome must be one of {sorted(_OUTCOME_OPTIONS)}, got {value!r}")
            if op != "create":
                raise ValueError("in-band outcomes only apply to op='create'")
            allowed = _OUTCOME_OPTIONS[value]
            for required in _REQUIRED_OPTIONS.get(value, ()):
                if required not in kind:
                    raise TypeError(f"outcome={value!r} needs {required}=")
            if value == "incomplete" and kind.get("reason", "max_output_tokens") not in INCOMPLETE_REASONS:
                raise ValueError(f"reason must be one of {INCOMPLETE_REASONS}")
            fault.outcome = value
        unknown = set(kind) - allowed
        if unknown:
            raise TypeError(f"unexpected options for {family}={value!r}: {sorted(unknown)}")
        fault.options = kind
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, op: str, metadata: Mapping[str, Any] | None, text: str = "",
             tier: str | None = None) -> Fault | None:
        """The first fault that applies to this request, consuming one use of it."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(op, metadata, text, tier):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if fault.remaining != 0]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
