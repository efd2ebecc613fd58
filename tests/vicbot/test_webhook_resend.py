"""The tick's re-send of webhook events: only those due, lost ones first, each leased for a while."""

from datetime import timedelta

import pytest
from django.utils import timezone

from vicbot.models import WebhookEvent
from vicbot.services.runs.webhooks import webhook_events_resend

pytestmark = pytest.mark.django_db


def event(name: str, *, age: timedelta, **fields) -> WebhookEvent:
    made = WebhookEvent.objects.create(webhook_id=name, event_type="response.completed", response_id=f"resp_{name}",
                                       **fields)
    WebhookEvent.objects.filter(pk=made.pk).update(received_at=timezone.now() - age)
    return made


def test_events_that_keep_failing_wait_their_backoff_and_never_crowd_out_a_lost_one():
    now = timezone.now()
    # Older than the lost event and unprocessed: the old tick sent these first, every tick, forever.
    waiting = [event(f"failing{i}", age=timedelta(hours=1), attempts=2, next_attempt_at=now + timedelta(minutes=2))
               for i in range(3)]
    failed = event("given_up", age=timedelta(hours=2), attempts=6, failed_at=now)
    lost = event("lost", age=timedelta(minutes=5))

    assert webhook_events_resend(limit=1) == 1

    lost.refresh_from_db()
    assert lost.next_attempt_at > now  # sent, and leased: not sent again by the next tick
    assert all(WebhookEvent.objects.get(pk=e.pk).next_attempt_at == e.next_attempt_at for e in waiting)
    assert webhook_events_resend(limit=10) == 0  # nothing else is due
    assert WebhookEvent.objects.get(pk=failed.pk).next_attempt_at is None


def test_a_retry_is_sent_once_its_backoff_is_over():
    due = event("due", age=timedelta(hours=1), attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1))
    event("fresh", age=timedelta(seconds=1))  # its own message may still be on its way

    assert webhook_events_resend() == 1
    due.refresh_from_db()
    assert due.next_attempt_at > timezone.now()
