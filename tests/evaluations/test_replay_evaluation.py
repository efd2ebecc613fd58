"""The evaluation lab end to end on the worker: decisions recorded, a dataset frozen, a worse version scores
worse on a replay that reaches no tool server and writes nothing back; shadow runs beside live pitches."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from evaluations.models import Dataset, DatasetItem, Evaluation, EvaluationTrial, FrozenDataset
from evaluations.services.datasets import FreezeFilters, dataset_export_lines, dataset_freeze, dataset_import
from evaluations.services.runner import shadow_create
from pipelines.models import Pitch
from pipelines.services.intake import pitches_pull
from tests.conftest import wait_for
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from tests.support.runs import make_assistant
from vicbot.models import Assistant, Run, ToolCall

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

FOLLOW = "Assess the pitch. Use the tools.\nVICBOT-TEST-JUDGE: follow-decision-hint"
CONTRARY = "Assess the pitch. Use the tools.\nVICBOT-TEST-JUDGE: contrary-to-decision-hint"
VERDICTS = {"Strong fit": "advance", "Not a fit": "pass", "Possible fit": "undecided"}
DECISIONS = {"Meeting": "advance", "Passed": "pass"}


def judged_pipeline(salesforce, count: int = 6):
    """A pipeline whose pitches the partners decided (the hint the scripted judge can follow is in the text)."""
    pipeline = make_pipeline(tool_names=["test_lookup"], selection="Name != null",
                             decision_field="Partner_Decision__c", decision_outcomes=DECISIONS,
                             assessment_outcomes=VERDICTS)
    for i in range(count):
        outcome = "advance" if i % 2 == 0 else "pass"
        add_accounts(salesforce, 1, Name=f"Startup {i}",
                     Description=f"We do thing {i}.\nVICBOT-TEST-DECISION-HINT: {outcome}",
                     Partner_Decision__c="Meeting" if outcome == "advance" else "Passed")
    return pipeline


def test_a_worse_version_scores_worse_on_a_replay_that_reaches_no_tool_server(salesforce, openai_emu,
                                                                              pitchbook_emulator, sample_sites):
    pipeline = judged_pipeline(salesforce)
    Assistant.objects.filter(name="tester").update(instructions=CONTRARY)  # v1: judges against the partners
    make_assistant(tool_names=["test_lookup"], instructions=FOLLOW, version=2)  # v2, the current one, follows
    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 6)
    dataset = dataset_freeze(name="decided", filters=FreezeFilters(pipeline=pipeline.name, decided_only=True))
    assert dataset.frozen and dataset.item_count == 6
    assert all(item.tool_calls and item.decision in ("advance", "pass") for item in dataset.items.all())
    before = (salesforce.api_calls, pitchbook_emulator.stats()["requests"]["total"], len(sample_sites.requests))
    pitches_before = list(Pitch.objects.values_list("pk", "status", "writeback_state", "assessment"))

    out, err = StringIO(), StringIO()
    call_command("evaluate_version", "--dataset", str(dataset.pk), "--candidate", "tester:1", "--trials", "2",
                 "--flex", "--cap", "5", "--json", stdout=out, stderr=err)

    report = json.loads(out.getvalue())
    assert report["evaluation"]["status"] == "finished", err.getvalue()
    assert (report["candidate"], report["baseline"]) == ("tester v1", "tester v2")
    candidate, baseline = report["scores"]["candidate"], report["scores"]["baseline"]
    assert baseline["versus_decisions"]["kappa"] == 1.0 and candidate["versus_decisions"]["kappa"] == -1.0
    assert baseline["versus_decisions"]["compared"] == candidate["versus_decisions"]["compared"] == 6
    assert candidate["tool_misses"] == 0 and "answered" in err.getvalue()
    evaluation = Evaluation.objects.get()
    assert evaluation.trials_total == evaluation.trials_done == 24  # 6 pitches x 2 trials x 2 versions
    runs = Run.objects.filter(pk__in=EvaluationTrial.objects.values("run_id"))
    assert runs.count() == 24 and not runs.filter(pitches__isnull=False).exists()  # no pitch's run, no pipeline cap
    assert {r.service_tier for r in runs} == {"flex"} and all(r.flex_input_tokens == r.input_tokens for r in runs)
    assert set(ToolCall.objects.filter(run__in=runs).values_list("replayed", flat=True)) == {"exact"}
    # Only OpenAI was asked: Salesforce, PitchBook and the web saw nothing; no pitch moved.
    assert (salesforce.api_calls, pitchbook_emulator.stats()["requests"]["total"], len(sample_sites.requests)) == before
    assert list(Pitch.objects.values_list("pk", "status", "writeback_state", "assessment")) == pitches_before


def test_a_frozen_dataset_refuses_changes_and_travels_as_jsonl(salesforce, openai_emu):
    pipeline = judged_pipeline(salesforce, count=2)
    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 2)
    dataset = dataset_freeze(name="all", filters=FreezeFilters(pipeline=pipeline.name))
    item = dataset.items.first()

    with pytest.raises(FrozenDataset):
        item.save()
    with pytest.raises(FrozenDataset):
        DatasetItem.objects.filter(dataset=dataset).update(input="changed")
    with pytest.raises(FrozenDataset):
        dataset.save()

    lines = list(dataset_export_lines(dataset))
    record = json.loads(lines[0])
    assert {"run_id", "assistant", "input", "turns", "answer", "decision", "pitch"} <= set(record)
    copy = dataset_import(name="copy", lines=lines)
    assert copy.frozen and copy.source == Dataset.Source.IMPORT
    mine, theirs = dataset.items.order_by("position"), copy.items.order_by("position")
    assert [(i.input, i.tool_calls, i.decision) for i in mine] == [(i.input, i.tool_calls, i.decision) for i in theirs]


def test_a_shadow_judges_live_pitches_beside_the_real_run_and_writes_nothing(salesforce, openai_emu):
    pipeline = judged_pipeline(salesforce, count=3)
    Assistant.objects.filter(name="tester").update(instructions=CONTRARY)
    make_assistant(tool_names=["test_lookup"], instructions=FOLLOW, version=2)
    # Pipelines run the newest version (v2); the shadow judges with v1 beside it, for 2 pitches.
    shadow = shadow_create(pipeline=pipeline, candidate=Assistant.objects.get(name="tester", version=1),
                           max_pitches=2)

    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 3)
    wait_for(lambda: Evaluation.objects.get(pk=shadow.pk).status == Evaluation.Status.FINISHED,
             message="the shadow evaluation to finish")

    trials = list(EvaluationTrial.objects.filter(evaluation=shadow))
    assert len(trials) == 2 and {t.status for t in trials} == {EvaluationTrial.Status.DONE}
    for trial in trials:
        assert trial.live_run.pitches.filter(pk=trial.pitch_id).exists()  # beside the pitch's real run
        assert not trial.run.pitches.exists() and trial.run.completion_handler == "evaluations.trial_ended"
        pitch = Pitch.objects.get(pk=trial.pitch_id)
        assert {trial.outcome, pitch.decision_outcome} == {"advance", "pass"}  # v1 judges against the partners
        assert pitch.latest_run_id == trial.live_run_id  # the written answer is the real run's
        assert trial.run.assistant.version == 1 and trial.live_run.assistant.version == 2
    assert Run.objects.count() == 5  # three pitches' runs, two shadows
