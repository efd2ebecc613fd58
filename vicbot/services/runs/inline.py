"""Steps a worker's task takes itself, in the task that found them, instead of one more task each.

A pitch was six tasks: create turn 1, its webhook, the turn's tool calls, create turn 2, its
webhook, and the write-back's share. Each task cost the worker a message, a log-ids query and a
re-read of the run (about a fifth of its CPU per pitch). Inside an engine task (vicbot.tasks wraps
them in `stepping()`), the step that finds a turn's tool calls runs them at once, and the step that
sees them all finished creates the next turn at once: a pitch is three tasks.

Durability is unchanged: every step still commits its move before the next begins, so a worker
killed in between leaves exactly what a lost message left before (tool calls claimed and running,
or a run due to continue), which the tick's recovery (next_check_at) finds and resumes.
Outside a task, or inside an open transaction (a test's, an admin action's), nothing is carried:
the step sends its message after commit as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from config.enqueue import enqueue_run_advance

# The runs whose tools finished in this task, to be advanced next by the same task; None outside one.
_carried: ContextVar[list[int] | None] = ContextVar("vicbot_inline_runs", default=None)

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


def carried() -> Iterator[int]:
    """The runs carried so far, and those carried while the caller advances them; past MAX_STEPS the
    rest are sent as messages, never dropped."""
    carried = _carried.get() or []
    steps = 0
    while carried:
        run_id = carried.pop(0)
        steps += 1
        if steps > MAX_STEPS:
            enqueue_run_advance(run_id, after_commit=False)
        else:
            yield run_id
