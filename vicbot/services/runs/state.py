"""Compare-and-set status changes: a redelivered message or a double click is harmless."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from vicbot.models import ACTIVE_STATUSES, CompletionState, Run, RunStatus
from vicbot.services.runs.dispatch import advance_after_commit
from vicbot.services.runs.usage import run_record_cost

# If the completion message is lost, the tick calls the handler this much later.
COMPLETION_SAFETY_NET = timedelta(seconds=30)


def transition(run_id: int, *, from_: RunStatus | Iterable[RunStatus], where: dict | None = None, **fields) -> bool:
    """UPDATE the run WHERE its status is one of `from_` (and `where`); True if this call won."""
    statuses = [from_] if isinstance(from_, str) else list(from_)
    fields["updated_at"] = timezone.now()
    return Run.objects.filter(pk=run_id, status__in=statuses, **(where or {})).update(**fields) == 1


def run_end(
    run_id: int, *, from_: RunStatus | Iterable[RunStatus] = ACTIVE_STATUSES, status: RunStatus,
    error_code: str = "", error_message: str = "", **fields,
) -> bool:
    """Move a run to a terminal status, with its reason and cost, and have its completion handler called."""
    now = timezone.now()
    ended = transition(
        run_id, from_=from_, status=status, error_code=error_code, error_message=error_message,
        finished_at=now, completion_state=CompletionState.PENDING, next_check_at=now + COMPLETION_SAFETY_NET,
        create_claimed_at=None, **fields,
    )
    if ended:
        # Every way a run ends prices its tokens here, before its handler can read the run.
        run_record_cost(run_id)
        advance_after_commit(run_id)
    return ended


def run_fail(run: Run, code: str, message: str, **fields) -> bool:
    return run_end(run.pk, status=RunStatus.FAILED, error_code=code, error_message=message, **fields)


def backoff_seconds(attempt: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    return min(base * 2 ** max(attempt - 1, 0), cap)
