"""The partners' decisions and the assistant's assessments, as outcomes the evaluation lab compares.

A pipeline maps its decision field's values (decision_outcomes) and the answer's Assessment values
(assessment_outcomes) to advance / pass / undecided (the assistant may also abstain: "Insufficient
information" says nothing either way). Values not in a map are undecided. Intake records each change
of the decision field as a Decision row: never an edit of the pitch, never sent to the model.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pipelines.models import Decision, Outcome, Pipeline, Pitch

DECISION_OUTCOMES = (Outcome.ADVANCE, Outcome.PASS, Outcome.UNDECIDED)
ASSESSMENT_OUTCOMES = (*DECISION_OUTCOMES, Outcome.ABSTAIN)


def outcome_maps_problem(pipeline: Pipeline) -> str | None:
    """Why the pipeline's outcome maps cannot be used, or None."""
    for label, mapping, allowed in (("Decision outcomes", pipeline.decision_outcomes, DECISION_OUTCOMES),
                                    ("Assessment outcomes", pipeline.assessment_outcomes, ASSESSMENT_OUTCOMES)):
        if not isinstance(mapping, dict):
            return f"{label}: an object of value → outcome, e.g. {{\"Passed\": \"pass\"}}"
        bad = sorted(str(value) for value in mapping.values() if value not in allowed)
        if bad:
            return f"{label}: {', '.join(map(repr, bad))} not one of {', '.join(allowed)}"
    return None


def _lookup(mapping: dict, value: str) -> str | None:
    """Exact first, then ignoring case and surrounding spaces (picklist values are typed by people)."""
    if value in mapping:
        return mapping[value]
    wanted = value.strip().casefold()
    return next((outcome for key, outcome in mapping.items() if str(key).strip().casefold() == wanted), None)


def decision_outcome(pipeline: Pipeline, value: str) -> str:
    outcome = _lookup(pipeline.decision_outcomes or {}, value) if value else None
    return outcome if outcome in DECISION_OUTCOMES else Outcome.UNDECIDED


def assessment_outcome(assessment_outcomes: dict, assessment: str | None) -> str:
    """The assistant's Assessment as an outcome (a plain map, so an evaluation can use a stored copy)."""
    outcome = _lookup(assessment_outcomes or {}, assessment) if assessment else None
    return outcome if outcome in ASSESSMENT_OUTCOMES else Outcome.UNDECIDED


def pitch_record_decision(pitch: Pitch, pipeline: Pipeline, value: str | None,
                          at: datetime | None = None) -> Decision | None:
    """Record the decision field's value if it differs from the pitch's last (an empty field on a pitch
    never read is no decision). None when nothing changed or the pipeline reads no decisions."""
    if value is None:
        return None
    with transaction.atomic():
        current = Pitch.objects.select_for_update().values("decision_value", "decision_outcome").get(pk=pitch.pk)
        if value == current["decision_value"] and (current["decision_outcome"] or not value):
            return None
        outcome = decision_outcome(pipeline, value)
        decided_at = at or timezone.now()
        Pitch.objects.filter(pk=pitch.pk).update(decision_value=value, decision_outcome=outcome,
                                                 decided_at=decided_at)
        return Decision.objects.create(pitch=pitch, value=value, outcome=outcome, decided_at=decided_at)
