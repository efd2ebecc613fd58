"""python manage.py demo: the main job, end to end, on local emulators.

`demo --serve` then opens the admin on its results: a local web server and a login it prints.
"""

import secrets
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from sandbox.demo.evaluation import demo_evaluation
from sandbox.demo.processes import start_processes
from sandbox.demo.report import Progress, table, tool_line, totals
from sandbox.demo.world import DECISION_OUTCOMES, seed_pitches, start_world
from pipelines.management.arguments import port, positive_int, positive_seconds
from pipelines.models import Pipeline, Pitch
from pipelines.services.pipelines import pipeline_create

BANNER = "OFFLINE DEMO: OpenAI, Salesforce, PitchBook and the company websites are local emulators."
SERVE_HINT = "Open the admin on these results: scripts/demo --serve   (a local web server and a login it prints)"
DEMO_USER = "demo"


class Command(BaseCommand):
    help = ("Evaluate sample pitches end to end (intake, tools, answers, write-back) on local emulators; "
            "with --serve, open the admin on the results instead.")

    def add_arguments(self, parser):
        parser.add_argument("--pitches", type=positive_int, default=30,
                            help="Sample pitches to put in the emulated Salesforce (default: %(default)s).")
        parser.add_argument("--in-flight", type=positive_int, default=8,
                            help="Runs evaluating at once (default: %(default)s).")
        parser.add_argument("--concurrency", type=positive_int, default=4,
                            help="Celery worker processes (default: %(default)s).")
        parser.add_argument("--timeout", type=positive_seconds, default=900,
                            help="Seconds before the demo gives up (default: %(default)s).")
        parser.add_argument("--keep-logs", action="store_true",
                            help="Keep the worker and beat logs even when everything worked (kept on failure).")
        parser.add_argument("--evaluate", action="store_true",
                            help="Then evaluate a candidate assistant version on the decided pitches (the evaluation "
                                 "lab: replay beside the current version, scores against the partners' decisions) "
                                 "and print its table.")
        parser.add_argument("--serve", action="store_true",
                            help="Do not run the demo: start the admin on localhost on its results, with a login "
                                 "it creates and prints (scripts/demo --serve sets the local-http settings).")
        parser.add_argument("--port", type=port, default=8000, help="With --serve: the port (default: %(default)s).")

    def handle(self, *args, pitches, in_flight, concurrency, timeout, keep_logs, serve, port, evaluate=False,
               **options):
        if serve:
            return self._serve(port)
        # A plain `kill` runs the clean-up too (worker and beat are stopped, not orphaned).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self.stdout.write(self.style.WARNING(BANNER))
        call_command("migrate", verbosity=0)
        log_dir = Path(tempfile.mkdtemp(prefix="vicbot-demo-"))
        try:
            elapsed, api_calls, pipeline, evaluation_table = self._run(pitches, in_flight, concurrency, timeout,
                                                                       log_dir, evaluate)
        except BaseException:
            self.stderr.write(f"The demo stopped; the worker and beat logs are kept in {log_dir}")
            raise
        self.stdout.write("\n" + "\n".join(table(pipeline)))
        self._summary(pipeline, pitches, elapsed, api_calls)
        if evaluation_table:
            self.stdout.write("\n" + evaluation_table)
        failed = pipeline.pitches.filter(status=Pitch.Status.FAILED).count()
        if failed or keep_logs:
            why = f"{failed} pitches failed" if failed else "--keep-logs"
            self.stdout.write(f"Logs kept in {log_dir} ({why}).")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
        self.stdout.write(SERVE_HINT)

    def _run(self, pitches, in_flight, concurrency, timeout, log_dir, evaluate):
        with ExitStack() as stack:
            world = start_world(stack)
            seed_pitches(world, pitches, decisions=True)
            environment = {**world.environment(), "VICBOT_TICK_SECONDS": "1", "SALESFORCE_WRITEBACK_DELAY_SECONDS": "1"}
            pipeline = self._demo_pipeline(stack, in_flight)
            _empty_embedded_broker()
            start_processes(stack, environment=environment, log_dir=log_dir, concurrency=concurrency)
            self.stdout.write(f"Worker and beat started (logs in {log_dir}); {pitches} pitches in Salesforce.")
            started = time.monotonic()
            progress = Progress(pipeline, pitches, out=self.stdout._out)
            while progress.check() < pitches:
                if time.monotonic() - started > timeout:
                    raise CommandError(f"Not done after {timeout:g}s; see the logs in {log_dir}")
                time.sleep(0.5)
            progress.check(final=True)
            elapsed = time.monotonic() - started
            # With the worker still up: the candidate and the current version replay the decided pitches.
            evaluation_table = demo_evaluation(pipeline, timeout=timeout, out=self.stdout) if evaluate else ""
            return elapsed, world.salesforce.api_calls, pipeline, evaluation_table

    def _demo_pipeline(self, stack: ExitStack, in_flight: int) -> Pipeline:
        Pipeline.objects.filter(name="demo").delete()
        pipeline = pipeline_create(
            name="demo", max_in_flight=in_flight, every_seconds=5, decision_field="Partner_Decision__c",
            decision_outcomes=dict(DECISION_OUTCOMES),
            assessment_outcomes={"Strong fit": "advance", "Possible fit": "advance", "Not a fit": "pass",
                                 "Insufficient information": "abstain"})
        stack.callback(_pause, [pipeline.schedule_id])
        # Other pipelines would read the same emulated org: pause them for the demo.
        others = list(PeriodicTask.objects.filter(task=pipeline.schedule.task, enabled=True)
                      .exclude(pk=pipeline.schedule_id).values_list("pk", flat=True))
        _pause(others)
        stack.callback(_resume, others)
        return pipeline

    def _summary(self, pipeline, pitches, elapsed, api_calls):
        figures = totals(pipeline)
        self.stdout.write("")
        self.stdout.write(f"{figures['runs']} runs in {elapsed:.1f}s ({60 * pitches / elapsed:.0f} pitches a minute, "
                          f"median run {figures['median_seconds']:.1f}s); {tool_line(figures)}")
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

    def _serve(self, port: int):
        if settings.SECURE_SSL_REDIRECT or settings.SESSION_COOKIE_SECURE:
            raise CommandError("The admin over local http needs DJANGO_SECURE_SSL_REDIRECT=false and "
                               "DJANGO_SECURE_COOKIES=false; `scripts/demo --serve` sets both.")
        call_command("migrate", verbosity=0)
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USER)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)  # a new one each time: it is printed only here
        user.save()
        self.stdout.write(self.style.SUCCESS(
            f"Admin on the demo's results: http://127.0.0.1:{port}/admin/  (dashboard: /admin/console/)\n"
            f"Login: {DEMO_USER} / {password}   (Ctrl-C stops the server)"))
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)


def _pause(task_ids):
    PeriodicTask.objects.filter(pk__in=task_ids).update(enabled=False)
    PeriodicTasks.update_changed()


def _resume(task_ids):
    PeriodicTask.objects.filter(pk__in=task_ids).update(enabled=True)
    PeriodicTasks.update_changed()


def _empty_embedded_broker():
    """Messages left in the file broker by an earlier, interrupted demo would confuse this one.

    Only the message files go: the folder also holds the transport's `control/` folder
    (broadcast bindings), which is a directory and is the transport's to keep.
    """
    if settings.CELERY_BROKER_URL == "filesystem://":
        for message in Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).glob("*"):
            if message.is_file():
                message.unlink(missing_ok=True)
