"""The dashboard: what an operator checks first (is it working, what did it cost, what failed)."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.charts import bar_chart
from console.formatting import dollars, seconds, when
from console.setup_checklist import setup_checklist
from pipelines.models import Pipeline
from pipelines.selectors import pipeline_summaries
from pipelines.services.notifications import notifications_recent
from pipelines.services.pipelines import pipeline_condition
from vicbot import selectors
from vicbot.runs import RunStatus

DAYS = 30


def start_of_today(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def runs_by_status_today(now: datetime) -> list[dict]:
    counts = selectors.runs_by_status_created_since(start_of_today(now))
    return [{"status": value, "label": label, "count": counts.get(value, 0)} for value, label in RunStatus.choices]


def per_day(now: datetime) -> list[dict]:
    """Finished runs per UTC day over the last 30 days: evaluations, cost and PitchBook credits."""
    first_day = start_of_today(now) - timedelta(days=DAYS - 1)
    by_day = selectors.runs_ended_per_day(first_day)
    days = []
    for offset in range(DAYS):
        day: date = (first_day + timedelta(days=offset)).date()
        row = by_day.get(day) or selectors.DayOfRuns(day=day)
        days.append({"day": day, "evaluations": row.evaluations, "ended": row.ended, "cost": row.cost,
                     "credits": row.credits})
    return days


def run_times(now: datetime) -> dict:
    durations = selectors.run_durations_since(now - timedelta(days=DAYS))
    if not durations:
        return {"count": 0, "median": "—", "p95": "—"}
    p95 = durations[min(len(durations) - 1, max(0, round(0.95 * len(durations)) - 1))]
    return {"count": len(durations), "median": seconds(statistics.median(durations)), "p95": seconds(p95)}


def failures_by_reason(now: datetime) -> list[dict]:
    """Runs that failed, by error code; then tool calls that failed, by tool (a run can succeed with a
    tool that failed on every turn: the model was told the error instead of the facts)."""
    since = now - timedelta(days=DAYS)
    runs = reverse("admin:vicbot_run_changelist")
    return [{"reason": code or "(no code)", "count": count, "url": f"{runs}?error_code={code}"}
            for code, count in selectors.failures_by_reason_since(since)] + [
        {"reason": f"tool failed: {name}", "count": count, "url": f"{runs}?tool_failed={name}"}
        for name, count in selectors.failed_tool_calls_by_name_since(since)]


def next_pass(pipeline: Pipeline, now: datetime) -> str:
    task = pipeline.schedule
    if task is None:
        return "no schedule"
    if not task.enabled or not pipeline.enabled:
        return "schedule off"
    if task.interval is None:
        return "see its schedule"
    every = timedelta(seconds=task.interval.every * {"days": 86400, "hours": 3600, "minutes": 60,
                                                      "seconds": 1}.get(task.interval.period, 1))
    if task.last_run_at is None:
        return "due now"
    due = task.last_run_at + every
    return "due now" if due <= now else when(due)


def pipeline_states(now: datetime) -> list[dict]:
    states = []
    for summary in pipeline_summaries(now):
        pipeline, cap, spent = summary.pipeline, summary.pipeline.daily_spend_cap_usd, summary.spend.spent
        states.append({
            "pipeline": pipeline,
            "url": reverse("admin:pipelines_pipeline_change", args=[pipeline.pk]),
            "paused": summary.paused,
            "pause_reason": pipeline.pause_reason,
            "paused_at": when(pipeline.paused_at),
            "probe_at": when(pipeline.probe_at),
            "last_intake_at": when(pipeline.last_intake_at),
            "last_intake_error_at": when(pipeline.last_intake_error_at),
            "intake_failing": summary.intake_failing,
            "waiting": summary.waiting,
            "next_pass": next_pass(pipeline, now),
            "condition": pipeline_condition(pipeline),
            "api_usage": api_usage(pipeline.api_usage),
            "spent_today": dollars(spent),
            "cap": dollars(cap) if cap is not None else "no cap",
            "over_cap": cap is not None and spent >= cap,
        })
    return states


def api_usage(value: str) -> dict:
    """Pipeline.api_usage "used/limit" (the org's daily API requests, from Sforce-Limit-Info)."""
    try:
        used, limit = (int(part) for part in value.split("/"))
    except ValueError:
        return {"text": "not measured yet", "percent": None}
    percent = round(100 * used / limit, 1) if limit else None
    return {"text": f"{used:,} / {limit:,}", "percent": percent}


def workers(now: datetime) -> list[dict]:
    return [{"hostname": worker.hostname, "last_seen": when(worker.last_seen_at), "alive": worker.alive}
            for worker in selectors.workers_seen(now)]


def dashboard_context(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    days = per_day(now)
    today_cost = selectors.run_spend_created_since(start_of_today(now))
    caps = list(Pipeline.objects.filter(daily_spend_cap_usd__isnull=False).values_list("name", "daily_spend_cap_usd"))
    day_label = "%b %d"
    return {
        "now": when(now),
        "by_status": runs_by_status_today(now),
        "days": days,
        "evaluations_chart": bar_chart([(d["day"].strftime(day_label), d["evaluations"]) for d in days],
                                       title="Evaluations per day (30 days)", fmt=lambda v: f"{v:.0f}"),
        "cost_chart": bar_chart([(d["day"].strftime(day_label), float(d["cost"])) for d in days],
                                title="OpenAI cost per day (30 days)", fmt=lambda v: dollars(v), color="#7a5195"),
        "credits_chart": bar_chart([(d["day"].strftime(day_label), d["credits"]) for d in days],
                                   title="PitchBook credits per day (30 days)", fmt=lambda v: f"{v:.0f}",
                                   color="#ef5675"),
        "times": run_times(now),
        "failures": failures_by_reason(now),
        "pipelines": pipeline_states(now),
        "workers": workers(now),
        "any_worker_alive": any(w["alive"] for w in workers(now)),
        "spent_today": dollars(today_cost),
        "caps": [{"pipeline": name, "cap": dollars(cap)} for name, cap in caps],
        "setup_checklist": setup_checklist(),
        "notifications": notifications_recent(),
        "notify_channels": bool(settings.NOTIFY_SLACK_WEBHOOK_URL or settings.NOTIFY_EMAIL_TO),
        "totals_30d": {"evaluations": sum(d["evaluations"] for d in days), "cost": dollars(sum(d["cost"] for d in days)),
                       "credits": sum(d["credits"] for d in days)},
    }


# Costs, failures and every pipeline's state: more than any one run's page shows, so it has its
# own permission (Run.Meta.permissions), not mere staff status.
DASHBOARD_PERMISSION = "vicbot.view_dashboard"


@require_GET
@staff_member_required
def dashboard(request):
    if not request.user.has_perm(DASHBOARD_PERMISSION):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": "Dashboard", **dashboard_context()}
    return render(request, "console/dashboard.html", context)
