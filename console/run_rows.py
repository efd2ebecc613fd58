"""A run as one row of the runs list: what an operator scans for, and what a live row refreshes.

The admin's list columns and the live endpoint (console.live.run_rows_live) read the same dict, so
a refreshed row says exactly what a reloaded page would. Runs come from `with_row_facts` (their
pitches and tool-call counts in the same few queries, however long the page).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from console.formatting import dollars, number, seconds
from console.timeline import answer_parts
from vicbot.models import TERMINAL_STATUSES, Run, ToolCall


def with_row_facts(runs: QuerySet) -> QuerySet:
    return runs.select_related("assistant").prefetch_related("pitches").annotate(
        call_count=Count("tool_calls", distinct=True),
        failed_call_count=Count("tool_calls", filter=Q(tool_calls__status=ToolCall.Status.FAILED), distinct=True),
    )


def run_duration(run: Run) -> str:
    """How long it took; a run still going says how long so far."""
    if run.duration_seconds is not None:
        return seconds(run.duration_seconds)
    if run.started_at and run.status not in TERMINAL_STATUSES:
        return f"{seconds((timezone.now() - run.started_at).total_seconds())} so far"
    return "—"


def run_pitches(run: Run) -> list[dict]:
    found = []
    for pitch in run.pitches.all():
        try:
            url = reverse("admin:pipelines_pitch_change", args=[pitch.pk])
        except NoReverseMatch:
            url = ""
        found.append({"name": str(pitch), "url": url})
    return found


def run_row(run: Run, *, show_pitch: bool) -> dict:
    calls = getattr(run, "call_count", None)
    failed = getattr(run, "failed_call_count", None)
    if calls is None:
        calls = run.tool_calls.count()
        failed = run.tool_calls.filter(status=ToolCall.Status.FAILED).count()
    answer = answer_parts(run)
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "error_code": run.error_code,
        "is_terminal": run.status in TERMINAL_STATUSES,
        "assessment": answer["assessment"] or "—",
        "duration": run_duration(run),
        "tool_calls": number(calls),
        "failed_calls": failed,
        "tool_failed": f"{failed} failed" if failed else "",
        "tokens": number(run.input_tokens + run.output_tokens),
        "cost": dollars(run.cost_usd),
        "pitches": run_pitches(run) if show_pitch else [],
    }
