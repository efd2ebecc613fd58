"""A pipeline's page: is it running, paused (why, until when), and how did its last intake go."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from console.admin.pipelines import schedule_every_seconds
from console.dashboard import api_usage, next_pass
from console.formatting import dollars_exact, when
from pipelines.models import Pipeline
from pipelines.selectors import pipeline_spend, pitches_waiting
from pipelines.services.admission import pipeline_model
from vicbot.runs import in_flight_allowance
from pipelines.services.pipelines import pipeline_condition


def pipeline_page(pipeline: Pipeline) -> dict:
    now = timezone.now()
    every = schedule_every_seconds(pipeline)
    return {
        "condition": pipeline_condition(pipeline),
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
        "what_limits": what_limits_runs(pipeline),
        "changelist_url": reverse("admin:pipelines_pipeline_changelist"),
        "pitches_url": reverse("admin:pipelines_pitch_changelist") + f"?pipeline__id__exact={pipeline.pk}",
    }


def what_limits_runs(pipeline: Pipeline) -> str:
    """One sentence: whether the pipeline's own cap or OpenAI's rate limits bound its runs in flight."""
    model = pipeline_model(pipeline)
    allowance = None if model is None else in_flight_allowance(model)
    cap = pipeline.max_in_flight
    if cap is None:
        return (f"No cap: OpenAI's rate limits decide how many run at once ({allowance} now)."
                if allowance is not None else "No cap: OpenAI's rate limits decide how many run at once.")
    if allowance is None:
        return f"Its cap of {cap} in flight is what holds its pitches back."
    if cap < allowance:
        return (f"Its cap of {cap} in flight, not OpenAI's limits ({allowance} now), is what holds its pitches back: "
                f"clear \"max in flight\" to let OpenAI's limits decide.")
    return f"OpenAI's rate limits ({allowance} at once now), not its cap of {cap}, are what hold its pitches back."
