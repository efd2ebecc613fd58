"""Reads of the engine's records that code outside the engine needs (the console, commands): runs
by status, spend, run times, failures by reason, workers alive, model capacity.

Each returns plain values, never a queryset to build on: how the rows are stored stays the
engine's business. Writes go through vicbot.runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from vicbot.capacity import throttle_now
from vicbot.models import (TERMINAL_STATUSES, ModelCapacity, Run, RunStatus, SuggestedChange, ToolCall, WebhookEvent,
                           WorkerHeartbeat)
from vicbot.services.heartbeats import worker_silent_after

FAILED_STATUSES = (RunStatus.FAILED, RunStatus.TIMED_OUT)


def runs_by_status_created_since(since: datetime) -> dict[str, int]:
    """How many runs created since `since` are in each status (statuses without runs left out)."""
    return dict(Run.objects.filter(created_at__gte=since).values_list("status")
                .annotate(n=Count("id")).values_list("status", "n"))


@dataclass(frozen=True)
class DayOfRuns:
    day: date
    evaluations: int = 0  # runs that succeeded
    ended: int = 0  # runs that ended, however
    cost: Decimal = Decimal(0)
    credits: int = 0  # PitchBook credits the runs' tools spent


def runs_ended_per_day(since: datetime) -> dict[date, DayOfRuns]:
    """Runs that ended since `since`, per UTC day (days without runs left out)."""
    rows = (
        Run.objects.filter(finished_at__gte=since, status__in=TERMINAL_STATUSES)
        .annotate(day=TruncDate("finished_at"))
        .values("day")
        .annotate(
            evaluations=Count("id", filter=Q(status=RunStatus.SUCCEEDED)),
            ended=Count("id"),
            cost=Coalesce(Sum("cost_usd"), Decimal(0)),
            credits=Coalesce(Sum(Cast(KT("tool_usage__pitchbook_credits"), IntegerField())), 0),
        )
    )
    return {row["day"]: DayOfRuns(**row) for row in rows}


def run_durations_since(since: datetime) -> list[float]:
    """Seconds from start to end of each run that ended since `since`, shortest first."""
    finished = Run.objects.filter(finished_at__gte=since, started_at__isnull=False,
                                  status__in=TERMINAL_STATUSES).values_list("started_at", "finished_at")
    return sorted((end - start).total_seconds() for start, end in finished.iterator())


def failures_by_reason_since(since: datetime) -> list[tuple[str, int]]:
    """(error code, count) of runs that failed or timed out since `since`, most frequent first."""
    rows = (Run.objects.filter(finished_at__gte=since, status__in=FAILED_STATUSES)
            .values("error_code").annotate(n=Count("id")).order_by("-n", "error_code"))
    return [(row["error_code"], row["n"]) for row in rows]


# A tool call that did not tell the model what it asked (the model was told the error instead).
FAILED_CALL_STATUSES = (ToolCall.Status.FAILED, ToolCall.Status.TIMED_OUT)


def failed_tool_calls_by_name_since(since: datetime) -> list[tuple[str, int]]:
    """(tool name, count) of tool calls that failed or timed out since `since`, most frequent first."""
    # Over the same window as failures_by_reason_since: runs that ended since, and runs still going.
    window = Q(run__finished_at__gte=since) | Q(run__finished_at__isnull=True, run__created_at__gte=since)
    rows = (ToolCall.objects.filter(window, status__in=FAILED_CALL_STATUSES)
            .values("name").annotate(n=Count("id")).order_by("-n", "name"))
    return [(row["name"], row["n"]) for row in rows]


def runs_with_failed_tool_calls(since: datetime | None = None):
    """Runs with at least one tool call that failed or timed out (each once), newest first, with
    `failed_call_count`."""
    calls = Q(tool_calls__status__in=FAILED_CALL_STATUSES)
    runs = Run.objects.filter(calls)
    if since is not None:
        runs = runs.filter(created_at__gte=since)
    return (runs.annotate(failed_call_count=Count("tool_calls", filter=calls, distinct=True))
            .select_related("assistant").order_by("-created_at").distinct())


def suggested_changes_awaiting_review():
    """Suggested CRM changes nobody has decided on yet, and approved ones whose write failed."""
    return (SuggestedChange.objects.filter(status__in=(SuggestedChange.Status.PENDING, SuggestedChange.Status.FAILED))
            .order_by("created_at"))


def webhook_events_failed():
    """Webhook events given up on after their last attempt, newest first."""
    return WebhookEvent.objects.filter(failed_at__isnull=False, processed_at__isnull=True).order_by("-failed_at")


def run_spend_created_since(since: datetime) -> Decimal:
    """What the runs created since `since` cost so far (all of them, whoever started them)."""
    runs = Run.objects.filter(created_at__gte=since)
    return runs.aggregate(total=Coalesce(Sum("cost_usd"), Decimal(0)))["total"]


@dataclass(frozen=True)
class Worker:
    hostname: str
    last_seen_at: datetime
    alive: bool  # reported within HEALTH_HEARTBEAT_MAX_AGE_SECONDS and not stopped since


def workers_seen(now: datetime | None = None) -> list[Worker]:
    """Every worker that ever reported, latest first (see vicbot.services.heartbeats)."""
    now = now or timezone.now()
    silent_after = worker_silent_after()
    return [Worker(beat.hostname, beat.last_seen_at, beat.stopped_at is None and now - beat.last_seen_at <= silent_after)
            for beat in WorkerHeartbeat.objects.order_by("-last_seen_at")]


def model_throttle_now(capacity: ModelCapacity, now: datetime | None = None) -> float:
    """The model's throttle now (1.0: full speed), as it recovered since its last 429."""
    return throttle_now(capacity.throttle, capacity.throttled_at, now or timezone.now())


def runs_stuck(*, unchanged_since: datetime, now: datetime | None = None,
               limit: int) -> tuple[int, list[Run]]:
    """Runs not ended that have not changed since `unchanged_since`, or are past their deadline: how
    many, and the `limit` longest unchanged."""
    now = now or timezone.now()
    stuck = (Run.objects.exclude(status__in=TERMINAL_STATUSES)
             .filter(Q(updated_at__lt=unchanged_since) | Q(deadline_at__lt=now)).order_by("updated_at"))
    return stuck.count(), list(stuck[:limit])
