"""Evaluating one record on request (command, admin's "Evaluate again" and "Re-run"), outside the schedule.

A request goes through the pipeline's rules like admission's own starts: it is refused past the
daily spend cap (unless a user holding PAST_CAP_PERMISSION confirmed it, which is recorded on the
pitch), and it starts at once only when the pipeline has a free slot; otherwise the pitch waits,
visibly, and admission starts it within the in-flight limit (a bulk "Evaluate again" of 6
pitches on a pipeline limited to 1 ran all 6 at once).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.salesforce import get_client
from pipelines.models import Pipeline, Pitch
from pipelines.selectors import pipeline_spend
from pipelines.services.admission import pipeline_in_flight_limit, pipeline_room, pitch_evaluate
from pipelines.services.records import fields_to_select, record_text
from pipelines.services.spend import Spend
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from vicbot.runs import Run, StartRefused, run_cancel

PAST_CAP_PERMISSION = "pipelines.evaluate_past_cap"
SUPERSEDED_BY_REQUEST = "Superseded: an operator asked for a new evaluation"


class SpendCapReached(StartRefused):
    def __init__(self, pipeline: Pipeline, spend: Spend):
        super().__init__(
            f"Not started: pipeline {pipeline.name} has reached its daily spend cap ({spend.sentence()}). "
            "It starts runs again at 00:00 UTC; a user with the permission to evaluate past the daily "
            "spend cap may start one now after confirming it.",
            override_permission=PAST_CAP_PERMISSION,
        )


def pitch_evaluate_now(*, pipeline: Pipeline, salesforce_id: str, trigger: Run.Trigger = Run.Trigger.ADMIN,
                       past_cap_by: str = "") -> Run | None:
    """Fetch the record fresh (one API call) and evaluate it under the pipeline's rules; earlier runs stay.

    The new run, or None when the pitch waits for a slot. SpendCapReached (nothing changed) past
    the cap unless `past_cap_by` names who confirmed the start.
    """
    _refuse_past_the_cap(pipeline, past_cap_by)  # before spending a Salesforce call on it
    record = get_client().get(pipeline.sobject, salesforce_id, fields=fields_to_select(pipeline))
    text = record_text(pipeline, record)
    with transaction.atomic():
        # The pipeline first, then the pitch: the order admission takes them in.
        Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        pitch, _ = Pitch.objects.select_for_update().update_or_create(
            pipeline=pipeline, salesforce_id=record["Id"],
            defaults={**text.pitch_fields(), "updated_at": timezone.now()},
        )
        return pitch_start_on_request(pitch=pitch, trigger=trigger, past_cap_by=past_cap_by)


@transaction.atomic
def pitch_start_on_request(*, pitch: Pitch, trigger: Run.Trigger = Run.Trigger.ADMIN,
                           past_cap_by: str = "") -> Run | None:
    """Evaluate `pitch` anew (a new round of attempts) as its pipeline's rules allow.

    Past the daily cap: SpendCapReached, unless `past_cap_by` names the user who confirmed it;
    the start is then recorded on the pitch (who, when, which run, the spend) and does not wait
    for a slot either. Otherwise it starts at once when the pipeline has a free slot (or the
    pitch holds one: it is evaluating, and its run in flight is cancelled as superseded), else
    the pitch waits as new with a note and admission starts it within the limit. The run, or
    None when the pitch waits.
    """
    # The pipeline's row lock makes this and admission take turns, so they never both fill one slot.
    pipeline = Pipeline.objects.select_for_update().get(pk=pitch.pipeline_id)
    spend = _refuse_past_the_cap(pipeline, past_cap_by)
    pitch = Pitch.objects.get(pk=pitch.pk)
    evaluating = pitch.latest_run_id if pitch.status == Pitch.Status.EVALUATING else None
    if past_cap_by or evaluating or pipeline_room(pipeline) > 0:
        run = pitch_evaluate(pitch=pitch, operation="evaluate_now", trigger=trigger, new_round=True)
        if run is not None and evaluating:
            # The run it replaces would only spend on an answer nobody takes (and hold the model).
            run_cancel(run_id=evaluating, code="superseded",
                       reason=f"Superseded by run {run.pk}: an operator evaluated the pitch again")
        if run is not None and past_cap_by:
            _record_past_cap_start(pitch, run, by=past_cap_by, spend=spend)
        return run
    limit = pipeline_in_flight_limit(pipeline)
    PITCH_STATES.apply(pitch.pk, "wait_for_slot", attempts=0, attempt_log=[], next_attempt_at=None,
                       error=f"Waiting for a slot: pipeline {pipeline.name} evaluates at most "
                             f"{limit if limit is not None else 'its model allows'} at once; "
                             "this pitch starts when one is free.")
    WRITEBACK_STATES.apply(pitch.pk, "supersede", writeback_error=SUPERSEDED_BY_REQUEST)
    return None


def pipelines_past_cap(pipeline_ids) -> dict[int, SpendCapReached]:
    """Those of `pipeline_ids` that reached their daily cap, each with the refusal an operator reads."""
    refusals = {}
    for pipeline in Pipeline.objects.filter(pk__in=set(pipeline_ids), daily_spend_cap_usd__isnull=False):
        if (spend := pipeline_spend(pipeline)).reached:
            refusals[pipeline.pk] = SpendCapReached(pipeline, spend)
    return refusals


def _refuse_past_the_cap(pipeline: Pipeline, past_cap_by: str) -> Spend:
    spend = pipeline_spend(pipeline)
    if spend.reached and not past_cap_by:
        raise SpendCapReached(pipeline, spend)  # (admission's next pass pauses the pipeline and says so)
    return spend


def _record_past_cap_start(pitch: Pitch, run: Run, *, by: str, spend: Spend) -> None:
    entry = {"run": run.pk, "by": by, "at": timezone.now().isoformat(timespec="seconds"),
             "spend": spend.sentence() if spend.cap is not None else "no cap"}
    starts = Pitch.objects.values_list("past_cap_starts", flat=True).get(pk=pitch.pk) or []
    Pitch.objects.filter(pk=pitch.pk).update(past_cap_starts=[*starts, entry])


def pitch_evaluate_again(*, pitch_id: int, past_cap_by: str = "") -> Run | None:
    """The admin's "evaluate again", run by a task: it reads Salesforce, which no web request should wait on.

    A failure or a refusal is recorded on the pitch, where the operator who clicked will look.
    """
    pitch = Pitch.objects.select_related("pipeline").get(pk=pitch_id)
    try:
        return pitch_evaluate_now(pipeline=pitch.pipeline, salesforce_id=pitch.salesforce_id,
                                  past_cap_by=past_cap_by)
    except SpendCapReached as exc:
        Pitch.objects.filter(pk=pitch_id).update(error=f"Evaluate again: {exc}", updated_at=timezone.now())
        return None
    except Exception as exc:
        message = str(exc) if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {exc}"
        Pitch.objects.filter(pk=pitch_id).update(error=f"Evaluate again failed: {message}", updated_at=timezone.now())
        if not isinstance(exc, IntegrationError | ValueError):
            raise
        return None
