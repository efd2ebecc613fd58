"""Evaluating one record on request (command, admin), outside the schedule."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.salesforce import get_client
from vicbot.models import Pipeline, Pitch, Run
from vicbot.services.pitches.evaluation import pitch_evaluate
from vicbot.services.pitches.intake import parse_datetime
from vicbot.services.pitches.prompt import record_snapshot

PITCH_EVALUATE_AGAIN = "vicbot.pitch_evaluate_again"


def pitch_evaluate_now(*, pipeline: Pipeline, salesforce_id: str, trigger: Run.Trigger = Run.Trigger.ADMIN) -> Run:
    """Fetch the record fresh (one API call) and start a new run; earlier runs stay on the pitch."""
    fields = sorted({"Id", "SystemModstamp", "Name", *pipeline.fields}, key=str.lower)
    record = get_client().get(pipeline.sobject, salesforce_id, fields=fields)
    with transaction.atomic():
        pitch, _ = Pitch.objects.select_for_update().update_or_create(
            pipeline=pipeline, salesforce_id=record["Id"],
            defaults={
                "snapshot": record_snapshot(pipeline, record),
                "system_modstamp": parse_datetime(record.get("SystemModstamp")),
                "name": str(record.get("Name") or "")[:255],
                "status": Pitch.Status.EVALUATING,
                "updated_at": timezone.now(),
            },
        )
        return pitch_evaluate(pitch=pitch, trigger=trigger)


def pitch_evaluate_again(*, pitch_id: int) -> Run:
    """The admin's "evaluate again", run by a task: it reads Salesforce, which no web request should wait on."""
    pitch = Pitch.objects.select_related("pipeline").get(pk=pitch_id)
    return pitch_evaluate_now(pipeline=pitch.pipeline, salesforce_id=pitch.salesforce_id)
