"""Checking on a turn in flight, and acting on how it ended."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.openai.client import get_client
from integrations.openai.errors import TRANSIENT_RESPONSE_ERRORS, classify
from vicbot.models import Run, RunStatus
from vicbot.services.runs.cancel import response_cancel
from vicbot.services.runs.finish import run_finish
from vicbot.services.runs.state import (next_check, poll_in, poll_policy, run_end, run_fail, run_move,
                                        turn_retry_policy)
from vicbot.services.runs.tool_calls import run_start_tools
from vicbot.services.runs.usage import response_increments

log = logging.getLogger(__name__)


def run_poll(run: Run) -> None:
    try:
        response = get_client().responses.retrieve(run.response_id)
    except Exception as exc:
        failure = classify(exc)
        if not failure.transient:
            run_fail(run, failure.code, f"Checking response {run.response_id}: {failure.message}",
                     error_systemic=failure.systemic)
            return
        _check_again_in(run, poll_policy().delay(run.poll_count + 1, retry_after=failure.retry_after))
        return
    run_handle_response(run, response)


def run_handle_response(run: Run, response) -> None:
    """Act on the current state of the run's in-flight response (from a poll or a webhook)."""
    if response.id != run.response_id or run.status not in (RunStatus.WAITING_MODEL, RunStatus.FINISHING):
        return  # stale news: the run has moved on
    status = response.status
    if status in ("queued", "in_progress"):
        queued_for = timezone.now().timestamp() - response.created_at
        if status == "queued" and queued_for > settings.OPENAI_QUEUED_TIMEOUT:
            return _retry_stuck_turn(run)
        _check_again_in(run, poll_policy().delay(run.poll_count + 1))
    elif status == "completed":
        calls = [item for item in response.output if item.type == "function_call"]
        if calls and run.status == RunStatus.WAITING_MODEL:
            run_start_tools(run, response, calls)
        else:
            run_finish(run, response)
    elif status == "failed":
        code = getattr(response.error, "code", None) or "failed"
        message = getattr(response.error, "message", "") or "The response failed"
        _retry_or_fail_turn(run, response.id, response, code, message,
                            transient=code in TRANSIENT_RESPONSE_ERRORS)
    elif status == "incomplete":
        reason = getattr(response.incomplete_details, "reason", None) or "unknown"
        _end_with_usage(run, response, RunStatus.FAILED, f"incomplete:{reason}",
                        f"The model stopped before answering ({reason})")
    elif status == "cancelled":
        _end_with_usage(run, response, RunStatus.CANCELLED, "cancelled_at_openai",
                        "The response was cancelled at OpenAI")
    else:
        run_fail(run, "unknown_response_status", f"OpenAI answered with unknown status {status!r}")


def _check_again_in(run: Run, seconds: float) -> None:
    if run_move(run.pk, "check_again", where={"status": run.status, "poll_count": run.poll_count},
                poll_count=run.poll_count + 1, next_check_at=timezone.now() + next_check(seconds)):
        poll_in(run.pk, seconds, background=run.background)


def _retry_or_fail_turn(run: Run, response_id: str, response, code: str, message: str, *, transient: bool) -> None:
    """Create the turn again (same previous response, same tool outputs), or give up."""
    policy = turn_retry_policy()
    if not transient or policy.exhausted(run.attempts + 1):
        _end_with_usage(run, response, RunStatus.FAILED, code, message)
        return
    log.warning("run %s turn %s failed in-band (%s); retrying", run.pk, run.turn, code)
    run_move(
        run.pk, "retry_turn", where={"response_id": response_id},
        turn=run.turn - 1, response_id="", attempts=run.attempts + 1,
        error_code=code, error_message=f"Will retry: {message}",
        next_check_at=timezone.now() + timedelta(seconds=policy.delay(run.attempts + 1)),
        **response_increments(run, response),
    )


def _retry_stuck_turn(run: Run) -> None:
    """A response queued far too long (a known OpenAI failure mode): try again, then cancel it.

    In that order: once the run has moved on, the cancelled response's webhook is stale news.
    """
    _retry_or_fail_turn(
        run, run.response_id, None, "stuck_in_queue",
        f"Response stayed queued for more than {settings.OPENAI_QUEUED_TIMEOUT}s", transient=True,
    )
    response_cancel(response_id=run.response_id)


def _end_with_usage(run: Run, response, status: RunStatus, code: str, message: str) -> None:
    run_end(run.pk, status, code=code, message=message, where={"response_id": run.response_id},
            **response_increments(run, response))
