"""The one way work is enqueued: every Celery task name, and an `enqueue_…` function per task.

Services, admin actions, beat schedules and migrations name tasks only through here,
so a task can be found by its name in one place, and a test checks that every name is
registered with the Celery app. The names are a wire contract — they sit in queued
messages and in beat's database rows — so they are never renamed; the `vicbot.` prefix
is the product's namespace, not the Django app that holds the task.

Work is sent after the surrounding transaction commits (by default): a worker must
never pick up a message about a row it cannot see yet, and a rolled-back change must
not leave a message behind.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Task(StrEnum):
    # The run engine (vicbot/tasks.py)
    TICK = "vicbot.tick"
    RUN_ADVANCE = "vicbot.run_advance"
    TOOL_CALL_EXECUTE = "vicbot.tool_call_execute"
    RESPONSE_CANCEL = "vicbot.response_cancel"
    WEBHOOK_EVENT_PROCESS = "vicbot.webhook_event_process"
    SUGGESTED_CHANGE_APPLY = "vicbot.suggested_change_apply"
    # The pitch pipeline (pipelines/tasks.py)
    PULL_PITCHES = "vicbot.pull_pitches"
    PITCHES_ADMIT = "vicbot.pitches_admit"
    PITCH_EVALUATE_AGAIN = "vicbot.pitch_evaluate_again"
    WRITEBACK_FLUSH = "vicbot.writeback_flush"
    PIPELINES_TICK = "vicbot.pipelines_tick"
    DECK_READ = "vicbot.deck_read"
    NOTIFICATION_SEND = "vicbot.notification_send"
    # The evaluation lab (evaluations/tasks.py)
    EVALUATION_ADVANCE = "vicbot.evaluation_advance"


class Priority(IntEnum):
    """Which waiting work a worker takes first, so pitches finish in the order they started.

    Redis serves lower numbers first: kombu keeps one list per step of priority_steps and polls them
    in order (config/settings.py sets the steps to these four values; a number between two steps is
    rounded down to the lower). The embedded broker (filesystem://, REDIS_URL blank) ignores
    priorities: there, a backlog's steps wait their turn with everything else. Without them the queue is first in,
    first out: with 1,000 pitches admitted, every second turn waited behind every first turn's
    tool calls, and all pitches finished together at the end (p50 = p95 = wall time).
    """

    CONTINUE = 0  # a step of work under way: a run in flight, its tools, a webhook, a write-back
    NEW = 6  # work that starts something: an intake pass, an admission, a new run's first step
    # A backlog's run (Run.background): every step below every step of any other run, so a worker with
    # 1,000 backlog runs under way still takes a new pitch's steps first and the new pitch keeps its usual
    # time. Among the backlog's own, as above, runs under way (their later turns, tools, webhooks, polls)
    # before new ones (a first step, the deck a backlog record waits for).
    BACKLOG_CONTINUE = 8
    BACKLOG = 9


def run_step_priority(*, background: bool) -> Priority:
    """A later step of a run (a turn, its tools, a poll, its webhook): after every other run's if a backlog's."""
    return Priority.BACKLOG_CONTINUE if background else Priority.CONTINUE


def _send(task: Task, *args: int | str, countdown: float | None = None, after_commit: bool = True,
          priority: Priority = Priority.CONTINUE) -> None:
    def send() -> None:
        from config.celery_app import app  # the app reads Django settings: import it when sending

        app.send_task(task.value, args=list(args), countdown=countdown, priority=int(priority))

    if after_commit:
        from django.db import transaction

        transaction.on_commit(send)
    else:
        send()


def enqueue_run_advance(run_id: int, *, countdown: float | None = None, after_commit: bool = True,
                        priority: Priority = Priority.CONTINUE) -> None:
    _send(Task.RUN_ADVANCE, run_id, countdown=countdown, after_commit=after_commit, priority=priority)


def enqueue_tool_call_execute(tool_call_id: int, *, after_commit: bool = True,
                              priority: Priority = Priority.CONTINUE) -> None:
    _send(Task.TOOL_CALL_EXECUTE, tool_call_id, after_commit=after_commit, priority=priority)


def enqueue_response_cancel(response_id: str, *, after_commit: bool = True) -> None:
    _send(Task.RESPONSE_CANCEL, response_id, after_commit=after_commit)


def enqueue_webhook_event_process(event_id: int, *, after_commit: bool = True,
                                  priority: Priority = Priority.CONTINUE) -> None:
    _send(Task.WEBHOOK_EVENT_PROCESS, event_id, after_commit=after_commit, priority=priority)


def enqueue_suggested_change_apply(suggestion_id: int, *, after_commit: bool = True) -> None:
    _send(Task.SUGGESTED_CHANGE_APPLY, suggestion_id, after_commit=after_commit)


def enqueue_pull_pitches(pipeline_id: int, *, after_commit: bool = True) -> None:
    _send(Task.PULL_PITCHES, pipeline_id, after_commit=after_commit, priority=Priority.NEW)


def enqueue_pitches_admit(pipeline_id: int, *, countdown: float | None = None, after_commit: bool = True) -> None:
    _send(Task.PITCHES_ADMIT, pipeline_id, countdown=countdown, after_commit=after_commit, priority=Priority.NEW)


def enqueue_pitch_evaluate_again(pitch_id: int, *, past_cap_by: str = "", after_commit: bool = True) -> None:
    """`past_cap_by`: the user who confirmed starting it past the pipeline's daily spend cap."""
    args = (pitch_id, past_cap_by) if past_cap_by else (pitch_id,)
    _send(Task.PITCH_EVALUATE_AGAIN, *args, after_commit=after_commit, priority=Priority.NEW)


def enqueue_deck_read(deck_id: int, *, countdown: float | None = None, priority: Priority = Priority.NEW) -> None:
    _send(Task.DECK_READ, deck_id, countdown=countdown, priority=priority)


def enqueue_writeback_flush(pipeline_id: int, *, countdown: float | None = None, after_commit: bool = True) -> None:
    _send(Task.WRITEBACK_FLUSH, pipeline_id, countdown=countdown, after_commit=after_commit)


def enqueue_notification_send(kind: str, pipeline_id: int | None, text: str, *, after_commit: bool = True) -> None:
    """`pipeline_id` 0 stands for none (a fleet-wide event)."""
    _send(Task.NOTIFICATION_SEND, kind, pipeline_id or 0, text, after_commit=after_commit)


def enqueue_evaluation_advance(evaluation_id: int, *, countdown: float | None = None,
                               after_commit: bool = True) -> None:
    _send(Task.EVALUATION_ADVANCE, evaluation_id, countdown=countdown, after_commit=after_commit)


def queued_messages() -> int | None:
    """Messages waiting in the broker's task queue (not counting those workers hold); None if unknown."""
    from config.celery_app import app

    try:
        with app.connection_for_read() as connection:
            queue = app.conf.task_default_queue
            return connection.default_channel.queue_declare(queue=queue, passive=False).message_count
    except Exception:  # noqa: BLE001 - unknown is an answer: the caller falls back to its old rule
        return None


def beat_entry(task: Task, every_seconds: float, *, expires: float = 60) -> dict:
    """A CELERY_BEAT_SCHEDULE entry; `expires` drops a beat that no worker took in time."""
    return {"task": task.value, "schedule": every_seconds, "options": {"expires": expires}}
