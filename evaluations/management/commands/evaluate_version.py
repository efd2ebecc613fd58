"""manage.py evaluate_version: replay a candidate assistant version over a dataset, then print its scores."""

from __future__ import annotations

import getpass
import json
import time
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Dataset, Evaluation
from evaluations.report import evaluation_scores, score_table, scores_json
from evaluations.selectors import evaluation_progress
from evaluations.services.runner import InvalidEvaluation, assistant_version, evaluation_create
from vicbot.runs import NO_WORKER_WARNING, a_worker_is_alive

ENDED = (Evaluation.Status.FINISHED, Evaluation.Status.CAPPED, Evaluation.Status.CANCELLED, Evaluation.Status.FAILED)


class Command(BaseCommand):
    help = ("Evaluate a candidate assistant version: replay it and the current version over a frozen dataset "
            "(tool calls answered from the recording: nothing reaches Salesforce, PitchBook or the web, nothing "
            "is written back), show progress while the worker runs it, then print the scores. Its spend counts "
            "against --cap only, never a pipeline's daily cap.")

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=int, required=True, help="The frozen dataset's id.")
        parser.add_argument("--candidate", required=True, help="ASSISTANT or ASSISTANT:VERSION (default newest).")
        parser.add_argument("--trials", type=int, default=1, help="Runs per pitch and version (k), for consistency.")
        parser.add_argument("--flex", action="store_true",
                            help="Ask OpenAI's flex tier (about half price; standard when flex has no capacity).")
        parser.add_argument("--cap", help="Spend cap in USD for this evaluation (no cap if omitted).")
        parser.add_argument("--json", action="store_true", help="Print one JSON document instead of the table.")
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait for it to end.")

    def handle(self, *args, dataset, candidate, trials=1, flex=False, cap=None, json=False, timeout=3600,
               **options):
        as_json = json
        found = Dataset.objects.filter(pk=dataset).first()
        if found is None:
            raise CommandError(f"--dataset {dataset}: no dataset has that id.")
        try:
            cap_usd = Decimal(cap) if cap is not None else None
        except InvalidOperation:
            raise CommandError(f"--cap {cap!r}: expected an amount in USD, e.g. 5 or 2.50.") from None
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


def _dumps(document: dict) -> str:
    return json.dumps(document, default=str, indent=2)
