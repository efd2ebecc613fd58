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
    # One records' query paged twice, and per batch of 200 one query for the records' files (decks:
    # none here, so no ContentVersion query follows).
    assert salesforce.calls_by_endpoint["query"] == 1 + 3 and salesforce.calls_by_endpoint["query_more"] == 2
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
    from sandbox.emulators.salesforce import Field

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


def test_text_the_database_cannot_hold_is_cleaned_with_a_note_and_the_pitch_is_taken_in(salesforce):
    pipeline = make_pipeline(max_in_flight=0)
    salesforce.org.insert("Account", {"Name": "Nul\x00Robotics", "Website": "https://nul.example",
                                      "Description": "We \x00 build\ud800 robots \udfff.\x00"})

    summary = pitches_pull(pipeline_id=pipeline.pk)

    assert (summary.new, summary.rejected, summary.error) == (1, 0, "")
    pitch = pipeline.pitches.get()
    assert pitch.status == Pitch.Status.NEW and pitch.name == "Nul\ufffdRobotics"
    assert pitch.snapshot["Description"] == "We \ufffd build\ufffd robots \ufffd.\ufffd"
    assert pitch.intake_note == ("Name: 1 NUL character replaced with U+FFFD; "
                                 "Description: 2 NUL characters and 2 lone surrogates replaced with U+FFFD")
    pipeline.refresh_from_db()
    assert pipeline.last_intake_error == "" and pipeline.watermark == pitch.system_modstamp


def test_the_cleaning_note_is_on_the_pitch_page(salesforce, operator):
    pipeline = make_pipeline(max_in_flight=0)
    salesforce.org.insert("Account", {"Name": "Nul\x00Robotics"})
    pitches_pull(pipeline_id=pipeline.pk)
    pitch = pipeline.pitches.get()

    html = operator.get(f"/admin/pipelines/pitch/{pitch.pk}/change/", secure=True).content.decode()

    assert "Cleaned at intake" in html and "Name: 1 NUL character replaced with U+FFFD" in html


@pytest.fixture
def a_constraint_the_record_breaks():
    """A rule of the database that no cleaning can satisfy: it stands for any way a record can
    still fail to be stored (a real constraint, a real error, a real rolled-back savepoint)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE pipelines_pitch ADD CONSTRAINT test_no_poison "
                       "CHECK (coalesce(snapshot ->> 'Description', '') NOT LIKE '%poison%')")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE pipelines_pitch DROP CONSTRAINT test_no_poison")


@pytest.mark.usefixtures("a_constraint_the_record_breaks")
def test_a_record_that_still_cannot_be_stored_is_rejected_and_the_records_behind_it_are_taken_in(
        salesforce, operator):
    pipeline = make_pipeline(max_in_flight=0, selection="Name != null")
    poison = salesforce.org.insert("Account", {"Name": "Poison Pill", "Description": "a poison description"})
    (behind,) = add_accounts(salesforce, 1)

    summary = pitches_pull(pipeline_id=pipeline.pk)

    assert (summary.seen, summary.new, summary.rejected, summary.error) == (2, 1, 1, "")
    rejected = Pitch.objects.get(salesforce_id=poison)
    assert rejected.status == Pitch.Status.REJECTED and rejected.name == "Poison Pill" and rejected.snapshot == {}
    assert "IntegrityError" in rejected.error and "test_no_poison" in rejected.error
    taken = Pitch.objects.get(salesforce_id=behind)
    assert taken.status == Pitch.Status.NEW
    pipeline.refresh_from_db()
    assert pipeline.watermark == taken.system_modstamp > rejected.system_modstamp
    assert pipeline.last_intake_error == "" and "1 rejected" in pipeline.last_intake_summary
    page = operator.get(f"/admin/pipelines/pitch/{rejected.pk}/change/", secure=True).content.decode()
    assert "rejected at intake (could not be stored)" in page and "test_no_poison" in page

    # Never admitted, and not rejected again on the next pass (the overlap re-reads it).
    again = pitches_pull(pipeline_id=pipeline.pk)
    assert (again.new, again.rejected, again.started) == (0, 0, 0)
    assert Pitch.objects.get(pk=rejected.pk).status == Pitch.Status.REJECTED and not Run.objects.exists()

    # An edit in Salesforce that can be stored brings it back.
    salesforce.org.update(poison, {"Description": "A fine description."},
                          modified_by=salesforce.org.human_user_id)
    assert pitches_pull(pipeline_id=pipeline.pk).changed == 1
    back = Pitch.objects.get(pk=rejected.pk)
    assert back.status == Pitch.Status.NEW and back.snapshot["Description"] == "A fine description."
    assert back.error == ""
