"""What the engine's tasks name in every log line: the run, the tool call, and the ids an app
keeps in the run's metadata (the pipeline registers its "pitch" key through vicbot.runs)."""

from __future__ import annotations

from config.enqueue import Task
from config.log_context import register_task_ids

_metadata_keys: list[str] = []


def log_metadata_key(key: str) -> None:
    """Name `key` of a run's metadata in the log lines of the run's tasks (e.g. `pitch=4`)."""
    if key not in _metadata_keys:
        _metadata_keys.append(key)


def run_ids(args: list) -> dict:
    from vicbot.models import Run

    run_id = args[0]
    # Unordered (not .first()): a task's first query, for every task; no ordering to compile.
    row = next(iter(Run.objects.filter(pk=run_id).values_list("pk", *(f"metadata__{k}" for k in _metadata_keys))
                    .order_by()[:1]), None)
    return {"run": run_id, **_metadata_ids(row)}


def tool_call_ids(args: list) -> dict:
    from vicbot.models import ToolCall

    call_id = args[0]
    row = ToolCall.objects.filter(pk=call_id).values_list(
        "run_id", *(f"run__metadata__{k}" for k in _metadata_keys)).first()
    return {**({"run": row[0]} if row else {}), **_metadata_ids(row), "tool_call": call_id}


def _metadata_ids(row: tuple | None) -> dict:
    """The metadata values after the row's first column, under their keys."""
    return dict(zip(_metadata_keys, row[1:], strict=True)) if row else {}


def register_log_ids() -> None:
    register_task_ids(Task.RUN_ADVANCE, run_ids)
    register_task_ids(Task.TOOL_CALL_EXECUTE, tool_call_ids)
