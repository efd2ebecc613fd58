"""Evaluating one record on request (command, admin), outside the schedule."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.salesforce import get_client
from pipelines.models import Pipeline, Pitch
from pipelines.services.admission import pitch_evaluate
from pipelines.services.changes import parse_datetime
from pipelines.services.prompt import record_text
from vicbot.runs import Run

def pitch_evaluate_now(*, pipeline: Pipeline, salesforce_id: str, trigger: Run.Trigger = Run.Trigger.ADMIN) -> Run:
    """Fetch the record fresh (one API call) and start a new run; earlier runs stay on the pitch."""
    fields = sorted({"Id", "SystemModstamp", "Name", *pipeline.record_fields}, key=str.lower)
    record = get_client().get(pipeline.sobject, salesforce_id, fields=fields)
    text = record_text(pipeline, record)
    with transaction.atomic():
        pitch, _ = Pitch.objects.select_for_update().update_or_create(
            pipeline=pipeline, salesforce_id=record["Id"],
            defaults={
                "snapshot": text.snapshot,
                "system_modstamp": parse_datetime(record.get("SystemModstamp")),
                "name": text.name,
                "intake_note": text.note,
                "updated_at": timezone.now(),
            },
        )
        return pitch_evaluate(pitch=pitch, operation="evaluate_now", trigger=trigger, new_round=True)


def pitch_evaluate_again(*, pitch_id: int) -> Run | None:
    """The admin's "evaluate again", run by a task: it reads Salesforce, which no web request should wait on.

    A failure is recorded on the pitch, where the operator who clicked will look.
    """
    pitch = Pitch.objects.select_related("pipeline").get(pk=pitch_id)
    try:
        return pitch_evaluate_now(pipeline=pitch.pipeline, salesforce_id=pitch.salesforce_id)
    except Exception as exc:
        message = str(exc) if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {exc}"
        Pitch.objects.filter(pk=pitch_id).update(error=f"Evaluate again failed: {message}", updated_at=timezone.now())
        if not isinstance(exc, IntegrationError | ValueError):
            raise
        return None
