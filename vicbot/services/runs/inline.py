"""Steps a worker's task takes itself, in the task that found them, instead of one more task each.

A pitch was six tasks: create turn 1, its webhook, the turn's tool calls, create turn 2, its
webhook, and the write-back's share. Each task cost the worker a message, a log-ids query and a
re-read of the run. Inside an engine task (vicbot.tasks wraps them in `stepping()`), the task that
finds a turn's tool calls runs them right after that step, and the step that sees them all finished
has the task create the next turn at once: a pitch is three engine tasks.

Durability is unchanged: every step still commits its move before the next begins, so a worker
killed in between leaves exactly what a lost message left before (tool calls claimed and running,
or a run due to continue), which the tick's recovery (next_check_at) finds and resumes.
Outside a task, or inside an open transaction (a test's, an admin action's), nothing is carried:
the step sends its message after commit as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from config.enqueue import enqueue_run_advance

# What this task does next, in order: a run to advance (its tools finished here), or work a step left
# for after it (a turn's claimed tool calls); None outside an engine task.
_carried: ContextVar[list[int | Callable[[], None]] | None] = ContextVar("vicbot_inline_steps", default=None)

# A run comes back here only after a model turn of its own (its tools run once per turn), so a
# task carries a run at most a couple of steps; the bound only guards against a bug looping.
MAX_STEPS = 20


@contextmanager
def stepping() -> Iterator[None]:
    """Within: `active()` is true, and `carry()` queues a run for `carried()` instead of a message."""
    token = _carried.set([])
    try:
        yield
    finally:
        _carried.reset(token)


def active() -> bool:
    """True in an engine task outside any transaction: what is done here next is committed step by step."""
    return _carried.get() is not None and not transaction.get_connection().in_atomic_block


def carry(run_id: int) -> bool:
    """Have this task advance `run_id` next (after the current transaction commits); False outside a task,
    where the caller sends its message instead."""
    carried = _carried.get()
    if carried is None:
        return False
    # Only once committed: a rolled-back move must not be acted on (and `carried()` runs after it anyway).
    transaction.on_commit(lambda: carried.append(run_id))
    return True


def defer(work: Callable[[], None]) -> bool:
    """Have this task do `work` once the current step has returned (after commit); False outside a task.

    A webhook's step returns before its turn's tools run, so the event is recorded as processed at
    once: while tools ran inside the step, the tick took the event for lost every 30 s and sent it again.
    """
    carried = _carried.get()
    if carried is None:
        return False
    transaction.on_commit(lambda: carried.append(work))
    return True


def carried() -> Iterator[int | Callable[[], None]]:
    """What was carried so far, and what is carried while the caller does it: run ids to advance, and
    work to call. Past MAX_STEPS advances the remaining runs are sent as messages, never dropped."""
    carried = _carried.get() or []
    steps = 0
    while carried:
        item = carried.pop(0)
        if callable(item):
            yield item
            continue
        steps += 1
        if steps > MAX_STEPS:
            enqueue_run_advance(item, after_commit=False)
        else:
            yield item
