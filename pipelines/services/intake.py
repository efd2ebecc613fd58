"""Intake: find new pitch records in Salesforce and let them in, a few at a time.

One pass per pipeline at a time (a lease row in the database survives two beats
overlapping during a deploy). Records are read from a SystemModstamp watermark
with an overlap and deduplicated on (Id, SystemModstamp). A record is
(re-)evaluated only when the fields we send changed, so our own write-backs,
which bump SystemModstamp, are ignored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.salesforce import get_client, soql_literal
from pipelines.models import Pipeline, Pitch
from pipelines.services.admission import pitches_admit
from pipelines.services.changes import parse_datetime, pitch_record_changed
from pipelines.services.prompt import record_snapshot
from pipelines.services.usage import counting_calls

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)


@dataclass
class IntakeSummary:
    seen: int = 0
    new: int = 0
    changed: int = 0
    started: int = 0
    skipped_busy: bool = False
    error: str = ""

    def __str__(self) -> str:
        if self.skipped_busy:
            return "skipped: another pass was running"
        if self.error:
            return f"failed after {self.seen} records: {self.error}"
        return f"{self.seen} records read, {self.new} new, {self.changed} changed, {self.started} runs started"


def pitches_pull(*, pipeline_id: int) -> IntakeSummary:
    if not _take_lease(pipeline_id):
        return IntakeSummary(skipped_busy=True)
    try:
        pipeline = Pipeline.objects.get(pk=pipeline_id)
        summary = IntakeSummary()
        if pipeline.enabled:
            try:
                _sync_records(pipeline, summary)
            except Exception as exc:
                _record_failed_pass(pipeline, exc)
                if not isinstance(exc, IntegrationError):
                    raise  # a bug of ours: recorded for the operator, and loud in the logs
                summary.error = str(exc)
                return summary
            summary.started = pitches_admit(pipeline_id=pipeline.pk)
        Pipeline.objects.filter(pk=pipeline_id).update(
            last_intake_at=timezone.now(), last_intake_summary=str(summary)[:255],
            last_intake_error="", intake_failures_in_a_row=0,
        )
        log.info("intake %s: %s", pipeline.name, summary)
        return summary
    finally:
        Pipeline.objects.filter(pk=pipeline_id).update(intake_lease_until=None)


def _record_failed_pass(pipeline: Pipeline, exc: Exception) -> None:
    """Where the operator looks: the pipeline's page. The watermark stays where the last good record left it."""
    message = str(exc) if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {exc}"
    log.warning("intake %s failed: %s", pipeline.name, message)
    Pipeline.objects.filter(pk=pipeline.pk).update(
        last_intake_error=message, last_intake_error_at=timezone.now(),
        intake_failures_in_a_row=F("intake_failures_in_a_row") + 1,
    )


def _take_lease(pipeline_id: int) -> bool:
    now = timezone.now()
    return bool(
        Pipeline.objects.filter(Q(intake_lease_until__isnull=True) | Q(intake_lease_until__lt=now), pk=pipeline_id)
        .update(intake_lease_until=now + LEASE)
    )


def intake_query(pipeline: Pipeline, *, overlap: timedelta) -> str:
    """The pass's SOQL: the pipeline's records from a little before its watermark, oldest first.

    Identifiers were validated as API names (pipeline_validate); the operator's condition
    is SOQL by design and goes in as written — never through format_soql, whose braces
    would turn a `{` in a string literal into a KeyError; only the watermark is formatted.
    """
    fields = sorted({"Id", "SystemModstamp", *pipeline.record_fields}, key=str.lower)
    soql = f"SELECT {', '.join(fields)} FROM {pipeline.sobject} WHERE ({pipeline.selection})"
    if pipeline.watermark:
        soql += f" AND SystemModstamp >= {soql_literal(pipeline.watermark - overlap)}"
    return soql + " ORDER BY SystemModstamp, Id"


def _sync_records(pipeline: Pipeline, summary: IntakeSummary) -> None:
    client = get_client()
    soql = intake_query(pipeline, overlap=timedelta(seconds=settings.SALESFORCE_WATERMARK_OVERLAP_SECONDS))
    newest = pipeline.watermark
    with counting_calls(pipeline, client):
        for record in client.query_iter(soql, page_size=pipeline.batch_size):
            summary.seen += 1
            modstamp = parse_datetime(record.get("SystemModstamp"))
            _upsert_pitch(pipeline, record, modstamp, summary)
            if modstamp and (newest is None or modstamp > newest):
                newest = modstamp
                # Saved as we go: a pass that dies half-way resumes near where it stopped.
                Pipeline.objects.filter(pk=pipeline.pk).update(watermark=newest)


def _upsert_pitch(pipeline: Pipeline, record: dict, modstamp: datetime | None, summary: IntakeSummary) -> None:
    salesforce_id = record["Id"]
    snapshot = record_snapshot(pipeline, record)
    name = str(record.get("Name") or "")[:255]
    with transaction.atomic():
        pitch, created = Pitch.objects.select_for_update().get_or_create(
            pipeline=pipeline, salesforce_id=salesforce_id,
            defaults={"snapshot": snapshot, "system_modstamp": modstamp, "name": name},
        )
        if created:
            summary.new += 1
            return
        if pitch.system_modstamp == modstamp:
            return  # seen already (the overlap re-reads a few records every pass)
        # Only a change to what the model reads earns a new evaluation; our own
        # write-back changes other fields and is ignored here.
        if pitch.snapshot != snapshot and _wants_new_evaluation(pipeline, pitch):
            pitch_record_changed(pitch, snapshot=snapshot, name=name, modstamp=modstamp)
            if pitch.status != Pitch.Status.NEW:
                summary.changed += 1
            return
        Pitch.objects.filter(pk=pitch.pk).update(system_modstamp=modstamp)


def _wants_new_evaluation(pipeline: Pipeline, pitch: Pitch) -> bool:
    if pitch.status == Pitch.Status.DELETED:
        return False
    return pitch.status != Pitch.Status.WRITTEN_BACK or pipeline.reevaluate_written
