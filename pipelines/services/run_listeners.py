"""Listeners told when a pitch's run has started (the evaluation lab's shadow runs start beside it).

Registered at start-up by the apps above pipelines, so pipelines import none of them. A listener runs
inside the transaction that started the run, in a savepoint of its own: a listener that fails is
logged and rolled back, and the pitch's own run goes on regardless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)

RunStarted = Callable[..., None]  # listener(pitch=…, run=…)
_listeners: list[RunStarted] = []


def register_run_started(listener: RunStarted) -> RunStarted:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def notify_run_started(*, pitch, run) -> None:
    for listener in _listeners:
        try:
            with transaction.atomic():
                listener(pitch=pitch, run=run)
        except Exception:
            log.exception("pitch %s run %s: listener %s failed", pitch.pk, run.pk, listener.__qualname__)
