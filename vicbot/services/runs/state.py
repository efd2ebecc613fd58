"""The run's declared state machine, and the one verb that ends a run.

Every status change of a Run is a row of RUN_STATES applied as a compare-and-set, so a
redelivered message or a double click is harmless: the loser's UPDATE touches no row.
"""

from __future__ import annotations

from datetime import timedelta

from celery import current_task
from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone

from config.enqueue import enqueue_run_advance, run_step_priority
from vicbot.models import ACTIVE_STATUSES, Run, RunStatus
from core.retry import RetryPolicy
from vicbot.services.runs.completion import run_complete
from vicbot.services.runs.lifecycles import COMPLETION_STATES, TOOL_CALL_STATES
from vicbot.services.runs.usage import run_record_cost
from core.state_machine import StateMachine

S = RunStatus
RUN_STATES = StateMachine(Run, "status", [
    # Creating a turn: claim the create, then record its response (or back off and try again).
    (S.PENDING, S.PENDING, "claim_create"),
    (S.PENDING, S.PENDING, "await_create_outcome"),
    (S.PENDING, S.PENDING, "retry_create"),
    (S.PENDING, S.WAITING_MODEL, "adopt_response"),
    # Waiting on the model.
    (S.WAITING_MODEL, S.WAITING_MODEL, "check_again"),
    (S.FINISHING, S.FINISHING, "check_again"),
    (S.WAITING_MODEL, S.PENDING, "retry_turn"),
    (S.WAITING_MODEL, S.RUNNING_TOOLS, "start_tools"),
    (S.WAITING_MODEL, S.FINISHING, "finish"),
    # Tools.
    (S.RUNNING_TOOLS, S.RUNNING_TOOLS, "check_tools"),
    (S.RUNNING_TOOLS, S.PENDING, "continue_after_tools"),
    # Ending (run_end): only a validated answer succeeds; anything active can fail, be cancelled or time out.
    (S.FINISHING, S.SUCCEEDED, "succeed"),
    *[(status, S.FAILED, "fail") for status in ACTIVE_STATUSES],
    *[(status, S.CANCELLED, "cancel") for status in ACTIVE_STATUSES],
    *[(status, S.TIMED_OUT, "time_out") for status in ACTIVE_STATUSES],
])
END_OPERATIONS = {S.SUCCEEDED: "succeed", S.FAILED: "fail", S.CANCELLED: "cancel", S.TIMED_OUT: "time_out"}

# If the completion message is lost, the tick calls the handler this much later.
COMPLETION_SAFETY_NET = timedelta(seconds=30)


def run_move(run_id: int, operation: str, *, where: dict | None = None, also=(), note: str = "",
             **fields) -> bool:
    """Make one move of RUN_STATES; True if this call won it.

    An error message written by the move is also kept as the run's first error, unless it
    has one: later retries and the final outcome must not hide what went wrong first.
    """
    if message := fields.get("error_message"):
        fields["first_error"] = Case(When(first_error="", then=Value(message)), default=F("first_error"),
                                     output_field=TextField())
    return RUN_STATES.apply(run_id, operation, where=where, also=also, note=note, **fields)


def run_end(run_id: int, outcome: RunStatus, *, code: str = "", message: str = "", where: dict | None = None,
            **fields) -> bool:
    """The one way a run ends: its outcome and reason recorded, its cost priced, its handler due."""
    now = timezone.now()
    ended = run_move(
        run_id, END_OPERATIONS[outcome], where=where, also=[COMPLETION_STATES["due"]],
        note=f"{code}: {message}" if code else message, error_code=code, error_message=message,
        finished_at=now,
        next_check_at=now + COMPLETION_SAFETY_NET, create_claimed_at=None, **fields,
    )
    if ended:
        # Tools still queued for a run that has ended must not run (a Salesforce save, say).
        TOOL_CALL_STATES.apply_many("skip", where={"run_id": run_id}, note=f"the run ended ({outcome})",
                                    finished_at=now, error=f"Not run: the run ended ({outcome})")
        # Every way a run ends prices its tokens here, before its handler can read the run.
        run_record_cost(run_id)
        _complete_after_commit(run_id)
    return ended


def _complete_after_commit(run_id: int) -> None:
    """The completion handler's turn: in a worker, right after this commit, in the same task (a
    message for it was one more task per run); elsewhere (an operator's cancel in a web request),
    a message. Either way next_check_at is the safety net if this process dies first."""
    if current_task and not current_task.request.called_directly:  # a proxy: falsy outside a task
        transaction.on_commit(lambda: run_complete(run_id=run_id))
    else:
        enqueue_run_advance(run_id)


def run_fail(run: Run, code: str, message: str, **fields) -> bool:
    return run_end(run.pk, S.FAILED, code=code, message=message, **fields)


def turn_retry_policy() -> RetryPolicy:
    """Creates and in-band failures of a model turn."""
    return RetryPolicy(base_seconds=2, cap_seconds=300, max_attempts=settings.OPENAI_MAX_ATTEMPTS)


def poll_policy() -> RetryPolicy:
    """How long to wait before asking OpenAI again about a response in flight.

    Growth ×1.25 from 0.25 s: a response of latency L is seen after about log1.25(L) + 8
    retrieves (7 for a 2 s turn, 16 for 30 s), at most ~25 % of L (and OPENAI_POLL_MAX_SECONDS)
    after it finished. ×2 from 1 s overshot a 2 s turn by up to 1 s, and the tick's period
    rounded every wait up to 10 s (a 2-turn pitch took 5.9x the model's time without webhooks).
    """
    return RetryPolicy(base_seconds=0.25, factor=1.25, cap_seconds=settings.OPENAI_POLL_MAX_SECONDS)


def next_check(seconds: float) -> timedelta:
    """When the tick should look at a run waiting on the model, given the next poll is due in `seconds`.

    With webhooks the webhook reports the outcome, so the tick only checks as a safety net
    (OPENAI_WEBHOOK_SAFETY_POLL_SECONDS). Without, `poll_in` sends a
    message to arrive on time (the tick's period would round every wait up to it) and the
    tick stays a step behind it, to catch the message if it is lost.
    """
    if settings.OPENAI_WEBHOOK_SECRET:
        return timedelta(seconds=max(seconds, settings.OPENAI_WEBHOOK_SAFETY_POLL_SECONDS))
    return timedelta(seconds=seconds + settings.VICBOT_TICK_SECONDS)


def poll_in(run_id: int, seconds: float, *, background: bool = False) -> None:
    """Without webhooks: the message that polls the run in `seconds` (send it only once the move
    that set `next_check` was made, so a lost race sends nothing). `background`: the run's."""
    if not settings.OPENAI_WEBHOOK_SECRET:
        enqueue_run_advance(run_id, countdown=seconds, priority=run_step_priority(background=background))
