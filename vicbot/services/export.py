"""Finished runs as JSONL, one run per line, for evaluation sets and fine-tuning.

Streamed: runs are read in chunks with `.iterator()`, each chunk's tool calls and assistant
fetched in one query for the chunk, and each line written as soon as it is built, so
100,000 runs take the memory of one chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from django.db.models import Prefetch, QuerySet

from vicbot.models import TERMINAL_STATUSES, Run, RunExport, ToolCall

CHUNK_SIZE = 500


def runs_for_export(*, since: datetime | None = None, assistant: str | None = None,
                    status: str | None = None) -> QuerySet[Run]:
    runs = Run.objects.filter(status__in=TERMINAL_STATUSES)
    if since is not None:
        runs = runs.filter(finished_at__gte=since)
    if assistant:
        runs = runs.filter(assistant__name=assistant)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("finished_at", "pk")


def _arguments(text: str):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return text  # kept as the model sent it


def run_export_record(run: Run) -> dict:
    turns: dict[int, list[dict]] = {}
    for call in run.tool_calls.all():  # prefetched, in (turn, id) order
        turns.setdefault(call.turn, []).append({
            "call_id": call.call_id, "name": call.name, "arguments": _arguments(call.arguments),
            "output": call.output, "status": call.status, "error": call.error,
            "duration_ms": call.duration_ms,
            "usage": None if call.usage_unknown else call.usage,  # None: recorded before calls had their own
        })
    assistant = run.assistant
    return {
        "run_id": run.pk,
        "assistant": {"name": assistant.name, "version": assistant.version},
        "model": run.model,
        "outcome": run.status,
        "error": {"code": run.error_code, "message": run.error_message} if run.error_code else None,
        "input": run.input,
        "metadata": run.metadata,
        "turns": [{"turn": number, "tool_calls": calls} for number, calls in sorted(turns.items())],
        "model_turns": run.turn,
        "answer": run.output_json if run.output_json is not None else (run.output_text or None),
        "refusal": run.refusal or None,
        "usage": {"input_tokens": run.input_tokens, "cached_input_tokens": run.cached_input_tokens,
                  "output_tokens": run.output_tokens, "reasoning_tokens": run.reasoning_tokens,
                  # None: some calls' spend cannot be told (vicbot migration 0021); the total would be short.
                  "tools": None if run.tool_usage_unknown else run.tool_usage},
        "cost_usd": str(run.cost_usd) if run.cost_usd is not None else None,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def export_lines(runs: QuerySet[Run], *, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """One JSON line (with its newline) per run, read `chunk_size` runs at a time."""
    runs = runs.select_related("assistant").prefetch_related(
        Prefetch("tool_calls", queryset=ToolCall.objects.order_by("turn", "id")))
    for run in runs.iterator(chunk_size=chunk_size):
        yield json.dumps(run_export_record(run), ensure_ascii=False, default=str) + "\n"


def export_runs_jsonl(runs: QuerySet[Run], *, out: TextIO, chunk_size: int = CHUNK_SIZE) -> int:
    count = 0
    for line in export_lines(runs, chunk_size=chunk_size):
        out.write(line)
        count += 1
    return count


def run_export_log(*, run_count: int, source: str, user=None, exported_by: str = "",
                   filters: dict | None = None) -> RunExport:
    """Record who took runs out of Vicbot (runs hold pitch data): every export, admin or command."""
    name = exported_by or (user.get_username() if user is not None else "") or "command"
    return RunExport.objects.create(user=user, exported_by=name[:150], source=source, run_count=run_count,
                                    filters=filters or {})
