"""Intake: paging, watermark overlap and dedupe, overlapping passes, admission, hostile data."""

import time

import pytest

from tests.support.pitches import add_accounts, make_pipeline, run_in_threads, wait_until_written_back
from pipelines.models import Pitch
from vicbot.models import Run
from pipelines.services.intake import pitches_pull
from pipelines.services.prompt import pitch_prompt

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_it_pages_through_every_new_record_and_dedupes_the_overlap_on_the_next_pass(salesforce):
    pipeline = make_pipeline(max_in_flight=0, batch_size=200)  # nothing starts: this test is about reading
    add_accounts(salesforce, 450)
    salesforce.calls_by_endpoint.clear()

    first = pitches_pull(pipeline_id=pipeline.pk)

    assert (first.seen, first.new, first.started) == (450, 450, 0)
    assert salesforce.calls_by_endpoint["query"] == 1 and salesforce.calls_by_endpoint["query_more"] == 2
    assert pipeline.pitches.filter(status=Pitch.Status.NEW).count() == 450
    pipeline.refresh_from_db()
    assert pipeline.watermark is not None and pipeline.api_usage

    second = pitches_pull(pipeline_id=pipeline.pk)
    assert (second.seen, second.new, second.changed) == (450, 0, 0)  # the overlap re-reads, nothing is new
    assert pipeline.pitches.count() == 450


def test_the_watermark_limits_later_passes_to_recent_records(salesforce, settings):
    settings.SALESFORCE_WATERMARK_OVERLAP_SECONDS = 0
    pipeline = make_pipeline(max_in_flight=0)
    add_accounts(salesforce, 3)
    time.sleep(1.1)  # SOQL datetime literals have whole seconds
    add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    time.sleep(1.1)
    add_accounts(salesforce, 2)

    summary = pitches_pull(pipeline_id=pipeline.pk)

    # The two new records and the one at the watermark; not the three older ones.
    assert (summary.seen, summary.new) == (3, 2)


def test_a_record_a_person_changed_is_evaluated_again_but_our_own_write_back_is_not(salesforce):
    pipeline = make_pipeline(max_in_flight=0, selection="Name != null")
    (record_id,) = add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    Pitch.objects.filter(pipeline=pipeline).update(status=Pitch.Status.WRITTEN_BACK)

    salesforce.org.update(record_id, {"VicBot_Assessment__c": "Strong fit"})  # what our write-back does
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 0
    assert Pitch.objects.get(salesforce_id=record_id).status == Pitch.Status.WRITTEN_BACK

    salesforce.org.update(record_id, {"Description": "Pivoted to drones."}, modified_by=salesforce.org.human_user_id)
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 1
    pitch = Pitch.objects.get(salesforce_id=record_id)
    assert pitch.status == Pitch.Status.NEW and pitch.snapshot["Description"] == "Pivoted to drones."


def test_overlapping_passes_run_one_at_a_time(salesforce):
    pipeline = make_pipeline(max_in_flight=0)
    add_accounts(salesforce, 50)
    salesforce.faults.add("slow", delay=1.0)

    results = run_in_threads(pitches_pull, 2, pipeline_id=pipeline.pk)

    assert sorted(r.skipped_busy for r in results) == [False, True]
    assert pipeline.pitches.count() == 50


@pytest.mark.usefixtures("celery_worker")
def test_it_starts_no_more_runs_than_the_in_flight_limit_and_admits_the_rest_later(salesforce, openai_emu):
    pipeline = make_pipeline(max_in_flight=2)
    add_accounts(salesforce, 5)

    summary = pitches_pull(pipeline_id=pipeline.pk)

    assert summary.new == 5 and summary.started == 2
    assert pipeline.pitches.filter(status=Pitch.Status.NEW).count() == 3
    written = wait_until_written_back(pipeline, 5)
    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}
    assert Run.objects.count() == 5


def test_a_huge_field_is_cut_with_a_marker_before_the_model_sees_it(salesforce):
    from integrations.salesforce.emulator import Field

    salesforce.org.define("Account", Field("Pitch_Deck_Text__c", "textarea", 262144, filterable=False))
    pipeline = make_pipeline(max_in_flight=0, fields=["Name", "Pitch_Deck_Text__c"])
    salesforce.org.insert("Account", {"Name": "Verbose Inc", "Pitch_Deck_Text__c": "x" * 200_000})

    pitches_pull(pipeline_id=pipeline.pk)

    pitch = pipeline.pitches.get()
    text = pitch.snapshot["Pitch_Deck_Text__c"]
    assert len(text) <= pipeline.field_max_chars and "[truncated by Vicbot:" in text
    assert len(pitch_prompt(pipeline, record_id=pitch.salesforce_id, snapshot=pitch.snapshot)) < 5000


def test_hostile_names_are_just_data(salesforce):
    pipeline = make_pipeline(max_in_flight=0)
    name = "O'Brien \\ Sons' OR Name != '' {record} %_"
    salesforce.org.insert("Account", {"Name": name})

    pitches_pull(pipeline_id=pipeline.pk)

    pitch = pipeline.pitches.get()
    assert pitch.name == name
    assert f"Name: {name}" in pitch_prompt(pipeline, record_id=pitch.salesforce_id, snapshot=pitch.snapshot)


def test_a_pipeline_can_leave_records_alone_once_their_answer_is_written(salesforce):
    pipeline = make_pipeline(max_in_flight=0, selection="Name != null", reevaluate_written=False)
    (record_id,) = add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    Pitch.objects.filter(pipeline=pipeline).update(status=Pitch.Status.WRITTEN_BACK)

    salesforce.org.update(record_id, {"Description": "Pivoted to drones."}, modified_by=salesforce.org.human_user_id)

    assert pitches_pull(pipeline_id=pipeline.pk).changed == 0
    pitch = Pitch.objects.get(salesforce_id=record_id)
    assert pitch.status == Pitch.Status.WRITTEN_BACK and pitch.snapshot["Description"] != "Pivoted to drones."
