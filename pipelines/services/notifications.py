"""Telling the operator about trouble: a pipeline pausing or resuming, a pitch failing for good, a
write-back giving up, no live worker. Where it happens calls `notify` (in its transaction); the
worker sends (`notification_send`) to a Slack-compatible incoming webhook and/or email, as the
settings say — nothing when both are unset — and at most one message per event kind and pipeline
per NOTIFY_MIN_INTERVAL_SECONDS. Every event is recorded as a Notification, with each channel's result.
"""

from __future__ import annotations

import logging
import zlib
from datetime import timedelta

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from config.enqueue import enqueue_notification_send
from pipelines.models import Notification
from vicbot.selectors import workers_seen

log = logging.getLogger(__name__)
Kind = Notification.Kind


def notify(kind: str, text: str, *, pipeline_id: int | None = None) -> None:
    """Queue the message for the worker once the caller's transaction commits (a rolled-back pause tells no one)."""
    enqueue_notification_send(str(kind), pipeline_id, text)


def notification_send(*, kind: str, pipeline_id: int | None, text: str) -> Notification:
    """Record the event and send it, unless one of its kind and pipeline went out within the interval."""
    with transaction.atomic():
        # One sender at a time per (kind, pipeline): two pauses a second apart, taken by two worker
        # processes, must not both find no earlier message and both post. SQLite (the demo) has no
        # advisory lock and needs none: its transactions are IMMEDIATE (config/settings.py), one
        # writer at a time from their start.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)",
                               [zlib.crc32(f"notify:{kind}:{pipeline_id}".encode())])
        since = timezone.now() - timedelta(seconds=settings.NOTIFY_MIN_INTERVAL_SECONDS)
        earlier = Notification.objects.filter(kind=kind, pipeline_id=pipeline_id, duplicate_of=None,
                                              created_at__gte=since).order_by("-created_at").first()
        notification = Notification.objects.create(kind=kind, pipeline_id=pipeline_id, text=text,
                                                   duplicate_of=earlier)
    if earlier is not None:
        return notification
    channels = send_to_channels(f"Vicbot: {text}")
    Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now() if channels else None,
                                                           channels=channels)
    notification.refresh_from_db()
    return notification


def send_to_channels(text: str) -> dict[str, str]:
    """Each configured channel's result: "ok" or "error: …" (one failing does not stop the other)."""
    results: dict[str, str] = {}
    if url := settings.NOTIFY_SLACK_WEBHOOK_URL:
        try:
            response = requests.post(url, json={"text": text}, timeout=settings.NOTIFY_TIMEOUT_SECONDS)
            response.raise_for_status()
            results["slack"] = "ok"
        except requests.RequestException as exc:
            log.warning("Slack notification failed: %s", exc)
            results["slack"] = f"error: {exc}"[:500]
    if recipients := settings.NOTIFY_EMAIL_TO:
        try:
            send_mail(subject=text[:120], message=text, from_email=None, recipient_list=list(recipients),
                      fail_silently=False)
            results["email"] = "ok"
        except Exception as exc:  # noqa: BLE001 - smtplib, socket and backend errors alike: recorded, not raised
            log.warning("Email notification failed: %s", exc)
            results["email"] = f"error: {exc}"[:500]
    return results


def notifications_recent(limit: int = 10) -> list[Notification]:
    """The latest messages sent or attempted (repeats within the interval left out): for the dashboard."""
    return list(Notification.objects.filter(duplicate_of=None).select_related("pipeline")[:limit])


def worker_silence(now=None) -> str:
    """The message when no worker reported for NOTIFY_NO_WORKER_AFTER_SECONDS, else ''."""
    workers = workers_seen(now)
    if not workers:
        return ""  # a fresh install: the setup checklist says no worker ran yet
    silent_for = (now or timezone.now()) - workers[0].last_seen_at
    if silent_for < timedelta(seconds=settings.NOTIFY_NO_WORKER_AFTER_SECONDS):
        return ""
    minutes = int(silent_for.total_seconds() // 60)
    return f"No live worker: the last one ({workers[0].hostname}) reported {minutes} min ago."


def worker_silence_check() -> None:
    """No worker reported for NOTIFY_NO_WORKER_AFTER_SECONDS: tell the operator (at most once per interval).

    Run by the pipelines' tick, in a worker: it reports a worker that is alive but whose heartbeat
    stopped (a worker process without its pool, or one stuck on another queue). With every worker
    down, beat's own check (pipelines/beat_watch.py, worker_silence_watch) is the one that tells.
    """
    if text := worker_silence():
        notify(Kind.NO_LIVE_WORKER, text)


def worker_silence_watch() -> None:
    """Beat's check: the same message, sent from beat itself, as no worker may be there to send it."""
    if text := worker_silence():
        notification_send(kind=Kind.NO_LIVE_WORKER, pipeline_id=None, text=text)
