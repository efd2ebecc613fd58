"""One measured pass of the pitch pipeline on the emulators, with the Procfile's processes.

Shared by `manage.py benchmark` (which measures it) and `manage.py chaos` (which breaks things
while it runs): emulators (sandbox.demo.world), worker and beat (sandbox.demo.processes),
a gunicorn web process for webhooks, and the counters of probe.py inside the worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection
from django.db.models import Min, Sum
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from config.celery_app import app as celery_app
from config.enqueue import enqueue_pull_pitches
from sandbox.benchmark import figures, probe
from sandbox.benchmark.monitor import (PeakSampler, machine_busy_seconds, process_cpu_seconds, tree_cpu_seconds,
                                       tree_rss_bytes)
from sandbox.benchmark.tools import tool_names
from sandbox.demo.processes import (beat_command, process_environment, start_process, stop_process,
                                      worker_command)
from sandbox.decks import deck_pdf
from sandbox.demo.world import World, seed_pitches, start_world
from sandbox.benchmark.cpu_cap import CpuCap
from sandbox.emulators.openai.ratelimit import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_TOKENS_PER_MINUTE
from pipelines.models import Pipeline, Pitch
from pipelines.services.admission import pipeline_in_flight_limit
from pipelines.services.pipelines import pipeline_create
from tools.registry import registry
from vicbot.runs import TERMINAL_STATUSES, Assistant, Run, RunStatus, run_cancel

PIPELINE_NAME = "benchmark"
DONE = (Pitch.Status.WRITTEN_BACK, Pitch.Status.FAILED, Pitch.Status.DELETED)


@dataclass
class Options:
    pitches: int = 1
    model_latency: float = 2.0
    queued_latency: float = 0.0
    turns: int = 2
    tools_per_turn: int = 3
    tool_latency: float = 0.0
    webhooks: bool = True
    concurrency: int | None = None  # None: the Procfile's (settings.CELERY_WORKER_CONCURRENCY)
    pool: str | None = None
    in_flight: int | None = None  # None: the pipeline's default (automatic, from OpenAI's limits)
    openai_rpm: int = DEFAULT_REQUESTS_PER_MINUTE  # the limits the emulated OpenAI announces
    openai_tpm: int = DEFAULT_TOKENS_PER_MINUTE
    timeout: float = 600
    environment: dict[str, str] = field(default_factory=dict)  # extra settings for worker, beat and web
    prompt_template: str | None = None
    intake_every_seconds: int = 3600  # after the first intake, which the command sends
    workers: int = 1  # worker processes, each as one worker dyno would run it (its own pool and concurrency)
    backlog: int = 0  # of `pitches`, records last modified long ago (the pipeline scores them as a backlog) ...
    new_after_seconds: float = 15.0  # ... and the rest arrive this long into the pass, while the backlog runs
    deck_mb: float | None = None  # attach a PDF deck of about this many MB to every pitch (None: no decks)
    backlog_tier: str = "standard"  # the pipeline's backlog_service_tier (flex: the backlog on OpenAI's flex tier)
    flex_unavailable: float = 0.0  # share of flex creates the emulated OpenAI answers 429 resource_unavailable
    worker_cpu: float | None = None  # cores each worker's process tree may use (cpu_cap.py; None: no cap)

    def shape(self) -> figures.Shape:
        return figures.Shape(model_latency=self.model_latency, queued_latency=self.queued_latency,
                             turns=self.turns, tools_per_turn=self.tools_per_turn, tool_latency=self.tool_latency)


class Scenario:
    def __init__(self, options: Options, stack: ExitStack, *, log_dir: Path | None = None):
        if options.turns not in (1, 2):
            # The emulated model calls every offered tool in its first turn and answers in the next.
            raise ValueError("the emulated model answers in 1 turn (no tools) or 2 (tools, then the answer)")
        if (options.turns == 1) != (options.tools_per_turn == 0):
            raise ValueError("--turns 1 means no tools, and tools need --turns 2")
        self.options = options
        self.stack = stack
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="vicbot-benchmark-"))
        self.probe_dir = self.log_dir / "probe"
        self.probe_dir.mkdir(parents=True, exist_ok=True)
        self.world: World | None = None
        self.pipeline: Pipeline | None = None
        self.workers: list[subprocess.Popen] = []
        self.beats: list[subprocess.Popen] = []
        self.web: subprocess.Popen | None = None
        self.started_at: datetime | None = None
        self.env: dict[str, str] = {}
        self.sampler: PeakSampler | None = None
        self.idle_rss = 0
        self.purged = 0
        self.cpu_at_start: dict[str, float] = {}
        self.new_ids: list[str] = []  # with a backlog: the records that arrive during the pass
        self.cpu_during: dict[str, float] = {}
        self.cpu_caps: dict[int, CpuCap] = {}  # by worker index, with --worker-cpu

    @property
    def worker(self) -> subprocess.Popen | None:
        """The first worker (chaos kills and restarts this one)."""
        return self.workers[0] if self.workers else None

    @worker.setter
    def worker(self, process: subprocess.Popen) -> None:
        self.workers[0] = process

    # -- set-up ------------------------------------------------------------------------------

    def prepare(self) -> None:
        o = self.options
        self.end_runs_left()
        self.world = start_world(self.stack, queued_seconds=o.queued_latency, run_seconds=o.model_latency,
                                 requests_per_minute=o.openai_rpm, tokens_per_minute=o.openai_tpm)
        self.world.openai.flex_unavailable_share = o.flex_unavailable
        accounts = seed_pitches(self.world, o.backlog or o.pitches, decks=False)
        if o.backlog:
            _backdate(self.world, days=BACKLOG_AGE_DAYS)
        if o.deck_mb is not None:
            # One padded deck, attached to every pitch under its own title: the emulator holds one copy,
            # Vicbot downloads, checks and uploads each as its own file.
            deck = deck_pdf("Benchmark", padding_bytes=int(o.deck_mb * 2**20))
            for number, account_id in enumerate(accounts):
                self.world.salesforce.files.attach_file(account_id, f"Deck {number}", deck)
        self.env = {
            **self.world.environment(),
            "OPENAI_WEBHOOK_SECRET": self.world.openai.webhook_secret if o.webhooks else "",
            "VICBOT_EXTRA_TOOL_MODULES": "sandbox.benchmark.tools",
            "VICBOT_EXTRA_HANDLER_MODULES": "sandbox.benchmark.probe",
            "VICBOT_BENCHMARK_PROBE_DIR": str(self.probe_dir),
            "BENCHMARK_TOOL_LATENCY": str(o.tool_latency),
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            **o.environment,
        }
        # This process saves the assistant, whose tools are checked against the registry.
        settings.VICBOT_EXTRA_TOOL_MODULES = ["sandbox.benchmark.tools"]
        registry.cache_clear()
        # ... and reports the automatic in-flight limit, which counts a turn's polls only without webhooks.
        settings.OPENAI_WEBHOOK_SECRET = self.env["OPENAI_WEBHOOK_SECRET"]
        self.pipeline = self._pipeline(self._assistant())
        if o.webhooks:
            self.web = self._start_web()
        self.workers = [self.start_worker(index) for index in range(o.workers)]
        self.beats.append(self.start_beat())
        for index in range(o.workers):
            self._wait_for_log(_worker_log(index), "ready.", timeout=60)
        self.idle_rss = sum(tree_rss_bytes(worker.pid) for worker in self.workers)

    def _assistant(self) -> Assistant:
        names = tool_names(self.options.tools_per_turn)
        name = f"benchmark-{len(names)}-tools"
        existing = Assistant.objects.filter(name=name).order_by("-version").first()
        if existing is not None:
            return existing
        default = Assistant.objects.current("vicbot")
        return Assistant.objects.create(
            name=name, model=default.model, instructions=default.instructions, tool_names=names,
            output_schema_name=default.output_schema_name, output_schema=default.output_schema,
            reasoning_effort=default.reasoning_effort,
        )

    def end_runs_left(self) -> None:
        """Cancel the runs an earlier, interrupted pass left in flight, then empty the queue.

        Those runs point at an emulator that is gone: they would hold the model's in-flight room
        (and draw polls) until they failed. The messages left queued, and the cancellations sent
        here, are about runs long gone and would be counted as this pass's tasks.
        """
        self.cancel_runs("Left in flight by an earlier benchmark pass")
        self.purged = celery_app.control.purge()

    def cancel_runs(self, reason: str) -> None:
        left = Run.objects.filter(metadata__pipeline=PIPELINE_NAME).exclude(status__in=TERMINAL_STATUSES)
        for run_id in left.values_list("pk", flat=True):
            run_cancel(run_id=run_id, reason=reason)

    def _pipeline(self, assistant: Assistant) -> Pipeline:
        Pipeline.objects.filter(name=PIPELINE_NAME).delete()
        fields = {"assistant_name": assistant.name}
        if self.options.in_flight:
            fields["max_in_flight"] = self.options.in_flight
        if self.options.prompt_template:
            fields["prompt_template"] = self.options.prompt_template
        if self.options.backlog:
            fields["backlog_older_than_days"] = BACKLOG_AGE_DAYS // 2
            fields["backlog_service_tier"] = self.options.backlog_tier
        pipeline = pipeline_create(name=PIPELINE_NAME, every_seconds=self.options.intake_every_seconds, **fields)
        # The command sends the first intake itself (the clock starts there); beat must not
        # add one of its own, and every other pipeline is paused (they would read this org too).
        PeriodicTask.objects.filter(pk=pipeline.schedule_id).update(last_run_at=timezone.now())
        others = list(PeriodicTask.objects.filter(task=pipeline.schedule.task, enabled=True)
                      .exclude(pk=pipeline.schedule_id).values_list("pk", flat=True))
        PeriodicTask.objects.filter(pk__in=others).update(enabled=False)
        PeriodicTasks.update_changed()
        self.stack.callback(_enable, others)
        return pipeline

    def start_worker(self, index: int = 0) -> subprocess.Popen:
        command = worker_command(concurrency=self.options.concurrency, pool=self.options.pool)
        # A node name of its own, as each dyno has (two workers of one name would confuse Celery's control).
        command[command.index("-n") + 1] = f"benchmark{index}-{os.getpid()}@%h"
        # Its own probe directory, so the figures say what each worker did.
        env = {**self.env, "VICBOT_BENCHMARK_PROBE_DIR": str(self.probe_dir / f"worker-{index}")}
        (self.probe_dir / f"worker-{index}").mkdir(exist_ok=True)
        if self.options.worker_cpu and index not in self.cpu_caps:
            self.cpu_caps[index] = CpuCap(self.options.worker_cpu, f"vicbot-benchmark-{os.getpid()}-worker-{index}")
            self.stack.callback(self.cpu_caps[index].close)  # after the worker stops (callbacks run last first)
        if index in self.cpu_caps:
            command = self.cpu_caps[index].wrap(command)
        return start_process(self.stack, command, env=process_environment(env),
                             log_path=self.log_dir / f"{_worker_log(index)}.log")

    def start_beat(self) -> subprocess.Popen:
        index = len(self.beats)
        # Each beat keeps its own schedule file: two beats at once is what chaos wants to test.
        command = [*beat_command(), "--schedule", str(self.log_dir / f"beat-{index}-schedule")]
        return start_process(self.stack, command, env=process_environment(self.env),
                             log_path=self.log_dir / f"beat-{index}.log")

    def kill_worker(self) -> None:
        """SIGKILL to the worker and its pool: no warm shutdown, messages in flight unacknowledged."""
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def _start_web(self) -> subprocess.Popen:
        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                   "--timeout", "25", "--log-file", "-"]
        process = start_process(self.stack, command, env=process_environment(self.env),
                                log_path=self.log_dir / "web.log")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                # Any answer means the web process serves: /healthz is 503 until the worker's first
                # heartbeat, which is the worker's news, not the web's.
                requests.get(f"{url}/healthz", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"the web process did not answer; see {self.log_dir / 'web.log'}")
        self.world.openai.webhook_url = f"{url}/webhooks/openai/"
        return process

    def _wait_for_log(self, name: str, text: str, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        path = self.log_dir / f"{name}.log"
        while time.monotonic() < deadline:
            if path.exists() and text in path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not log {text!r} within {timeout:g}s; see {path}")

    # -- the run -------------------------------------------------------------------------------

    def begin(self) -> None:
        """Start the clock and send the first intake, as the pipeline's beat entry would."""
        own_backends = _own_backend_pids()
        self.sampler = PeakSampler(worker_pids=[worker.pid for worker in self.workers],
                                   redis_url=settings.CELERY_BROKER_URL if _is_redis() else None,
                                   in_flight=self._in_flight_now,
                                   database_backends=lambda: _database_backend_pids(exclude=own_backends)).start()
        self.cpu_at_start = self._cpu_now()
        self.started_at = timezone.now()
        enqueue_pull_pitches(self.pipeline.pk, after_commit=False)

    def done(self) -> int:
        return self.pipeline.pitches.filter(status__in=DONE).count()

    def wait(self, *, on_second: Callable[[float], None] | None = None,
             progress: Callable[[int, int], None] | None = None) -> None:
        """Until every pitch is written back or failed; `on_second(elapsed)` lets chaos act."""
        began = time.monotonic()
        last_report, last_done = 0.0, -1
        while (done := self.done()) < self.options.pitches:
            elapsed = time.monotonic() - began
            if elapsed > self.options.timeout:
                raise TimeoutError(f"{done}/{self.options.pitches} pitches done after {self.options.timeout:g}s; "
                                   f"logs in {self.log_dir}")
            if on_second is not None:
                on_second(elapsed)
            if self.options.backlog and not self.new_ids and elapsed >= self.options.new_after_seconds:
                self._new_pitches_arrive()
            if progress is not None and elapsed - last_report >= 10 and done != last_done:
                progress(done, self.options.pitches)
                last_report, last_done = elapsed, done
            if self.sampler:
                self.sampler.worker_pids = [worker.pid for worker in self.workers]
            time.sleep(0.25)

    def wait_until_all_wait_on_the_model(self, *, progress: Callable[[int, int], None] | None = None) -> float:
        """Until every pitch's run waits on the model (which answers long after); the seconds it took."""
        began = time.monotonic()
        runs = Run.objects.filter(metadata__pipeline=PIPELINE_NAME, status=RunStatus.WAITING_MODEL)
        last_report = 0.0
        while (waiting := runs.count()) < self.options.pitches:
            elapsed = time.monotonic() - began
            if elapsed > self.options.timeout:
                raise TimeoutError(f"{waiting}/{self.options.pitches} runs waiting after {self.options.timeout:g}s; "
                                   f"logs in {self.log_dir}")
            if progress is not None and elapsed - last_report >= 10:
                progress(waiting, self.options.pitches)
                last_report = elapsed
            time.sleep(1)
        return time.monotonic() - began

    def measure_waiting(self, *, admitted_in: float, settle_seconds: float = 10) -> dict:
        """Memory while every run waits: the median of `settle_seconds` of samples once all are admitted."""
        samples = []
        for _ in range(int(settle_seconds / 0.5)):
            samples.append(tree_rss_bytes(self.worker.pid))
            time.sleep(0.5)
        self.sampler.stop()
        return figures.compute_waiting(
            waiting=self.options.pitches, admitted_in=admitted_in, worker_idle_rss=self.idle_rss,
            worker_waiting_rss=figures.percentile(samples, 0.5), worker_peak_rss=self.sampler.peak_rss,
            redis_peak=self.sampler.peak_redis if _is_redis() else None,
        )

    def _new_pitches_arrive(self) -> None:
        """The records that are not backlog arrive in Salesforce, and an intake pass takes them in (once the
        first pass, over the backlog, is over: a pass while one runs would be skipped)."""
        self.pipeline.refresh_from_db()
        if self.pipeline.last_intake_at is None:
            return
        self.new_ids = seed_pitches(self.world, self.options.pitches - self.options.backlog, decks=False)
        enqueue_pull_pitches(self.pipeline.pk, after_commit=False)

    def new_pitch_figures(self) -> dict:
        """The arriving pitches' time while the backlog runs, from intake and from admission to write-back."""
        new = list(self.pipeline.pitches.filter(salesforce_id__in=self.new_ids, written_back_at__isnull=False)
                   .annotate(admitted_at=Min("runs__created_at")).values("created_at", "admitted_at", "written_back_at"))
        return figures.compute_new_during_backlog(
            intrinsic_seconds=self.options.shape().intrinsic_seconds(), arrived=len(self.new_ids),
            from_intake=[(p["written_back_at"] - p["created_at"]).total_seconds() for p in new],
            from_admission=[(p["written_back_at"] - p["admitted_at"]).total_seconds() for p in new])

    def _cpu_now(self) -> dict[str, float]:
        """CPU seconds so far of each worker's tree, the web's (gunicorn and its workers) and beat's."""
        cpu = {f"worker-{index}": tree_cpu_seconds(worker.pid) for index, worker in enumerate(self.workers)}
        cpu["web"] = tree_cpu_seconds(self.web.pid) if self.web is not None else 0.0
        cpu["beat"] = sum(process_cpu_seconds(beat.pid) for beat in self.beats)
        # This process serves the emulators (and samples); the machine's figure says whether a pass was
        # bound by the cores themselves rather than by a worker.
        cpu["emulators"] = process_cpu_seconds(os.getpid(), with_children=False)
        cpu["machine"] = machine_busy_seconds()
        return cpu

    def _in_flight_now(self) -> tuple[int, int | None]:
        evaluating = Pitch.objects.filter(pipeline=self.pipeline, status=Pitch.Status.EVALUATING).count()
        return evaluating, pipeline_in_flight_limit(self.pipeline)

    def measure(self) -> dict:
        # Before the processes stop: the CPU of a process that has ended cannot be read.
        end = self._cpu_now()
        self.cpu_during = {name: round(end.get(name, 0.0) - self.cpu_at_start.get(name, 0.0), 2) for name in end}
        self.sampler.stop()
        time.sleep(0.5)  # the probe rewrites its file within WRITE_EVERY (0.2 s) of a task's end
        pitches = list(self.pipeline.pitches.annotate(admitted_at=Min("runs__created_at"))
                       .values("status", "written_back_at", "admitted_at"))
        written = [p for p in pitches if p["written_back_at"] is not None]
        end_to_end = [(p["written_back_at"] - self.started_at).total_seconds() for p in written]
        latency = [(p["written_back_at"] - p["admitted_at"]).total_seconds() for p in written]
        wall = max(end_to_end) if end_to_end else 0.0
        runs = Run.objects.filter(pitches__pipeline=self.pipeline).distinct()
        self.pipeline.refresh_from_db()
        return figures.compute(
            shape=self.options.shape(), pitches=self.options.pitches, end_to_end=end_to_end, latency=latency,
            in_flight=self._in_flight_limit(),
            failed=sum(p["status"] != Pitch.Status.WRITTEN_BACK for p in pitches), wall_seconds=wall,
            turns=runs.aggregate(n=Sum("turn"))["n"] or 0,
            openai=figures.openai_counts([(r.method, r.path) for r in list(self.world.openai.requests)]),
            salesforce_pipeline_calls=self.pipeline.salesforce_calls,
            salesforce_all_calls=self.world.salesforce.api_calls,
            probe=probe.read_totals(self.probe_dir), worker_peak_rss=self.sampler.peak_rss,
            deck_downloads=sum(self.world.salesforce.files.downloads.values()),
            worker_idle_rss=self.idle_rss, redis_peak=self.sampler.peak_redis if _is_redis() else None,
        ) | figures.compute_scale(
            pitches=self.options.pitches, wall_seconds=wall, intrinsic_seconds=self.options.shape().intrinsic_seconds(),
            cpu=self.cpu_during, database_cpu=self.sampler.database_cpu_seconds() if self.sampler.backend_cpu else None,
            peak_rss_by_worker=self.sampler.peak_rss_by_worker, in_flight=self.sampler.in_flight_samples,
            tokens=runs.aggregate(n=Sum("input_tokens") + Sum("output_tokens"))["n"] or 0,
            requests=sum(figures.openai_counts([(r.method, r.path) for r in list(self.world.openai.requests)]).values()),
            tokens_per_minute=self.options.openai_tpm, requests_per_minute=self.options.openai_rpm,
            tasks_by_worker=probe.totals_by_directory(self.probe_dir),
            database_connections_peak=self.sampler.peak_database_backends if self.sampler.backend_cpu else None,
            redis_clients_peak=self.sampler.peak_redis_clients if _is_redis() else None,
        ) | {"worker_cpu_cap": self.options.worker_cpu,
             "worker_cpu_throttled": [self.cpu_caps[index].throttled_share() for index in sorted(self.cpu_caps)]}

    def _in_flight_limit(self) -> str:
        limit = pipeline_in_flight_limit(self.pipeline)
        return str(limit) if self.pipeline.max_in_flight is not None else f"auto ({limit})"

    def stop_processes(self) -> None:
        for process in [self.worker, *self.beats, self.web]:
            if process is not None:
                stop_process(process)


BACKLOG_AGE_DAYS = 60


def _backdate(world: World, *, days: int) -> None:
    """Every record now in the org, last modified `days` ago: what a first pass over an old org finds."""
    org = world.salesforce.org
    stamp = timezone.now() - timedelta(days=days)
    with org.lock:
        for record in org._records.values():
            record.values.update(SystemModstamp=stamp, LastModifiedDate=stamp)


def _worker_log(index: int) -> str:
    return "worker" if index == 0 else f"worker-{index}"


def _own_backend_pids() -> set[int]:
    """The database backend serving this process's main connection (its polling is not the pipeline's)."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return {cursor.fetchone()[0]}


def _database_backend_pids(*, exclude: set[int]) -> list[int]:
    """PostgreSQL's backends connected to this database, less the benchmark's own (this query's included).
    Empty on another engine, or when the server is not on this machine (its /proc is not ours to read)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return [pid for (pid,) in cursor.fetchall() if pid not in exclude and Path(f"/proc/{pid}").exists()]


def _enable(task_ids: list[int]) -> None:
    PeriodicTask.objects.filter(pk__in=task_ids).update(enabled=True)
    PeriodicTasks.update_changed()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_redis() -> bool:
    return str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://"))

