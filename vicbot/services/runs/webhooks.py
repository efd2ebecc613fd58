"""OpenAI's webhooks: a fast path for runs that would otherwise wait for the tick."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

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
            event = WebhookEvent.objects.create(webhook_id=webhook_id, event_type=event_type, response_id=response_id)
            if response_id:
                enqueue_webhook_event_process(event.pk)
    except IntegrityError:
        return False
    return True


def webhook_event_process(*, event_id: int) -> None:
    event = WebhookEvent.objects.get(pk=event_id)
    run = Run.objects.filter(response_id=event.response_id).first()
    if run is None:
        run = _adopt_unknown_response(event.response_id)
    if run is not None:
        run_advance(run_id=run.pk)


def _adopt_unknown_response(response_id: str) -> Run | None:
    """A response no run knows: the one a timed-out create made? Its metadata says."""
    response = get_client().responses.retrieve(response_id)
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
