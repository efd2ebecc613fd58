"""The demo's evaluation (`demo --evaluate`): a candidate version replayed beside the current one over the
pitches the partners decided, scored against their decisions, its table printed.

The candidate is the current version's configuration under a name of its own with one more line, the
scripted model's VICBOT-TEST-JUDGE marker: it follows the decision planted in each demo pitch, with a
coin flip for a fifth of them. The current version's verdicts are the scripted model's usual draw, so
the table shows what a better version looks like — before anything is promoted.
"""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.utils import timezone

from evaluations.models import Evaluation
from evaluations.report import evaluation_scores, score_table
from evaluations.selectors import evaluation_progress
from evaluations.services.datasets import FreezeFilters, dataset_freeze
from evaluations.services.runner import evaluation_create
from pipelines.models import Pipeline
from vicbot.models import Assistant
from vicbot.runs import assistant_save_new_version

CANDIDATE_JUDGE = "VICBOT-TEST-JUDGE: follow-decision-hint noise 0.2 seed 1"
ENDED = (Evaluation.Status.FINISHED, Evaluation.Status.CAPPED, Evaluation.Status.CANCELLED,
         Evaluation.Status.FAILED)


def demo_evaluation(pipeline: Pipeline, *, timeout: float, out) -> str:
    current = Assistant.objects.current(pipeline.assistant_name)
    draft = Assistant.objects.get(pk=current.pk)
    draft.name = f"{current.name}-candidate"
    draft.instructions = f"{current.instructions.rstrip()}\n\n{CANDIDATE_JUDGE}\n"
    candidate = assistant_save_new_version(assistant=draft)
    dataset = dataset_freeze(
        name=f"demo decided pitches {timezone.now():%Y-%m-%d %H:%M:%S}",
        filters=FreezeFilters(pipeline=pipeline.name, decided_only=True), created_by="demo",
        description="The demo's pitches the partners decided (Partner_Decision__c).")
    evaluation = evaluation_create(dataset=dataset, candidate=candidate, baseline=current, created_by="demo")
    out.write(f"\nEvaluating {candidate} against {current} on {dataset.item_count} decided pitches "
              f"(evaluation {evaluation.pk}: replay, tools answered from the recording, nothing written back)…")
    started = time.monotonic()
    while not Evaluation.objects.filter(pk=evaluation.pk, status__in=ENDED).exists():
        if time.monotonic() - started > timeout:
            raise CommandError(f"Evaluation {evaluation.pk} not done after {timeout:g}s")
        time.sleep(0.5)
    progress = evaluation_progress(evaluation)
    header = (f"Evaluation {evaluation.pk} ({progress['status']}): {progress['answered']} trials answered, "
              f"{progress['failed']} failed, {progress['tool_misses']} tool misses, ${progress['spent_usd']} spent.")
    return header + "\n" + score_table(evaluation, evaluation_scores(evaluation))
