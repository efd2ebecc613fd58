"""A pitch's life under edits, re-evaluation, retries and outages: never lost, erased or failed in silence.

Through the real entry points: intake passes, the worker, the admin client.
"""

import pytest
from django.core.management import call_command

from config.enqueue import enqueue_pitch_evaluate_again
from pipelines.models import Pipeline, Pitch
from pipelines.services.intake import pitches_pull
from tests.conftest import wait_for
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from vicbot.models import Run, RunStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

# The record's fields come first in the prompt, so the emulated model's Reasoning names the company.
RECORD_FIRST = "{record}\n(Salesforce {sobject} {record_id})"


def rename(salesforce, record_id, name):
    salesforce.org.update(record_id, {"Name": name}, modified_by=salesforce.org.human_user_id)


def pitch_of(record_id) -> Pitch:
    return Pitch.objects.get(salesforce_id=record_id)


def test_an_edit_while_the_answer_waits_for_its_write_supersedes_it_and_the_edited_answer_is_written(
        salesforce, openai_emu):
    pipeline = make_pipeline(prompt_template=RECORD_FIRST)
    (record_id,) = add_accounts(salesforce, 1)
    salesforce.faults.add("lock_row", times=3, match=record_id)  # the first answer's write waits on retries
    pitches_pull(pipeline_id=pipeline.pk)
    wait_for(lambda: pitch_of(record_id).writeback_attempts >= 1, message="the first write to fail once")
    first_run = pitch_of(record_id).latest_run_id

    rename(salesforce, record_id, "Renamed Robotics")
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 1

    pitch = wait_until_written_back(pipeline, 1, timeout=90)[0]
    record = salesforce.org.get(record_id)
    assert pitch.status == Pitch.Status.WRITTEN_BACK and pitch.latest_run_id != first_run
    assert pitch.writeback_run_id == pitch.latest_run_id
    assert "Renamed Robotics" in record["VicBot_Reasoning__c"] and record["VicBot_Assessment__c"]
    assert "Startup 000" not in record["VicBot_Reasoning__c"]


def test_an_edit_while_the_run_is_in_flight_cancels_it_and_only_the_edited_text_is_answered(salesforce, openai_emu):
    pipeline = make_pipeline(prompt_template=RECORD_FIRST)
    (record_id,) = add_accounts(salesforce, 1)
    openai_emu.faults.add("create", outcome="slow", seconds=4)
    pitches_pull(pipeline_id=pipeline.pk)
    old_run = wait_for(lambda: Run.objects.filter(status=RunStatus.WAITING_MODEL).first(), message="a run in flight")

    rename(salesforce, record_id, "Renamed Robotics")
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 1

    pitch = wait_until_written_back(pipeline, 1)[0]
    old_run.refresh_from_db()
    assert (old_run.status, old_run.error_code) == (RunStatus.CANCELLED, "superseded")
    assert "edited in Salesforce" in old_run.error_message
    assert pitch.status == Pitch.Status.WRITTEN_BACK and pitch.latest_run_id != old_run.pk
    assert "Renamed Robotics" in salesforce.org.get(record_id)["VicBot_Reasoning__c"]
    assert salesforce.org.writes[record_id] == 3  # created, edited by a person, and our one answer


def test_rerunning_a_pitchs_run_from_the_runs_admin_makes_the_new_run_the_pitchs_own(salesforce, openai_emu,
                                                                                      operator):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    first = wait_until_written_back(pipeline, 1)[0].latest_run_id

    operator.post("/admin/vicbot/run/", {"action": "rerun_runs", "_selected_action": [first]}, secure=True)

    pitch = wait_for(lambda: (p := pitch_of(record_id)).latest_run_id != first and
                     p.status == Pitch.Status.WRITTEN_BACK and p.writeback_run_id == p.latest_run_id and p,
                     message="the re-run's answer to be the pitch's and written")
    assert sorted(pitch.runs.values_list("pk", flat=True)) == sorted([first, pitch.latest_run_id])


def test_a_run_worth_another_attempt_is_retried_after_a_backoff(salesforce, openai_emu):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    openai_emu.faults.add("create", outcome="incomplete", reason="max_output_tokens")

    pitches_pull(pipeline_id=pipeline.pk)
    pitch = wait_until_written_back(pipeline, 1)[0]

    assert pitch.status == Pitch.Status.WRITTEN_BACK and pitch.attempts == 2
    assert [entry["verdict"] for entry in pitch.attempt_log] == ["retry", "answer"]
    assert pitch.attempt_log[0]["reason"].startswith("incomplete:max_output_tokens")


def test_after_the_last_attempt_the_pitch_fails_with_every_reason_and_salesforce_says_why(salesforce, openai_emu):
    pipeline = make_pipeline(max_attempts=2, status_field="VicBot_Status__c")
    (record_id,) = add_accounts(salesforce, 1)
    openai_emu.faults.add("create", times=2, outcome="refusal")

    pitches_pull(pipeline_id=pipeline.pk)
    pitch = wait_until_written_back(pipeline, 1)[0]

    assert pitch.status == Pitch.Status.FAILED and pitch.attempts == 2
    assert [entry["reason"].split(":")[0] for entry in pitch.attempt_log] == ["refusal", "refusal"]
    assert "No usable answer after 2 attempts" in pitch.error
    record = salesforce.org.get(record_id)
    assert record["VicBot_Status__c"] == "Not assessed: the model declined to assess the pitch"  # fixed words
    assert record["VicBot_Assessment__c"] is None and record["VicBot_Reasoning__c"] is None  # never blanks


def test_an_operators_cancel_is_final_for_the_pitch(salesforce, openai_emu, operator):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    openai_emu.faults.add("create", outcome="slow", seconds=5)
    pitches_pull(pipeline_id=pipeline.pk)
    run = wait_for(lambda: Run.objects.filter(status=RunStatus.WAITING_MODEL).first(), message="a run in flight")

    operator.post("/admin/vicbot/run/", {"action": "cancel_runs", "_selected_action": [run.pk]}, secure=True)

    pitch = wait_for(lambda: (p := pitch_of(record_id)).status == Pitch.Status.FAILED and p, message="pitch failed")
    assert pitch.attempts == 1 and pitch.error.startswith("Cancelled by an operator")


def test_a_revoked_key_pauses_the_pipeline_and_a_probe_resumes_it_when_the_key_works_again(salesforce, openai_emu):
    pipeline = make_pipeline(max_in_flight=2)
    add_accounts(salesforce, 6)
    openai_emu.faults.add("create", times=None, status=401)
    creates_before = openai_emu.create_count

    pitches_pull(pipeline_id=pipeline.pk)
    wait_for(lambda: Pipeline.objects.get(pk=pipeline.pk).pause_probes >= 2, timeout=30,
             message="the pipeline to pause and probe again")

    paused = Pipeline.objects.get(pk=pipeline.pk)
    assert paused.paused_at and "invalid_api_key" in paused.pause_reason
    assert not pipeline.pitches.filter(status=Pitch.Status.FAILED).exists()  # the backlog is not burned
    # Two admitted before the first failure, then one probe at a time.
    assert openai_emu.create_count - creates_before <= 2 + paused.pause_probes

    openai_emu.faults.clear()
    written = wait_until_written_back(pipeline, 6, timeout=90)
    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}
    assert Pipeline.objects.get(pk=pipeline.pk).paused_at is None  # resumed by itself


def test_the_daily_spend_cap_pauses_the_pipeline_while_intake_keeps_recording(salesforce, openai_emu):
    pipeline = make_pipeline()
    add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 1)
    Pipeline.objects.filter(pk=pipeline.pk).update(daily_spend_cap_usd="0.00")
    add_accounts(salesforce, 2)

    summary = pitches_pull(pipeline_id=pipeline.pk)

    paused = Pipeline.objects.get(pk=pipeline.pk)
    assert (summary.new, summary.started) == (2, 0)
    assert paused.state == "paused_for_spend" and "daily cap" in paused.pause_reason
    assert paused.probe_at.hour == 0 and paused.probe_at > paused.paused_at
    assert pipeline.pitches.filter(status=Pitch.Status.NEW).count() == 2


def test_a_failed_intake_pass_is_recorded_on_the_pipeline_and_leaves_the_watermark(salesforce, openai_emu):
    pipeline = make_pipeline(selection="Nmae != null", max_in_flight=0)
    add_accounts(salesforce, 1)

    first, second = pitches_pull(pipeline_id=pipeline.pk), pitches_pull(pipeline_id=pipeline.pk)

    failed = Pipeline.objects.get(pk=pipeline.pk)
    assert first.error and "failed after 0 records" in str(second)
    assert failed.intake_failures_in_a_row == 2 and failed.last_intake_error_at
    assert "Nmae" in failed.last_intake_error and failed.watermark is None

    Pipeline.objects.filter(pk=pipeline.pk).update(selection="Name != null")
    assert pitches_pull(pipeline_id=pipeline.pk).new == 1
    fixed = Pipeline.objects.get(pk=pipeline.pk)
    assert (fixed.intake_failures_in_a_row, fixed.last_intake_error) == (0, "")


def test_evaluate_again_that_cannot_read_the_record_says_so_on_the_pitch(salesforce, openai_emu):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 1)
    salesforce.org.delete(record_id)

    enqueue_pitch_evaluate_again(pitch_of(record_id).pk, after_commit=False)

    pitch = wait_for(lambda: (p := pitch_of(record_id)).error and p, message="the error on the pitch")
    assert pitch.error.startswith("Evaluate again failed:")
    assert pitch.status == Pitch.Status.WRITTEN_BACK  # the earlier answer stands


def test_pitchbook_credits_running_out_pause_the_pipeline_until_a_probe_gets_through(
        salesforce, openai_emu, pitchbook_emulator):
    pipeline = make_pipeline(max_in_flight=1, tool_names=["pitchbook_company_find"])
    add_accounts(salesforce, 3)
    pitchbook_emulator.faults.add("payment_required", times=2)  # the first pitch's call, then the first probe's

    pitches_pull(pipeline_id=pipeline.pk)
    written = wait_until_written_back(pipeline, 3, timeout=60)

    # Each pitch keeps its answer (the model was told PitchBook failed); the pipeline paused
    # after each 402 and resumed once a probe's PitchBook call got through.
    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}
    hit = Run.objects.filter(pitches__pipeline=pipeline).exclude(tool_systemic_error="")
    assert hit.count() == 2 and all("credits_exhausted" in r.tool_systemic_error for r in hit)
    assert Pipeline.objects.get(pk=pipeline.pk).paused_at is None


def test_evaluate_again_while_the_answer_waits_for_its_write_supersedes_it_and_never_writes_blanks(
        salesforce, openai_emu):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    salesforce.faults.add("lock_row", times=3, match=record_id)
    pitches_pull(pipeline_id=pipeline.pk)
    wait_for(lambda: pitch_of(record_id).writeback_attempts >= 1, message="the first write to fail once")
    first_run = pitch_of(record_id).latest_run_id

    enqueue_pitch_evaluate_again(pitch_of(record_id).pk, after_commit=False)

    pitch = wait_for(lambda: (p := pitch_of(record_id)).latest_run_id != first_run and
                     p.status == Pitch.Status.WRITTEN_BACK and p, timeout=90, message="the new answer written")
    record = salesforce.org.get(record_id)
    assert pitch.writeback_run_id == pitch.latest_run_id != first_run
    assert record["VicBot_Assessment__c"] and record["VicBot_Reasoning__c"]
    assert pitch.attempts == 1 and [e["run"] for e in pitch.attempt_log] == [pitch.latest_run_id]


def test_an_edit_no_intake_pass_saw_is_caught_by_the_write_back_and_the_edited_text_is_answered(
        salesforce, openai_emu):
    """With the default condition (not yet assessed), writing the old answer first would take the
    record out of intake's sight for good; the write-back reads the records once more before writing."""
    pipeline = make_pipeline(prompt_template=RECORD_FIRST, selection="VicBot_Assessment__c = null")
    (record_id,) = add_accounts(salesforce, 1)
    salesforce.faults.add("lock_row", times=1, match=record_id)
    pitches_pull(pipeline_id=pipeline.pk)
    wait_for(lambda: pitch_of(record_id).writeback_attempts >= 1, message="the first write to fail once")
    first_run = pitch_of(record_id).latest_run_id

    rename(salesforce, record_id, "Renamed Robotics")  # no intake pass runs after this

    pitch = wait_until_written_back(pipeline, 1, timeout=60)[0]
    record = salesforce.org.get(record_id)
    assert pitch.latest_run_id != first_run and pitch.writeback_run_id == pitch.latest_run_id
    assert "Renamed Robotics" in record["VicBot_Reasoning__c"]
    assert salesforce.org.writes[record_id] == 3  # created, edited by a person, and our one answer


def test_cancelling_a_re_evaluation_leaves_the_written_back_answer_standing_beside_the_cancelled_run(
        salesforce, openai_emu, operator):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    (answered,) = wait_until_written_back(pipeline, 1)
    written = salesforce.org.get(record_id)
    openai_emu.faults.add("create", outcome="slow", seconds=60)  # the re-evaluation stays in flight
    call_command("evaluate_pitch", record_id, "--pipeline", pipeline.name)
    rerun = wait_for(lambda: Run.objects.filter(status=RunStatus.WAITING_MODEL).first(), message="the re-run")

    operator.post("/admin/vicbot/run/", {"action": "cancel_runs", "_selected_action": [rerun.pk]}, secure=True)

    wait_for(lambda: Run.objects.get(pk=rerun.pk).status == RunStatus.CANCELLED, message="the re-run cancelled")
    pitch = wait_for(lambda: (p := pitch_of(record_id)).status != Pitch.Status.EVALUATING and p,
                     message="the pitch to take in the cancel")
    assert pitch.status == Pitch.Status.WRITTEN_BACK and pitch.writeback_state == Pitch.WriteBack.DONE
    assert (pitch.assessment, pitch.error) == (answered.assessment, "")
    assert pitch.latest_run_id == rerun.pk and pitch.writeback_run_id == answered.writeback_run_id
    assert salesforce.org.get(record_id) == written  # nothing "cancelled" was written over the answer


def test_cancelling_a_re_evaluation_before_the_answer_was_written_queues_that_answer_again(
        salesforce, openai_emu, operator):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    salesforce.faults.add("lock_row", times=1000, match=record_id)  # the first answer's write keeps retrying
    pitches_pull(pipeline_id=pipeline.pk)
    wait_for(lambda: pitch_of(record_id).writeback_attempts >= 1, message="the first write to fail once")
    first_run = pitch_of(record_id).latest_run_id
    openai_emu.faults.add("create", outcome="slow", seconds=60)
    call_command("evaluate_pitch", record_id, "--pipeline", pipeline.name)
    rerun = wait_for(lambda: Run.objects.filter(status=RunStatus.WAITING_MODEL).first(), message="the re-run")
    assert pitch_of(record_id).writeback_state != Pitch.WriteBack.QUEUED  # superseded by the re-run
    salesforce.faults.clear()

    operator.post("/admin/vicbot/run/", {"action": "cancel_runs", "_selected_action": [rerun.pk]}, secure=True)

    (pitch,) = wait_until_written_back(pipeline, 1, timeout=90)
    assert pitch.status == Pitch.Status.WRITTEN_BACK and pitch.writeback_run_id == first_run
    assert salesforce.org.get(record_id)["VicBot_Assessment__c"] == pitch.assessment
