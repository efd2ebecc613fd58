"""Shadow runs: a candidate version judges a pipeline's live pitches beside the real run.

When a pitch's run starts (pipelines' run listener), each running shadow evaluation of that pipeline
starts a run of its candidate on the same input and metadata: live tools, but read-only (a tool that
writes is never offered), and with the trial handler, which writes nothing back. Its cost counts toward
the evaluation's spend cap, never the pipeline's (the run belongs to no pitch). The evaluation finishes
once it has its number of pitches or its end time has passed (checked at each start, and by the command).
"""

from __future__ import annotations

import logging

from django.db.models import F, Q
from django.utils import timezone

from evaluations.models import Evaluation, EvaluationTrial
from evaluations.services.runner import TRIAL_ENDED, _end, _tier, cap_reached
from evaluations.states import TRIAL_STATES
from pipelines.services.run_listeners import register_run_started
from vicbot.runs import start_run

log = logging.getLogger(__name__)


def shadow_used_up(evaluation: Evaluation) -> bool:
    if evaluation.ends_at is not None and timezone.now() >= evaluation.ends_at:
        return True
    return (evaluation.max_pitches is not None
            and evaluation.trial_rows.values("pitch").distinct().count() >= evaluation.max_pitches)


def shadow_close_if_done(evaluation: Evaluation) -> bool:
    """Finish a shadow evaluation whose pitches or days are used up (or stop it at its cap) once its
    runs have ended. True if it is closed now."""
    if evaluation.status != Evaluation.Status.RUNNING:
        return evaluation.status != Evaluation.Status.PENDING
    if evaluation.trial_rows.filter(status=EvaluationTrial.Status.RUNNING).exists():
        return False
    if cap_reached(evaluation):
        _end(evaluation, "cap_reached")
        return True
    if shadow_used_up(evaluation):
        _end(evaluation, "finish")
        return True
    return False


@register_run_started
def shadow_beside(*, pitch, run) -> None:
    shadows = Evaluation.objects.select_for_update().filter(
        kind=Evaluation.Kind.SHADOW, status=Evaluation.Status.RUNNING, pipeline_id=pitch.pipeline_id
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
    for evaluation in shadows:
        if shadow_used_up(evaluation) or cap_reached(evaluation):
            continue
        if evaluation.trial_rows.filter(pitch=pitch).exists():
            continue  # this pitch is judged once per shadow (a retry's run is not a new pitch)
        trial = EvaluationTrial.objects.create(evaluation=evaluation, pitch=pitch, live_run=run,
                                               role=EvaluationTrial.Role.CANDIDATE, assistant=evaluation.candidate)
        shadow = start_run(assistant=evaluation.candidate.name, version=evaluation.candidate.version,
                           input=run.input, input_items=run.input_items, metadata={**run.metadata, "evaluation": str(evaluation.pk),
                                                      "trial": str(trial.pk), "shadow_of": str(run.pk)},
                           read_only=True, service_tier=_tier(evaluation), on_complete=TRIAL_ENDED)
        TRIAL_STATES.apply(trial.pk, "start", run=shadow)
        Evaluation.objects.filter(pk=evaluation.pk).update(trials_total=F("trials_total") + 1)
        log.info("pitch %s: shadow run %s of %s beside run %s", pitch.pk, shadow.pk, evaluation.candidate, run.pk)
