"""Calling a run's completion handler: once per run, for every terminal outcome.

The handler runs inside the same transaction that marks it done, so a worker that
dies half-way rolls both back and the tick calls it again: its database effects
happen exactly once. Handlers should only touch the database (and queue work
with transaction.on_commit), never call out directly.
"""

from __future__ import annotations

import logging
import traceback

from django.db import transaction

from config.enqueue import enqueue_run_advance
from vicbot.models import TERMINAL_STATUSES, CompletionState, Run
from vicbot.services.runs.handlers import completion_handler
from vicbot.services.runs.lifecycles import COMPLETION_STATES

log = logging.getLogger(__name__)


def run_complete(*, run_id: int) -> None:
    with transaction.atomic():
        # of=("self",): lock the run only, not its assistant row that every run shares.
        run = Run.objects.select_for_update(of=("self",)).select_related("assistant").get(pk=run_id)
        if run.completion_state != CompletionState.PENDING or run.status not in TERMINAL_STATUSES:
            return
        try:
            with transaction.atomic():
                if run.completion_handler:
                    # An unknown key (a handler removed since the run started) is recorded
                    # below like any failing handler: the run ends, nothing loops.
                    completion_handler(run.completion_handler)(run, run.status)
        except Exception as exc:
            log.exception("run %s: completion handler %r failed", run.pk, run.completion_handler)
            error = "".join(traceback.format_exception_only(exc)).strip()
            COMPLETION_STATES.apply(run.pk, "handler_failed", note=error, completion_error=error,
                                    next_check_at=None)
        else:
            COMPLETION_STATES.apply(run.pk, "done", completion_error="", next_check_at=None)


def run_retry_completion(*, run_id: int) -> bool:
    """Operator's retry of a handler that raised."""
    updated = COMPLETION_STATES.apply(run_id, "retry", completion_error="")
    if updated:
        enqueue_run_advance(run_id)
    return bool(updated)
