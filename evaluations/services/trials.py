"""A trial's run has ended: its outcome, tool misses, cost and time recorded on the trial and the
evaluation's progress. Nothing else: no write-back, no pitch touched (the handler of every trial run)."""

from __future__ import annotations

from django.db.models import F

from config.enqueue import enqueue_evaluation_advance
from evaluations.models import Evaluation, EvaluationTrial
from evaluations.services.runner import TRIAL_ENDED
from evaluations.states import TRIAL_STATES
from pipelines.services.decisions import assessment_outcome
from vicbot.models import ToolCall
from vicbot.runs import Run, RunStatus, StartRefused, register_completion_handler


def trial_rerun(run: Run, *, confirmed_by: str = "") -> None:
    """A trial's run is not re-run from the run page: a new evaluation judges again, with its own cap."""

    raise StartRefused("This run is an evaluation's trial: start a new evaluation to judge again")


@register_completion_handler(TRIAL_ENDED, rerun=trial_rerun, answer_keys=("Assessment", "Reasoning"))
def trial_ended(run: Run, outcome: str) -> None:
    trial = EvaluationTrial.objects.select_related("evaluation").filter(run=run).first()
    if trial is None:
        return  # not (or no longer) a trial's run
    evaluation = trial.evaluation
    calls = ToolCall.objects.filter(run=run)
    misses = calls.filter(replayed=ToolCall.Replayed.MISS).count()
    facts = {"tool_calls": calls.count(), "tool_misses": misses, "cost_usd": run.cost_usd,
             "seconds": run.duration_seconds}
    verdict = (run.output_json or {}).get(evaluation.assessment_key) if isinstance(run.output_json, dict) else None
    if outcome == RunStatus.SUCCEEDED and isinstance(verdict, str) and verdict.strip():
        moved = TRIAL_STATES.apply(trial.pk, "answer", assessment=verdict[:255],
                                   outcome=assessment_outcome(evaluation.assessment_outcomes, verdict), **facts)
        counter = {"trials_done": F("trials_done") + 1}
    else:
        reason = run.error_message or (f"The answer has no {evaluation.assessment_key}" if outcome ==
                                       RunStatus.SUCCEEDED else f"The run ended {outcome}")
        moved = TRIAL_STATES.apply(trial.pk, "fail", error=reason[:2000], **facts)
        counter = {"trials_failed": F("trials_failed") + 1}
    if moved:
        Evaluation.objects.filter(pk=evaluation.pk).update(
            tool_misses=F("tool_misses") + misses, spent_usd=F("spent_usd") + (run.cost_usd or 0), **counter)
    # Both kinds: a replay starts its next trials; a shadow closes once used up and its runs have ended.
    enqueue_evaluation_advance(evaluation.pk)
