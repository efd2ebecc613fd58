"""Function calls: a turn's calls run side by side in one task; when all have finished, the run continues.

Fan-in is in the database (a row lock on the run), not a Celery chord: chords can
fire twice or never when messages are redelivered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tools.base import WEBSITE_METADATA_KEY, EarlierOutput, ToolContext, ToolResult, error_result, invoke
from tools.registry import UnknownTool, registry
from vicbot.models import TERMINAL_STATUSES, Run, RunStatus, ToolCall
from config.enqueue import enqueue_run_advance, enqueue_tool_call_execute, queued_messages, run_step_priority
from vicbot.services.runs import inline, tool_limits
from vicbot.services.runs.replay import NO_RECORDED_RESULT, recorded_answer
from vicbot.services.runs.lifecycles import TOOL_CALL_END_OPERATIONS, TOOL_CALL_STATES
from vicbot.services.runs.state import run_fail, run_move
from vicbot.services.runs.usage import response_increments
from vicbot.services.suggested_changes import suggested_changes_record

log = logging.getLogger(__name__)

# A tool call whose task vanished (worker killed) is tried this many times in all.
MAX_TOOL_ATTEMPTS = 2
FINISHED = (ToolCall.Status.SUCCEEDED, ToolCall.Status.FAILED, ToolCall.Status.TIMED_OUT, ToolCall.Status.SKIPPED,
            ToolCall.Status.REFUSED)


def lost_task_grace() -> timedelta:
    """Extra time past a tool's own timeout before its task is presumed lost."""
    return timedelta(seconds=settings.VICBOT_LOST_TASK_GRACE_SECONDS)


def run_start_tools(run: Run, response, calls) -> None:
    if run.turn >= run.assistant.max_turns:
        run_fail(run, "turn_cap_reached",
                 f"The model was still calling tools after {run.assistant.max_turns} turns",
                 **response_increments(run, response))
        return
    # In an engine task, this task runs the turn's calls itself right after this step (vicbot.services.runs.
    # inline), claimed in the transaction that creates them: a worker killed before or while they run leaves
    # them claimed and running, as a killed tool task did, and the tick's recovery re-sends them.
    run_here = inline.active()
    with transaction.atomic():
        started = run_move(
            run.pk, "start_tools", where={"response_id": response.id},
            previous_response_id=response.id, attempts=0,
            next_check_at=timezone.now() + lost_task_grace(), **response_increments(run, response),
        )
        if not started:
            return
        # Calls past the per-turn or per-run limit are created already answered (refused).
        refusals = tool_limits.turn_refusals(run, len(calls))
        created = ToolCall.objects.bulk_create(
            [ToolCall(run=run, turn=run.turn, call_id=c.call_id, name=c.name, arguments=c.arguments,
                      **tool_limits.refused_fields(reason)) for c, reason in zip(calls, refusals)]
        )
        to_run = [c for c in created if c.status == ToolCall.Status.PENDING]
        if not to_run:  # every call refused: the model hears why at once
            run_continue_after_tools(run_id=run.pk)
            return
        if not run_here:
            # One message runs the whole turn (tool_call_execute takes every waiting sibling).
            enqueue_tool_call_execute(to_run[0].pk, priority=run_step_priority(background=run.background))
            return
        claimed = _claim(run.pk, run.turn, where={"pk__in": [c.pk for c in to_run]})
    # Once the step that found them has returned (a webhook's event is then recorded as processed).
    ours = [c for c in to_run if c.pk in claimed.ids]
    if not inline.defer(lambda: _execute_and_record(ours, run_id=run.pk)):
        _execute_and_record(ours, run_id=run.pk)


@dataclass(frozen=True)
class _Claim:
    ids: frozenset
    started_at: datetime


def _claim(run_id: int, turn: int, *, where: dict, skip_locked: bool = False) -> _Claim:
    """Claim the turn's waiting calls (those `where` names), only while the run still waits on tools."""
    now = timezone.now()
    ids = TOOL_CALL_STATES.apply_many(
        "claim", where={"run_id": run_id, "turn": turn, "run__status": RunStatus.RUNNING_TOOLS, **where},
        skip_locked=skip_locked, started_at=now, attempts=F("attempts") + 1)
    return _Claim(frozenset(ids), now)


def tool_call_execute(*, tool_call_id: int) -> None:
    """Run this call and every other call of its turn still waiting, side by side.

    A turn's calls share one task: three tasks and three fan-in locks per turn became one.
    The calls are claimed one row each, so a message for a sibling this task already took
    (a redelivery, the tick's re-send) finds nothing to do.
    """
    turn = next(iter(ToolCall.objects.filter(pk=tool_call_id).values("run_id", "turn").order_by()[:1]), None)
    if turn is None:
        return
    # Only while the run still waits on tools: a run that ended (cancelled, timed out) runs none of them.
    claimed = _claim(turn["run_id"], turn["turn"], where={}, skip_locked=True)
    # Ours: the rows this claim (its started_at) moved; SQLite has no row locks to skip.
    calls = list(ToolCall.objects.select_related("run__assistant")
                 .filter(pk__in=claimed.ids, status=ToolCall.Status.RUNNING, started_at=claimed.started_at)
                 .order_by("pk"))
    if not calls:
        # Already done or running elsewhere — or the run has ended: then they are settled as skipped.
        TOOL_CALL_STATES.apply_many("skip", where={**turn, "run__status__in": TERMINAL_STATUSES},
                                    note="the run had ended", finished_at=claimed.started_at,
                                    error="Not run: the run had ended")
        return
    _execute_and_record(calls, run_id=turn["run_id"])


def _execute_and_record(calls: list[ToolCall], *, run_id: int) -> None:
    """Run the claimed calls (all of one turn; `call.run` loaded), record each as it ends, then continue the run."""
    if calls:
        replay = calls[0].run.replay_calls
        answered = _answer_from_recording(calls, replay) if replay is not None else (
            (call, result, status, seconds, "") for call, result, status, seconds in _execute_side_by_side(calls))
        for call, result, status, seconds, replayed in answered:
            # Each as it finishes: a worker killed meanwhile loses only the calls still running.
            with transaction.atomic():
                if TOOL_CALL_STATES.apply(
                    call.pk, TOOL_CALL_END_OPERATIONS[status], note=result.error[:500] if result.error else "",
                    output=result.output, error=result.error, usage=result.usage, replayed=replayed,
                    systemic_error=result.systemic, finished_at=timezone.now(), duration_ms=int(seconds * 1000),
                ) and result.suggestions:
                    suggested_changes_record(tool_call=call, suggestions=result.suggestions)
    run_continue_after_tools(run_id=run_id)


def _answer_from_recording(calls: list[ToolCall], recorded: list[dict]
                           ) -> Iterator[tuple[ToolCall, ToolResult, str, float, str]]:
    """A replay: each call answered from the run's recording (vicbot.services.runs.replay), no tool run."""
    limit = settings.TOOL_OUTPUT_MAX_CHARS
    for call in calls:
        output, how = recorded_answer(recorded, call.name, call.arguments)
        if output is None:
            yield call, error_result("no_recorded_result", NO_RECORDED_RESULT, max_chars=limit), \
                ToolCall.Status.FAILED, 0.0, ToolCall.Replayed.MISS
        else:
            yield call, ToolResult(ok=True, output=output), ToolCall.Status.SUCCEEDED, 0.0, how


def _execute_side_by_side(calls: list[ToolCall]) -> Iterator[tuple[ToolCall, ToolResult, str, float]]:
    """(call, result, status, seconds) of each call as it ends, run in threads, each within its tool's timeout.

    A thread that overruns is abandoned, not killed (Python cannot): its call is recorded as
    timed out and whatever it returns later is dropped.
    """
    limit = settings.TOOL_OUTPUT_MAX_CHARS
    run = calls[0].run
    these = {c.pk for c in calls}
    # The run's other calls, in one read: what the run has seen so far (its input, earlier turns' tool
    # outputs, by tool; a tool's policy checks that e.g. a URL came from a page rather than from text that
    # told the model to compose it), and what they spent (PitchBook credits...) for tools with a per-run limit.
    others = [row for row in ToolCall.objects.filter(run_id=run.pk).order_by("id").values_list(
        "pk", "turn", "name", "output", "status", "usage") if row[0] not in these]
    context = ToolContext(
        run_id=run.pk, metadata=run.metadata, run_input=run.input,
        earlier_outputs=tuple(EarlierOutput(name, output, status == ToolCall.Status.SUCCEEDED)
                              for _, turn, name, output, status, _ in others if turn < calls[0].turn),
        website=run.metadata.get(WEBSITE_METADATA_KEY, ""), open_browsing=run.assistant.open_browsing,
        # Shared by these calls.
        run_usage=tool_limits.spent(usage for *_, usage in others))
    reg = registry()
    pool = ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix=f"tools-run-{run.pk}")
    began = time.monotonic()
    running = {}  # future -> (call, deadline)
    try:
        for call in calls:
            try:
                tool = reg.get(call.name)
            except UnknownTool:
                yield call, error_result("unknown_tool", f"There is no tool named {call.name!r}",
                                         max_chars=limit), ToolCall.Status.FAILED, 0.0
                continue
            future = pool.submit(invoke, tool, call.arguments, context, max_chars=limit)
            running[future] = (call, began + tool.timeout_seconds)
        while running:
            next_deadline = min(deadline for _, deadline in running.values())
            done, _ = wait(running, timeout=max(next_deadline - time.monotonic(), 0), return_when=FIRST_COMPLETED)
            now = time.monotonic()
            for future in list(running):
                call, deadline = running[future]
                if future in done:
                    result = future.result()
                    del running[future]
                    yield call, result, ToolCall.Status.SUCCEEDED if result.ok else ToolCall.Status.FAILED, now - began
                elif now >= deadline:
                    del running[future]
                    timeout = deadline - began
                    yield call, error_result("timeout", f"{call.name} did not finish within {timeout:g}s",
                                             max_chars=limit), ToolCall.Status.TIMED_OUT, now - began
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_continue_after_tools(*, run_id: int) -> None:
    """If every tool call of the current turn has finished, queue the next model turn."""
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING_TOOLS:
            return
        if ToolCall.objects.filter(run=run, turn=run.turn).exclude(status__in=FINISHED).exists():
            return
        if run_move(run.pk, "continue_after_tools", next_check_at=timezone.now() + timedelta(seconds=60)):
            # In an engine task, the task creates the next turn itself once this commits.
            if not inline.carry(run.pk):
                enqueue_run_advance(run.pk, priority=run_step_priority(background=run.background))


def run_recover_tools(run: Run) -> None:
    """Called by the tick: re-send tool calls whose task was lost, give up on hopeless ones."""
    now = timezone.now()
    reg = registry()
    backlog: int | None = -1  # not asked yet
    lost = []
    for call in ToolCall.objects.filter(run=run, turn=run.turn).exclude(status__in=FINISHED):
        timeout = reg.get(call.name).timeout_seconds if call.name in reg.names() else 0
        if call.status == ToolCall.Status.RUNNING and now < call.started_at + timedelta(seconds=timeout) + lost_task_grace():
            continue  # still within its time
        if call.status == ToolCall.Status.PENDING and call.attempts < MAX_TOOL_ATTEMPTS:
            # Not started: its message is lost only if nothing is waiting in the queue (a flushed
            # broker). While messages wait, it is most likely one of them, and a second message
            # would only be a redundant task (under load: ~3 per pitch). Unknown: send it again.
            backlog = queued_messages() if backlog == -1 else backlog
            if backlog:
                continue
        if call.attempts >= MAX_TOOL_ATTEMPTS:
            TOOL_CALL_STATES.apply(
                call.pk, "give_up", where={"status": call.status}, note="the task was lost twice",
                finished_at=now,
                error="The tool's task was lost twice (worker stopped)",
                output=error_result("lost", "The tool could not be run; continue without it",
                                    max_chars=settings.TOOL_OUTPUT_MAX_CHARS).output,
            )
        elif TOOL_CALL_STATES.apply(call.pk, "resend", where={"status": call.status},
                                    note="the task was lost"):
            lost.append(call)
    if lost:
        log.warning("run %s: re-sending lost tool calls %s", run.pk, ", ".join(f"{c.pk} ({c.name})" for c in lost))
        # It takes its waiting siblings too.
        enqueue_tool_call_execute(lost[0].pk, priority=run_step_priority(background=run.background))
    run_move(run.pk, "check_tools", next_check_at=now + lost_task_grace())
    run_continue_after_tools(run_id=run.pk)

