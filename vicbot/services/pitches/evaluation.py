"""Starting a pitch's run, and taking in its answer (the run's completion handler)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, ValidationError

from vicbot.models import Pitch, Pipeline, Run, RunStatus
from vicbot.services.pitches.prompt import pitch_prompt
from vicbot.services.pitches.writeback import writeback_queue
from vicbot.services.runs import start_run
from vicbot.services.runs.dispatch import send_after_commit

log = logging.getLogger(__name__)

COMPLETION_HANDLER = "vicbot.services.pitches.evaluation:pitch_run_completed"
PITCHES_ADMIT = "vicbot.pitches_admit"


class PitchAnswer(BaseModel):
    """The answer the pipeline writes back, validated like user input."""

    model_config = ConfigDict(extra="allow")
    Assessment: str
    Reasoning: str


@transaction.atomic
def pitch_evaluate(*, pitch: Pitch, trigger: Run.Trigger = Run.Trigger.SCHEDULE) -> Run:
    pipeline = pitch.pipeline
    run = start_run(
        assistant=pipeline.assistant_name,
        input=pitch_prompt(pipeline, record_id=pitch.salesforce_id, snapshot=pitch.snapshot),
        metadata={"pitch": str(pitch.pk), "pipeline": pipeline.name, "salesforce_id": pitch.salesforce_id},
        on_complete=COMPLETION_HANDLER,
        trigger=trigger,
    )
    pitch.runs.add(run)
    Pitch.objects.filter(pk=pitch.pk).update(
        status=Pitch.Status.EVALUATING, latest_run=run, error="", updated_at=timezone.now()
    )
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
    for pitch in waiting:
        pitch_evaluate(pitch=pitch)
    return len(waiting)


def pitch_run_completed(run: Run, outcome: str) -> None:
    """Completion handler: store the answer on the pitch before anything touches Salesforce."""
    pitch = Pitch.objects.select_related("pipeline").filter(pk=run.metadata.get("pitch")).first()
    if pitch is None or pitch.latest_run_id != run.pk:
        return  # a superseded run (the pitch was re-evaluated since): keep it, write nothing
    if outcome != RunStatus.SUCCEEDED:
        _pitch_failed(pitch, f"Run {run.pk} {outcome}: {run.error_code} {run.error_message}".strip())
        return
    try:
        answer = PitchAnswer.model_validate(run.output_json)
    except ValidationError as exc:
        _pitch_failed(pitch, f"Run {run.pk} answered without Assessment/Reasoning: {exc.errors()[0]['msg']}")
        return
    Pitch.objects.filter(pk=pitch.pk).update(
        status=Pitch.Status.EVALUATED, assessment=answer.Assessment[:255], reasoning=answer.Reasoning,
        error="", updated_at=timezone.now(),
    )
    writeback_queue(pitch_id=pitch.pk, pipeline_id=pitch.pipeline_id)
    # A slot is free: let the next waiting pitch in now rather than at the next pass.
    send_after_commit(PITCHES_ADMIT, pitch.pipeline_id)


def _pitch_failed(pitch: Pitch, message: str) -> None:
    log.warning("pitch %s: %s", pitch.pk, message)
    Pitch.objects.filter(pk=pitch.pk).update(status=Pitch.Status.FAILED, error=message, updated_at=timezone.now())
    send_after_commit(PITCHES_ADMIT, pitch.pipeline_id)
