"""An operator sets a pitch aside from its page: skip it, or fail it, always with a reason.

Skipped, the pitch is never admitted and nothing is written to its record until someone
evaluates it again ("Evaluate again"); an edit to the record does not bring it back either,
since its author is the one it was set aside from. Failed, it ends like a pitch whose
attempts are used up: Salesforce's status field (if the pipeline has one) says so in the
fixed words of salesforce_status. Either way a run in flight is cancelled, an answer
waiting to be written is superseded, and who, when and why are kept on the pitch.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pipelines.models import Pitch
from pipelines.services import salesforce_status
from pipelines.services.writeback import writeback_queue
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from vicbot.runs import run_cancel


class OperatorRefused(ValueError):
    """The move is not possible (no reason given, or the pitch is in a state it cannot leave this way)."""


def pitch_skip(*, pitch_id: int, reason: str, user: str) -> None:
    _set_aside(pitch_id=pitch_id, operation="skip", reason=reason, user=user, verb="Skipped")


def pitch_fail(*, pitch_id: int, reason: str, user: str) -> None:
    _set_aside(pitch_id=pitch_id, operation="fail_by_operator", reason=reason, user=user, verb="Failed")


@transaction.atomic
def _set_aside(*, pitch_id: int, operation: str, reason: str, user: str, verb: str) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise OperatorRefused("Give a reason: it is kept on the pitch for whoever reads it next.")
    pitch = Pitch.objects.select_for_update().select_related("pipeline").get(pk=pitch_id)
    now = timezone.now()
    moved = PITCH_STATES.apply(
        pitch.pk, operation, where={"status": pitch.status}, note=reason, next_attempt_at=None,
        error=f"{verb} by an operator ({user}): {reason}", operator_reason=reason, operator=user, operator_at=now,
    )
    if not moved:
        raise OperatorRefused(f"A pitch that is {pitch.get_status_display()} cannot be {verb.lower()} by an operator.")
    WRITEBACK_STATES.apply(pitch.pk, "supersede", writeback_error=f"Superseded: {verb.lower()} by an operator")
    if pitch.status == Pitch.Status.EVALUATING and pitch.latest_run_id:
        # Its handler finds the pitch no longer evaluating and leaves it as the operator set it.
        run_cancel(run_id=pitch.latest_run_id, code="set_aside", reason=f"{verb} by an operator ({user}): {reason}")
    if operation == "fail_by_operator" and pitch.pipeline.status_field:
        writeback_queue(pitch_id=pitch.pk, pipeline_id=pitch.pipeline_id, run_id=pitch.latest_run_id,
                        values={pitch.pipeline.status_field: salesforce_status.FAILED_BY_OPERATOR})
