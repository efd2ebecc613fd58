"""Pausing a pipeline when something systemic is wrong, and resuming it.

While paused, intake still records new pitches but no run starts — except one probe run
once the cool-down has passed (30 s, doubling up to 30 min). A probe that gets past the
problem resumes the pipeline by itself; an operator can resume it at once. A daily spend
cap pauses it the same way until the next UTC day; what counts against the cap is today's
spend plus what runs still in flight reserved (pipelines.selectors.pipeline_spend).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.enqueue import enqueue_pitches_admit
from core.retry import RetryPolicy
from pipelines.models import Pipeline
from pipelines.services.notifications import Kind, notify
from pipelines.services.spend import Spend
from pipelines.states import PIPELINE_STATES


def probe_cool_down() -> RetryPolicy:
    return RetryPolicy(base_seconds=settings.PIPELINE_PROBE_SECONDS, cap_seconds=30 * 60)


# What a pause leaves on the pipeline, cleared when it runs again (or is switched off).
NOT_PAUSED = {"paused_at": None, "pause_reason": "", "probe_at": None, "pause_probes": 0, "probe_run": None,
              "pause_pitch": None}


def pipeline_pause(*, pipeline_id: int, reason: str, run_id: int | None = None, pitch_id: int | None = None) -> None:
    """Pause for a systemic failure; each further failed probe doubles the cool-down.

    `pitch_id`: the pitch whose run failed. It is put back first in line, so it is kept, so that the
    probe takes another pitch: were the fault its own after all, it cannot stall the pipeline by
    being the probe every time (six probes in a row on one poisoned pitch, issue 16)."""
    pipeline = Pipeline.objects.get(pk=pipeline_id)
    S = Pipeline.State
    if run_id is not None and pipeline.state in (S.PAUSED, S.PROBING) and pipeline.probe_run_id != run_id:
        # A run started before the pause, failing in the same outage, is not a failed probe: ten runs
        # in flight when OpenAI began answering 401 doubled the cool-down ten times (~1.4 h, chaos run).
        return
    now = timezone.now()
    if PIPELINE_STATES.apply(
        pipeline_id, "pause", note=reason,
        paused_at=Coalesce(F("paused_at"), now), pause_reason=reason,
        probe_at=now + timedelta(seconds=probe_cool_down().delay(pipeline.pause_probes + 1)),
        pause_probes=F("pause_probes") + 1, probe_run=None, pause_pitch_id=pitch_id,
    ):
        notify(Kind.PIPELINE_PAUSED, f"Pipeline {pipeline.name} paused: {reason}", pipeline_id=pipeline_id)


def pipeline_pause_for_spend(*, pipeline_id: int, spend: Spend) -> None:
    now = timezone.now()
    reason = f"Today's OpenAI spend reached the daily cap ({spend.sentence()}); resumes at 00:00 UTC."
    if PIPELINE_STATES.apply(pipeline_id, "pause_for_spend", note=reason, paused_at=now,
                             probe_at=next_utc_midnight(now), probe_run=None, pause_reason=reason):
        name = Pipeline.objects.filter(pk=pipeline_id).values_list("name", flat=True).first()
        notify(Kind.PIPELINE_PAUSED, f"Pipeline {name} paused: {reason}", pipeline_id=pipeline_id)


def pipeline_probe_started(*, pipeline_id: int, run_id: int) -> None:
    PIPELINE_STATES.apply(pipeline_id, "probe", note=f"run {run_id}", probe_run_id=run_id)


def pipeline_probe_again(*, pipeline_id: int, run_id: int) -> None:
    """The probe's pitch moved on without it (the record changed...): the next admission probes again."""
    PIPELINE_STATES.apply(pipeline_id, "probe_again", where={"probe_run_id": run_id}, probe_run=None)


def pipeline_resume(*, pipeline_id: int) -> bool:
    """Resume now (an operator, or a probe that succeeded); waiting pitches are admitted at once."""
    resumed = PIPELINE_STATES.apply(pipeline_id, "resume", **NOT_PAUSED)
    if resumed:
        enqueue_pitches_admit(pipeline_id)
        name = Pipeline.objects.filter(pk=pipeline_id).values_list("name", flat=True).first()
        notify(Kind.PIPELINE_RESUMED, f"Pipeline {name} resumed: runs start again.", pipeline_id=pipeline_id)
    return resumed


def pipeline_follow_enabled(*, pipeline_id: int) -> None:
    """The operator's `enabled` switch as a move: off disables the pipeline (a pause is forgotten), on runs it."""
    if PIPELINE_STATES.apply(pipeline_id, "disable", where={"enabled": False}, **NOT_PAUSED):
        return
    if PIPELINE_STATES.apply(pipeline_id, "enable", where={"enabled": True}):
        enqueue_pitches_admit(pipeline_id)


def next_utc_midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
