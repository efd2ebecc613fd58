"""Every log line says which run and pitch it is about: `run=12 pitch=4` (or `-`).

A Celery task binds the ids its arguments name (a run, a tool call's run, a pitch, a
pipeline) before it starts, as the app owning the task registered them (`register_task_ids`,
called from the app's `ready()`: config imports no app); code can bind more with `log_ids(...)`.
The logging filter copies them onto each record as `%(log_ids)s`, so the ids reach the log
whatever module wrote the line.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from contextlib import contextmanager

_ids: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("vicbot_log_ids", default={})

# What each task's arguments name, registered by the app that owns the task (config imports no app):
# resolver(args) -> {"run": 12, "pitch": "4"}, in the order the line shows them.
IdsResolver = Callable[[list], dict]
_resolvers: dict[str, IdsResolver] = {}


def register_task_ids(task_name: str, resolver: IdsResolver) -> None:
    _resolvers[task_name] = resolver


@contextmanager
def log_ids(**ids):
    token = _ids.set({**_ids.get(), **{k: str(v) for k, v in ids.items() if v not in (None, "")}})
    try:
        yield
    finally:
        _ids.reset(token)


def current_ids() -> str:
    return " ".join(f"{key}={value}" for key, value in _ids.get().items()) or "-"


class LogIdsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.log_ids = current_ids()
        return True


def ids_for_task(name: str, args: list) -> dict:
    """The ids a task's arguments name, as the task's app resolves them (none for an unknown task)."""
    resolver = _resolvers.get(name)
    if not args or resolver is None:
        return {}
    try:
        return resolver(args)
    except Exception:  # noqa: BLE001 -- naming the ids must never stop the task
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
