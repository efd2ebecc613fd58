"""Every log line says which run and pitch it is about: `run=12 pitch=4` (or `-`).

A Celery task binds the ids its arguments name (a run, a tool call's run, a pitch, a
pipeline) before it starts; code can bind more with `log_ids(...)`. The logging filter
copies them onto each record as `%(log_ids)s`, so the ids reach the log whatever module
wrote the line.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager

_ids: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("vicbot_log_ids", default={})

ORDER = ("run", "pitch", "tool_call", "pipeline")


@contextmanager
def log_ids(**ids):
    token = _ids.set({**_ids.get(), **{k: str(v) for k, v in ids.items() if v not in (None, "")}})
    try:
        yield
    finally:
        _ids.reset(token)


def current_ids() -> str:
    ids = _ids.get()
    return " ".join(f"{key}={ids[key]}" for key in ORDER if key in ids) or "-"


class LogIdsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.log_ids = current_ids()
        return True


def ids_for_task(name: str, args: list) -> dict:
    """The ids a task's arguments name (one primary-key lookup for a run's or tool call's pitch)."""
    if not args:
        return {}
    from config.enqueue import Task

    first = args[0]
    try:
        if name == Task.RUN_ADVANCE:
            from vicbot.models import Run

            pitch = Run.objects.filter(pk=first).values_list("metadata__pitch", flat=True).first()
            return {"run": first, "pitch": pitch}
        if name == Task.TOOL_CALL_EXECUTE:
            from vicbot.models import ToolCall

            row = ToolCall.objects.filter(pk=first).values_list("run_id", "run__metadata__pitch").first()
            return {"tool_call": first, **({"run": row[0], "pitch": row[1]} if row else {})}
        if name == Task.PITCH_EVALUATE_AGAIN:
            return {"pitch": first}
        if name in (Task.PULL_PITCHES, Task.PITCHES_ADMIT, Task.WRITEBACK_FLUSH):
            return {"pipeline": first}
    except Exception:  # noqa: BLE001 -- naming the ids must never stop the task
        return {}
    return {}


def _bind(task_id=None, task=None, args=None, **_):
    ids = ids_for_task(getattr(task, "name", ""), list(args or []))
    token = _ids.set({k: str(v) for k, v in ids.items() if v not in (None, "")})
    _tokens[task_id] = token


def _unbind(task_id=None, **_):
    token = _tokens.pop(task_id, None)
    if token is not None:
        _ids.reset(token)


_tokens: dict = {}


def connect_celery_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_bind, weak=False, dispatch_uid="vicbot-log-ids-bind")
    task_postrun.connect(_unbind, weak=False, dispatch_uid="vicbot-log-ids-unbind")


connect_celery_signals()
