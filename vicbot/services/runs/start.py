from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from config.enqueue import Priority, enqueue_run_advance
from tools.registry import registry
from vicbot.models import Assistant, Run
from vicbot.services.runs.cost_estimate import run_cost_estimate
from vicbot.services.runs.handlers import completion_handler, rerun_for

# If the first message is lost, the tick starts the run this much later.
START_SAFETY_NET = timedelta(seconds=60)


def start_run(
    *,
    assistant: str,
    input: str,
    input_items: list[dict] | None = None,
    tools: list[str] | None = None,
    metadata: dict[str, str] | None = None,
    on_complete: str = "",
    trigger: Run.Trigger = Run.Trigger.CODE,
    version: int | None = None,
    read_only: bool = False,
    replay_calls: list[dict] | None = None,
    service_tier: str = "",
    background: bool = False,
) -> Run:
    """Persist a run and start it once the surrounding transaction commits.

    `tools` defaults to the assistant's; which of them are offered (those whose integration is
    configured) is decided in the worker at the first turn (runs/offer.py). `on_complete` is the key
    of a registered completion handler. An unknown tool or handler key is an error now, not later.
    `input_items`: Responses API content items sent after the input text in the first turn (e.g.
    `{"type": "input_file", "file_id": …}`).

    For evaluations: `version` pins an assistant version (default: the newest); `read_only`
    never offers a tool that writes, whatever the version allows; `replay_calls` (a list of
    {"name", "arguments", "output"}) makes it a replay: every tool call is answered from it and
    no tool runs (implies read_only); `service_tier` overrides the version's (e.g. "flex").

    `background` (a pipeline's backlog): every step of the run waits behind every other run's steps.
    """
    try:
        if version is None:
            version_row = Assistant.objects.current(assistant)
        else:
            version_row = Assistant.objects.get(name=assistant, version=version)
    except Assistant.DoesNotExist:
        raise ValueError(f"No assistant is named {assistant!r}"
                         + (f" with a version {version}" if version is not None else "")) from None
    version = version_row
    if service_tier and service_tier not in Assistant.ServiceTier.values:
        raise ValueError(f"Unknown service tier {service_tier!r}")
    replay = None
    if replay_calls is not None:
        replay = [{"name": str(call["name"]), "arguments": call.get("arguments", ""),
                   "output": str(call.get("output") or "")} for call in replay_calls]
        read_only = True
    if not input or not input.strip():
        raise ValueError("A run needs some input")
    if on_complete:
        completion_handler(on_complete)  # an unknown key fails the caller now, not the run later
    names = list(version.tool_names if tools is None else tools)
    reg = registry()
    unknown = sorted(set(names) - set(reg.names()))
    if unknown:
        raise ValueError(f"Unknown tools: {', '.join(unknown)} (registered: {', '.join(reg.names())})")

    now = timezone.now()
    run = Run.objects.create(
        assistant=version,
        model=version.effective_model,
        trigger=trigger,
        input=input,
        input_items=list(input_items or []),
        metadata={str(k): str(v) for k, v in (metadata or {}).items()},
        # The request only: the worker decides what is offered, with its own settings (runs/offer.py).
        tools_requested=None if tools is None else names,
        read_only=read_only,
        service_tier=service_tier,
        background=background,
        replay_calls=replay,
        completion_handler=on_complete,
        deadline_at=now + timedelta(seconds=version.run_deadline_seconds),
        next_check_at=now + START_SAFETY_NET,
        # Counted against a spend cap until the run's actual cost, priced when it ends, replaces it.
        reserved_cost_usd=run_cost_estimate(version),
    )
    # Runs already in flight go first; a backlog's run after every other run's steps.
    enqueue_run_advance(run.pk, priority=Priority.BACKLOG if background else Priority.NEW)
    return run


def run_rerun(*, run_id: int, confirmed_by: str = "") -> Run | None:
    """A fresh run with the same input on the assistant's current version; the old run is kept.

    A run whose completion handler registered its own re-run (a pitch's) is re-run that
    way, so the new run becomes the one its owner waits for and goes through its owner's
    rules (a pipeline's spend cap and in-flight limit); None if the owner queued or declined
    it. The owner may refuse with StartRefused; `confirmed_by` names the user who confirmed
    a start past such a refusal while holding the permission the refusal names.
    """
    old = Run.objects.select_related("assistant").get(pk=run_id)
    if rerun := rerun_for(old.completion_handler):
        return rerun(old, confirmed_by=confirmed_by)
    return start_run(
        assistant=old.assistant.name,
        input=old.input,
        input_items=old.input_items,
        # What the old run asked for (None: its assistant's tools), offered anew by the worker; never
        # the old run's offer, which a process without some integration's settings may have thinned.
        tools=old.tools_requested,
        metadata={**old.metadata, "rerun_of": str(old.pk)},
        on_complete=old.completion_handler,
        trigger=Run.Trigger.ADMIN,
        # A replay stays a replay (never let loose on live tools), at the tier it asked.
        replay_calls=old.replay_calls, service_tier=old.service_tier, background=old.background,
    )
