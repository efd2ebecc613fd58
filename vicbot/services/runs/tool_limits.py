"""How many tool calls a run may make: per turn and per run (VICBOT_MAX_TOOL_CALLS_PER_TURN, _PER_RUN);
and what its calls have spent, for the tools that keep a run under a limit of their own (PitchBook credits).

A model steered by a pitch (or simply looping) can ask for twenty pages in one turn, and every
call costs a thread, a connection, maybe an extraction child and PitchBook credits. Calls past
a limit are not run. Each still gets an answer, as OpenAI requires one per call_id: an error
that tells the model why, so it can go on with what it has. Its row is recorded as refused,
with the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from tools.base import error_result
from tools.run_usage import RunUsage
from vicbot.models import Run, ToolCall


def turn_refusals(run: Run, count: int) -> list[str | None]:
    """For each of the `count` calls of the run's new turn, in the model's order: None to run it,
    else why it is refused. Calls of earlier turns count against the run's limit unless refused."""
    made = ToolCall.objects.filter(run=run).exclude(status=ToolCall.Status.REFUSED).count()
    return refusals(count, made_before=made, per_turn=settings.VICBOT_MAX_TOOL_CALLS_PER_TURN,
                    per_run=settings.VICBOT_MAX_TOOL_CALLS_PER_RUN)


def refusals(count: int, *, made_before: int, per_turn: int, per_run: int) -> list[str | None]:
    """The first calls up to both limits run; the rest are refused, the run's limit named first
    (asking again in a later turn cannot help then)."""
    left_in_run = max(per_run - made_before, 0)
    reasons: list[str | None] = []
    for index in range(count):
        if index >= left_in_run:
            reasons.append(
                f"Not run: this run has reached its limit of {per_run} tool calls. No more tools can be "
                "called in this run; answer with what you have.")
        elif index >= per_turn:
            reasons.append(
                f"Not run: {count} tool calls were asked for in one turn and at most {per_turn} are run per "
                "turn. If this one still matters, ask for it again in your next turn.")
        else:
            reasons.append(None)
    return reasons


def refused_fields(reason: str | None) -> dict:
    """A new ToolCall row's fields: none to run it, else those of a refused row with the model's answer."""
    if reason is None:
        return {}
    result = error_result("tool_call_limit", reason, max_chars=settings.TOOL_OUTPUT_MAX_CHARS)
    return {"status": ToolCall.Status.REFUSED, "output": result.output, "error": result.error,
            "finished_at": timezone.now()}


def spent(usages: Iterable[dict | None]) -> RunUsage:
    """The metered units of these calls' recorded usage, for the calls running now to share."""
    total: dict[str, int] = {}
    for usage in usages:
        for unit, amount in (usage or {}).items():
            total[unit] = total.get(unit, 0) + amount
    return RunUsage(total)
