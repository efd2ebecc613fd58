"""The run engine's Celery tasks: thin. Each takes ids, loads rows and calls one service.

Tasks are idempotent (the services compare-and-set), so acks_late redelivery
and the tick's safety-net re-sends are harmless. None of them retries itself
with a long countdown: waiting is a `next_check_at` in the database.
"""

import logging
import threading

from celery import shared_task, signals

from config.enqueue import Task
from vicbot.services.runs import inline
from vicbot.services.runs.advance import run_advance
from vicbot.services.runs.cancel import response_cancel
from vicbot.services.runs.tick import runs_tick
from vicbot.services.runs.tool_calls import tool_call_execute
from vicbot.services.runs.webhooks import webhook_event_process
from vicbot.services.suggested_changes import suggested_change_apply
from vicbot import worker_liveness  # noqa: F401  (connects the worker's own liveness reports)


@shared_task(name=Task.TICK)
def tick_task() -> None:
    runs_tick()


def _stepping(step, **ids) -> None:
    """Take the step, then the steps it made possible, in this task (vicbot.services.runs.inline): a turn's
    tool calls where they were found, the next turn where they finished. A message each cost the worker
    about as much CPU as the step itself."""
    with inline.stepping():
        step(**ids)
        for item in inline.carried():
            if callable(item):
                item()  # a turn's tool calls, claimed by the step that found them
            else:
                run_advance(run_id=item)


# Generous limits, as each of these may run a turn's tool calls: a tool enforces its own timeout first;
# this only catches a hang.
TOOL_LIMITS = {"soft_time_limit": 300, "time_limit": 330}


@shared_task(name=Task.RUN_ADVANCE, **TOOL_LIMITS)
def run_advance_task(run_id: int) -> None:
    _stepping(run_advance, run_id=run_id)


@shared_task(name=Task.TOOL_CALL_EXECUTE, **TOOL_LIMITS)
def tool_call_execute_task(tool_call_id: int) -> None:
    _stepping(tool_call_execute, tool_call_id=tool_call_id)


@shared_task(name=Task.RESPONSE_CANCEL)
def response_cancel_task(response_id: str) -> None:
    response_cancel(response_id=response_id)


@shared_task(name=Task.WEBHOOK_EVENT_PROCESS, **TOOL_LIMITS)
def webhook_event_process_task(event_id: int) -> None:
    _stepping(webhook_event_process, event_id=event_id)


@shared_task(name=Task.SUGGESTED_CHANGE_APPLY)
def suggested_change_apply_task(suggestion_id: int) -> None:
    suggested_change_apply(suggestion_id=suggestion_id)


@signals.worker_init.connect
def _warm_up(sender=None, **kwargs) -> None:
    """Before the pool forks: import every tool's integration and build the OpenAI client (its TLS
    context), so a fresh worker child's first turn and first tool call do not pay ~0.5 s for them
    (one pitch on a fresh worker took 1.34x the model's time, a third of it this). No request is
    made here, so no connection is shared across the fork.

    With a threads (or solo) pool the worker process itself runs the tools: its extraction forkserver
    starts here too, before the worker says it is ready, rather than at the first page a tool reads
    (up to 0.85 s). A prefork parent runs no tool: each pool child starts its own (below)."""
    from integrations.openai import warm_client
    from integrations.web import isolated
    from tools.registry import registry

    try:
        registry()
        warm_client()  # the resource (lazily imported) and the SDK's reply models (built on first use)
    except Exception:  # noqa: BLE001 - a worker without OpenAI settings still starts; the first task says why
        logging.getLogger(__name__).warning("warm-up skipped", exc_info=True)
    if "prefork" not in str(getattr(sender, "pool_cls", "prefork")):
        _warm_extraction(isolated.warm_up)


@signals.worker_process_init.connect
def _warm_extraction_in_pool_child(**kwargs) -> None:
    """A prefork pool child runs the tools: its own extraction forkserver starts as it does, in the
    background (the child must report itself up within worker_proc_alive_timeout; an early extraction
    simply waits for the server)."""
    from integrations.web import isolated

    threading.Thread(target=_warm_extraction, args=(isolated.warm_up,), name="warm-extraction", daemon=True).start()


def _warm_extraction(warm_up) -> None:
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - then the first extraction starts it, as it always did
        logging.getLogger(__name__).warning("extraction warm-up failed", exc_info=True)
