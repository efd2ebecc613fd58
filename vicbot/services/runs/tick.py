"""Beat's tick: claim runs whose next check is due and send each one on.

This is both the polling loop and the safety net: any message lost to a crash
or a redelivery gap leaves a run whose next_check_at passes, and the tick finds it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.enqueue import enqueue_run_advance
from vicbot.models import ACTIVE_STATUSES, Run
from vicbot.services.runs.webhooks import webhook_events_resend

BATCH = 500
# A claimed run is not claimed again for this long, even if its task is still queued.
LEASE = timedelta(seconds=60)


def runs_tick() -> int:
    webhook_events_resend()
    return _advance_due_runs()


def _advance_due_runs() -> int:
    now = timezone.now()
    with transaction.atomic():
        due = Q(next_check_at__lte=now) | Q(status__in=ACTIVE_STATUSES, deadline_at__lte=now)
        run_ids = list(
            Run.objects.select_for_update(skip_locked=True).filter(due).order_by("next_check_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        Run.objects.filter(pk__in=run_ids).update(next_check_at=now + LEASE)
        for run_id in run_ids:
            enqueue_run_advance(run_id)
    return len(run_ids)
