"""Admission: starting runs for waiting pitches, up to each pipeline's in-flight limit."""

from __future__ import annotations

from django.db import transaction

from pipelines.models import Pipeline, Pitch
from pipelines.services.evaluation import PITCH_EVALUATED
from pipelines.services.prompt import pitch_prompt
from pipelines.states import PITCH_STATES
from vicbot.runs import Run, start_run


@transaction.atomic
def pitch_evaluate(*, pitch: Pitch, operation: str = "admit", trigger: Run.Trigger = Run.Trigger.SCHEDULE) -> Run | None:
    """Start a run for `pitch` and make it the pitch's current one (None if the pitch moved meanwhile)."""
    if not PITCH_STATES.apply(pitch.pk, operation, error=""):
        return None
    pipeline = pitch.pipeline
    run = start_run(
        assistant=pipeline.assistant_name,
        input=pitch_prompt(pipeline, record_id=pitch.salesforce_id, snapshot=pitch.snapshot),
        metadata={"pitch": str(pitch.pk), "pipeline": pipeline.name, "salesforce_id": pitch.salesforce_id},
        on_complete=PITCH_EVALUATED,
        trigger=trigger,
    )
    Pitch.objects.filter(pk=pitch.pk).update(latest_run=run)
    pitch.runs.add(run)
    return run


@transaction.atomic
def pitches_admit(*, pipeline_id: int) -> int:
    """Start runs for waiting pitches, oldest first, up to the pipeline's in-flight limit."""
    # The pipeline row lock makes admissions take turns (a pass and a finished run's
    # admit may overlap), so two of them never both fill the same free slot.
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline_id)
    if not pipeline.enabled:
        return 0
    in_flight = pipeline.pitches.filter(status=Pitch.Status.EVALUATING).count()
    room = max(pipeline.max_in_flight - in_flight, 0)
    waiting = list(pipeline.pitches.filter(status=Pitch.Status.NEW).order_by("system_modstamp", "pk")[:room])
    return sum(pitch_evaluate(pitch=pitch) is not None for pitch in waiting)
