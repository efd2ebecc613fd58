"""Suggested changes: Salesforce writes a tool proposed, decided by an operator, written by the worker.

A tool that would change what the fund has not approved in advance returns the change as a
suggestion (tools.base.Suggested); the run's tool call stores it here as pending. An operator
approves it (the write is queued: a web request never waits on Salesforce) or rejects it
with a reason. Every status move is a row of SUGGESTION_STATES, applied as a compare-and-set.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.enqueue import enqueue_suggested_change_apply
from tools.salesforce import apply_suggestion
from vicbot.models import SuggestedChange, ToolCall
from core.state_machine import StateMachine

log = logging.getLogger(__name__)

S = SuggestedChange.Status
SUGGESTION_STATES = StateMachine(SuggestedChange, "status", [
    # An operator's decision (suggested_change_approve / _reject). A failed write may be approved
    # again or rejected; approving an approved one sends its write again (a lost message).
    (S.PENDING, S.APPROVED, "approve"),
    (S.FAILED, S.APPROVED, "approve"),
    (S.APPROVED, S.APPROVED, "approve"),
    (S.PENDING, S.REJECTED, "reject"),
    (S.FAILED, S.REJECTED, "reject"),
    # The worker's write (suggested_change_apply).
    (S.APPROVED, S.APPLIED, "applied"),
    (S.APPROVED, S.FAILED, "apply_failed"),
])


class RejectionNeedsAReason(ValueError):
    pass


def suggested_changes_record(*, tool_call: ToolCall, suggestions: list[dict[str, Any]]) -> list[SuggestedChange]:
    """Store what a tool call suggested (ToolResult.suggestions), pending review."""
    return SuggestedChange.objects.bulk_create([
        SuggestedChange(
            run_id=tool_call.run_id, tool_call=tool_call, sobject=str(suggestion.get("object") or ""),
            record_id=str(suggestion.get("record_id") or ""), fields=dict(suggestion.get("fields") or {}),
            current=dict(suggestion.get("current") or {}), reason=str(suggestion.get("reason") or ""),
        )
        for suggestion in suggestions
    ])


def _decision(user) -> dict[str, Any]:
    return {"decided_by": user, "decided_by_name": user.get_username(), "decided_at": timezone.now()}


def suggested_change_approve(*, suggestion_id: int, user, note: str = "") -> bool:
    """Approve the change and queue its write; False if it was already decided otherwise."""
    with transaction.atomic():
        if not SUGGESTION_STATES.apply(suggestion_id, "approve", decision_note=note.strip(), apply_error="",
                                       **_decision(user)):
            return False
        enqueue_suggested_change_apply(suggestion_id)
    return True


def suggested_change_reject(*, suggestion_id: int, user, note: str) -> bool:
    """Reject the change (nothing is written); False if it was already decided otherwise."""
    if not note.strip():
        raise RejectionNeedsAReason("Say why the change is rejected")
    return SUGGESTION_STATES.apply(suggestion_id, "reject", decision_note=note.strip(), **_decision(user))


def suggested_change_apply(*, suggestion_id: int) -> None:
    """Write an approved change to Salesforce and record the outcome (the task's service).

    The row stays locked while it is written, so a second message for it (approved twice, a
    redelivery) waits and then finds it no longer approved.
    """
    with transaction.atomic():
        change = SuggestedChange.objects.select_for_update().filter(pk=suggestion_id, status=S.APPROVED).first()
        if change is None:
            return
        SuggestedChange.objects.filter(pk=change.pk).update(apply_attempts=F("apply_attempts") + 1)
        try:
            record_id = apply_suggestion(sobject=change.sobject, record_id=change.record_id or None,
                                         fields=change.fields)
        except Exception as exc:  # noqa: BLE001 - every failure is the operator's to read, not the task's to retry
            log.warning("suggested change %s: the write failed", change.pk, exc_info=True)
            SUGGESTION_STATES.apply(change.pk, "apply_failed", apply_error=f"{type(exc).__name__}: {exc}")
            return
        SUGGESTION_STATES.apply(change.pk, "applied", applied_at=timezone.now(), applied_record_id=record_id,
                                apply_error="")
