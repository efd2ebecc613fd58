"""Beat's tick: claim runs whose next check is due and send each one on.

This is both the polling loop and the safety net: any message lost to a crash
or a redelivery gap leaves a run whose next_check_at passes, and the tick finds it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.enqueue import enqueue_run_advance, run_step_priority
from vicbot.models import ACTIVE_STATUSES, Run, RunStatus
from vicbot.services.runs.webhooks import webhook_events_resend

BATCH = 500
POLLED_STATUSES = (RunStatus.WAITING_MODEL, RunStatus.FINISHING)
# A claimed run is not claimed again for this long, even if its task is still queued.
LEASE = timedelta(seconds=60)


def runs_tick() -> int:
    webhook_events_resend()
    return _advance_due_runs()


def poll_budget_per_tick() -> int:
    """Polls of runs waiting on the model one tick may send: VICBOT_POLL_BUDGET_PER_MINUTE spread
    over the ticks of a minute, so thousands of runs falling due together never make a burst."""
    return max(1, int(settings.VICBOT_POLL_BUDGET_PER_MINUTE * settings.VICBOT_TICK_SECONDS / 60))


def _advance_due_runs() -> int:
    now = timezone.now()
    with transaction.atomic():
        due = Q(next_check_at__lte=now) | Q(status__in=ACTIVE_STATUSES, deadline_at__lte=now)
        waiting = Q(status__in=POLLED_STATUSES, deadline_at__gt=now)
        runs = Run.objects.select_for_update(skip_locked=True).filter(due).order_by("next_check_at")
        # Runs waiting on the model (a poll each, against OpenAI's rate limits) within the budget;
        # everything else (creates, tools, deadlines, completions) as it falls due.
        due_runs = list(runs.exclude(waiting).values_list("pk", "background")[:BATCH])
        due_runs += list(runs.filter(waiting).values_list("pk", "background")[:poll_budget_per_tick()])
        Run.objects.filter(pk__in=[run_id for run_id, _ in due_runs]).update(next_check_at=now + LEASE)
        for run_id, background in due_runs:
            enqueue_run_advance(run_id, priority=run_step_priority(background=background))
    return len(due_runs)
