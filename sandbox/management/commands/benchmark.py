"""python manage.py benchmark: the whole pipeline on emulators with a real worker and beat, measured."""

import json
import signal
import sys
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sandbox.benchmark.cpu_cap import CpuCapUnavailable
from sandbox.benchmark.figures import BACKLOG_ROWS, ROWS, SCALE_ROWS, WAITING_ROWS, table
from sandbox.benchmark.scenario import Options, Scenario


class Command(BaseCommand):
    help = ("Intake -> runs with tools -> write-back on the emulators, with the Procfile's worker and beat on the "
            "configured database and broker; prints throughput, latency against the model's own, and costs.")

    def add_arguments(self, parser):
        parser.add_argument("--pitches", type=int, default=1)
        parser.add_argument("--model-latency", type=float, default=2.0, help="Seconds each model turn runs")
        parser.add_argument("--queued-latency", type=float, default=0.0, help="Seconds each turn is queued first")
        parser.add_argument("--turns", type=int, default=2, help="1 (no tools) or 2 (tools, then the answer)")
        parser.add_argument("--tools-per-turn", type=int, default=3)
        parser.add_argument("--tool-latency", type=float, default=0.0, help="Seconds each tool call takes")
        parser.add_argument("--webhooks", action=__import__("argparse").BooleanOptionalAction, default=True,
                            help="Run a web process and have OpenAI's webhooks report the runs (else: polling)")
        parser.add_argument("--concurrency", type=int, default=None,
                            help=f"Worker concurrency (default: the Procfile's, {settings.CELERY_WORKER_CONCURRENCY})")
        parser.add_argument("--pool", default=None,
                            help=f"Worker pool: threads, prefork, solo (default: the Procfile's, {settings.CELERY_WORKER_POOL})")
        parser.add_argument("--in-flight", type=int, default=None, help="Pipeline's max_in_flight (default: its own)")
        parser.add_argument("--openai-rpm", type=int, default=Options.openai_rpm,
                            help="Requests per minute the emulated OpenAI announces (x-ratelimit-limit-requests)")
        parser.add_argument("--openai-tpm", type=int, default=Options.openai_tpm,
                            help="Tokens per minute it announces; with them, the automatic in-flight limit")
        parser.add_argument("--workers", type=int, default=1,
                            help="Worker processes, each started as one worker dyno would be (its own pool and concurrency)")
        parser.add_argument("--worker-cpu", type=float, default=None, metavar="CORES",
                            help="Cap each worker's process tree at CORES (a CPU cgroup; needs root), as each dyno "
                                 "has its own CPU: the workers, not the shared machine, are then the bound")
        parser.add_argument("--backlog", type=int, default=0,
                            help="Records last modified long ago, which the pipeline scores as a backlog; with --new")
        parser.add_argument("--new", type=int, default=0,
                            help="With --backlog: records arriving while the backlog runs (--new-after seconds in); "
                                 "prints their time against their usual")
        parser.add_argument("--new-after", type=float, default=15.0)
        parser.add_argument("--backlog-tier", choices=("standard", "flex"), default="standard",
                            help="With --backlog: the pipeline's backlog service tier (flex: the emulated OpenAI "
                                 "answers flex twice as slowly, and --flex-unavailable of flex creates with a 429)")
        parser.add_argument("--flex-unavailable", type=float, default=0.0, metavar="SHARE",
                            help="Share (0-1) of flex creates answered 429 resource_unavailable")
        parser.add_argument("--check", action="store_true",
                            help="Exit 1 unless every pitch is written back, none failed and every worker ran tasks "
                                 "(CI's check of a scale-out; never a timing)")
        parser.add_argument("--waiting", action="store_true",
                            help="Measure memory instead: the model never answers within the pass; once every "
                                 "pitch's run waits on it, print the worker's RSS and Redis memory, then cancel them")
        parser.add_argument("--decks", dest="deck_mb", type=float, default=None, metavar="MB",
                            help="Attach a PDF deck of about MB megabytes to every pitch")
        parser.add_argument("--timeout", type=float, default=600)
        parser.add_argument("--json", dest="json_path", default=None, help="Also write the figures to this file")
        parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                            help="A setting for worker, beat and web (e.g. SALESFORCE_WRITEBACK_DELAY_SECONDS=0)")

    def handle(self, *args, **o):
        # SIGTERM (a CI time bound) unwinds like Ctrl-C, so worker, beat and web are stopped too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        call_command("migrate", verbosity=0)
        environment = dict(item.split("=", 1) for item in o["set"])
        if o["waiting"]:
            # A model that answers after the pass, and room for every pitch: OpenAI's announced limits
            # (a turn this long costs few requests and tokens a minute) and the pipeline's cap.
            o["model_latency"] = max(o["model_latency"], o["timeout"] + 3600)
            o["openai_rpm"] = max(o["openai_rpm"], 100 * o["pitches"])
            o["openai_tpm"] = max(o["openai_tpm"], 10**6 * o["pitches"])
            o["in_flight"] = o["in_flight"] or o["pitches"]
        options = Options(
            pitches=o["pitches"], model_latency=o["model_latency"], queued_latency=o["queued_latency"],
            turns=o["turns"], tools_per_turn=o["tools_per_turn"], tool_latency=o["tool_latency"],
            webhooks=o["webhooks"], concurrency=o["concurrency"], pool=o["pool"], in_flight=o["in_flight"],
            openai_rpm=o["openai_rpm"], openai_tpm=o["openai_tpm"], timeout=o["timeout"], environment=environment,
            workers=o["workers"], backlog=o["backlog"], new_after_seconds=o["new_after"], deck_mb=o["deck_mb"],
            backlog_tier=o["backlog_tier"], flex_unavailable=o["flex_unavailable"], worker_cpu=o["worker_cpu"],
        )
        if o["backlog"]:
            if not o["new"]:
                raise CommandError("--backlog needs --new: the pitches whose time it measures")
            options.pitches = o["backlog"] + o["new"]
        title = (f"benchmark: {options.pitches} pitches, {options.model_latency:g}s/turn, {options.turns} turns, "
                 f"{options.tools_per_turn} tools/turn at {options.tool_latency:g}s, webhooks "
                 f"{'on' if options.webhooks else 'off'}, pool {options.pool or settings.CELERY_WORKER_POOL} × "
                 f"{options.concurrency or settings.CELERY_WORKER_CONCURRENCY}, {options.workers} worker process(es)"
                 f"{f' at most {options.worker_cpu:g} core each' if options.worker_cpu else ''}, OpenAI "
                 f"limits {options.openai_rpm} RPM / {options.openai_tpm} TPM"
                 f"{f', a {options.deck_mb:g} MB deck each' if options.deck_mb is not None else ''}"
                 f"{f', backlog {options.backlog} on {options.backlog_tier}' if options.backlog else ''}"
                 f"{f' ({options.flex_unavailable:g} of flex creates refused)' if options.flex_unavailable else ''}"
                 f"{''.join(f', {k}={v}' for k, v in environment.items())}")
        with ExitStack() as stack:
            try:
                scenario = Scenario(options, stack)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stderr.write(f"Logs in {scenario.log_dir}")
            try:
                scenario.prepare()
            except CpuCapUnavailable as exc:
                raise CommandError(str(exc)) from exc
            if scenario.purged:
                self.stderr.write(f"Dropped {scenario.purged} messages an earlier run left in the queue")
            scenario.begin()
            try:
                if o["waiting"]:
                    admitted_in = scenario.wait_until_all_wait_on_the_model(
                        progress=lambda waiting, total: self.stderr.write(f"  {waiting}/{total} waiting"))
                else:
                    scenario.wait(progress=lambda done, total: self.stderr.write(f"  {done}/{total} done"))
            except TimeoutError as exc:
                raise CommandError(str(exc)) from exc
            if o["waiting"]:
                figures = scenario.measure_waiting(admitted_in=admitted_in)
                # Ended while the worker runs, so their pitches hear of it now: not from the next
                # pass's tick (500 completions a tick, counted as that pass's tasks). Nor do the
                # responses' cancellations send webhooks, which would reach it the same way.
                scenario.world.openai.webhook_url = None
                scenario.cancel_runs("The benchmark measured the worker's memory while it waited")
                scenario.wait(progress=lambda done, total: self.stderr.write(f"  {done}/{total} cancelled"))
            else:
                figures = scenario.measure()
                if o["backlog"]:
                    figures |= scenario.new_pitch_figures()
            scenario.stop_processes()
        figures["options"] = {**vars(options), "environment": environment}
        rows = WAITING_ROWS if o["waiting"] else ROWS + SCALE_ROWS + (BACKLOG_ROWS if o["backlog"] else ())
        self.stdout.write("\n".join(table(figures, title=title, rows=rows)))
        if o["json_path"]:
            Path(o["json_path"]).write_text(json.dumps(figures, indent=2, default=str))
        sys.stdout.flush()
        if o["check"] and not o["waiting"] and (problems := scale_out_problems(figures)):
            raise CommandError("The scale-out is broken: " + "; ".join(problems))


def scale_out_problems(figures: dict) -> list[str]:
    """What makes a pass a failure whatever the machine's speed: pitches not written, errors, an idle worker."""
    problems = []
    if figures["written_back"] != figures["pitches"]:
        problems.append(f"{figures['written_back']} of {figures['pitches']} pitches written back")
    if figures["failed"]:
        problems.append(f"{figures['failed']} pitches failed")
    idle = [name for name, tasks in figures["tasks_by_worker"].items() if not tasks]
    if idle or len(figures["tasks_by_worker"]) != figures["workers"]:
        problems.append(f"workers that ran no task: {', '.join(idle) or 'some'}")
    return problems
