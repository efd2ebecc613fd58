"""python manage.py chaos: the pipeline under crashes, lost messages and faults; exits 1 on any violation."""

import signal
import sys
import time
from contextlib import ExitStack

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sandbox.benchmark.chaos import Chaos
from sandbox.benchmark.scenario import Options, Scenario

# Short safety nets so recovery shows within a CI-sized run (the deployed defaults are minutes).
CHAOS_SETTINGS = {
    "VICBOT_TICK_SECONDS": "2",
    "VICBOT_LOST_TASK_GRACE_SECONDS": "5",
    "SALESFORCE_WRITEBACK_RETRY_SECONDS": "2",
    "SALESFORCE_WRITEBACK_DELAY_SECONDS": "1",
    "PIPELINE_RETRY_SECONDS": "2",
    "PIPELINE_PROBE_SECONDS": "5",
    "OPENAI_TIMEOUT": "5",
    # A SIGKILL between a create's claim and its reply leaves its outcome unknown: the run waits this long
    # for a webhook naming the response before creating the turn again (deployed: 10 minutes).
    "OPENAI_RECONCILE_SECONDS": "30",
    "OPENAI_WEBHOOK_SAFETY_POLL_SECONDS": "10",
}


class Command(BaseCommand):
    help = ("Evaluate N pitches while the worker is killed 3 times, Redis is flushed, two beats run, webhooks "
            "arrive twice, OpenAI and Salesforce fail; then check every pitch was evaluated and written once.")

    def add_arguments(self, parser):
        parser.add_argument("--pitches", type=int, default=200)
        parser.add_argument("--model-latency", type=float, default=1.0)
        parser.add_argument("--tool-latency", type=float, default=0.2)
        parser.add_argument("--concurrency", type=int, default=None, help="Worker concurrency (default: the Procfile's)")
        parser.add_argument("--in-flight", type=int, default=10)
        parser.add_argument("--timeout", type=float, default=900, help="Seconds before the run counts as stuck")

    def handle(self, *args, pitches, model_latency, tool_latency, concurrency, in_flight, timeout, **_):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        call_command("migrate", verbosity=0)
        options = Options(
            pitches=pitches, model_latency=model_latency, tool_latency=tool_latency, turns=2, tools_per_turn=3,
            webhooks=True, concurrency=concurrency, in_flight=in_flight, timeout=timeout,
            environment=dict(CHAOS_SETTINGS), intake_every_seconds=5,
            # The record first: the emulated model's Reasoning then names its first line (the Name).
            prompt_template="{record}\n\nEvaluate this pitch from our Salesforce {sobject} record {record_id}.\n",
        )
        started = time.monotonic()
        with ExitStack() as stack:
            scenario = Scenario(options, stack)
            self.stdout.write(f"chaos: {pitches} pitches; logs in {scenario.log_dir}")
            scenario.prepare()
            chaos = Chaos(scenario, say=lambda line: (self.stdout.write(line), sys.stdout.flush()))
            scenario.begin()
            chaos.begin()
            try:
                scenario.wait(on_second=chaos.on_second,
                              progress=lambda done, total: self.stdout.write(f"  {done}/{total} done"))
                # Events still to come (a fast run): let them happen, then let the pipeline settle.
                deadline = time.monotonic() + timeout
                while chaos.pending() and time.monotonic() < deadline:
                    chaos.on_second(time.monotonic() - started)
                    time.sleep(0.25)
                scenario.wait(on_second=chaos.on_second)
            except TimeoutError as exc:
                self.stdout.write(f"TIMED OUT: {exc}")
            time.sleep(6)  # duplicate webhooks and redelivered messages arrive late: let them land first
            violations = chaos.checks()
            summary = chaos.summary()
            scenario.stop_processes()
        elapsed = time.monotonic() - started
        self.stdout.write("\n".join(summary))
        self.stdout.write(f"time taken: {elapsed:.1f}s")
        for violation in violations:
            self.stdout.write(f"VIOLATION: {violation}")
        if violations:
            raise CommandError(f"{len(violations)} violations")
        self.stdout.write(f"chaos: OK, {pitches} pitches evaluated and written back once each")
