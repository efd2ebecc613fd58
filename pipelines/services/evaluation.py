"""Taking in a pitch's answer: the completion handler of every pitch run."""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, ValidationError

from config.enqueue import enqueue_pitches_admit
from pipelines.models import Pitch
from pipelines.services.writeback import writeback_queue
from pipelines.states import PITCH_STATES
from vicbot.runs import Run, RunStatus, register_completion_handler

log = logging.getLogger(__name__)

# The key every pitch run stores: stable, whatever module the handler lives in.
PITCH_EVALUATED = "pipelines.pitch_evaluated"


class PitchAnswer(BaseModel):
    """The answer the pipeline writes back, validated like user input."""

    model_config = ConfigDict(extra="allow")
    Assessment: str
    Reasoning: str


@register_completion_handler(PITCH_EVALUATED)
def pitch_run_completed(run: Run, outcome: str) -> None:
    """Store the answer on the pitch before anything touches Salesforce."""
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
    if PITCH_STATES.apply(pitch.pk, "answer", assessment=answer.Assessment[:255], reasoning=answer.Reasoning,
                          error=""):
        writeback_queue(pitch_id=pitch.pk, pipeline_id=pitch.pipeline_id)
    # A slot is free: let the next waiting pitch in now rather than at the next pass.
    enqueue_pitches_admit(pitch.pipeline_id)


def _pitch_failed(pitch: Pitch, message: str) -> None:
    log.warning("pitch %s: %s", pitch.pk, message)
    PITCH_STATES.apply(pitch.pk, "fail", error=message)
    enqueue_pitches_admit(pitch.pipeline_id)
