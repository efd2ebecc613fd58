"""Stopping a run early: by an operator (cancelled) or by its deadline (timed_out)."""

from __future__ import annotations

import logging

from integrations.openai.client import get_client
from vicbot.models import ACTIVE_STATUSES, Run, RunStatus
from config.enqueue import enqueue_response_cancel
from vicbot.services.runs.state import run_end

log = logging.getLogger(__name__)


def run_cancel(*, run_id: int, reason: str = "Cancelled by an operator", code: str = "cancelled") -> bool:
    """Stop a run for good. `code` says why: an operator's cancel ("cancelled") is final for
    whoever waits on the run; an owner that replaced the run uses its own (e.g. "superseded")."""
    run = Run.objects.get(pk=run_id)
    return _stop(run, RunStatus.CANCELLED, code, reason)


def run_time_out(run: Run) -> bool:
    return _stop(run, RunStatus.TIMED_OUT, "deadline_exceeded",
                 f"The run passed its deadline ({run.assistant.run_deadline_seconds}s)")


def _stop(run: Run, status: RunStatus, code: str, message: str) -> bool:
    if run.status not in ACTIVE_STATUSES:
        return False
    ended = run_end(run.pk, status, code=code, message=message)
    if ended and run.status == RunStatus.WAITING_MODEL and run.response_id:
        # Stop paying for a turn nobody will read; in a task, so an admin click never waits on OpenAI.
        enqueue_response_cancel(run.response_id)
    return ended


def response_cancel(*, response_id: str) -> None:
    """Cancel a background response at OpenAI. One that already ended is fine as it is."""
    try:
        get_client().responses.cancel(response_id)
    except Exception as exc:
        log.info("cancelling response %s at OpenAI: %s", response_id, exc)
