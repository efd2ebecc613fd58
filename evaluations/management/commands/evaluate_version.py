"""manage.py evaluate_version: replay a candidate assistant version over a dataset, then print its scores."""

from __future__ import annotations

import getpass
import json
import time
from decimal import Decimal, InvalidOperation

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluations.models import Dataset, Evaluation
from evaluations.report import evaluation_scores, score_table, scores_json
from evaluations.selectors import evaluation_progress
from evaluations.services.runner import InvalidEvaluation, assistant_version, evaluation_create, shadow_create
from evaluations.services.shadow import shadow_close_if_done
from pipelines.models import Pipeline
from vicbot.runs import NO_WORKER_WARNING, a_worker_is_alive

ENDED = (Evaluation.Status.FINISHED, Evaluation.Status.CAPPED, Evaluation.Status.CANCELLED, Evaluation.Status.FAILED)


class Command(BaseCommand):
    help = ("Evaluate a candidate assistant version: replay it and the current version over a frozen dataset "
            "(tool calls answered from the recording: nothing reaches Salesforce, PitchBook or the web, nothing "
            "is written back), show progress while the worker runs it, then print the scores. Its spend counts "
            "against --cap only, never a pipeline's daily cap.")

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=int, help="The frozen dataset's id (a replay).")
        parser.add_argument("--candidate", help="ASSISTANT or ASSISTANT:VERSION (default newest).")
        parser.add_argument("--shadow", metavar="PIPELINE",
                            help="Instead of a replay: judge the pipeline's next live pitches beside the real "
                                 "runs (read-only tools, nothing written back); needs --pitches or --days. "
                                 "Prints its id and returns; --report ID prints its scores later.")
        parser.add_argument("--pitches", type=int, help="Shadow: stop after this many pitches.")
        parser.add_argument("--days", type=float, help="Shadow: stop after this many days.")
        parser.add_argument("--report", type=int, metavar="ID", help="Print an existing evaluation's scores.")
        parser.add_argument("--trials", type=int, default=1, help="Runs per pitch and version (k), for consistency.")
        parser.add_argument("--flex", action="store_true",
                            help="Ask OpenAI's flex tier (about half price; standard when flex has no capacity).")
        parser.add_argument("--cap", help="Spend cap in USD for this evaluation (no cap if omitted).")
        parser.add_argument("--json", action="store_true", help="Print one JSON document instead of the table.")
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait for it to end.")

    def handle(self, *args, dataset=None, candidate=None, trials=1, flex=False, cap=None, json=False,
               timeout=3600, shadow=None, pitches=None, days=None, report=None, **options):
        as_json = json
        if report is not None:
            return self._report(report, as_json)
        if not candidate:
            raise CommandError("--candidate is required (or --report ID).")
        if shadow:
            return self._shadow(shadow, candidate, pitches=pitches, days=days, flex=flex, cap=cap)
        if dataset is None:
            raise CommandError("--dataset is required for a replay (or --shadow PIPELINE, or --report ID).")
        found = Dataset.objects.filter(pk=dataset).first()
        if found is None:
            raise CommandError(f"--dataset {dataset}: no dataset has that id.")
        cap_usd = _cap(cap)
        if not a_worker_is_alive():
            self.stderr.write(NO_WORKER_WARNING)
        try:
            evaluation = evaluation_create(dataset=found, candidate=assistant_version(candidate), trials=trials,
                                           flex=flex, spend_cap_usd=cap_usd, created_by=getpass.getuser())
        except InvalidEvaluation as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Evaluation {evaluation.pk}: {evaluation.candidate} against {evaluation.baseline} on "
                          f"{found.name!r} ({evaluation.trials_total} runs).")
        progress = self._wait(evaluation, timeout)
        scores = evaluation_scores(evaluation)
        if as_json:
            self.stdout.write(_dumps(scores_json(evaluation, scores, progress)))
        else:
            self.stdout.write(score_table(evaluation, scores))
        if progress["status"] not in ENDED:
            raise CommandError(f"Evaluation {evaluation.pk} still {progress['status']} after {timeout:g}s: "
                               "the scores above are partial.")

    def _report(self, evaluation_id: int, as_json: bool) -> None:
        evaluation = Evaluation.objects.filter(pk=evaluation_id).first()
        if evaluation is None:
            raise CommandError(f"--report {evaluation_id}: no evaluation has that id.")
        if evaluation.kind == Evaluation.Kind.SHADOW:
            shadow_close_if_done(evaluation)  # its pitches or days may be used up since the last one started
        progress = evaluation_progress(evaluation)
        scores = evaluation_scores(evaluation)
        self.stdout.write(_dumps(scores_json(evaluation, scores, progress)) if as_json
                          else f"{progress}\n" + score_table(evaluation, scores))

    def _shadow(self, pipeline_name: str, candidate: str, *, pitches, days, flex, cap) -> None:
        pipeline = Pipeline.objects.filter(name=pipeline_name).first()
        if pipeline is None:
            raise CommandError(f"--shadow {pipeline_name!r}: no pipeline has that name.")
        ends_at = timezone.now() + timedelta(days=days) if days else None
        try:
            evaluation = shadow_create(pipeline=pipeline, candidate=assistant_version(candidate), max_pitches=pitches,
                                       ends_at=ends_at, flex=flex, spend_cap_usd=_cap(cap),
                                       created_by=getpass.getuser())
        except InvalidEvaluation as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Shadow evaluation {evaluation.pk}: {evaluation.candidate} beside {evaluation.baseline} "
                          f"on {pipeline.name}'s next pitches. Scores: manage.py evaluate_version --report "
                          f"{evaluation.pk}")

    def _wait(self, evaluation: Evaluation, timeout: float) -> dict:
        ends = time.monotonic() + timeout
        last = None
        while True:
            progress = evaluation_progress(evaluation)
            line = (f"{progress['status']}: {progress['answered']} answered, {progress['failed']} failed, "
                    f"{progress['skipped']} skipped of {progress['total']}; {progress['tool_misses']} tool misses; "
                    f"${progress['spent_usd']} spent")
            if line != last:
                self.stderr.write(line)
                last = line
            if progress["status"] in ENDED or time.monotonic() >= ends:
                return progress
            time.sleep(1)  # polling the database for progress (not synchronisation: the loop waits for an end)


def _cap(cap: str | None) -> Decimal | None:
    try:
        return Decimal(cap) if cap is not None else None
    except InvalidOperation:
        raise CommandError(f"--cap {cap!r}: expected an amount in USD, e.g. 5 or 2.50.") from None


def _dumps(document: dict) -> str:
    return json.dumps(document, default=str, indent=2)
