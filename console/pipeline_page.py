"""A pipeline's page: is it running, paused (why, until when), and how did its last intake go."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from console.admin.pipelines import schedule_every_seconds
from console.dashboard import api_usage, next_pass
from console.formatting import dollars_exact, when
from pipelines.models import Pipeline
from pipelines.selectors import pipeline_spend, pitches_waiting


def pipeline_page(pipeline: Pipeline) -> dict:
    now = timezone.now()
    every = schedule_every_seconds(pipeline)
    return {
        "paused": pipeline.paused_at is not None,
        "paused_at": when(pipeline.paused_at),
        "probe_at": when(pipeline.probe_at),
        "every": f"every {every // 60} min" if every and every >= 60 else (f"every {every} s" if every else "none"),
        "task_enabled": bool(pipeline.schedule and pipeline.schedule.enabled),
        "next_pass": next_pass(pipeline, now),
        "last_intake_at": when(pipeline.last_intake_at),
        "last_intake_error_at": when(pipeline.last_intake_error_at),
        "waiting": pitches_waiting(pipeline=pipeline).count(),
        "api_usage": api_usage(pipeline.api_usage),
        "spent_today": dollars_exact((spend := pipeline_spend(pipeline, now=now)).spent),
        "reserved_today": dollars_exact(spend.reserved) if spend.reserved else "",
        "cap": dollars_exact(pipeline.daily_spend_cap_usd) if pipeline.daily_spend_cap_usd is not None else "no cap",
        "changelist_url": reverse("admin:pipelines_pipeline_changelist"),
        "pitches_url": reverse("admin:pipelines_pitch_changelist") + f"?pipeline__id__exact={pipeline.pk}",
    }
