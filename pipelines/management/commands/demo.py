"""python manage.py demo: the main job, end to end, on local emulators."""

import shutil
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from pipelines.demo.processes import start_processes
from pipelines.demo.report import progress, table, totals
from pipelines.demo.world import seed_pitches, start_world
from pipelines.models import Pipeline
from pipelines.services.pipelines import pipeline_create

BANNER = "OFFLINE DEMO: OpenAI, Salesforce, PitchBook and the company websites are local emulators."


class Command(BaseCommand):
    help = "Evaluate sample pitches end to end (intake, tools, answers, write-back) on local emulators."

    def add_arguments(self, parser):
        parser.add_argument("--pitches", type=int, default=30)
        parser.add_argument("--in-flight", type=int, default=8, help="Runs evaluating at once")
        parser.add_argument("--concurrency", type=int, default=4, help="Worker processes")
        parser.add_argument("--timeout", type=float, default=900)

    def handle(self, *args, pitches, in_flight, concurrency, timeout, **options):
        self.stdout.write(self.style.WARNING(BANNER))
        call_command("migrate", verbosity=0)
        log_dir = Path(tempfile.mkdtemp(prefix="vicbot-demo-"))
        with ExitStack() as stack:
            world = start_world(stack)
            seed_pitches(world, pitches)
            environment = {**world.environment(), "VICBOT_TICK_SECONDS": "1", "SALESFORCE_WRITEBACK_DELAY_SECONDS": "1"}
            pipeline = self._demo_pipeline(stack, in_flight)
            _empty_embedded_broker()
            start_processes(stack, environment=environment, log_dir=log_dir, concurrency=concurrency)
            self.stdout.write(f"Worker and beat started (logs in {log_dir}); {pitches} pitches in Salesforce.")
            started = time.monotonic()
            while progress(pipeline, pitches) < pitches:
                if time.monotonic() - started > timeout:
                    raise CommandError(f"Not done after {timeout:g}s; see the logs in {log_dir}")
                time.sleep(0.5)
            elapsed = time.monotonic() - started
            api_calls = world.salesforce.api_calls
        self.stdout.write("\n" + "\n".join(table(pipeline)))
        self._summary(pipeline, pitches, elapsed, api_calls)
        shutil.rmtree(log_dir, ignore_errors=True)

    def _demo_pipeline(self, stack: ExitStack, in_flight: int) -> Pipeline:
        Pipeline.objects.filter(name="demo").delete()
        pipeline = pipeline_create(name="demo", max_in_flight=in_flight, every_seconds=5)
        stack.callback(_pause, [pipeline.schedule_id])
        # Other pipelines would read the same emulated org: pause them for the demo.
        others = list(PeriodicTask.objects.filter(task=pipeline.schedule.task, enabled=True)
                      .exclude(pk=pipeline.schedule_id).values_list("pk", flat=True))
        _pause(others)
        stack.callback(_resume, others)
        return pipeline

    def _summary(self, pipeline, pitches, elapsed, api_calls):
        figures = totals(pipeline)
        tools = ", ".join(f"{name} {count}" for name, count in sorted(figures["tools"].items()))
        self.stdout.write("")
        self.stdout.write(f"{figures['runs']} runs in {elapsed:.1f}s ({60 * pitches / elapsed:.0f} pitches a minute, "
                          f"median run {figures['median_seconds']:.1f}s); tool calls: {tools or 'none'}")
        self.stdout.write(f"Tokens: {figures['input'] or 0} in ({figures['cached'] or 0} cached), "
                          f"{figures['output'] or 0} out; cost at list prices ${figures['cost'] or 0:.4f}")
        pipeline.refresh_from_db()
        per_100 = 100 / max(pitches, 1)
        self.stdout.write(
            f"Salesforce API calls for {pitches} pitches: intake + write-back {pipeline.salesforce_calls} "
            f"({pipeline.salesforce_calls * per_100:.1f} per 100 pitches); with the model's Salesforce tools "
            f"{api_calls} ({api_calls * per_100:.0f} per 100)"
        )
        self.stdout.write(self.style.WARNING(BANNER))


def _pause(task_ids):
    PeriodicTask.objects.filter(pk__in=task_ids).update(enabled=False)
    PeriodicTasks.update_changed()


def _resume(task_ids):
    PeriodicTask.objects.filter(pk__in=task_ids).update(enabled=True)
    PeriodicTasks.update_changed()


def _empty_embedded_broker():
    """Messages left in the file broker by an earlier, interrupted demo would confuse this one."""
    if settings.CELERY_BROKER_URL == "filesystem://":
        for message in Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).glob("*"):
            message.unlink(missing_ok=True)
