"""OpenAI's webhooks: a fast path for runs that would otherwise wait for the tick."""

from __future__ import annotations

import logging

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from config.enqueue import enqueue_webhook_event_process, run_step_priority
from integrations.openai.client import get_client
from vicbot.models import Run, WebhookEvent
from vicbot.services.runs.advance import run_advance
from vicbot.services.runs.turns import run_adopt_response

log = logging.getLogger(__name__)

def webhook_event_record(*, webhook_id: str, event_type: str, response_id: str) -> bool:
    """Store a verified delivery once; False for a duplicate. Work happens in a task."""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                webhook_id=webhook_id, event_type=event_type, response_id=response_id,
                processed_at=None if response_id else timezone.now(),  # nothing to do for other events
            )
            if response_id:
                # At its run's priority: a backlog's webhooks wait behind every other run's steps.
                background = Run.objects.filter(response_id=response_id).values_list("background", flat=True).first()
                enqueue_webhook_event_process(event.pk, priority=run_step_priority(background=bool(background)))
    except IntegrityError:
        return False
    return True


def webhook_event_process(*, event_id: int) -> None:
    event = WebhookEvent.objects.get(pk=event_id)
    if event.processed_at or event.failed_at:
        return
    try:
        run = next(iter(Run.objects.select_related("assistant").filter(response_id=event.response_id)
                         .order_by()[:1]), None)  # unordered: see run_advance
        if run is not None:
            run_advance(run_id=run.pk, run=run)
        elif (adopted := _adopt_unknown_response(event.response_id)) is not None:
            run_advance(run_id=adopted.pk)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the event is tried again a bounded number of times
        _record_failed_attempt(event, exc)
        return
    WebhookEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now(), error="")


def _record_failed_attempt(event: WebhookEvent, exc: Exception) -> None:
    """Try again after a backoff, or give up with the reason: a response OpenAI answers 404 for
    would otherwise be re-sent by every tick, forever, ahead of the events behind it."""
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    with transaction.atomic():  # locked: two deliveries of one event each count their attempt
        event = WebhookEvent.objects.select_for_update().get(pk=event.pk)
        if event.processed_at or event.failed_at:
            return
        attempts = event.attempts + 1
        if attempts >= settings.OPENAI_WEBHOOK_MAX_ATTEMPTS:
            log.warning("webhook %s (response %s) failed after %s attempts: %s",
                        event.webhook_id, event.response_id, attempts, reason)
            WebhookEvent.objects.filter(pk=event.pk).update(
                attempts=attempts, failed_at=now, next_attempt_at=None, error=reason)
            return
        delay = settings.OPENAI_WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1)
        log.info("webhook %s (response %s): attempt %s failed, next in %.1f s: %s",
                 event.webhook_id, event.response_id, attempts, delay, reason)
        WebhookEvent.objects.filter(pk=event.pk).update(
            attempts=attempts, next_attempt_at=now + timedelta(seconds=delay), error=reason)


def webhook_events_resend(*, older_than: timedelta = timedelta(seconds=30), limit: int = 200) -> int:
    """For the tick: events due again. Those recorded but never processed (their message was lost,
    e.g. Redis flushed) once `older_than` has passed; those whose processing failed when their
    backoff is over. Each sent event is not sent again for `older_than` (a lease), so events that
    keep failing wait their turn and never crowd out the rest."""
    now = timezone.now()
    due = WebhookEvent.objects.filter(processed_at__isnull=True, failed_at__isnull=True).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, received_at__lt=now - older_than))
    with transaction.atomic():
        # Never-tried (lost) events first, then retries by when they fell due.
        ordered = due.select_for_update(skip_locked=True).order_by(
            F("next_attempt_at").asc(nulls_first=True), "received_at")
        event_ids = list(ordered.values_list("pk", flat=True)[:limit])
        WebhookEvent.objects.filter(pk__in=event_ids).update(next_attempt_at=now + older_than)
    for event_id in event_ids:
        enqueue_webhook_event_process(event_id, after_commit=False)
    return len(event_ids)


def _adopt_unknown_response(response_id: str) -> Run | None:
    """A response no run knows: the one a timed-out create made? Its metadata says.

    Never one that was cancelled or failed, nor one the run already had (run_adopt_response):
    that is a turn the run gave up on, e.g. a late `response.cancelled` for a stuck response
    it already replaced.
    """
    response = get_client().responses.retrieve(response_id)
    if response.status in ("cancelled", "failed"):
        return None
    metadata = response.metadata or {}
    try:
        run_id, turn = int(metadata["vicbot_run"]), int(metadata["vicbot_turn"])
    except (KeyError, TypeError, ValueError):
        log.info("webhook for response %s that is not Vicbot's", response_id)
        return None
    if run_adopt_response(run_id, response_id, turn=turn):
        log.warning("run %s: adopted response %s whose create had timed out", run_id, response_id)
        return Run.objects.get(pk=run_id)
    return None
