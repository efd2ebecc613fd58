"""What happened to one record in an sObject Collections write, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Outcome = Literal["ok", "deleted", "retry", "failed"]

# Per-record errors worth another try later; everything else needs a person (or a different value).
RETRY_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE"})


@dataclass(frozen=True)
class SaveResult:
    record_id: str
    ok: bool
    error_code: str | None = None
    message: str = ""
    fields: tuple[str, ...] = ()
    outcome: Outcome = "ok"

    @classmethod
    def from_wire(cls, record_id: str, item: dict[str, Any]) -> SaveResult:
        """One element of the collection response; per-record errors use `statusCode`."""
        if item.get("success"):
            return cls(record_id=item.get("id") or record_id, ok=True)
        errors = item.get("errors") or [{}]
        first = errors[0]
        code = first.get("statusCode")
        return cls(
            record_id=record_id,
            ok=False,
            error_code=code,
            message="; ".join(str(e.get("message", "")) for e in errors),
            fields=tuple(first.get("fields") or ()),
            outcome=outcome_for(code),
        )


def outcome_for(code: str | None) -> Outcome:
    if code == "ENTITY_IS_DELETED":
        return "deleted"
    if code in RETRY_CODES:
        return "retry"
    return "failed"
