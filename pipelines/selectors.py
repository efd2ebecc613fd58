"""Reads of pipelines and pitches that several places need: admission and the ticks, the console's
pages and the operator's commands. One definition each, so "waiting" or "spent today" cannot mean
one thing on the dashboard and another to admission.

Reads only: nothing here changes a row. Engine reads (runs, workers) go through vicbot.runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from pipelines.models import Pipeline, Pitch
from pipelines.services.spend import Spend
from vicbot.runs import TERMINAL_STATUSES, Run

# Waiting for a run: a new pitch, or one whose retry is scheduled.
WAITING = (Pitch.Status.NEW, Pitch.Status.RETRY_WAITING)
# Ended without an answer for an operator to look at (rejected: intake could not store the record).
ENDED_UNANSWERED = (Pitch.Status.FAILED, Pitch.Status.REJECTED)
# A pitch intake has just recorded is that pass's to admit; the tick takes those left waiting longer.
LEFT_WAITING = timedelta(seconds=5)


def waiting_for_a_run(now: datetime | None = None) -> Q:
    """Pitches waiting for a run; with `now`, only those admission may start now (new ones, and
    retries whose time has come)."""
    if now is None:
        return Q(status__in=WAITING)
    return Q(status=Pitch.Status.NEW) | Q(status=Pitch.Status.RETRY_WAITING, next_attempt_at__lte=now)


def pitches_waiting(*, pipeline: Pipeline | None = None, due_at: datetime | None = None) -> QuerySet[Pitch]:
    """All pitches waiting for a run (the console's count), or with `due_at` those that may start then."""
    pitches = Pitch.objects.filter(waiting_for_a_run(due_at))
    return pitches if pipeline is None else pitches.filter(pipeline=pipeline)


def waiting_by_pipeline() -> dict[int, int]:
    """Pipeline id -> pitches waiting for a run (pipelines with none are left out)."""
    return dict(pitches_waiting().order_by().values_list("pipeline").annotate(n=Count("id"))
                .values_list("pipeline", "n"))


def pipelines_with_work_due(now: datetime | None = None) -> list[int]:
    """For the tick: pipelines with pitches waiting for a run (new ones left waiting, e.g. by the
    backlog or by other pipelines using the model's room; retries now due), or a pause whose probe
    or new day has come."""
    now = now or timezone.now()
    left_waiting = Q(status=Pitch.Status.NEW, updated_at__lte=now - LEFT_WAITING) | Q(status=Pitch.Status.RETRY_WAITING)
    waiting = pitches_waiting(due_at=now).filter(left_waiting, pipeline__enabled=True, pipeline__paused_at__isnull=True)
    pauses = Pipeline.objects.filter(enabled=True, paused_at__isnull=False, probe_at__lte=now)
    waiting_pipelines = waiting.order_by().values_list("pipeline_id", flat=True).distinct()
    return sorted({*waiting_pipelines, *pauses.values_list("pk", flat=True)})


def pipeline_spend(pipeline: Pipeline, *, now: datetime | None = None) -> Spend:
    """Today's (UTC) spend of the pipeline's runs: what ended runs cost, and what runs in flight reserved.

    A run's reservation stops counting when it ends: its actual cost, priced in the same
    step, replaces it.
    """
    start = (now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    runs = Run.objects.filter(pitches__pipeline=pipeline, created_at__gte=start)
    totals = runs.aggregate(spent=Sum("cost_usd"),
                            reserved=Sum("reserved_cost_usd", filter=~Q(status__in=TERMINAL_STATUSES)))
    return Spend(spent=totals["spent"] or Decimal(0), reserved=totals["reserved"] or Decimal(0),
                 cap=pipeline.daily_spend_cap_usd)


def intake_failing(pipeline: Pipeline) -> bool:
    """Its last intake pass failed (an error newer than the last pass that went through)."""
    return bool(pipeline.last_intake_error) and (
        pipeline.last_intake_at is None or pipeline.last_intake_error_at is None  # an error of unknown age: shown
        or pipeline.last_intake_error_at >= pipeline.last_intake_at)


def pipelines_paused_or_failing() -> QuerySet[Pipeline]:
    """Pipelines an operator may need to look at: paused, or with an intake error on record (whether
    it is still failing: intake_failing)."""
    return Pipeline.objects.filter(Q(paused_at__isnull=False) | ~Q(last_intake_error="")).order_by("name")


def pitches_failed() -> QuerySet[Pitch]:
    """Pitches that ended without an answer (failed, or rejected at intake), newest first."""
    return Pitch.objects.filter(status__in=ENDED_UNANSWERED).select_related("pipeline").order_by("-updated_at")


def writebacks_failed() -> QuerySet[Pitch]:
    """Pitches with an answer whose write-back failed (those already counted as failed left out)."""
    return (Pitch.objects.filter(writeback_state=Pitch.WriteBack.FAILED).exclude(status__in=ENDED_UNANSWERED)
            .select_related("pipeline").order_by("-updated_at"))


@dataclass(frozen=True)
class PipelineSummary:
    """A pipeline's state at a glance, as the dashboard lists it."""

    pipeline: Pipeline
    paused: bool
    intake_failing: bool
    waiting: int
    spend: Spend


def pipeline_summaries(now: datetime | None = None) -> list[PipelineSummary]:
    now = now or timezone.now()
    waiting = waiting_by_pipeline()
    return [PipelineSummary(pipeline=pipeline, paused=pipeline.paused_at is not None,
                            intake_failing=intake_failing(pipeline), waiting=waiting.get(pipeline.pk, 0),
                            spend=pipeline_spend(pipeline, now=now))
            for pipeline in Pipeline.objects.select_related("schedule__interval").order_by("name")]
