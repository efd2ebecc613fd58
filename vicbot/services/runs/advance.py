"""The single entry point that moves a run on, whatever woke it (message, webhook, tick)."""

from __future__ import annotations

from django.utils import timezone

from vicbot.models import CompletionState, Run, RunStatus
from vicbot.services.runs.cancel import run_time_out
from vicbot.services.runs.completion import run_complete
from vicbot.services.runs.polling import run_poll
from vicbot.services.runs.tool_calls import run_recover_tools
from vicbot.services.runs.turns import run_create_turn


def run_advance(*, run_id: int, run: Run | None = None) -> None:
    """`run`: the row with its assistant, if the caller has just read it (not read again)."""
    if run is None:
        # Not .first(): it orders by Meta.ordering, whose expressions Django re-hashes on every query (~2 % of
        # the worker's CPU over these hot reads).
        run = next(iter(Run.objects.select_related("assistant").filter(pk=run_id).order_by()[:1]), None)
    if run is None:
        return
    if run.is_terminal:
        if run.completion_state == CompletionState.PENDING:
            run_complete(run_id=run.pk)
        return
    if timezone.now() >= run.deadline_at:
        run_time_out(run)
        return
    if run.status == RunStatus.PENDING:
        run_create_turn(run)
    elif run.status in (RunStatus.WAITING_MODEL, RunStatus.FINISHING):
        run_poll(run)
    elif run.status == RunStatus.RUNNING_TOOLS:
        run_recover_tools(run)
