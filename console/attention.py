"""GET /admin/console/attention/: "Needs attention", everything waiting for an operator in one list.

Failed and rejected pitches, failed write-backs, runs whose tool calls failed (last 7 days), paused
pipelines and failing intakes, suggested CRM changes awaiting review, webhook events given up on.
Each row links to the page where its action is taken (Evaluate again, Retry write-back, Resume
now, Approve/Reject…). Reads only through pipelines.selectors and vicbot.selectors; a section is
shown only to users who may view its objects.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.formatting import number, when
from pipelines import selectors as pitch_reads
from vicbot import selectors as run_reads

ATTENTION_PERMISSION = "vicbot.view_attention"
ROWS_PER_SECTION = 50
TOOL_FAILURES_DAYS = 7


def _section(key: str, title: str, rows: list[dict], total: int, see_all: str = "") -> dict:
    return {"key": key, "title": title, "rows": rows, "total": total, "total_text": number(total),
            "more": total > len(rows), "see_all": see_all}


def _short(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failed_pitches() -> dict:
    found = pitch_reads.pitches_failed()
    rows = [{"name": str(p), "where": p.pipeline.name, "state": p.get_status_display(), "why": _short(p.error),
             "when": when(p.updated_at), "url": reverse("admin:pipelines_pitch_change", args=[p.pk]),
             "action": "Evaluate again (on its page)"} for p in found[:ROWS_PER_SECTION]]
    return _section("pitches", "Failed or rejected pitches", rows, found.count(),
                    reverse("admin:pipelines_pitch_changelist") + "?status__in=failed,rejected")


def failed_writebacks() -> dict:
    found = pitch_reads.writebacks_failed()
    rows = [{"name": str(p), "where": p.pipeline.name, "state": "write-back failed", "why": _short(p.writeback_error),
             "when": when(p.updated_at), "url": reverse("admin:pipelines_pitch_change", args=[p.pk]),
             "action": "Retry write-back (on its page)"} for p in found[:ROWS_PER_SECTION]]
    return _section("writebacks", "Failed write-backs", rows, found.count())


def runs_with_tool_failures(now) -> dict:
    found = run_reads.runs_with_failed_tool_calls(since=now - timedelta(days=TOOL_FAILURES_DAYS))
    rows = [{"name": f"Run {r.pk}", "where": r.assistant.name, "state": r.get_status_display(),
             "why": f"{r.failed_call_count} tool call{'s' if r.failed_call_count != 1 else ''} failed",
             "when": when(r.created_at), "url": reverse("admin:vicbot_run_change", args=[r.pk]),
             "action": "Read the failed calls (Re-run from its page)"} for r in found[:ROWS_PER_SECTION]]
    return _section("tool-failures", f"Runs with failed tool calls ({TOOL_FAILURES_DAYS} days)", rows, found.count(),
                    reverse("admin:vicbot_run_changelist") + "?tool_failed=any")


def stopped_pipelines() -> dict:
    found = list(pitch_reads.pipelines_paused_or_failing())
    rows = []
    for p in found:
        if p.paused_at is not None:
            rows.append({"name": p.name, "where": "", "state": p.get_state_display(), "why": _short(p.pause_reason),
                         "when": when(p.paused_at), "url": reverse("admin:pipelines_pipeline_change", args=[p.pk]),
                         "action": "Resume now (on its page)"})
        elif pitch_reads.intake_failing(p):
            rows.append({"name": p.name, "where": "", "state": "intake failing", "why": _short(p.last_intake_error),
                         "when": when(p.last_intake_error_at),
                         "url": reverse("admin:pipelines_pipeline_change", args=[p.pk]),
                         "action": "Check its Salesforce settings"})
    return _section("pipelines", "Paused pipelines and failing intakes", rows, len(rows))


def suggestions() -> dict:
    found = run_reads.suggested_changes_awaiting_review()
    rows = [{"name": f"{s.sobject} {s.record_id or '(new)'}", "where": f"Run {s.run_id}",
             "state": s.get_status_display(), "why": _short(s.reason), "when": when(s.created_at),
             "url": reverse("admin:vicbot_suggestedchange_change", args=[s.pk]),
             "action": "Approve or reject (on its page)"} for s in found[:ROWS_PER_SECTION]]
    return _section("suggestions", "Suggested CRM changes awaiting review", rows, found.count(),
                    reverse("admin:vicbot_suggestedchange_changelist") + "?status__exact=pending")


def webhook_failures() -> dict:
    found = run_reads.webhook_events_failed()
    rows = [{"name": f"{e.event_type} {e.response_id}", "where": "", "state": "given up", "why": _short(e.error),
             "when": when(e.failed_at), "url": reverse("admin:vicbot_webhookevent_change", args=[e.pk]),
             "action": "Read the error (the run's tick polls it meanwhile)"} for e in found[:ROWS_PER_SECTION]]
    return _section("webhooks", "Failed webhook events", rows, found.count())


# Which sections a user sees: each needs the view permission of the objects it lists.
SECTIONS = (
    ("pipelines.view_pitch", lambda now: failed_pitches()),
    ("pipelines.view_pitch", lambda now: failed_writebacks()),
    ("vicbot.view_run", runs_with_tool_failures),
    ("pipelines.view_pipeline", lambda now: stopped_pipelines()),
    ("vicbot.view_suggestedchange", lambda now: suggestions()),
    ("vicbot.view_webhookevent", lambda now: webhook_failures()),
)


def attention_sections(user, now=None) -> list[dict]:
    now = now or timezone.now()
    return [build(now) for permission, build in SECTIONS if user.has_perm(permission)]


@require_GET
@staff_member_required
def attention(request):
    if not request.user.has_perm(ATTENTION_PERMISSION):
        raise PermissionDenied
    sections = attention_sections(request.user)
    context = {**admin.site.each_context(request), "title": "Needs attention", "sections": sections,
               "now": when(timezone.now()), "nothing": not any(s["total"] for s in sections)}
    return render(request, "console/attention.html", context)
