"""manage.py vicbot_status: what needs an operator now (paused pipelines, stuck runs, failed pitches)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from pipelines.management.arguments import positive_int
from pipelines.selectors import (
    ENDED_UNANSWERED,
    intake_failing,
    pipelines_paused_or_failing,
    pitches_failed,
    writebacks_failed,
)
from vicbot.selectors import runs_stuck, workers_seen


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


class Command(BaseCommand):
    help = ("List what needs an operator: no live worker, paused or failing pipelines, runs stuck (no progress for a while, or "
            "past their deadline) and failed pitches. Exits 1 when anything is listed, so it can be a check.")

    def add_arguments(self, parser):
        parser.add_argument("--stuck-minutes", type=positive_int, default=30,
                            help="A run that has not moved for this many minutes is stuck (default: %(default)s).")
        parser.add_argument("--limit", type=positive_int, default=20,
                            help="At most this many runs and pitches listed in each section (default: %(default)s).")

    def handle(self, *args, stuck_minutes, limit, **options):
        now = timezone.now()
        problems = 0

        self.stdout.write(self.style.MIGRATE_HEADING("Workers"))
        workers = workers_seen(now)
        for worker in workers:
            self.stdout.write(f"  {worker.hostname}: {'alive' if worker.alive else 'gone'}, "
                              f"last report {_when(worker.last_seen_at)}")
        if not any(worker.alive for worker in workers):
            problems += 1  # nothing queued will run
            self.stdout.write(f"  No live worker: none has reported within {settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS} s")

        before_pipelines = problems
        paused = pipelines_paused_or_failing()
        self.stdout.write(self.style.MIGRATE_HEADING("Pipelines paused or failing intake"))
        for pipeline in paused:
            if pipeline.paused_at:
                problems += 1
                self.stdout.write(f"  {pipeline.name}: paused since {_when(pipeline.paused_at)} "
                                  f"({pipeline.get_state_display()}): "
                                  f"{pipeline.pause_reason}; next try {_when(pipeline.probe_at)}")
            if intake_failing(pipeline):
                problems += 1
                self.stdout.write(f"  {pipeline.name}: intake failing {pipeline.intake_failures_in_a_row}x, last at "
                                  f"{_when(pipeline.last_intake_error_at)}: {pipeline.last_intake_error}")
        if problems == before_pipelines:
            self.stdout.write("  none")

        unchanged_since = now - timedelta(minutes=stuck_minutes)
        count, stuck = runs_stuck(unchanged_since=unchanged_since, now=now, limit=limit)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Runs stuck (no change for {stuck_minutes} min, or past deadline)"))
        for run in stuck:
            self.stdout.write(f"  run {run.pk}: {run.status} since {_when(run.updated_at)}, turn {run.turn}, "
                              f"deadline {_when(run.deadline_at)}")
        self.stdout.write(f"  … and {count - limit} more" if count > limit else ("  none" if not count else ""))
        problems += count

        failed, failed_writes = pitches_failed(), writebacks_failed()
        self.stdout.write(self.style.MIGRATE_HEADING(
            "Failed pitches (evaluation, write-back, or rejected at intake)"))
        total = failed.count() + failed_writes.count()
        for pitch in [*failed[:limit], *failed_writes[:limit]]:
            reason = pitch.error if pitch.status in ENDED_UNANSWERED else f"write-back: {pitch.writeback_error}"
            self.stdout.write(f"  pitch {pitch.pk} {pitch.salesforce_id} ({pitch.pipeline.name}) {pitch.name}: {reason}")
        if not total:
            self.stdout.write("  none")
        problems += total
        if problems:
            raise SystemExit(1)
