"""Promote an evaluation's candidate: its configuration becomes the version new runs use.

Runs take the newest version of an assistant's name, so promoting saves the candidate's fields as the
next version of the baseline's name (through the engine's face, as a restore does; runs in flight keep
the version they started with). The evaluation keeps a link to the version it produced, and the
operator's action is in the admin history of both the new version and the evaluation.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from evaluations.models import Evaluation
from vicbot.models import Assistant
from vicbot.runs import InvalidAssistant, assistant_save_new_version, assistant_validate

PROMOTABLE = (Evaluation.Status.FINISHED, Evaluation.Status.CAPPED)


class CannotPromote(ValueError):
    """Why this evaluation's candidate cannot be promoted (said to the operator as it is)."""


def promotion_problem(evaluation: Evaluation) -> str:
    """'' when the candidate can be promoted, else why not."""
    if evaluation.promoted_version_id is not None:
        return f"Already promoted: {evaluation.promoted_version} (by {evaluation.promoted_by or 'someone'})."
    if evaluation.status not in PROMOTABLE:
        return f"The evaluation is {evaluation.get_status_display()}: only a finished one can be promoted."
    return ""


@transaction.atomic
def promote(evaluation: Evaluation, *, user) -> Assistant:
    """Save the candidate as the newest version of the baseline's name; record who did it and why."""
    evaluation = Evaluation.objects.select_for_update().select_related("candidate", "baseline").get(pk=evaluation.pk)
    if problem := promotion_problem(evaluation):
        raise CannotPromote(problem)
    candidate, name = evaluation.candidate, evaluation.baseline.name
    if candidate.name == name and candidate.pk == Assistant.objects.current(name).pk:
        promoted = candidate  # already the newest version of that name: new runs use it as it is
    else:
        try:  # the tool registry may have changed since the candidate was saved
            assistant_validate(tool_names=candidate.tool_names, output_schema=candidate.output_schema,
                               output_schema_name=candidate.output_schema_name)
        except InvalidAssistant as exc:
            raise CannotPromote(f"{candidate} cannot be promoted as it is: {exc}") from exc
        copy = Assistant.objects.get(pk=candidate.pk)
        copy.name = name
        promoted = assistant_save_new_version(assistant=copy)
    evaluation.promoted_version = promoted
    evaluation.promoted_by = user.get_username() if user is not None else ""
    evaluation.promoted_at = timezone.now()
    evaluation.save(update_fields=["promoted_version", "promoted_by", "promoted_at"])
    note = f"Promoted {candidate} as {promoted} after evaluation {evaluation.pk} (against {evaluation.baseline})."
    if user is not None:
        LogEntry.objects.log_actions(user.pk, [promoted], ADDITION if promoted.pk != candidate.pk else CHANGE,
                                     note, single_object=True)
        LogEntry.objects.log_actions(user.pk, [evaluation], CHANGE, note, single_object=True)
    return promoted
