"""Writing answers back to Salesforce: batched, once per answer, errors kept per record.

The answer is in our database before any write (the completion handler stored
it), so a failed write loses nothing and can be retried. Rows are claimed
(queued → writing) before the call, so a redelivered flush writes nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.celery_app import app
from integrations.salesforce import SalesforceError, get_client
from tools.base import bound_text
from vicbot.models import Pipeline, Pitch
from vicbot.services.pitches.usage import counting_calls
from vicbot.services.runs.state import backoff_seconds

log = logging.getLogger(__name__)

WRITEBACK_FLUSH = "vicbot.writeback_flush"
COLLECTION_LIMIT = 200
# A row left in `writing` this long died with its worker; it is queued again.
STALE_CLAIM = timedelta(minutes=10)


def writeback_queue(*, pitch_id: int, pipeline_id: int) -> None:
    # A short delay gathers answers that finish close together into one API call
    # (and keeps the tick from flushing this one alone before the delay is up).
    delay = settings.SALESFORCE_WRITEBACK_DELAY_SECONDS
    Pitch.objects.filter(pk=pitch_id).update(
        writeback_state=Pitch.WriteBack.QUEUED, writeback_error="", writeback_attempts=0,
        next_writeback_at=timezone.now() + timedelta(seconds=delay),
    )
    transaction.on_commit(lambda: _send_flush(pipeline_id, countdown=delay))


def _send_flush(pipeline_id: int, countdown: float = 0) -> None:
    app.send_task(WRITEBACK_FLUSH, args=[pipeline_id], countdown=countdown)


def writeback_flush(*, pipeline_id: int) -> int:
    """Write every due answer of the pipeline, ≤200 per sObject Collections call."""
    pipeline = Pipeline.objects.get(pk=pipeline_id)
    written = 0
    while batch := _claim_batch(pipeline):
        written += _write(pipeline, batch)
    return written


def _claim_batch(pipeline: Pipeline) -> list[Pitch]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Pitch.objects.select_for_update(skip_locked=True)
            # Every first attempt joins the batch, even one queued a moment ago; retries wait their turn.
            .filter(Q(next_writeback_at__lte=now) | Q(writeback_attempts=0),
                    pipeline=pipeline, writeback_state=Pitch.WriteBack.QUEUED)
            .order_by("next_writeback_at", "pk").values_list("pk", flat=True)[:COLLECTION_LIMIT]
        )
        Pitch.objects.filter(pk__in=ids, writeback_state=Pitch.WriteBack.QUEUED).update(
            writeback_state=Pitch.WriteBack.WRITING, writeback_claimed_at=now,
            writeback_attempts=F("writeback_attempts") + 1,
        )
    return list(Pitch.objects.filter(pk__in=ids, writeback_state=Pitch.WriteBack.WRITING,
                                     writeback_claimed_at=now).select_related("latest_run"))


def _write(pipeline: Pipeline, batch: list[Pitch]) -> int:
    client = get_client()
    try:
        with counting_calls(pipeline, client):
            lengths = client.describe_field_lengths(pipeline.sobject)
            records = [_record(pipeline, pitch, lengths) for pitch in batch]
            results = client.update_many(pipeline.sobject, records)
    except SalesforceError as exc:
        log.warning("write-back of %d pitches failed: %s", len(batch), exc)
        for pitch in batch:
            _retry_or_fail(pitch, str(exc), retry=not exc.permanent)
        return 0
    now = timezone.now()
    written = 0
    for pitch, result in zip(batch, results, strict=True):
        if result.outcome == "ok":
            written += _finish(pitch, status=Pitch.Status.WRITTEN_BACK, writeback_state=Pitch.WriteBack.DONE,
                               written_back_at=now, writeback_error="")
        elif result.outcome == "deleted":
            _finish(pitch, status=Pitch.Status.DELETED, writeback_state=Pitch.WriteBack.FAILED,
                    writeback_error=f"{result.error_code}: {result.message}")
        else:
            _retry_or_fail(pitch, f"{result.error_code}: {result.message}", retry=result.outcome == "retry")
    return written


def _record(pipeline: Pipeline, pitch: Pitch, lengths: dict[str, int]) -> dict:
    answer = pitch.latest_run.output_json or {}
    record = {"Id": pitch.salesforce_id}
    for key, field in pipeline.answer_mapping.items():
        value = answer.get(key)
        text = "" if value is None else str(value)
        limit = lengths.get(field) or lengths.get(field.lower())
        record[field] = bound_text(text, max_chars=limit) if limit else text
    return record


def _finish(pitch: Pitch, **fields) -> int:
    return Pitch.objects.filter(pk=pitch.pk, writeback_state=Pitch.WriteBack.WRITING).update(
        writeback_claimed_at=None, next_writeback_at=None, updated_at=timezone.now(), **fields
    )


def _retry_or_fail(pitch: Pitch, message: str, *, retry: bool) -> None:
    if retry and pitch.writeback_attempts < settings.SALESFORCE_WRITEBACK_MAX_ATTEMPTS:
        delay = backoff_seconds(pitch.writeback_attempts, base=settings.SALESFORCE_WRITEBACK_RETRY_SECONDS, cap=3600)
        _finish(pitch, writeback_state=Pitch.WriteBack.QUEUED, writeback_error=f"Will retry: {message}")
        Pitch.objects.filter(pk=pitch.pk).update(next_writeback_at=timezone.now() + timedelta(seconds=delay))
    else:
        _finish(pitch, writeback_state=Pitch.WriteBack.FAILED, writeback_error=message)


def writebacks_due() -> list[int]:
    """Pipelines with write-backs due (retries whose time has come, claims that died): for the tick."""
    now = timezone.now()
    Pitch.objects.filter(writeback_state=Pitch.WriteBack.WRITING, writeback_claimed_at__lt=now - STALE_CLAIM).update(
        writeback_state=Pitch.WriteBack.QUEUED, writeback_claimed_at=None, next_writeback_at=now
    )
    pipeline_ids = list(
        Pitch.objects.filter(writeback_state=Pitch.WriteBack.QUEUED, next_writeback_at__lte=now)
        .values_list("pipeline_id", flat=True).distinct()
    )
    for pipeline_id in pipeline_ids:
        _send_flush(pipeline_id)
    return pipeline_ids


def writeback_retry(*, pitch_ids: list[int]) -> int:
    """Operator's retry of failed write-backs (command and admin)."""
    pitches = Pitch.objects.filter(pk__in=pitch_ids, writeback_state=Pitch.WriteBack.FAILED,
                                   latest_run__output_json__isnull=False).exclude(status=Pitch.Status.DELETED)
    pipeline_ids = set(pitches.values_list("pipeline_id", flat=True))
    updated = pitches.update(writeback_state=Pitch.WriteBack.QUEUED, writeback_attempts=0, writeback_error="",
                             next_writeback_at=timezone.now())
    for pipeline_id in pipeline_ids:
        transaction.on_commit(lambda pid=pipeline_id: _send_flush(pid))
    return updated
