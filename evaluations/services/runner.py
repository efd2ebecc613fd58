"""Running an evaluation: its trials start a few at a time, within its own spend cap, until all have ended.

A replay's trial is a run of one version on one dataset item, its tool calls answered from the item's
recording (vicbot's replay: nothing reaches Salesforce, PitchBook or the web) and with no completion
handler that writes anything back: the handler (evaluations.services.trials) only records the outcome.
The evaluation's spend is its own: trial runs belong to no pitch, so no pipeline's daily cap counts them.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from config.enqueue import enqueue_evaluation_advance
from evaluations.models import Dataset, Evaluation, EvaluationTrial
from evaluations.states import EVALUATION_STATES, TRIAL_STATES
from pipelines.models import Pipeline
from vicbot.models import TERMINAL_STATUSES, Assistant, Run
from vicbot.runs import start_run

log = logging.getLogger(__name__)

TRIAL_ENDED = "evaluations.trial_ended"  # the trial runs' completion handler (evaluations.services.trials)
T = EvaluationTrial.Status


class InvalidEvaluation(ValueError):
    pass


def assistant_version(spec: str) -> Assistant:
    """`name` (its newest version) or `name:version`."""
    name, _, version = spec.partition(":")
    try:
        if not version:
            return Assistant.objects.current(name)
        return Assistant.objects.get(name=name, version=int(version))
    except (Assistant.DoesNotExist, ValueError):
        raise InvalidEvaluation(f"No assistant version {spec!r} (give name or name:version)") from None


def evaluation_create(*, dataset: Dataset, candidate: Assistant, trials: int = 1, flex: bool = False,
                      spend_cap_usd: Decimal | None = None, created_by: str = "",
                      assessment_outcomes: dict | None = None, start: bool = True,
                      baseline: Assistant | None = None) -> Evaluation:
    """A replay of `candidate` and of its baseline (the version new runs use now) over the dataset,
    each item `trials` times. The verdict map is the dataset's pipeline's unless given. `baseline`: the
    current version of another name, for a candidate drafted under a name of its own (promoting it saves
    it under the baseline's name)."""
    if not dataset.frozen:
        raise InvalidEvaluation("Only a frozen dataset can be evaluated")
    if not 1 <= trials <= 20:
        raise InvalidEvaluation("Trials must be between 1 and 20")
    if spend_cap_usd is not None and spend_cap_usd <= 0:
        raise InvalidEvaluation("The spend cap must be positive")
    baseline = baseline or Assistant.objects.current(candidate.name)
    outcomes = assessment_outcomes if assessment_outcomes is not None else (
        dataset.pipeline.assessment_outcomes if dataset.pipeline else {})
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            kind=Evaluation.Kind.REPLAY, dataset=dataset, candidate=candidate, baseline=baseline, trials=trials,
            flex=flex, spend_cap_usd=spend_cap_usd, created_by=created_by, assessment_outcomes=outcomes or {})
        versions = [(EvaluationTrial.Role.CANDIDATE, candidate)]
        if baseline.pk != candidate.pk:
            versions.append((EvaluationTrial.Role.BASELINE, baseline))
        rows = [EvaluationTrial(evaluation=evaluation, item=item, pitch_id=item.pitch_id, index=index, role=role,
                                assistant=version)
                for item in dataset.items.order_by("position") for index in range(trials)
                for role, version in versions]
        EvaluationTrial.objects.bulk_create(rows, batch_size=500)
        Evaluation.objects.filter(pk=evaluation.pk).update(trials_total=len(rows))
        if start:
            enqueue_evaluation_advance(evaluation.pk)
    evaluation.refresh_from_db()
    return evaluation


def shadow_create(*, pipeline: Pipeline, candidate: Assistant, max_pitches: int | None = None,
                  ends_at=None, flex: bool = False, spend_cap_usd: Decimal | None = None,
                  created_by: str = "") -> Evaluation:
    """The candidate judges the pipeline's next live pitches beside the real run (live read-only tools,
    nothing written back), for `max_pitches` pitches or until `ends_at`, whichever comes first."""
    if max_pitches is None and ends_at is None:
        raise InvalidEvaluation("A shadow evaluation needs a number of pitches or an end time")
    baseline = Assistant.objects.current(pipeline.assistant_name)
    evaluation = Evaluation.objects.create(
        kind=Evaluation.Kind.SHADOW, pipeline=pipeline, candidate=candidate, baseline=baseline, trials=1,
        flex=flex, spend_cap_usd=spend_cap_usd, created_by=created_by, max_pitches=max_pitches, ends_at=ends_at,
        assessment_outcomes=pipeline.assessment_outcomes or {})
    EVALUATION_STATES.apply(evaluation.pk, "start", started_at=timezone.now())
    evaluation.refresh_from_db()
    return evaluation


def committed_spend(evaluation: Evaluation) -> Decimal:
    """What its ended runs cost plus what its runs in flight reserved (as a pipeline's cap counts)."""
    runs = Run.objects.filter(pk__in=evaluation.trial_rows.exclude(run=None).values("run_id"))
    totals = runs.aggregate(spent=Sum("cost_usd"),
                            reserved=Sum("reserved_cost_usd", filter=~Q(status__in=TERMINAL_STATUSES)))
    return (totals["spent"] or Decimal(0)) + (totals["reserved"] or Decimal(0))


def cap_reached(evaluation: Evaluation) -> bool:
    return evaluation.spend_cap_usd is not None and committed_spend(evaluation) >= evaluation.spend_cap_usd


def evaluation_advance(*, evaluation_id: int) -> int:
    """Start what may start of a replay's pending trials; stop it at its cap; finish it when all ended.
    The number of runs started."""
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().filter(pk=evaluation_id).first()
        if evaluation is None:
            return 0
        if evaluation.kind == Evaluation.Kind.SHADOW:
            from evaluations.services.shadow import shadow_close_if_done  # shadow imports this module

            shadow_close_if_done(evaluation)
            return 0
        if evaluation.status == Evaluation.Status.PENDING:
            EVALUATION_STATES.apply(evaluation.pk, "start", started_at=timezone.now())
            evaluation.refresh_from_db()
        if evaluation.status != Evaluation.Status.RUNNING:
            return 0
        trials = evaluation.trial_rows
        running = trials.filter(status=T.RUNNING).count()
        pending = trials.filter(status=T.PENDING)
        if cap_reached(evaluation):
            TRIAL_STATES.apply_many("skip", where={"evaluation": evaluation, "status": T.PENDING},
                                    note="the evaluation's spend cap was reached",
                                    error="Not run: the evaluation's spend cap was reached")
            if not running:
                _end(evaluation, "cap_reached")
            return 0
        if not pending.exists():
            if not running:
                _end(evaluation, "finish")
            return 0
        started = 0
        room = max(settings.EVALUATION_MAX_IN_FLIGHT - running, 0)
        for trial in pending.select_related("item", "assistant").order_by("item__position", "index", "role")[:room]:
            trial_start(evaluation, trial)
            started += 1
        return started


def trial_start(evaluation: Evaluation, trial: EvaluationTrial) -> Run | None:
    item = trial.item
    try:
        run = start_run(
            assistant=trial.assistant.name, version=trial.assistant.version, input=item.input,
            input_items=item.input_items,  # the deck, as the recorded run sent it
            metadata={**(item.metadata or {}), "evaluation": str(evaluation.pk), "trial": str(trial.pk)},
            replay_calls=item.tool_calls, service_tier=_tier(evaluation), on_complete=TRIAL_ENDED)
    except ValueError as exc:  # e.g. a tool the version names is no longer registered
        TRIAL_STATES.apply(trial.pk, "fail", error=f"Could not start: {exc}")
        Evaluation.objects.filter(pk=evaluation.pk).update(trials_failed=F("trials_failed") + 1)
        return None
    TRIAL_STATES.apply(trial.pk, "start", run=run)
    return run


def _tier(evaluation: Evaluation) -> str:
    return Assistant.ServiceTier.FLEX if evaluation.flex else ""


def _end(evaluation: Evaluation, operation: str) -> None:
    EVALUATION_STATES.apply(evaluation.pk, operation, finished_at=timezone.now(),
                            spent_usd=_spent(evaluation))


def _spent(evaluation: Evaluation) -> Decimal:
    runs = Run.objects.filter(pk__in=evaluation.trial_rows.exclude(run=None).values("run_id"))
    return runs.aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)


def evaluation_cancel(*, evaluation_id: int, reason: str = "cancelled by an operator") -> bool:
    """No more trials start; runs in flight end on their own and are still recorded."""
    with transaction.atomic():
        moved = EVALUATION_STATES.apply(evaluation_id, "cancel", finished_at=timezone.now(), error=reason)
        if moved:
            TRIAL_STATES.apply_many("skip", where={"evaluation_id": evaluation_id, "status": T.PENDING},
                                    note=reason, error=f"Not run: {reason}")
    return bool(moved)
