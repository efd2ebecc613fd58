"""OpenAI's webhooks: a fast path for runs that would otherwise wait for the tick."""

from __future__ import annotations

import logging

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.enqueue import enqueue_webhook_event_process
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
                enqueue_webhook_event_process(event.pk)
    except IntegrityError:
        return False
    return True


def webhook_event_process(*, event_id: int) -> None:
    event = WebhookEvent.objects.get(pk=event_id)
    if event.processed_at:
        return
    run = Run.objects.filter(response_id=event.response_id).first()
    if run is None:
        run = _adopt_unknown_response(event.response_id)
    if run is not None:
        run_advance(run_id=run.pk)
    WebhookEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now())


def webhook_events_resend(*, older_than: timedelta = timedelta(seconds=30), limit: int = 200) -> int:
    """For the tick: events recorded but never processed (their message was lost, e.g. Redis flushed)."""
    stale = WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=timezone.now() - older_than)
    event_ids = list(stale.order_by("received_at").values_list("pk", flat=True)[:limit])
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
